import type { KubeObject, WatchEvent } from '../types.js'
import type { Controller, ControllerContext } from './context.js'
import { computeTemplateHash, controllerOf, isControlledBy, keyOf, objKey, parseTime, patchObject, splitKey, statusCode } from './objects.js'
import { isActivePod, isPodAvailable, isPodReady, untilAvailable } from './pods.js'
import { createPod, podFromTemplate } from './replicaset.js'
import { scaledValue } from './rollout-math.js'
import { fitFailure } from './scheduler.js'
import { WorkQueue } from '../../lib/work-queue.js'

export const REVISION_HASH = 'controller-revision-hash'

/** The tolerations the DaemonSet controller adds to every daemon pod. */
const DAEMON_TOLERATIONS = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
]

/** The node a daemon pod is for: spec.nodeName, else its metadata.name node-affinity term. */
function nodeOfPod(p: KubeObject): string | undefined {
  if (p.spec?.nodeName) return p.spec.nodeName
  for (const term of p.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [])
    for (const f of term.matchFields ?? []) if (f.key === 'metadata.name' && f.operator === 'In' && f.values?.length === 1) return f.values[0]
  return undefined
}

function daemonPodSpec(ds: KubeObject, node: string): any {
  const spec = ds.spec?.template?.spec ?? {}
  const tolerations = [...(spec.tolerations ?? [])]
  for (const t of DAEMON_TOLERATIONS) if (!tolerations.some((x: any) => x.key === t.key && x.effect === t.effect)) tolerations.push(t)
  return {
    affinity: {
      ...(spec.affinity ?? {}),
      nodeAffinity: {
        ...(spec.affinity?.nodeAffinity ?? {}),
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [node] }] }],
        },
      },
    },
    tolerations,
  }
}

/**
 * One pod per eligible node (node selector, affinity, taints), rolling updates by
 * controller-revision-hash within maxUnavailable, failed daemon pods replaced.
 */
export class DaemonSetController implements Controller {
  private readonly queue: WorkQueue

  constructor(private readonly ctx: ControllerContext) {
    this.queue = new WorkQueue('daemonset', (k) => this.sync(k), ctx.timers, ctx.onError)
  }

  get idle() {
    return this.queue.idle
  }

  start(): void {
    for (const ds of this.ctx.store.list('daemonsets').items) this.queue.add(keyOf(ds))
  }

  stop(): Promise<void> {
    return this.queue.stop()
  }

  handle(resource: string, e: WatchEvent): void {
    if (resource === 'daemonsets') this.queue.add(keyOf(e.object))
    else if (resource === 'pods') {
      const ref = controllerOf(e.object)
      if (ref?.kind === 'DaemonSet') this.queue.add(objKey(e.object.metadata.namespace, ref.name))
    } else if (resource === 'nodes' && (e.type === 'ADDED' || e.type === 'DELETED' || labelsChanged(e))) {
      for (const ds of this.ctx.store.list('daemonsets').items) this.queue.add(keyOf(ds))
    }
  }

  private async sync(key: string): Promise<void> {
    const [ns, name] = splitKey(key)
    const { store, recorder } = this.ctx
    const ds = store.get('daemonsets', ns, name)
    if (!ds || ds.metadata.deletionTimestamp) return
    const hash = computeTemplateHash(ds.spec?.template)
    const probe: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: {}, spec: ds.spec?.template?.spec ?? {} }
    const nodes = store.list('nodes').items.filter((n) => !n.metadata.deletionTimestamp)
    const eligible = new Set(nodes.filter((n) => !fitFailure({ ...probe, spec: { ...probe.spec, ...daemonPodSpec(ds, n.metadata.name!), nodeSelector: probe.spec.nodeSelector } }, n)).map((n) => n.metadata.name!))
    const pods = store.list('pods', { namespace: ns }).items.filter((p) => isControlledBy(p, ds))
    const byNode = new Map<string, KubeObject[]>()
    for (const p of pods) {
      const node = nodeOfPod(p) ?? ''
      byNode.set(node, [...(byNode.get(node) ?? []), p])
    }
    const minReadyMs = (Number(ds.spec?.minReadySeconds ?? 0) * 1000) / this.ctx.speed
    const now = this.ctx.timers.now()
    const toDelete: KubeObject[] = []
    const toCreate: string[] = []
    const current = new Map<string, KubeObject>()
    for (const [node, list] of byNode) {
      if (!eligible.has(node)) toDelete.push(...list.filter((p) => !p.metadata.deletionTimestamp))
    }
    for (const node of eligible) {
      const list = byNode.get(node) ?? []
      const failed = list.filter((p) => p.status?.phase === 'Failed' && !p.metadata.deletionTimestamp)
      toDelete.push(...failed)
      const active = list.filter(isActivePod).sort((a, b) => (parseTime(a.metadata.creationTimestamp) ?? 0) - (parseTime(b.metadata.creationTimestamp) ?? 0))
      if (active.length === 0) {
        if (!list.some((p) => p.metadata.deletionTimestamp)) toCreate.push(node)
        continue
      }
      current.set(node, active[0]!)
      toDelete.push(...active.slice(1))
    }

