/**
 * The Deployment controller's arithmetic (k8s.io/kubernetes/pkg/controller/deployment/util),
 * as pure functions over plain numbers and ReplicaSet-like records.
 */

export type IntOrPercent = number | string | undefined | null

/** An int, or a percentage of total rounded up or down. */
export function scaledValue(v: IntOrPercent, total: number, roundUp: boolean): number {
  if (v === undefined || v === null || v === '') return 0
  if (typeof v === 'number') return v
  const m = /^(\d+(?:\.\d+)?)%$/.exec(v.trim())
  if (!m) {
    const n = Number(v)
    if (Number.isFinite(n)) return Math.trunc(n)
    throw new Error(`invalid value for IntOrString: ${v}`)
  }
  const exact = (Number(m[1]) * total) / 100
  return roundUp ? Math.ceil(exact) : Math.floor(exact)
}

/**
 * ResolveFenceposts: maxSurge rounds up, maxUnavailable rounds down; when both come to 0,
 * unavailable becomes 1 so a rollout can make progress.
 */
export function resolveFenceposts(maxSurge: IntOrPercent, maxUnavailable: IntOrPercent, desired: number): { surge: number; unavailable: number } {
  const surge = scaledValue(maxSurge ?? '25%', desired, true)
  let unavailable = scaledValue(maxUnavailable ?? '25%', desired, false)
  if (surge === 0 && unavailable === 0) unavailable = 1
  return { surge, unavailable }
}

export interface RsCounts {
  /** spec.replicas */
  replicas: number
  /** status.availableReplicas */
  available: number
}

export const sumReplicas = (rs: RsCounts[]) => rs.reduce((n, r) => n + r.replicas, 0)
export const sumAvailable = (rs: RsCounts[]) => rs.reduce((n, r) => n + r.available, 0)

/** NewRSNewReplicas for RollingUpdate: how far the new ReplicaSet may grow now. */
export function newRSReplicasRolling(desired: number, surge: number, all: RsCounts[], newRS: RsCounts | undefined): number {
  const current = newRS?.replicas ?? 0
  const maxTotal = desired + surge
  const total = sumReplicas(all)
  if (total >= maxTotal) return current
  const scaleUp = Math.min(maxTotal - total, desired - current)
  return current + Math.max(0, scaleUp)
}

/**
 * How many old replicas may go now (reconcileOldReplicaSets): the total may not drop below
 * desired - maxUnavailable, counting the new ReplicaSet's not-yet-available pods as missing.
 */
export function maxScaledDown(desired: number, unavailable: number, all: RsCounts[], newRS: RsCounts | undefined): number {
  const minAvailable = desired - unavailable
  const newUnavailable = newRS ? newRS.replicas - newRS.available : 0
  return sumReplicas(all) - minAvailable - newUnavailable
}

/** cleanupUnhealthyReplicas: scale down unavailable old replicas first (oldest ReplicaSets first). Returns new sizes. */
export function cleanupUnhealthy(old: RsCounts[], maxCleanup: number): { sizes: number[]; cleaned: number } {
  let cleaned = 0
  const sizes = old.map((rs) => {
    if (cleaned >= maxCleanup || rs.replicas === 0 || rs.replicas === rs.available) return rs.replicas
    const down = Math.min(maxCleanup - cleaned, rs.replicas - rs.available)
    cleaned += down
    return rs.replicas - down
  })
  return { sizes, cleaned }
}

/** scaleDownOldReplicaSetsForRollingUpdate: scale down available old replicas while staying above minAvailable. */
export function scaleDownOld(desired: number, unavailable: number, all: RsCounts[], old: RsCounts[]): { sizes: number[]; scaled: number } {
  const minAvailable = desired - unavailable
  const available = sumAvailable(all)
  if (available <= minAvailable) return { sizes: old.map((r) => r.replicas), scaled: 0 }
  const total = available - minAvailable
  let scaled = 0
  const sizes = old.map((rs) => {
    if (scaled >= total || rs.replicas === 0) return rs.replicas
    const down = Math.min(rs.replicas, total - scaled)
    scaled += down
    return rs.replicas - down
  })
  return { sizes, scaled }
}
