import type { KubeObject, WatchEvent } from '../types.js'
import type { Controller, ControllerContext } from './context.js'
import { selectorIsEmpty, selectorMatches } from './label-selector.js'
import {
  clone,
  computeTemplateHash,
  controllerOf,
  controllerRef,
  deepEqual,
  isControlledBy,
  k8sTime,
  keyOf,
  objKey,
  parseTime,
  patchObject,
  splitKey,
  statusCode,
} from './objects.js'
import { isTerminal } from './pods.js'
import {
  cleanupUnhealthy,
  maxScaledDown,
  newRSReplicasRolling,
  resolveFenceposts,
  scaleDownOld,
  sumReplicas,
  type RsCounts,
} from './rollout-math.js'
import { WorkQueue } from '../../lib/work-queue.js'

export const REVISION = 'deployment.kubernetes.io/revision'
export const DESIRED_REPLICAS = 'deployment.kubernetes.io/desired-replicas'
export const MAX_REPLICAS = 'deployment.kubernetes.io/max-replicas'
export const POD_TEMPLATE_HASH = 'pod-template-hash'
const NO_COPY = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  REVISION,
  'deployment.kubernetes.io/revision-history',
  DESIRED_REPLICAS,
  MAX_REPLICAS,
  'deprecated.deployment.rollback.to',
])
const NO_DEADLINE = 2147483647

interface Condition {
  type: string
  status: 'True' | 'False' | 'Unknown'
  reason: string
  message: string
  lastUpdateTime?: string
  lastTransitionTime?: string
}

export const revisionOf = (rs: KubeObject) => Number(rs.metadata.annotations?.[REVISION] ?? 0) || 0
const specReplicas = (o: KubeObject) => Number(o.spec?.replicas ?? 1)
const counts = (rs: KubeObject): RsCounts => ({ replicas: Number(rs.spec?.replicas ?? 0), available: Number(rs.status?.availableReplicas ?? 0) })
const byAge = (a: KubeObject, b: KubeObject) =>
  (parseTime(a.metadata.creationTimestamp) ?? 0) - (parseTime(b.metadata.creationTimestamp) ?? 0) ||
  (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '')

/** EqualIgnoreHash: the pod templates match apart from the pod-template-hash label. */
export function templatesEqual(rsTemplate: any, template: any): boolean {
  const a = clone(rsTemplate ?? {})
  if (a.metadata?.labels) delete a.metadata.labels[POD_TEMPLATE_HASH]
  return deepEqual(a, template ?? {})
}

function fenceposts(d: KubeObject): { surge: number; unavailable: number } {
  const desired = specReplicas(d)
  if ((d.spec?.strategy?.type ?? 'RollingUpdate') !== 'RollingUpdate') return { surge: 0, unavailable: 0 }
  const ru = d.spec?.strategy?.rollingUpdate ?? {}
  const { surge, unavailable } = resolveFenceposts(ru.maxSurge, ru.maxUnavailable, desired)
  return { surge, unavailable: desired === 0 ? 0 : Math.min(unavailable, desired) }
}

/** Sets a condition like SetDeploymentCondition: same status and reason → unchanged; same status keeps lastTransitionTime. */
function setCondition(conds: Condition[], c: Condition, now: string, force = false): Condition[] {
  const cur = conds.find((x) => x.type === c.type)
  if (!force && cur && cur.status === c.status && cur.reason === c.reason) return conds
  const next: Condition = {
    type: c.type,
    status: c.status,
    lastUpdateTime: now,
    lastTransitionTime: cur && cur.status === c.status ? (cur.lastTransitionTime ?? now) : now,
    reason: c.reason,
    message: c.message,
  }
  return [...conds.filter((x) => x.type !== c.type), next]
}

interface SyncState {
  d: KubeObject
  /** condition noted while finding/creating the new ReplicaSet */
  noted?: Condition
}

/**
 * The Deployment controller: one ReplicaSet per pod template (name <deployment>-<hash>), rolled
 * out with RollingUpdate (maxSurge/maxUnavailable) or Recreate, with revisions, history cleanup,
 * and the status `kubectl rollout status` and KECS's service reconciler read.
 */
export class DeploymentController implements Controller {
  private readonly queue: WorkQueue

  constructor(private readonly ctx: ControllerContext) {
    this.queue = new WorkQueue('deployment', (k) => this.sync(k), ctx.timers, ctx.onError)
  }

  get idle() {
    return this.queue.idle
  }

