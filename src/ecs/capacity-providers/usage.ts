import type { Repos } from '../repos.js'

/** A provider is in use while a live service's strategy or an unstopped task in the cluster uses it. */
export function capacityProviderInUse(repos: Pick<Repos, 'services' | 'tasks'>, clusterArn: string, provider: string): boolean {
  for (const s of repos.services.values()) {
    if (s?.clusterArn !== clusterArn || (s.status !== 'ACTIVE' && s.status !== 'DRAINING')) continue
    if ((s.capacityProviderStrategy ?? []).some((i) => i?.capacityProvider === provider)) return true
  }
  for (const t of repos.tasks.values()) {
    if (t?.clusterArn === clusterArn && t.lastStatus !== 'STOPPED' && t.capacityProviderName === provider) return true
  }
  return false
}

/** The ACTIVE clusters of an account and region that have the provider associated, by name. */
export function clustersWithProvider(repos: Pick<Repos, 'clusters'>, clusterArnPrefix: string, provider: string): string[] {
  const out: string[] = []
  for (const c of repos.clusters.values()) {
    if (c.status === 'ACTIVE' && c.clusterArn.startsWith(clusterArnPrefix) && (c.capacityProviders ?? []).includes(provider)) {
      out.push(c.clusterName)
    }
  }
  return out.sort()
}
