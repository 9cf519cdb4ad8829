import type { KubeObject, ObjectStore } from '../types.js'
import { patchObject } from '../controllers/objects.js'
import type { Timers } from '../../lib/timers.js'
import { WorkQueue } from '../../lib/work-queue.js'
import type { PodRuntime } from './runtime.js'
import { renderPodStatus } from './status.js'

export interface StatusWriterOptions {
  store: ObjectStore
  timers: Timers
  onError: (where: string, err: unknown) => void
  /** the runtime of a pod the kubelet still runs */
  lookup: (uid: string) => PodRuntime | undefined
  /** the pod is gone from the store (or was removed): drop its runtime */
  forget: (rt: PodRuntime) => void
}

/** The pod as the kubelet posts it: the node it was bound to, the status rendered from its runtime (false: another pod by that name). */
export function renderPod(rt: PodRuntime, pod: KubeObject, now: number): void | false {
  if (pod.metadata.uid !== rt.uid) return false
  if (rt.nodeName && !pod.spec?.nodeName) pod.spec = { ...(pod.spec ?? {}), nodeName: rt.nodeName }
  pod.status = renderPodStatus(rt, pod.status, now, rt.removing)
}

const keyOf = (rt: PodRuntime) => `${rt.namespace}/${rt.name}/${rt.uid}`
const uidOf = (key: string) => key.slice(key.lastIndexOf('/') + 1)

/**
 * Posts pod statuses rendered from the kubelet's runtime, through one work queue keyed by pod:
 * requests while a write runs coalesce into one more write of the latest state; a failed write
 * is retried. A pod that is removing gets its final status, then leaves the store.
 */
export class StatusWriter {
  private readonly queue: WorkQueue

  constructor(private readonly o: StatusWriterOptions) {
    this.queue = new WorkQueue('kubelet status', (key) => this.sync(key), o.timers, o.onError)
  }

  request(rt: PodRuntime): void {
    if (!rt.gone) this.queue.add(keyOf(rt))
  }

  /** Nothing queued or being written. */
  get idle(): boolean {
    return this.queue.idle
  }

  stop(): Promise<void> {
    return this.queue.stop()
  }

  private async sync(key: string): Promise<void> {
    const rt = this.o.lookup(uidOf(key))
    if (!rt || rt.gone) return
    if (rt.removing) await this.remove(rt)
    else await this.write(rt)
  }

  private async write(rt: PodRuntime): Promise<void> {
    const now = this.o.timers.now()
    const written = await patchObject(this.o.store, 'pods', rt.namespace, rt.name, (pod) => renderPod(rt, pod, now))
    if (!written || written.metadata.uid !== rt.uid) {
      if (!rt.removing) this.o.forget(rt)
      return
    }
    rt.pod = written
  }

  /** Every container is done: the final status, then the pod goes (or, held by finalizers, goes once they are removed). */
  private async remove(rt: PodRuntime): Promise<void> {
    const { store } = this.o
    try {
      await this.write(rt)
    } catch (err) {
      this.o.onError(`kubelet status ${rt.namespace}/${rt.name}`, err)
    }
    try {
      const cur = store.get('pods', rt.namespace, rt.name)
      if (cur && cur.metadata.uid === rt.uid) {
        if (cur.metadata.finalizers?.length)
          await patchObject(store, 'pods', rt.namespace, rt.name, (o) => {
            if (o.metadata.uid !== rt.uid) return false
            o.metadata.deletionGracePeriodSeconds = 0
          })
        else await store.remove('pods', rt.namespace, rt.name)
      }
    } catch (err) {
      this.o.onError(`kubelet remove ${rt.namespace}/${rt.name}`, err)
    } finally {
      this.o.forget(rt)
    }
  }
}
