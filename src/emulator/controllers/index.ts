import type { Clock } from '../../lib/timers.js'
import type { LogSource, ObjectStore, WatchEvent } from '../types.js'
import { Kubelet } from '../kubelet/kubelet.js'
import { LogBuffers } from '../kubelet/logs.js'
import type { Lifecycle, Timings } from '../kubelet/stages.js'
import { toTimers, type Timers } from '../../lib/timers.js'
import type { Controller, ControllerContext } from './context.js'
import { DaemonSetController } from './daemonset.js'
import { DeploymentController } from './deployment.js'
import { EndpointsController } from './endpoints.js'
import { EventRecorder } from './event-recorder.js'
import { GarbageCollector } from './garbage-collector.js'
import { DEFAULT_NODE_NAME, ensureNode, heartbeatNode, NODE_HEARTBEAT_MS } from './node.js'
import { ReplicaSetController } from './replicaset.js'

export interface ControllerOptions {
  /** Simulated time runs this many times faster: every lifecycle delay, grace period, backoff and minReadySeconds is divided by it (default 1). */
  speed?: number
  /** Injectable clock; one with setTimeout (e.g. ManualClock) also drives every timer. */
  clock?: Clock | Timers
  /** The node to register (default kecs-node). */
  nodeName?: string
  /** Replaces the simulated kubelet's lifecycle stages. */
  lifecycle?: Lifecycle
  /** Overrides base durations of the lifecycle (milliseconds at speed 1). */
  timings?: Partial<Timings>
  /** Where controller errors go (default: console.warn). */
  onError?: (where: string, err: unknown) => void
}

export interface RunningControllers {
  logs: LogSource
  /** Resolves once the node is registered and every controller has taken over the store's objects. */
  ready: Promise<void>
  /** No controller has queued or running work (tests). */
  idle(): boolean
  stop(): Promise<void>
}

const defaultOnError = (where: string, err: unknown) =>
  console.warn(`kecs emulator: ${where}: ${(err as Error)?.message ?? String(err)}`)

/**
 * Starts the emulator's controllers (Deployment, ReplicaSet, DaemonSet, Endpoints, garbage
 * collector) and the simulated kubelet/scheduler on one ObjectStore. Objects already in the store
 * (after a restart) are picked up where they are.
 */
export function startControllers(store: ObjectStore, opts: ControllerOptions = {}): RunningControllers {
  const timers = toTimers(opts.clock)
  const speed = opts.speed && opts.speed > 0 ? opts.speed : 1
  const onError = opts.onError ?? defaultOnError
  const recorder = new EventRecorder(store, timers, onError)
  const ctx: ControllerContext = { store, timers, speed, recorder, onError }
  const logs = new LogBuffers(store, timers)
  const kubelet = new Kubelet({ store, timers, speed, recorder, logs, lifecycle: opts.lifecycle, timings: opts.timings, onError })
  const served = (r: string) => !!store.type(r)
  const controllers: Controller[] = []
  if (served('deployments') && served('replicasets')) controllers.push(new DeploymentController(ctx))
  if (served('replicasets')) controllers.push(new ReplicaSetController(ctx))
  if (served('daemonsets')) controllers.push(new DaemonSetController(ctx))
  if (served('services') && served('endpoints')) controllers.push(new EndpointsController(ctx))
  controllers.push(new GarbageCollector(ctx))

  const nodeName = opts.nodeName ?? DEFAULT_NODE_NAME
  let stopped = false
  let unsubscribe: (() => void) | undefined
  let cancelHeartbeat: (() => void) | undefined
  let beating: Promise<void> | undefined
  const heartbeat = () => {
    cancelHeartbeat = timers.setTimeout(() => {
      if (stopped) return
      beating = heartbeatNode(store, nodeName, timers)
        .catch((err) => onError('node heartbeat', err))
        .finally(() => {
          if (!stopped) heartbeat()
        })
    }, NODE_HEARTBEAT_MS)
  }
  const dispatch = (resource: string, e: WatchEvent) => {
    if (stopped) return
    kubelet.handle(resource, e)
    for (const c of controllers) {
      try {
        c.handle(resource, e)
      } catch (err) {
        onError(`dispatch ${resource}`, err)
      }
    }
  }
  const ready = ensureNode(store, nodeName, timers, recorder)
    .catch((err) => onError('registering the node', err))
    .then(() => {
      if (stopped) return
      // subscribe and list in the same tick: no change falls between them
      unsubscribe = store.onChange(dispatch)
      kubelet.start()
      for (const c of controllers) c.start()
      heartbeat()
    })

  return {
    logs,
    ready,
    idle: () => controllers.every((c) => c.idle),
    async stop() {
      if (stopped) return
      stopped = true
      await ready
      cancelHeartbeat?.()
      await beating
      unsubscribe?.()
      await kubelet.stop()
      await Promise.all(controllers.map((c) => c.stop()))
      await recorder.flush()
      logs.clear()
    },
  }
}

export { ManualClock } from '../../lib/timers.js'
export type { Timers } from '../../lib/timers.js'
