import type { StopTaskRequest } from '@aws-sdk/client-ecs'
import { epochSeconds } from '../clock.js'
import { resolveCluster } from '../clusters/resolve.js'
import { invalidParameter } from '../errors.js'
import { stageDeleteTags } from '../tag-store.js'
import type { Handler } from '../types.js'
import { saveTaskChange } from './events.js'
import { isExpired, stoppedRetentionMs, taskRuntime } from './runtime.js'
import { markStopping } from './stopping.js'
import { findTask, renderTask, type TaskDoc } from './task-doc.js'

/**
 * StopTask (docs/ecs-facts.md#tasks): desiredStatus STOPPED at once, `stoppingAt`, stopCode UserInitiated and
 * the reason (default `Task stopped by user`); lastStatus is left to the reconciler, which records
 * STOPPING … STOPPED as the pod goes (its grace period is the task's stop timeout). The task's tags
 * are deleted, as ECS does. Stopping a task that is already stopping or stopped changes nothing.
 */
const DEFAULT_STOP_REASON = 'Task stopped by user'
const TASK_NOT_FOUND = 'The referenced task was not found.'

const stopTask: Handler<'StopTask'> = async (input, ctx, deps) => {
  const cluster = resolveCluster(ctx, deps, input.cluster)
  const current = findTask(ctx, deps.repos, cluster.clusterName, input.task!)
  if (!current || isExpired(current, deps.clock.now(), stoppedRetentionMs(deps))) throw invalidParameter(TASK_NOT_FOUND)
  if (current.desiredStatus === 'STOPPED') return { task: renderTask(deps.repos, current) }

  const doc: TaskDoc = structuredClone(current)
  markStopping(doc, { stopCode: 'UserInitiated', stoppedReason: input.reason || DEFAULT_STOP_REASON }, deps.clock.now())
  doc.version++
  await saveTaskChange(deps, doc, [stageDeleteTags(deps.repos, doc.taskArn)])
  // The answer does not wait for the pod to go (as in ECS, StopTask only records the wish): the
  // stop is durable, and should KECS stop first, the reconciler deletes the pod on the next start.
  // Without a runtime (a task left from a run with a cluster) the reconciler finishes it on attach.
  void taskRuntime(deps)?.stop(doc).catch(() => {})
  return { task: renderTask(deps.repos, doc) }
}

export const handlers = {
  StopTask: stopTask,
}