  start(): void {
    for (const d of this.ctx.store.list('deployments').items) this.queue.add(keyOf(d))
  }

  stop(): Promise<void> {
    return this.queue.stop()
  }

  handle(resource: string, e: WatchEvent): void {
    const o = e.object
    const ns = o.metadata.namespace
    if (resource === 'deployments') this.queue.add(keyOf(o))
    else if (resource === 'replicasets') {
      const ref = controllerOf(o)
      if (ref?.kind === 'Deployment') this.queue.add(objKey(ns, ref.name))
      else if (!ref && e.type !== 'DELETED')
        for (const d of this.ctx.store.list('deployments', { namespace: ns }).items)
          if (selectorMatches(d.spec?.selector, o.metadata.labels)) this.queue.add(keyOf(d))
    } else if (resource === 'pods' && e.type === 'DELETED') {
      // Recreate waits for the old pods to be gone
      const ref = controllerOf(o)
      if (ref?.kind !== 'ReplicaSet') return
      const rs = this.ctx.store.get('replicasets', ns, ref.name)
      const dref = rs && controllerOf(rs)
      if (dref?.kind === 'Deployment') this.queue.add(objKey(ns, dref.name))
    }
  }

  private async sync(key: string): Promise<void> {
    const [ns, name] = splitKey(key)
    const d = this.ctx.store.get('deployments', ns, name)
    if (!d || d.metadata.deletionTimestamp || selectorIsEmpty(d.spec?.selector)) return
    const rsList = await this.claimReplicaSets(d)
    const s: SyncState = { d }
    if (d.spec?.paused) return this.syncPaused(s, rsList)
    if ((d.spec?.strategy?.type ?? 'RollingUpdate') === 'Recreate') return this.rolloutRecreate(s, rsList)
    return this.rolloutRolling(s, rsList)
  }

  /** ReplicaSets this Deployment controls, adopting matching orphans. */
  private async claimReplicaSets(d: KubeObject): Promise<KubeObject[]> {
    const out: KubeObject[] = []
    for (const rs of this.ctx.store.list('replicasets', { namespace: d.metadata.namespace }).items) {
      if (isControlledBy(rs, d)) out.push(rs)
      else if (!controllerOf(rs) && !rs.metadata.deletionTimestamp && selectorMatches(d.spec.selector, rs.metadata.labels)) {
        const adopted = await patchObject(this.ctx.store, 'replicasets', rs.metadata.namespace, rs.metadata.name!, (o) => {
          if (controllerOf(o)) return false
          o.metadata.ownerReferences = [...(o.metadata.ownerReferences ?? []), controllerRef(d)]
        })
        if (adopted && isControlledBy(adopted, d)) out.push(adopted)
      }
    }
    return out.sort(byAge)
  }

  private isNewRS(d: KubeObject, rs: KubeObject): boolean {
    if (templatesEqual(rs.spec?.template, d.spec?.template)) return true
    // the API server may have defaulted the copy differently: the hash label still says which template it came from
    return rs.metadata.labels?.[POD_TEMPLATE_HASH] === computeTemplateHash(d.spec?.template, d.status?.collisionCount)
  }

