import type { RunTaskRequest, StartTaskRequest, Tag } from '@aws-sdk/client-ecs'
import { newTaskId } from '../arns.js'
import { requestFingerprint } from '../client-token.js'
import type { ClusterDoc } from '../clusters/cluster-doc.js'
import { resolveCluster } from '../clusters/resolve.js'
import type { RequestContext } from '../context.js'
import { EcsError, invalidParameter } from '../errors.js'
import { getTags, stageTags } from '../tag-store.js'
import { validateTags } from '../tags.js'
import type { TaskDefinitionDoc } from '../task-definitions/task-definition-doc.js'
import { resolveTaskDefinition } from '../task-definitions/resolve.js'
import type { EcsDeps, Handler, Wire } from '../types.js'
import { buildTask } from './build-task.js'
import { shortfall, taskNeeds } from './capacity.js'
import { compileConstraints, placementFailure } from '../container-instances/placement.js'
import { publishTaskChange } from './events.js'
import { managedVolumesFor, volumeAttachment } from './managed-volumes.js'
import { taskKeyOf } from './task-keys.js'
import { clusterInstances, findInstance, type ContainerInstanceDoc } from './node-instances.js'
import { noClusterError, taskRuntime, type TaskRuntime } from './runtime.js'
import { renderTask, type TaskDoc } from './task-doc.js'
import {
  checkCompatibility,
  checkNetwork,
  checkOverrides,
  checkRequestShape,
  checkTaskDefinitionActive,
  messages,
  placements,
  type Placement,
} from './validate-run.js'

/**
 * RunTask and StartTask (docs/architecture.md#the-life-of-a-runtask). Both validate, build the tasks (PROVISIONING/PENDING, version
 * 1), store them with their tags in one job, publish each task's first `ECS Task State Change`, then
 * ask the runtime to create them in the cluster. From there the reconciler (src/kube/reconciler.ts)
 * moves them along.
 */

type RunInput = Wire<RunTaskRequest>
type StartInput = Wire<StartTaskRequest>

const MAX_START_INSTANCES = 10

const runTask: Handler<'RunTask'> = async (input, ctx, deps) => {
  checkRequestShape(input)
  const cluster = resolveCluster(ctx, deps, input.cluster)
  const td = resolveTaskDefinition(ctx, deps, input.taskDefinition!)
  const fingerprint = input.clientToken ? requestFingerprint(input) : undefined
  if (input.clientToken) {
    const prior = tasksWithToken(deps, cluster, input.clientToken)
    if (prior.length) return idempotentReply(deps, prior, fingerprint!)
  }
  checkTaskDefinitionActive(td)
  checkOverrides(td, input.overrides)
  managedVolumesFor(td, input.volumeConfigurations)
  const count = input.count ?? 1
  const where = placements(input, cluster, count)
  for (const lt of new Set(where.map((p) => p.launchType))) {
    checkCompatibility(td, lt)
    checkNetwork(td, input.networkConfiguration, lt)
  }
  const tags = taskTags(deps, input, td, cluster)
  const runtime = taskRuntime(deps)
  if (!runtime) throw noClusterError()
  // DRAINING instances take no new tasks
  const instances = needsInstance(where) ? clusterInstances(deps.repos, cluster.clusterArn).filter((i) => i.status === 'ACTIVE') : []
  if (needsInstance(where) && instances.length === 0) throw invalidParameter(messages.noInstances)
  const constraints = needsInstance(where) ? compileConstraints(input.placementConstraints, td.placementConstraints) : undefined

  const docs: TaskDoc[] = []
  const failures = new Map<string, string>()
  where.forEach((p, i) => {
    const doc = newTask(ctx, deps, cluster, td, input, p, undefined)
    if (p.launchType !== 'FARGATE') {
      // round robin over the instances, skipping those the task cannot go on
      const task = { needs: taskNeeds(doc, taskLevelSize(td, input)), group: doc.group ?? '', requiresAttributes: td.requiresAttributes ?? [] }
      const order = instances.map((_, j) => instances[(i + j) % instances.length]!)
      const why = (inst: ContainerInstanceDoc) => placementFailure(deps.repos, inst, task, constraints!, docs)
      const fit = order.find((inst) => !why(inst))
      if (!fit) {
        for (const inst of order) failures.set(inst.containerInstanceArn, why(inst)!)
        return
      }
      doc.containerInstanceArn = fit.containerInstanceArn
    }
    if (input.clientToken) {
      doc.kecs.clientToken = input.clientToken
      doc.kecs.requestFingerprint = fingerprint
    }
    docs.push(doc)
  })
  const tasks = docs.length ? await launch(deps, runtime, td, docs, tags) : []
  return { tasks, failures: [...failures].map(([arn, reason]) => ({ arn, reason })) }
}

