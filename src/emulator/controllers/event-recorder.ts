import type { KubeObject, ObjectStore } from '../types.js'
import type { Timers } from '../../lib/timers.js'
import { k8sTime, patchObject, statusCode } from './objects.js'

/** As many series as the store keeps Events (its maxEvents): a forgotten series starts a new Event. */
const MAX_SERIES = 2_000

/** What happened to an object, as one core/v1 Event. */
export interface EventSpec {
  type?: 'Normal' | 'Warning'
  reason: string
  message: string
  /** source.component: kubelet, default-scheduler, deployment-controller, replicaset-controller, ... */
  component: string
  /** source.host (the node, for kubelet events) */
  host?: string
  /** e.g. spec.containers{web} */
  fieldPath?: string
}

/**
 * Writes core/v1 Events (what `kubectl describe` shows), aggregating repeats like the real event
 * recorder: the same object, reason and message bump count and lastTimestamp of one Event.
 * Writes are fire-and-forget; writes of one series are serialized.
 */
export class EventRecorder {
  private readonly series = new Map<string, { name: string; namespace: string }>()
  private readonly chains = new Map<string, Promise<void>>()
  private seq = 0
  readonly enabled: boolean

  constructor(
    private readonly store: ObjectStore,
    private readonly timers: Timers,
    private readonly onError: (where: string, err: unknown) => void,
  ) {
    this.enabled = !!store.type('events')
  }

  record(obj: KubeObject, e: EventSpec): void {
    if (!this.enabled || !obj.metadata.name) return
    const type = e.type ?? 'Normal'
    const key = [obj.metadata.uid, e.fieldPath ?? '', e.reason, e.message, e.component, type].join('\u0000')
    const run = async () => {
      const now = k8sTime(this.timers.now())
      const known = this.series.get(key)
      if (known) {
        const updated = await patchObject(this.store, 'events', known.namespace, known.name, (ev) => {
          ev.count = (Number(ev.count) || 1) + 1
          ev.lastTimestamp = now
        })
        if (updated) return
      }
      const namespace = obj.metadata.namespace ?? 'default'
      const name = `${obj.metadata.name}.${(BigInt(Math.floor(this.timers.now())) * 1_000_000n + BigInt(this.seq++ % 1_000_000)).toString(16)}`
      const event: KubeObject = {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name, namespace },
        involvedObject: {
          kind: obj.kind,
          namespace: obj.metadata.namespace,
          name: obj.metadata.name,
          uid: obj.metadata.uid,
          apiVersion: obj.apiVersion,
          resourceVersion: obj.metadata.resourceVersion,
          ...(e.fieldPath ? { fieldPath: e.fieldPath } : {}),
        },
        reason: e.reason,
        message: e.message,
        source: { component: e.component, ...(e.host ? { host: e.host } : {}) },
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
        type,
        eventTime: null,
        reportingComponent: e.component,
        reportingInstance: e.host ?? '',
      }
      try {
        await this.store.create('events', event)
        this.series.set(key, { name, namespace })
        // bounded: the oldest series are forgotten (a repeat then starts a new Event)
        if (this.series.size > MAX_SERIES) this.series.delete(this.series.keys().next().value!)
      } catch (err) {
        // the namespace is gone or terminating (the object goes with it): nothing to record then
        if (statusCode(err) !== 404 && statusCode(err) !== 403) throw err
      }
    }
    const prev = this.chains.get(key) ?? Promise.resolve()
    const next = prev
      .then(run)
      .catch((err) => this.onError(`event ${e.reason}`, err))
      .finally(() => {
        if (this.chains.get(key) === next) this.chains.delete(key)
      })
    this.chains.set(key, next)
  }

  /** Forgets the aggregation state of one object (it is gone). */
  forget(uid: string | undefined): void {
    if (!uid) return
    for (const k of this.series.keys()) if (k.startsWith(`${uid}\u0000`)) this.series.delete(k)
  }

  async flush(): Promise<void> {
    while (this.chains.size) await Promise.allSettled([...this.chains.values()])
  }
}
