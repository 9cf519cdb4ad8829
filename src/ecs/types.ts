import type { Clock } from '../lib/timers.js'
import type { RequestContext } from './context.js'
import type { EventBus } from '../events/bus.js'
import type { Repos } from './repos.js'
import type { TaskRuntime } from './tasks/runtime.js'
import type { ServiceRuntime } from './services/runtime.js'

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

/** A handler holds behaviour only: validated input in, output shape out; never touches HTTP. */
export type Handler<I = any, O = unknown> = (input: I, ctx: RequestContext, deps: EcsDeps) => Promise<O>

export type HandlerMap = Record<string, Handler>
