import type { Repos } from '../ecs/repos.js'

/** Counts of stored resources, for /metrics and `kecs status`. */
export function resourceCounts(repos: Repos): Record<string, number>
export function resourceCounts(repos: Repos, format: 'prometheus'): Record<string, number>
export function resourceCounts(repos: Repos, format?: 'prometheus'): Record<string, number> {
  const counts: Record<string, number> = {
    clusters: count(repos.clusters.values(), (c) => c.status === 'ACTIVE'),
    taskDefinitions: count(repos.taskDefinitions.values(), (t) => t.status === 'ACTIVE'),
    services: count(repos.services.values(), (s) => s.status === 'ACTIVE' && !s.kecs?.daemon),
    tasks: count(repos.tasks.values(), (t) => t.lastStatus !== 'STOPPED'),
  }
  if (format !== 'prometheus') return counts
  return Object.fromEntries(Object.entries(counts).map(([k, v]) => [`kind="${k}"`, v]))
}

function count<T>(it: Iterable<T>, pred: (t: T) => boolean): number {
  let n = 0
  for (const x of it) if (pred(x)) n++
  return n
}