/** The task-level size a task gets: the request's override, else the task definition's. */
const taskLevelSize = (td: TaskDefinitionDoc, input: RunInput | StartInput) => ({
  cpu: input.overrides?.cpu ?? td.cpu,
  memory: input.overrides?.memory ?? td.memory,
})

const startTask: Handler<'StartTask'> = async (input, ctx, deps) => {
  checkRequestShape(input)
  const cluster = resolveCluster(ctx, deps, input.cluster)
  const td = resolveTaskDefinition(ctx, deps, input.taskDefinition!)
  checkTaskDefinitionActive(td)
  checkOverrides(td, input.overrides)
  managedVolumesFor(td, input.volumeConfigurations)
  const refs = input.containerInstances ?? []
  if (refs.length === 0) throw invalidParameter('containerInstances can not be empty.')
  if (refs.length > MAX_START_INSTANCES) throw invalidParameter(`containerInstances can have at most ${MAX_START_INSTANCES} items.`)
  checkCompatibility(td, 'EC2')
  checkNetwork(td, input.networkConfiguration, 'EC2')
  const tags = taskTags(deps, input, td, cluster)
  const runtime = taskRuntime(deps)
  if (!runtime) throw noClusterError()

  const failures: { arn: string; reason: string }[] = []
  const docs: TaskDoc[] = []
  const none = clusterInstances(deps.repos, cluster.clusterArn).length === 0
  for (const ref of refs) {
    const inst = findInstance(ctx, deps.repos, cluster.clusterName, ref)
    if (!inst || inst.status !== 'ACTIVE') {
      failures.push(startFailure(cluster, ref, inst, none))
      continue
    }
    const doc = newTask(ctx, deps, cluster, td, input, { launchType: 'EC2' }, inst.containerInstanceArn)
    const short = shortfall(taskNeeds(doc, taskLevelSize(td, input)), inst)
    if (short) {
      failures.push({ arn: inst.containerInstanceArn, reason: short })
      continue
    }
    docs.push(doc)
  }
  const tasks = docs.length ? await launch(deps, runtime, td, docs, tags) : []
  return { tasks, failures }
}

/**
 * StartTask's failure for an instance it cannot use: MISSING (unknown; with why when the cluster has
 * no container instances at all), INACTIVE (deregistered). A DRAINING instance takes no new tasks:
 * ECS's reason for that is not documented, so KECS reports it as INACTIVE with the status in detail.
 */
function startFailure(cluster: ClusterDoc, ref: string, inst: ContainerInstanceDoc | undefined, none: boolean) {
  if (!inst && !none) return { arn: ref, reason: 'MISSING' }
  if (!inst) {
    const detail = `${messages.noInstances} KECS registers the cluster's Kubernetes nodes as its container instances; cluster ${cluster.clusterName} has none registered.`
    return { arn: ref, reason: 'MISSING', detail }
  }
  return { arn: inst.containerInstanceArn, reason: 'INACTIVE', detail: `The container instance is ${inst.status}.` }
}

const needsInstance = (where: Placement[]) => where.some((p) => p.launchType !== 'FARGATE')

