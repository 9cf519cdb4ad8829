import { randomBytes } from 'node:crypto'
import type { KubeObject, ObjectStore, WatchEvent } from '../types.js'
import type { EventRecorder } from '../controllers/event-recorder.js'
import { POD_CIDR } from '../controllers/node.js'
import type { Timers } from '../../lib/timers.js'
import { waitFor } from './delays.js'
import { kubeletEvent, type KubeletEnv } from './effects.js'
import { IpAllocator } from './ip-allocator.js'
import type { LogBuffers } from './logs.js'
import { observePod, runtimeFromPod, type ContainerRuntime, type PodRuntime } from './runtime.js'
import { defaultLifecycle, defaultTimings, type Lifecycle, type Timings } from './stages.js'
import { StatusWriter } from './status-writer.js'
import { applyStage, matchStages, stageApplies, type Stage } from './transition.js'

export interface KubeletOptions {
  store: ObjectStore
  timers: Timers
  /** simulated time runs this many times faster than the clock (delays are divided by it) */
  speed: number
  recorder: EventRecorder
  logs: LogBuffers
  lifecycle?: Lifecycle
  timings?: Partial<Timings>
  onError: (where: string, err: unknown) => void
}

/**
 * The simulated kubelet (and scheduler): runs every pod in the store through the lifecycle
 * stages (stages.ts). Per track it arms the first matching stage, waits its delay and fires it
 * (transition.ts, effects.ts); the status writer keeps the pod's status in step. State lives in
 * memory and is rebuilt from pod statuses after a restart.
 */
export class Kubelet {
  private readonly pods = new Map<string, PodRuntime>()
  private readonly lifecycle: Lifecycle
  private readonly env: KubeletEnv
  private readonly writes: StatusWriter
  private stopped = false

  constructor(private readonly o: KubeletOptions) {
    this.lifecycle = o.lifecycle ?? defaultLifecycle
    this.writes = new StatusWriter({
      store: o.store,
      timers: o.timers,
      onError: o.onError,
      lookup: (uid) => this.pods.get(uid),
      forget: (rt) => this.forget(rt),
    })
    this.env = {
      store: o.store,
      timings: { ...defaultTimings, ...(o.timings ?? {}) },
      speed: o.speed,
      images: new Set(),
      ipam: new IpAllocator(POD_CIDR),
      logs: o.logs,
      now: () => o.timers.now(),
      pods: () => this.pods.values(),
      event: (rt, c, type, reason, message, component) => o.recorder.record(rt.pod, kubeletEvent(rt, c, type, reason, message, component)),
      remove: (rt) => this.remove(rt),
      newContainerID: () => `containerd://${randomBytes(32).toString('hex')}`,
      onError: o.onError,
    }
  }

  /** Takes over every pod in the store (after a restart: carries on where their status says they are). */
  start(): void {
    for (const pod of this.o.store.list('pods').items) this.upsert(pod)
  }

  handle(resource: string, e: WatchEvent): void {
    if (this.stopped) return
    if (resource === 'pods') {
      const uid = e.object.metadata.uid ?? ''
      if (e.type === 'DELETED') {
        const rt = this.pods.get(uid)
        if (rt) this.forget(rt)
      } else if (e.type === 'ADDED' || e.type === 'MODIFIED') this.upsert(e.object)
    } else if (resource === 'nodes' && (e.type === 'ADDED' || e.type === 'MODIFIED')) {
      // a node appeared or changed: unschedulable pods try again now
      for (const rt of this.pods.values()) {
        if (rt.unschedulable && !rt.nodeName) {
          rt.unschedulable = undefined
          this.evaluate(rt)
        }
      }
    }
  }

  /** The runtime state of a pod (tests). */
  runtime(uid: string): PodRuntime | undefined {
    return this.pods.get(uid)
  }

  /** Stops every timer; the status writes already asked for (and their follow-ups) still land. */
  async stop(): Promise<void> {
    this.stopped = true
    for (const rt of this.pods.values()) for (const t of rt.timers.values()) t.cancel()
    while (!this.writes.idle) await new Promise<void>((resolve) => setImmediate(resolve))
    await this.writes.stop()
  }

  private upsert(pod: KubeObject): void {
    const uid = pod.metadata.uid
    if (!uid) return
    const now = this.o.timers.now()
    let rt = this.pods.get(uid)
    if (!rt) {
      rt = runtimeFromPod(pod, now)
      this.pods.set(uid, rt)
      if (rt.podIP && rt.podIP !== rt.hostIP) this.env.ipam.reserve(rt.podIP)
      for (const c of rt.containers) {
        if (c.step !== 'running' && c.step !== 'exited') continue
        // resumed after an emulator restart: earlier lines were in memory only
        this.o.logs.begin(uid, c.name, c.restartCount)
        this.o.logs.write(uid, c.name, '(earlier log lines were lost when the KECS emulator restarted)')
        if (c.step === 'exited') this.o.logs.end(uid, c.name)
      }
    }
    observePod(rt, pod, now, this.o.speed)
    this.evaluate(rt)
  }

  private forget(rt: PodRuntime): void {
    if (rt.gone) return
    rt.gone = true
    this.cancelTimers(rt)
    if (this.pods.get(rt.uid) === rt) this.pods.delete(rt.uid)
    if (rt.podIP && rt.podIP !== rt.hostIP) this.env.ipam.release(rt.podIP)
    this.o.logs.podGone(rt.uid)
    this.o.recorder.forget(rt.uid)
  }

  private cancelTimers(rt: PodRuntime): void {
    for (const t of rt.timers.values()) t.cancel()
    rt.timers.clear()
  }

  /** Every container is done: no more stages; the writer posts the final status and removes the pod. */
  private remove(rt: PodRuntime): void {
    if (rt.removing || rt.gone) return
    rt.removing = true
    this.cancelTimers(rt)
    this.writes.request(rt)
  }

  private evaluate(rt: PodRuntime): void {
    if (rt.gone || rt.removing || this.stopped) return
    for (const { key, stage, container } of matchStages(this.lifecycle, rt, this.env.images)) this.arm(rt, key, stage, container)
  }

  /** Keeps the timer of a track when its stage still applies; otherwise replaces it. */
  private arm(rt: PodRuntime, key: string, stage: Stage | undefined, c: ContainerRuntime | undefined): void {
    const cur = rt.timers.get(key)
    if (cur && cur.stage === stage) return
    cur?.cancel()
    rt.timers.delete(key)
    if (!stage) return
    const wait = waitFor(stage.delay, this.env.timings, this.o.speed, this.o.timers.now(), rt, c)
    let live = true
    const fire = () => {
      if (!live) return
      live = false
      rt.timers.delete(key)
      this.fire(rt, stage, c)
    }
    let cancelTimer: (() => void) | undefined
    if (wait <= 0) queueMicrotask(fire)
    else cancelTimer = this.o.timers.setTimeout(fire, wait)
    rt.timers.set(key, {
      stage,
      cancel: () => {
        live = false
        cancelTimer?.()
      },
    })
  }

  private fire(rt: PodRuntime, stage: Stage, c: ContainerRuntime | undefined): void {
    if (rt.gone || rt.removing || this.stopped) return
    if (stageApplies(rt, stage, c, this.env.images) && applyStage(this.env, rt, stage, c)) this.writes.request(rt)
    this.evaluate(rt)
  }
}
