import { resolveCluster } from '../clusters/resolve.js'
import { invalidParameter } from '../errors.js'
import { findTask } from '../tasks/task-doc.js'
import type { Handler } from '../types.js'

/**
 * The calls only the ECS agent makes. On KECS, Kubernetes runs the tasks and the reconciler reports
 * their state, so what an agent submits is checked (cluster, task, statuses) and acknowledged, not
 * applied: the pod stays the source of truth.
 */

const TASK_STATUSES = new Set(['PENDING', 'RUNNING', 'STOPPED'])
const CONTAINER_STATUSES = new Set(['PENDING', 'RUNNING', 'STOPPED'])
const ATTACHMENT_STATUSES = new Set(['ATTACHED', 'DETACHED', 'NONE', 'PRECREATED', 'CREATED', 'ATTACHING', 'DETACHING', 'DELETED', 'FAILED'])

// The value of `acknowledgment` is not documented (the agent ignores it).
const ACK = 'ACK'

/** Where ECS sends an agent: the ACS, telemetry and Service Connect endpoints of the region. */
// DiscoverPollEndpoint has no ClusterNotFoundException: any cluster and instance get the region's endpoints.
const discoverPollEndpoint: Handler<'DiscoverPollEndpoint'> = async (_input, ctx) => {
  return {
    endpoint: `https://ecs-a-1.${ctx.region}.amazonaws.com/`,
    telemetryEndpoint: `https://ecs-t-1.${ctx.region}.amazonaws.com/`,
    serviceConnectEndpoint: `https://ecs-sc.${ctx.region}.api.aws`,
  }
}

const submitTaskStateChange: Handler<'SubmitTaskStateChange'> = async (input, ctx, deps) => {
  const cluster = resolveCluster(ctx, deps, input.cluster)
  if (input.status !== undefined && !TASK_STATUSES.has(input.status)) throw invalidParameter(`Invalid task status ${input.status}.`)
  if (input.task !== undefined && !findTask(ctx, deps.repos, cluster.clusterName, input.task)) {
    throw invalidParameter('The referenced task was not found.')
  }
  for (const c of input.containers ?? []) {
    if (c.status !== undefined && !CONTAINER_STATUSES.has(c.status)) throw invalidParameter(`Invalid container status ${c.status}.`)
  }
  for (const a of input.attachments ?? []) {
    if (!ATTACHMENT_STATUSES.has(a.status!)) throw invalidParameter(`Invalid attachment status ${a.status}.`)
  }
  return { acknowledgment: ACK }
}

const submitContainerStateChange: Handler<'SubmitContainerStateChange'> = async (input, ctx, deps) => {
  const cluster = resolveCluster(ctx, deps, input.cluster)
  if (input.status !== undefined && !CONTAINER_STATUSES.has(input.status)) throw invalidParameter(`Invalid container status ${input.status}.`)
  if (input.task !== undefined) {
    const task = findTask(ctx, deps.repos, cluster.clusterName, input.task)
    if (!task) throw invalidParameter('The referenced task was not found.')
    if (input.containerName !== undefined && !(task.containers ?? []).some((c) => c.name === input.containerName)) {
      throw invalidParameter(`Container ${input.containerName} is not a container of the task.`)
    }
  }
  return { acknowledgment: ACK }
}

const submitAttachmentStateChanges: Handler<'SubmitAttachmentStateChanges'> = async (input, ctx, deps) => {
  resolveCluster(ctx, deps, input.cluster)
  const attachments = input.attachments ?? []
  if (attachments.length === 0) throw invalidParameter('attachments can not be empty.')
  for (const a of attachments) {
    if (!ATTACHMENT_STATUSES.has(a.status!)) throw invalidParameter(`Invalid attachment status ${a.status}.`)
  }
  return { acknowledgment: ACK }
}

export const handlers = {
  DiscoverPollEndpoint: discoverPollEndpoint,
  SubmitTaskStateChange: submitTaskStateChange,
  SubmitContainerStateChange: submitContainerStateChange,
  SubmitAttachmentStateChanges: submitAttachmentStateChanges,
}
