import type { Clock } from '../lib/timers.js'
import type { RequestContext } from './context.js'
import type { EventBus } from '../events/bus.js'
import type { Repos } from './repos.js'
import type { TaskRuntime } from './tasks/runtime.js'
import type { ServiceRuntime } from './services/runtime.js'
import type { TaskDoc } from './tasks/task-doc.js'
import { Signal } from '../lib/signal.js'
import type { EcsOperations, OperationName } from './model/operations.js'

export type { OperationName }

/**
 * AWS shapes as they travel on the wire and sit in the store: the SDK's types (docs/architecture.md#types-from-the-sdk) with
 * timestamps as epoch seconds instead of Date.
 */
export type Wire<T> = T extends Date
  ? number
  : T extends (infer U)[]
    ? Wire<U>[]
    : T extends object
      ? { [K in keyof T]: Wire<T[K]> }
      : T

/**
 * What a handler may use, fixed when the instance is built (src/instance): the repositories, the
 * clock, the public event bus, the typed internal signals, and the cluster's runtimes if it has one.
 */
export interface EcsDeps {
  repos: Repos
  clock: Clock
  bus: EventBus
  signals: EcsSignals
  /** What the instance's cluster does for the ECS side; absent parts: no cluster. */
  cluster: ClusterRuntime
}

/** What the parts built before the handlers' deps use (the cluster's runtimes, the scheduler, log capture). */
export type EcsCore = Omit<EcsDeps, 'cluster'>

export interface ClusterRuntime {
  /** Idempotent: a cluster created (or created again) gets its namespace and container instances. */
  clusterCreated?: (ctx: RequestContext, clusterName: string) => Promise<void>
  clusterDeleted?: (ctx: RequestContext, clusterName: string) => Promise<void>
  /** Cordons (false) or uncordons (true) a node: container instances DRAINING and ACTIVE again. */
  setNodeSchedulable?: (nodeName: string, schedulable: boolean) => Promise<void>
  /** Runs and stops tasks; absent = no cluster, RunTask refuses. */
  tasks?: TaskRuntime
  /** Runs services; absent = no cluster, services run no tasks. */
  services?: ServiceRuntime
}

/** A task was stored with a new state (by a handler, the reconciler or the scheduler). */
export interface TaskChange {
  task: TaskDoc
  previous: TaskDoc | undefined
}

/** Typed internal signals: the control plane between the ECS side's parts (the bus is the public feed). */
export interface EcsSignals {
  taskChanged: Signal<TaskChange>
}

export function newSignals(onError?: (err: unknown) => void): EcsSignals {
  return { taskChanged: new Signal<TaskChange>(onError) }
}

/** An operation's request as a handler gets it (validated against the model's input shape). */
export type OperationInput<Op extends OperationName> = Wire<EcsOperations[Op]['input']>

/** An operation's response as a handler returns it: the SDK's output without `$metadata`. */
export type OperationOutput<Op extends OperationName> = Wire<Omit<EcsOperations[Op]['output'], '$metadata'>>

/**
 * A handler holds behaviour only: validated input in, output shape out; never touches HTTP. The
 * dispatcher reduces what it returns to the output shape (model/serialize.ts).
 */
export type Handler<Op extends OperationName> = (
  input: OperationInput<Op>,
  ctx: RequestContext,
  deps: EcsDeps,
) => Promise<OperationOutput<Op>>

/** Handlers by operation name: each entry must match its operation's input and output types. */
export type HandlerMap = { [Op in OperationName]?: Handler<Op> }
