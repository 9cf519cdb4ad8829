import type { Tag } from '@aws-sdk/client-ecs'
import { clientException } from '../errors.js'
import type { TaskDefinitionDoc } from '../task-definitions/task-definition-doc.js'
import type { EcsDeps, Wire } from '../types.js'
import type { TaskDoc } from './task-doc.js'

/**
 * What runs tasks: the ECS task handlers ask it to start and stop them, and never touch Kubernetes
 * themselves. The Kubernetes side (src/instance) gives `deps.cluster.tasks` when the instance has a
 * cluster; without one, RunTask and StartTask answer `noClusterError()`.
 */
export interface TaskRuntime {
  /**
   * Checks that the task can run and builds what `launch` creates; no I/O. Throws a ClientException
   * naming the setting it cannot map (the request then fails and nothing is stored).
   */
  prepare(task: TaskDoc, taskDefinition: TaskDefinitionDoc, tags: Wire<Tag>[]): PreparedLaunch
  /**
   * Queues the task's creation in the cluster (once its doc is stored); the runtime's controller
   * does it off the request path. When that fails the task is recorded STOPPED with
   * TaskFailedToStart; it never throws.
   */
  launch(prepared: PreparedLaunch): void
  /** Stops the task's workload with its stop timeout as the grace period; the reconciler records the rest. */
  stop(task: TaskDoc): Promise<void>
  /** How long STOPPED tasks stay describable (ms). */
  readonly retentionMs: number
}

/** Opaque to the ECS side: whatever the runtime needs to create the task. */
export interface PreparedLaunch {
  task: TaskDoc
}

export const DEFAULT_STOPPED_RETENTION_MS = 60 * 60 * 1000

export const taskRuntime = (deps: EcsDeps): TaskRuntime | undefined => deps.cluster.tasks

export const stoppedRetentionMs = (deps: Pick<EcsDeps, 'cluster'>) => deps.cluster.tasks?.retentionMs ?? DEFAULT_STOPPED_RETENTION_MS

/** A STOPPED task older than the retention is forgotten (the reconciler deletes it; reads skip it). */
export function isExpired(doc: Pick<TaskDoc, 'lastStatus' | 'stoppedAt'>, nowMs: number, retentionMs: number): boolean {
  return doc.lastStatus === 'STOPPED' && doc.stoppedAt !== undefined && nowMs - doc.stoppedAt * 1000 >= retentionMs
}

export const noClusterError = () =>
  clientException(
    'KECS is running without a cluster, so tasks cannot run. Start KECS with a cluster ' +
      '(kecs start --cluster emulated, kind or existing) to run tasks.',
  )