function newTask(
  ctx: RequestContext,
  deps: EcsDeps,
  cluster: ClusterDoc,
  td: TaskDefinitionDoc,
  input: RunInput | StartInput,
  place: Placement,
  containerInstanceArn: string | undefined,
): TaskDoc {
  const doc = buildTask({
    scope: ctx,
    clusterName: cluster.clusterName,
    clusterArn: cluster.clusterArn,
    taskDefinition: td,
    taskId: newTaskId(),
    nowMs: deps.clock.now(),
    launchType: place.launchType,
    capacityProviderName: place.capacityProviderName,
    containerInstanceArn,
    networkConfiguration: input.networkConfiguration,
    overrides: input.overrides,
    startedBy: input.startedBy,
    group: input.group,
    enableExecuteCommand: input.enableExecuteCommand,
    platformVersion: 'platformVersion' in input ? input.platformVersion : undefined,
  })
  // each task gets volumes of its own
  const volumes = managedVolumesFor(td, input.volumeConfigurations)
  if (volumes.length) {
    doc.kecs.managedVolumes = volumes
    doc.attachments = [...(doc.attachments ?? []), ...volumes.map(volumeAttachment)]
  }
  return doc
}

/**
 * Converts every task first (a task KECS cannot run fails the whole request before anything is
 * stored), publishes version 1 of each, stores tasks and tags in one job and answers once that is
 * durable, with each task as stored (PROVISIONING/PENDING), as ECS answers before the task is
 * placed. The pods are made by the runtime's launch controller, off the request path.
 */
async function launch(
  deps: EcsDeps,
  runtime: TaskRuntime,
  td: TaskDefinitionDoc,
  docs: TaskDoc[],
  tags: { key: string; value: string }[],
) {
  const prepared = docs.map((d) => runtime.prepare(d, td, tags))
  const ops = docs.flatMap((d) => [deps.repos.tasks.stagePut(taskKeyOf(d), d), stageTags(deps.repos, d.taskArn, tags)])
  const replies = docs.map((d) => renderTask(deps.repos, d, { tags: true }))
  const stored = deps.repos.store.write(ops)
  // Version 1 goes out before the pods exist, so no change the reconciler records can precede it.
  for (const d of docs) publishTaskChange(deps, d, undefined)
  // Queued at once, so the pods are made while the commit runs (time to RUNNING does not wait for
  // it); the answer waits for the commit only. Should the commit fail, the reconciler finds pods
  // without tasks ignored (only service pods are adopted).
  for (const p of prepared) runtime.launch(p)
  await stored
  return replies
}

/**
 * Tags of new tasks: the request's, plus the task definition's with propagateTags TASK_DEFINITION
 * (the request's win on a clash), plus `aws:ecs:clusterName` with enableECSManagedTags.
 */
function taskTags(
  deps: EcsDeps,
  input: { tags?: Wire<Tag>[]; propagateTags?: string; enableECSManagedTags?: boolean },
  td: TaskDefinitionDoc,
  cluster: ClusterDoc,
): { key: string; value: string }[] {
  const own = validateTags(input.tags)
  const byKey = new Map<string, string>()
  if (input.propagateTags === 'TASK_DEFINITION' && td.taskDefinitionArn) {
    for (const t of getTags(deps.repos, td.taskDefinitionArn)) byKey.set(t.key ?? '', t.value ?? '')
  }
  for (const t of own) byKey.set(t.key, t.value)
  if (input.enableECSManagedTags) byKey.set('aws:ecs:clusterName', cluster.clusterName)
  return [...byKey].map(([key, value]) => ({ key, value }))
}

function tasksWithToken(deps: EcsDeps, cluster: ClusterDoc, token: string): TaskDoc[] {
  const out: TaskDoc[] = []
  for (const t of deps.repos.tasks.values()) {
    if (t.clusterArn === cluster.clusterArn && t.kecs?.clientToken === token) out.push(t)
  }
  return out.sort((a, b) => (a.createdAt ?? 0) - (b.createdAt ?? 0))
}

function idempotentReply(deps: EcsDeps, prior: TaskDoc[], fingerprint: string) {
  if (prior.some((t) => t.kecs.requestFingerprint !== fingerprint)) {
    throw new EcsError(
      'ConflictException',
      'The specified client token has already been used in a request with different parameters.',
      400,
      { resourceIds: prior.map((t) => t.taskArn) },
    )
  }
  return { tasks: prior.map((t) => renderTask(deps.repos, t, { tags: true })), failures: [] }
}

export const handlers = {
  RunTask: runTask,
  StartTask: startTask,
}