  /** getAllReplicaSetsAndSyncRevision: the new ReplicaSet (created when asked) and the old ones. 'retry' after a hash collision. */
  private async getAll(s: SyncState, rsList: KubeObject[], create: boolean): Promise<{ newRS?: KubeObject; oldRSs: KubeObject[] } | 'retry'> {
    const { d } = s
    const { store } = this.ctx
    const found = rsList.find((rs) => this.isNewRS(d, rs))
    const oldRSs = rsList.filter((rs) => rs !== found)
    const newRevision = Math.max(0, ...oldRSs.map(revisionOf)) + 1
    const desired = specReplicas(d)
    const { surge } = fenceposts(d)
    if (found) {
      let newRS = found
      if (revisionOf(found) < newRevision || Number(found.spec?.minReadySeconds ?? 0) !== Number(d.spec?.minReadySeconds ?? 0)) {
        newRS =
          (await patchObject(store, 'replicasets', found.metadata.namespace, found.metadata.name!, (rs) => {
            rs.metadata.annotations = { ...(rs.metadata.annotations ?? {}), [REVISION]: String(Math.max(revisionOf(rs), newRevision)) }
            rs.spec = { ...(rs.spec ?? {}), minReadySeconds: Number(d.spec?.minReadySeconds ?? 0) }
          })) ?? found
      }
      if (!(d.status?.conditions ?? []).some((c: any) => c.type === 'Progressing'))
        s.noted = { type: 'Progressing', status: 'True', reason: 'FoundNewReplicaSet', message: `Found new replica set "${newRS.metadata.name}"` }
      return { newRS, oldRSs }
    }
    if (!create) return { oldRSs }

    const hash = computeTemplateHash(d.spec?.template, d.status?.collisionCount)
    const template = clone(d.spec?.template ?? {})
    template.metadata = { ...(template.metadata ?? {}), labels: { ...(template.metadata?.labels ?? {}), [POD_TEMPLATE_HASH]: hash } }
    const selector = clone(d.spec.selector)
    selector.matchLabels = { ...(selector.matchLabels ?? {}), [POD_TEMPLATE_HASH]: hash }
    const annotations: Record<string, string> = {}
    for (const [k, v] of Object.entries((d.metadata.annotations ?? {}) as Record<string, string>)) if (!NO_COPY.has(k)) annotations[k] = v
    Object.assign(annotations, { [DESIRED_REPLICAS]: String(desired), [MAX_REPLICAS]: String(desired + surge), [REVISION]: String(newRevision) })
    const recreate = d.spec?.strategy?.type === 'Recreate'
    const replicas = recreate ? desired : newRSReplicasRolling(desired, surge, rsList.map(counts), undefined)
    const name = `${d.metadata.name}-${hash}`
    const rs: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name,
        namespace: d.metadata.namespace,
        labels: template.metadata.labels,
        annotations,
        ownerReferences: [controllerRef(d)],
      },
      spec: { replicas, minReadySeconds: Number(d.spec?.minReadySeconds ?? 0), selector, template },
    }
    let created: KubeObject
    try {
      created = await store.create('replicasets', rs)
    } catch (err) {
      if (statusCode(err) !== 409) throw err
      const existing = store.get('replicasets', d.metadata.namespace, name)
      if (existing && isControlledBy(existing, d) && (templatesEqual(existing.spec?.template, d.spec?.template) || existing.metadata.labels?.[POD_TEMPLATE_HASH] === hash))
        return { newRS: existing, oldRSs }
      // another template owns that name: bump collisionCount, which changes the hash (the status write re-queues us)
      await patchObject(store, 'deployments', d.metadata.namespace, d.metadata.name!, (o) => {
        if (o.metadata.uid !== d.metadata.uid) return false
        o.status = { ...(o.status ?? {}), collisionCount: Number(o.status?.collisionCount ?? 0) + 1 }
      })
      return 'retry'
    }
    if (replicas > 0) this.scaledEvent(d, name, 0, replicas)
    s.noted = { type: 'Progressing', status: 'True', reason: 'NewReplicaSetCreated', message: `Created new replica set "${name}"` }
    return { newRS: created, oldRSs }
  }

  private scaledEvent(d: KubeObject, rs: string, from: number, to: number): void {
    this.ctx.recorder.record(d, {
      reason: 'ScalingReplicaSet',
      message: `Scaled ${to > from ? 'up' : 'down'} replica set ${rs} from ${from} to ${to}`,
      component: 'deployment-controller',
    })
  }

  private async scale(d: KubeObject, rs: KubeObject, size: number): Promise<KubeObject> {
    const from = Number(rs.spec?.replicas ?? 0)
    const desired = specReplicas(d)
    const { surge } = fenceposts(d)
    const updated = await patchObject(this.ctx.store, 'replicasets', rs.metadata.namespace, rs.metadata.name!, (o) => {
      o.spec = { ...(o.spec ?? {}), replicas: size }
      o.metadata.annotations = { ...(o.metadata.annotations ?? {}), [DESIRED_REPLICAS]: String(desired), [MAX_REPLICAS]: String(desired + surge) }
    })
    if (from !== size) this.scaledEvent(d, rs.metadata.name!, from, size)
    return updated ?? rs
  }

  private async rolloutRolling(s: SyncState, rsList: KubeObject[]): Promise<void> {
    const { d } = s
    const all = await this.getAll(s, rsList, true)
    if (all === 'retry') return
    let newRS = all.newRS!
    let oldRSs = all.oldRSs
    const desired = specReplicas(d)
    const { surge, unavailable } = fenceposts(d)

    // reconcileNewReplicaSet
    const current = Number(newRS.spec?.replicas ?? 0)
    if (current !== desired) {
      const size = current > desired ? desired : newRSReplicasRolling(desired, surge, [...oldRSs, newRS].map(counts), counts(newRS))
      if (size !== current) {
        newRS = await this.scale(d, newRS, size)
        return this.syncStatus(s, [...oldRSs, newRS], newRS)
      }
    }

    // reconcileOldReplicaSets
    if (sumReplicas(oldRSs.map(counts)) > 0) {
      const allCounts = [...oldRSs, newRS].map(counts)
      const maxDown = maxScaledDown(desired, unavailable, allCounts, counts(newRS))
      if (maxDown > 0) {
        const active = oldRSs.filter((rs) => counts(rs).replicas > 0)
        const cleaned = cleanupUnhealthy(active.map(counts), maxDown)
        const afterCleanup = active.map((rs, i) => ({ replicas: cleaned.sizes[i]!, available: counts(rs).available }))
        const others = oldRSs.filter((rs) => !active.includes(rs)).map(counts)
        const down = scaleDownOld(desired, unavailable, [...afterCleanup, ...others, counts(newRS)], afterCleanup)
        let changed = false
        const scaled = new Map<KubeObject, KubeObject>()
        for (let i = 0; i < active.length; i++) {
          const rs = active[i]!
          if (down.sizes[i] !== counts(rs).replicas) {
            scaled.set(rs, await this.scale(d, rs, down.sizes[i]!))
            changed = true
          }
        }
        if (changed) {
          oldRSs = oldRSs.map((rs) => scaled.get(rs) ?? rs)
          return this.syncStatus(s, [...oldRSs, newRS], newRS)
        }
      }
    }

    await this.syncStatus(s, [...oldRSs, newRS], newRS, oldRSs)
  }

  private async rolloutRecreate(s: SyncState, rsList: KubeObject[]): Promise<void> {
    const { d } = s
    const first = await this.getAll(s, rsList, false)
    if (first === 'retry') return
    let { newRS, oldRSs } = first
    const active = oldRSs.filter((rs) => counts(rs).replicas > 0)
    if (active.length) {
      for (const rs of active) await this.scale(d, rs, 0)
      return this.syncStatus(s, [...rsList], newRS)
    }
    if (this.oldPodsRunning(oldRSs)) return this.syncStatus(s, rsList, newRS)
    if (!newRS) {
      const second = await this.getAll(s, rsList, true)
      if (second === 'retry') return
      newRS = second.newRS!
      oldRSs = second.oldRSs
    }
    if (Number(newRS.spec?.replicas ?? 0) !== specReplicas(d)) newRS = await this.scale(d, newRS, specReplicas(d))
    await this.syncStatus(s, [...oldRSs, newRS], newRS, oldRSs)
  }

  private oldPodsRunning(oldRSs: KubeObject[]): boolean {
    if (oldRSs.some((rs) => Number(rs.status?.replicas ?? 0) > 0)) return true
    const uids = new Set(oldRSs.map((rs) => rs.metadata.uid))
    if (!uids.size) return false
    return this.ctx.store
      .list('pods', { namespace: oldRSs[0]!.metadata.namespace })
      .items.some((p) => uids.has(controllerOf(p)?.uid) && !isTerminal(p))
  }

  private async syncPaused(s: SyncState, rsList: KubeObject[]): Promise<void> {
    const all = await this.getAll(s, rsList, false)
    if (all === 'retry') return
    let { newRS } = all
    if (newRS && all.oldRSs.every((rs) => counts(rs).replicas === 0) && counts(newRS).replicas !== specReplicas(s.d))
      newRS = await this.scale(s.d, newRS, specReplicas(s.d))
    await this.syncStatus(s, rsList.map((rs) => (rs === all.newRS ? newRS! : rs)), newRS)
  }

  /** Removes old, scaled-down ReplicaSets beyond revisionHistoryLimit (oldest revisions first). */
  private async cleanup(d: KubeObject, oldRSs: KubeObject[]): Promise<void> {
    const limit = Number(d.spec?.revisionHistoryLimit ?? 10)
    const cleanable = oldRSs
      .filter((rs) => counts(rs).replicas === 0 && Number(rs.status?.replicas ?? 0) === 0 && !rs.metadata.deletionTimestamp)
      .sort((a, b) => revisionOf(a) - revisionOf(b) || byAge(a, b))
    for (const rs of cleanable.slice(0, Math.max(0, cleanable.length - limit))) {
      try {
        await this.ctx.store.delete('replicasets', rs.metadata.namespace, rs.metadata.name!)
      } catch (err) {
        if (statusCode(err) !== 404) throw err
      }
    }
  }

  private async syncStatus(s: SyncState, allRSs: KubeObject[], newRS: KubeObject | undefined, cleanupOld?: KubeObject[]): Promise<void> {
    const { d } = s
    const now = this.ctx.timers.now()
    const nowStr = k8sTime(now)
    const desired = specReplicas(d)
    const sum = (f: (rs: KubeObject) => number) => allRSs.reduce((n, rs) => n + f(rs), 0)
    const prev = d.status ?? {}
    const status: any = {
      observedGeneration: d.metadata.generation ?? 1,
      replicas: sum((rs) => Number(rs.status?.replicas ?? 0)),
      updatedReplicas: Number(newRS?.status?.replicas ?? 0),
      readyReplicas: sum((rs) => Number(rs.status?.readyReplicas ?? 0)),
      availableReplicas: sum((rs) => Number(rs.status?.availableReplicas ?? 0)),
    }
    status.unavailableReplicas = Math.max(0, desired - status.availableReplicas)
    if (prev.collisionCount !== undefined) status.collisionCount = prev.collisionCount

    let conds: Condition[] = clone(prev.conditions ?? [])
    const { unavailable } = fenceposts(d)
    conds =
      status.availableReplicas >= desired - unavailable
        ? setCondition(conds, { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' }, nowStr)
        : setCondition(conds, { type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.' }, nowStr)
    if (s.noted) conds = setCondition(conds, s.noted, nowStr)

    const complete =
      status.updatedReplicas === desired && status.replicas === desired && status.availableReplicas === desired && status.observedGeneration >= (d.metadata.generation ?? 1)
    const deadlineS = Number(d.spec?.progressDeadlineSeconds ?? 600)
    const cur = conds.find((c) => c.type === 'Progressing')
    if (d.spec?.paused) {
      if (cur?.reason !== 'DeploymentPaused')
        conds = setCondition(conds, { type: 'Progressing', status: 'Unknown', reason: 'DeploymentPaused', message: 'Deployment is paused' }, nowStr)
    } else if (cur?.reason === 'DeploymentPaused') {
      conds = setCondition(conds, { type: 'Progressing', status: 'Unknown', reason: 'DeploymentResumed', message: 'Deployment is resumed' }, nowStr)
    } else if (newRS && deadlineS !== NO_DEADLINE) {
      const rsName = newRS.metadata.name
      const alreadyComplete = desired === status.updatedReplicas && cur?.reason === 'NewReplicaSetAvailable'
      if (!alreadyComplete) {
        const progressing =
          status.updatedReplicas > Number(prev.updatedReplicas ?? 0) ||
          status.replicas - status.updatedReplicas < Number(prev.replicas ?? 0) - Number(prev.updatedReplicas ?? 0) ||
          status.readyReplicas > Number(prev.readyReplicas ?? 0) ||
          status.availableReplicas > Number(prev.availableReplicas ?? 0)
        const deadlineMs = (deadlineS * 1000) / this.ctx.speed
        const since = parseTime(cur?.lastUpdateTime) ?? now
        if (complete) {
          conds = setCondition(conds, { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${rsName}" has successfully progressed.` }, nowStr)
        } else if (progressing) {
          conds = setCondition(conds, { type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: `ReplicaSet "${rsName}" is progressing.` }, nowStr, true)
          this.queue.addAfter(keyOf(d), deadlineMs + 1000)
        } else if (cur && cur.reason !== 'ProgressDeadlineExceeded') {
          if (since + deadlineMs < now)
            conds = setCondition(conds, { type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: `ReplicaSet "${rsName}" has timed out progressing.` }, nowStr)
          else this.queue.addAfter(keyOf(d), since + deadlineMs - now + 1000)
        }
      }
    }
    status.conditions = conds

    if (complete && cleanupOld) await this.cleanup(d, cleanupOld)

    const revision = newRS ? String(revisionOf(newRS)) : undefined
    await patchObject(this.ctx.store, 'deployments', d.metadata.namespace, d.metadata.name!, (o) => {
      if (o.metadata.uid !== d.metadata.uid) return false
      if (revision && o.metadata.annotations?.[REVISION] !== revision) o.metadata.annotations = { ...(o.metadata.annotations ?? {}), [REVISION]: revision }
      // the object may have moved on (a newer generation): its next sync writes that one's status
      if ((o.metadata.generation ?? 1) !== (d.metadata.generation ?? 1)) return
      o.status = { ...(o.status ?? {}), ...status }
    })
  }
}
