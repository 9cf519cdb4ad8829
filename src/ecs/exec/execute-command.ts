import { randomBytes } from 'node:crypto'
import { resolveCluster } from '../clusters/resolve.js'
import { EcsError, invalidParameter } from '../errors.js'
import { isExpired, stoppedRetentionMs } from '../tasks/runtime.js'
import { findTask, type TaskDoc } from '../tasks/task-doc.js'
import { isArn } from '../arns.js'
import type { Handler } from '../types.js'

/**
 * ExecuteCommand (docs/ecs-facts.md#ecs-exec): ECS checks the task and container and opens an SSM
 * session; the client then streams through the Session Manager plugin. KECS answers with the same
 * session shape, and the command itself runs through the cluster's Kubernetes exec API, which is
 * what `kecs exec` uses after this call (the SSM data channel is not served).
 */
export const NOT_ENABLED =
  'The execute command failed because execute command was not enabled when the task was run or the execute command agent isn’t running. Wait and try again or run a new task with execute command enabled and try again.'
export const NOT_CONNECTED = 'The execute command failed due to an internal error. Try again later.'
export const ONLY_INTERACTIVE = 'Interactive is the only mode supported currently.'
// Seen in tools that mirror ECS (StopTask's text); not confirmed for ExecuteCommand.
const TASK_NOT_FOUND = 'The referenced task was not found.'
// Not confirmed: ECS's texts for a missing or ambiguous container name.
const CONTAINER_REQUIRED = 'The container name must be specified when the task has more than one container.'
const containerNotFound = (name: string) => `The container ${name} was not found in the task.`

export const targetNotConnected = () => new EcsError('TargetNotConnectedException', NOT_CONNECTED)

const executeCommand: Handler<'ExecuteCommand'> = async (input, ctx, deps) => {
  if (!input.interactive) throw invalidParameter(ONLY_INTERACTIVE)
  const cluster = resolveCluster(ctx, deps, input.cluster)
  const ref = input.task!
  // ECS checks the length of a task id before looking it up.
  if (!isArn(ref) && ref.length !== 32 && ref.length !== 36) throw invalidParameter('task length should be one of [32,36]')
  const task = findTask(ctx, deps.repos, cluster.clusterName, ref)
  if (!task || isExpired(task, deps.clock.now(), stoppedRetentionMs(deps))) throw invalidParameter(TASK_NOT_FOUND)
  const container = pickContainer(task, input.container)
  if (!execReady(task, container)) throw invalidParameter(NOT_ENABLED)
  if (!deps.cluster.tasks) throw targetNotConnected()
  return {
    clusterArn: cluster.clusterArn,
    containerArn: container.containerArn,
    containerName: container.name,
    interactive: true,
    session: newSession(ctx.region),
    taskArn: task.taskArn,
  }
}

type TaskContainer = NonNullable<TaskDoc['containers']>[number]

function pickContainer(task: TaskDoc, name: string | undefined): TaskContainer {
  const containers = task.containers ?? []
  if (name === undefined || name === '') {
    if (containers.length !== 1) throw invalidParameter(CONTAINER_REQUIRED)
    return containers[0]!
  }
  const found = containers.find((c) => c.name === name)
  if (!found) throw invalidParameter(containerNotFound(name))
  return found
}

/** A task is ready for exec when it was run with it and the container's ExecuteCommandAgent runs. */
export function execReady(task: TaskDoc, container: TaskContainer): boolean {
  if (!task.enableExecuteCommand || task.desiredStatus === 'STOPPED') return false
  return (container.managedAgents ?? []).some((a) => a.name === 'ExecuteCommandAgent' && a.lastStatus === 'RUNNING')
}

/** The SSM session as ECS returns it: `ecs-execute-command-<17 hex>`, its data-channel URL and an opaque token. */
export function newSession(region: string): { sessionId: string; streamUrl: string; tokenValue: string } {
  const sessionId = `ecs-execute-command-${randomBytes(9).toString('hex').slice(0, 17)}`
  return {
    sessionId,
    streamUrl: `wss://ssmmessages.${region}.amazonaws.com/v1/data-channel/${sessionId}?role=publish_subscribe&cell-number=AAEAAQ`,
    tokenValue: `AAEAA${randomBytes(192).toString('base64')}`,
  }
}

export const handlers = {
  ExecuteCommand: executeCommand,
}
