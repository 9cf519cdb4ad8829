import type { Clock } from '../lib/timers.js'
import type { RequestContext } from './context.js'
import type { EventBus } from '../events/bus.js'
import type { Repos } from '../store/repos.js'
import type { TaskRuntime } from './tasks/runtime.js'
import type { ServiceRuntime } from './services/runtime.js'
import type { EcsOperations, OperationName } from './model/operations.js'

export type { OperationName }

/**
 * AWS shapes as they travel on the wire and sit in the store: the SDK's types (DESIGN rule 2) with
 * timestamps as epoch seconds instead of Date.
 */
export type Wire<T> = T extends Date
  ? number
  : T extends (infer U)[]
    ? Wire<U>[]
    : T extends object
      ? { [K in keyof T]: Wire<T[K]> }
      : T

/** What a handler may use: the repositories, the clock, the event bus, and later the cluster. */
export interface EcsDeps {
  repos: Repos
  clock: Clock
  bus: EventBus
  /** Hooks later layers (Kubernetes side) attach to; optional so the API runs without a cluster. */
  hooks: EcsHooks
}

export interface EcsHooks {
  clusterCreated?: (ctx: RequestContext, clusterName: string) => Promise<void>
  clusterDeleted?: (ctx: RequestContext, clusterName: string) => Promise<void>
  /** Runs and stops tasks (set by src/kube/attach.ts); absent = no cluster, RunTask refuses. */
  tasks?: TaskRuntime
  /** Runs services (set by src/kube/attach.ts); absent = no cluster, services run no tasks. */
  services?: ServiceRuntime
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
