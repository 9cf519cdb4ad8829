import type { KubeObject } from '../types.js'
import { parseTime } from './objects.js'

/** Pod predicates the workload controllers share (k8s.io/kubernetes/pkg/api/v1/pod). */

export const podPhase = (p: KubeObject): string => p.status?.phase ?? 'Pending'
export const isTerminal = (p: KubeObject) => podPhase(p) === 'Succeeded' || podPhase(p) === 'Failed'

/** Counts towards a controller's replicas: not finished and not being deleted. */
export const isActivePod = (p: KubeObject) => !isTerminal(p) && !p.metadata.deletionTimestamp

const readyCondition = (p: KubeObject) => (p.status?.conditions ?? []).find((c: any) => c.type === 'Ready')
export const isPodReady = (p: KubeObject) => readyCondition(p)?.status === 'True'
export const podReadySince = (p: KubeObject) => parseTime(readyCondition(p)?.lastTransitionTime)

/** Ready for at least minReadySeconds (already divided by the speed: minReadyMs). */
export function isPodAvailable(p: KubeObject, minReadyMs: number, now: number): boolean {
  if (!isPodReady(p)) return false
  if (minReadyMs <= 0) return true
  const since = podReadySince(p)
  return since !== undefined && since + minReadyMs <= now
}

/** Milliseconds until a ready pod becomes available, if it is ready but not yet available. */
export function untilAvailable(p: KubeObject, minReadyMs: number, now: number): number | undefined {
  if (minReadyMs <= 0 || !isPodReady(p)) return undefined
  const since = podReadySince(p) ?? now
  const left = since + minReadyMs - now
  return left > 0 ? left : undefined
}

const restarts = (p: KubeObject) =>
  Math.max(0, ...[...(p.status?.containerStatuses ?? []), ...(p.status?.initContainerStatuses ?? [])].map((s: any) => Number(s.restartCount ?? 0)))

const PHASE_RANK: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 }

/**
 * The order in which a ReplicaSet scales down (controller.ActivePods): unscheduled before scheduled,
 * Pending before Running, not ready before ready, ready for less time first, more restarts first,
 * newer first.
 */
export function compareForDeletion(a: KubeObject, b: KubeObject): number {
  const sa = a.spec?.nodeName ? 1 : 0
  const sb = b.spec?.nodeName ? 1 : 0
  if (sa !== sb) return sa - sb
  const pa = PHASE_RANK[podPhase(a)] ?? 0
  const pb = PHASE_RANK[podPhase(b)] ?? 0
  if (pa !== pb) return pa - pb
  const ra = isPodReady(a) ? 1 : 0
  const rb = isPodReady(b) ? 1 : 0
  if (ra !== rb) return ra - rb
  if (ra && rb) {
    const ta = podReadySince(a) ?? 0
    const tb = podReadySince(b) ?? 0
    if (ta !== tb) return tb - ta
  }
  const xa = restarts(a)
  const xb = restarts(b)
  if (xa !== xb) return xb - xa
  const ca = parseTime(a.metadata.creationTimestamp) ?? 0
  const cb = parseTime(b.metadata.creationTimestamp) ?? 0
  if (ca !== cb) return cb - ca
  return (b.metadata.name ?? '').localeCompare(a.metadata.name ?? '')
}

export const podsToDelete = (pods: KubeObject[], n: number) => [...pods].sort(compareForDeletion).slice(0, Math.max(0, n))
