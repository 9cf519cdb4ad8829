import type { KubeObject, WatchEvent } from '../types.js'
import type { Controller, ControllerContext } from './context.js'
import { selectorMatches } from './label-selector.js'
import {
  clone,
  controllerOf,
  controllerRef,
  generatedName,
  isControlledBy,
  keyOf,
  objKey,
  patchObject,
  splitKey,
  statusCode,
} from './objects.js'
import { isActivePod, isPodAvailable, isPodReady, podsToDelete, untilAvailable } from './pods.js'
import { WorkQueue } from '../../lib/work-queue.js'

const BURST = 100

/** A pod for a controller, from its template (what the API server would build from generateName). */
export function podFromTemplate(owner: KubeObject, template: any, extra?: { labels?: Record<string, string>; spec?: any }): KubeObject {
  const base = `${owner.metadata.name}-`
  const tpl = clone(template ?? {})
  const labels = { ...(tpl.metadata?.labels ?? {}), ...(extra?.labels ?? {}) }
  const annotations = tpl.metadata?.annotations ?? {}
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: generatedName(base),
      generateName: base,
      namespace: owner.metadata.namespace,
      labels,
      ...(Object.keys(annotations).length ? { annotations } : {}),
      ...(tpl.metadata?.finalizers?.length ? { finalizers: tpl.metadata.finalizers } : {}),
      ownerReferences: [controllerRef(owner)],
    },
    spec: { ...(tpl.spec ?? {}), ...(extra?.spec ?? {}) },
  }
}

/** Creates a pod, picking another random suffix if the name is taken. */
export async function createPod(ctx: ControllerContext, owner: KubeObject, pod: KubeObject): Promise<KubeObject> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await ctx.store.create('pods', pod)
    } catch (err) {
      if (statusCode(err) !== 409 || attempt >= 3) throw err
      pod = { ...pod, metadata: { ...pod.metadata, name: generatedName(pod.metadata.generateName ?? `${owner.metadata.name}-`) } }
    }
  }
}

/**
 * Keeps spec.replicas active pods for every ReplicaSet: creates from the template, deletes the
 * least valuable pods first, replaces pods that finished, and reports status.
 */
export class ReplicaSetController implements Controller {
  private readonly queue: WorkQueue

  constructor(private readonly ctx: ControllerContext) {
    this.queue = new WorkQueue('replicaset', (k) => this.sync(k), ctx.timers, ctx.onError)
  }

  get idle() {
    return this.queue.idle
  }

  start(): void {
    for (const rs of this.ctx.store.list('replicasets').items) this.queue.add(keyOf(rs))
  }

  stop(): Promise<void> {
    return this.queue.stop()
  }

  handle(resource: string, e: WatchEvent): void {
    const o = e.object
    if (resource === 'replicasets') this.queue.add(keyOf(o))
    else if (resource === 'pods') {
      const ref = controllerOf(o)
      if (ref?.kind === 'ReplicaSet') this.queue.add(objKey(o.metadata.namespace, ref.name))
      else if (!ref && e.type !== 'DELETED') {
        // an orphan: a ReplicaSet whose selector matches adopts it
        for (const rs of this.ctx.store.list('replicasets', { namespace: o.metadata.namespace }).items)
          if (selectorMatches(rs.spec?.selector, o.metadata.labels)) this.queue.add(keyOf(rs))
      }
    }
  }

  /** Pods this ReplicaSet controls, adopting matching orphans. */
  private async claimPods(rs: KubeObject): Promise<KubeObject[]> {
    const pods: KubeObject[] = []
    for (const p of this.ctx.store.list('pods', { namespace: rs.metadata.namespace }).items) {
      if (isControlledBy(p, rs)) pods.push(p)
      else if (!controllerOf(p) && !rs.metadata.deletionTimestamp && !p.metadata.deletionTimestamp && selectorMatches(rs.spec?.selector, p.metadata.labels)) {
        const adopted = await patchObject(this.ctx.store, 'pods', p.metadata.namespace, p.metadata.name!, (pod) => {
          if (controllerOf(pod)) return false
          pod.metadata.ownerReferences = [...(pod.metadata.ownerReferences ?? []), controllerRef(rs)]
        })
        if (adopted && isControlledBy(adopted, rs)) pods.push(adopted)
      }
    }
    return pods
  }