    // rolling update: outdated pods go, unavailable ones first, within maxUnavailable
    if ((ds.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate') {
      const ru = ds.spec?.updateStrategy?.rollingUpdate ?? {}
      const maxUnavailable = Math.max(1, scaledValue(ru.maxUnavailable ?? 1, eligible.size, true))
      let unavailable = [...eligible].filter((n) => {
        const p = current.get(n)
        return !p || !isPodAvailable(p, minReadyMs, now)
      }).length
      for (const [, p] of current) {
        if (p.metadata.labels?.[REVISION_HASH] === hash) continue
        if (!isPodAvailable(p, minReadyMs, now)) toDelete.push(p)
        else if (unavailable < maxUnavailable) {
          toDelete.push(p)
          unavailable++
        }
      }
    }

    for (const p of toDelete) {
      try {
        await store.delete('pods', p.metadata.namespace, p.metadata.name!)
        recorder.record(ds, { reason: 'SuccessfulDelete', message: `Deleted pod: ${p.metadata.name}`, component: 'daemonset-controller' })
      } catch (err) {
        if (statusCode(err) !== 404) throw err
      }
    }
    for (const node of toCreate) {
      const pod = podFromTemplate(ds, ds.spec?.template, {
        labels: { [REVISION_HASH]: hash, 'pod-template-generation': String(ds.metadata.generation ?? 1) },
        spec: daemonPodSpec(ds, node),
      })
      const created = await createPod(this.ctx, ds, pod)
      recorder.record(ds, { reason: 'SuccessfulCreate', message: `Created pod: ${created.metadata.name}`, component: 'daemonset-controller' })
    }

    // status from what runs now
    const live = store.list('pods', { namespace: ns }).items.filter((p) => isControlledBy(p, ds) && isActivePod(p))
    const onNode = new Map<string, KubeObject>()
    let misscheduled = 0
    for (const p of live) {
      const node = nodeOfPod(p) ?? ''
      if (!eligible.has(node)) misscheduled++
      else if (!onNode.has(node)) onNode.set(node, p)
    }
    const podsOnEligible = [...onNode.values()]
    let soonest: number | undefined
    for (const p of podsOnEligible) {
      const left = untilAvailable(p, minReadyMs, now)
      if (left !== undefined) soonest = Math.min(soonest ?? left, left)
    }
    if (soonest !== undefined) this.queue.addAfter(key, soonest + 5)
    const available = podsOnEligible.filter((p) => isPodAvailable(p, minReadyMs, now)).length
    const status = {
      currentNumberScheduled: onNode.size,
      numberMisscheduled: misscheduled,
      desiredNumberScheduled: eligible.size,
      numberReady: podsOnEligible.filter(isPodReady).length,
      observedGeneration: ds.metadata.generation ?? 1,
      updatedNumberScheduled: podsOnEligible.filter((p) => p.metadata.labels?.[REVISION_HASH] === hash).length,
      numberAvailable: available,
      numberUnavailable: Math.max(0, eligible.size - available),
    }
    await patchObject(store, 'daemonsets', ns, name, (o) => {
      if (o.metadata.uid !== ds.metadata.uid) return false
      o.status = { ...(o.status ?? {}), ...status }
    })
  }
}

function labelsChanged(e: WatchEvent): boolean {
  const before = e.oldObject
  if (!before) return true
  return JSON.stringify(before.metadata.labels ?? {}) !== JSON.stringify(e.object.metadata.labels ?? {}) ||
    JSON.stringify(before.spec?.taints ?? []) !== JSON.stringify(e.object.spec?.taints ?? [])
}
