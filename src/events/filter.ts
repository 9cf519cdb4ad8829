import type { EcsEvent } from './bus.js'

/**
 * What a live-feed subscriber wants to see (the `/ws` query parameters, the `subscribe` message, the
 * `kecs events` flags). Fields are AND-ed; an absent field matches every event.
 */
export interface EventFilters {
  /** Cluster name or ARN. */
  cluster?: string
  /** Service name or ARN. */
  service?: string
  /** Task id or ARN. */
  task?: string
  /** `detail-type` values (any of them, case-insensitive), e.g. `ECS Task State Change`. */
  detailType?: string[]
}

export class FilterError extends Error {
  override name = 'FilterError'
}

/** Which clusters, services and tasks an event is about, gathered from its ARNs and detail. */
export interface EventRefs {
  clusterArns: Set<string>
  clusterNames: Set<string>
  serviceNames: Set<string>
  taskIds: Set<string>
}

const ARN = /^arn:(aws[a-z-]*):ecs:([a-z0-9-]*):(\d{12}):([a-z-]+)\/(.+)$/

interface Arn {
  prefix: string
  type: string
  /** The path after `<type>/`, split on `/`. */
  parts: string[]
}

function parseEcsArn(s: string): Arn | undefined {
  const m = ARN.exec(s)
  if (!m) return undefined
  return { prefix: `arn:${m[1]}:ecs:${m[2]}:${m[3]}`, type: m[4]!, parts: m[5]!.split('/') }
}

function addArn(refs: EventRefs, s: unknown): void {
  if (typeof s !== 'string') return
  const a = parseEcsArn(s)
  if (!a) return
  const cluster = (name: string | undefined) => {
    if (!name) return
    refs.clusterNames.add(name)
    refs.clusterArns.add(`${a.prefix}:cluster/${name}`)
  }
  const p = a.parts
  switch (a.type) {
    case 'cluster':
      cluster(p[0])
      break
    case 'task': // task/<cluster>/<id>, or the old task/<id>
      if (p.length >= 2) cluster(p[0])
      refs.taskIds.add(p[p.length - 1]!)
      break
    case 'container': // container/<cluster>/<task id>/<uuid>
      if (p.length >= 3) {
        cluster(p[0])
        refs.taskIds.add(p[1]!)
      }
      break
    case 'service': // service/<cluster>/<name>, or the old service/<name>
      if (p.length >= 2) cluster(p[0])
      refs.serviceNames.add(p[p.length - 1]!)
      break
    case 'task-set': // task-set/<cluster>/<service>/<id>
      cluster(p[0])
      if (p[1]) refs.serviceNames.add(p[1])
      break
    case 'container-instance': // container-instance/<cluster>/<id>
      if (p.length >= 2) cluster(p[0])
      break
  }
}

/**
 * Task events carry `clusterArn`, `taskArn` and `group` (`service:<name>` for service tasks);
 * service and deployment events carry the service ARN in `resources`; `taskArns` lists the tasks a
 * service action is about. `startedBy` (`ecs-svc/<n>`) names a deployment, not a service, so it
 * is not used.
 */
export function eventRefs(e: EcsEvent): EventRefs {
  const refs: EventRefs = { clusterArns: new Set(), clusterNames: new Set(), serviceNames: new Set(), taskIds: new Set() }
  for (const r of e.resources ?? []) addArn(refs, r)
  const d = (e.detail ?? {}) as Record<string, unknown>
  addArn(refs, d.clusterArn)
  addArn(refs, d.taskArn)
  addArn(refs, d.serviceArn)
  addArn(refs, d.containerInstanceArn)
  if (Array.isArray(d.taskArns)) for (const t of d.taskArns) addArn(refs, t)
  if (Array.isArray(d.taskSetArns)) for (const t of d.taskSetArns) addArn(refs, t)
  if (typeof d.group === 'string' && d.group.startsWith('service:')) refs.serviceNames.add(d.group.slice('service:'.length))
  if (typeof d.serviceName === 'string') refs.serviceNames.add(d.serviceName)
  return refs
}

const isArn = (s: string) => s.startsWith('arn:')

/** True when the event passes every filter that is set. Pure: the hub, the CLI and tests share it. */
export function matches(e: EcsEvent, f: EventFilters): boolean {
  if (f.detailType && f.detailType.length > 0) {
    const type = String(e['detail-type']).toLowerCase()
    if (!f.detailType.some((t) => t.toLowerCase() === type)) return false
  }
  if (!f.cluster && !f.service && !f.task) return true
  const refs = eventRefs(e)

  if (f.cluster) {
    if (isArn(f.cluster) ? !refs.clusterArns.has(f.cluster) : !refs.clusterNames.has(f.cluster)) return false
  }
  if (f.service) {
    const a = isArn(f.service) ? parseEcsArn(f.service) : undefined
    if (a) {
      if (a.type !== 'service') return false
      const name = a.parts[a.parts.length - 1]!
      if (!refs.serviceNames.has(name)) return false
      // A long-format service ARN names its cluster (and the ARN prefix its account and region).
      if (a.parts.length >= 2 && !refs.clusterArns.has(`${a.prefix}:cluster/${a.parts[0]}`)) return false
    } else if (isArn(f.service) || !refs.serviceNames.has(f.service)) return false
  }
  if (f.task) {
    const id = isArn(f.task) ? f.task.slice(f.task.lastIndexOf('/') + 1) : f.task
    if (!refs.taskIds.has(id)) return false
  }
  return true
}

const FILTER_KEYS = ['cluster', 'service', 'task'] as const

function detailTypes(v: unknown): string[] | undefined {
  if (v === undefined || v === null) return undefined
  const list = Array.isArray(v) ? v : [v]
  const out: string[] = []
  for (const t of list) {
    if (typeof t !== 'string') throw new FilterError('detailType must be a string or a list of strings')
    // Several types may come comma-separated in one query parameter (they never contain commas).
    for (const part of t.split(',')) if (part.trim() !== '') out.push(part.trim())
  }
  return out.length ? out : undefined
}

/** Filters from the JSON of a `subscribe` message (`detailType` or `detail-type`). */
export function parseFilters(input: unknown): EventFilters {
  if (input === undefined || input === null) return {}
  if (typeof input !== 'object' || Array.isArray(input)) throw new FilterError('filters must be an object')
  const o = input as Record<string, unknown>
  const f: EventFilters = {}
  for (const k of FILTER_KEYS) {
    const v = o[k]
    if (v === undefined || v === null || v === '') continue
    if (typeof v !== 'string') throw new FilterError(`filter ${k} must be a string`)
    f[k] = v
  }
  const types = detailTypes(o.detailType ?? o['detail-type'])
  if (types) f.detailType = types
  return f
}

/** Filters from query parameters: `cluster`, `service`, `task`, `detail-type` (repeatable, or comma-separated). */
export function filtersFromQuery(q: URLSearchParams): EventFilters {
  const types = [...q.getAll('detail-type'), ...q.getAll('detailType')]
  return parseFilters({
    cluster: q.get('cluster') ?? undefined,
    service: q.get('service') ?? undefined,
    task: q.get('task') ?? undefined,
    detailType: types.length ? types : undefined,
  })
}

/** The inverse of filtersFromQuery, for clients building the `/ws` URL. */
export function filtersToQuery(f: EventFilters, q = new URLSearchParams()): URLSearchParams {
  for (const k of FILTER_KEYS) if (f[k]) q.set(k, f[k]!)
  for (const t of f.detailType ?? []) q.append('detail-type', t)
  return q
}