  private async sync(key: string): Promise<void> {
    const [ns, name] = splitKey(key)
    const rs = this.ctx.store.get('replicasets', ns, name)
    if (!rs) return
    let active = (await this.claimPods(rs)).filter(isActivePod)
    const want = Number(rs.spec?.replicas ?? 1)
    if (!rs.metadata.deletionTimestamp && active.length !== want) {
      await this.manage(rs, active, want)
      active = this.ctx.store.list('pods', { namespace: ns }).items.filter((p) => isControlledBy(p, rs) && isActivePod(p))
    }
    await this.syncStatus(rs, active, key)
  }

  private async manage(rs: KubeObject, active: KubeObject[], want: number): Promise<void> {
    const { store, recorder } = this.ctx
    const diff = active.length - want
    if (diff < 0) {
      const n = Math.min(-diff, BURST)
      const results = await Promise.allSettled(
        Array.from({ length: n }, () => createPod(this.ctx, rs, podFromTemplate(rs, rs.spec?.template))),
      )
      let failure: unknown
      for (const r of results) {
        if (r.status === 'fulfilled')
          recorder.record(rs, { reason: 'SuccessfulCreate', message: `Created pod: ${r.value.metadata.name}`, component: 'replicaset-controller' })
        else {
          failure = r.reason
          recorder.record(rs, {
            type: 'Warning',
            reason: 'FailedCreate',
            message: `Error creating: ${(r.reason as Error)?.message ?? String(r.reason)}`,
            component: 'replicaset-controller',
          })
        }
      }
      if (failure) throw failure
      if (-diff > n) this.queue.add(keyOf(rs))
    } else if (diff > 0) {
      for (const p of podsToDelete(active, diff)) {
        await store.delete('pods', p.metadata.namespace, p.metadata.name!)
        recorder.record(rs, { reason: 'SuccessfulDelete', message: `Deleted pod: ${p.metadata.name}`, component: 'replicaset-controller' })
      }
    }
  }

  private async syncStatus(rs: KubeObject, active: KubeObject[], key: string): Promise<void> {
    const now = this.ctx.timers.now()
    const minReadyMs = (Number(rs.spec?.minReadySeconds ?? 0) * 1000) / this.ctx.speed
    const tplLabels: Record<string, string> = rs.spec?.template?.metadata?.labels ?? {}
    let soonest: number | undefined
    for (const p of active) {
      const left = untilAvailable(p, minReadyMs, now)
      if (left !== undefined) soonest = Math.min(soonest ?? left, left)
    }
    if (soonest !== undefined) this.queue.addAfter(key, soonest + 5)
    const status = {
      replicas: active.length,
      fullyLabeledReplicas: active.filter((p) => Object.entries(tplLabels).every(([k, v]) => p.metadata.labels?.[k] === v)).length,
      readyReplicas: active.filter(isPodReady).length,
      availableReplicas: active.filter((p) => isPodAvailable(p, minReadyMs, now)).length,
      observedGeneration: rs.metadata.generation ?? 1,
    }
    await patchObject(this.ctx.store, 'replicasets', rs.metadata.namespace, rs.metadata.name!, (o) => {
      if (o.metadata.uid !== rs.metadata.uid) return false
      const conditions = (o.status?.conditions ?? []).filter((c: any) => c.type !== 'ReplicaFailure')
      o.status = { ...(o.status ?? {}), ...status }
      if (conditions.length) o.status.conditions = conditions
      else delete o.status.conditions
    })
  }
}
