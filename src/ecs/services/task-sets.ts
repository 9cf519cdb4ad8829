import type { UpdateServiceRequest } from '@aws-sdk/client-ecs'
import { taskSetArn } from '../arns.js'
import { epochSeconds } from '../clock.js'
import { requestFingerprint } from '../client-token.js'
import { resolveCluster } from '../clusters/resolve.js'
import type { RequestContext } from '../context.js'
import { EcsError, invalidParameter, serviceNotActive, serviceNotFound } from '../errors.js'
import { getTags, stageDeleteTags, stageTags } from '../tag-store.js'
import { validateTags } from '../tags.js'
import { resolveTaskDefinition } from '../task-definitions/resolve.js'
import { FARGATE_PLATFORM_VERSION } from '../tasks/build-task.js'
import type { EcsDeps, Handler, Wire } from '../types.js'
import { newDeploymentId } from './deployments.js'
import { serviceRuntime } from './runtime.js'
import { findService, serviceKey, taskSetKey, type ServiceDoc } from './service-doc.js'
import {
  computedDesiredCount,
  findTaskSet,
  renderTaskSet,
  taskSetEntries,
  type TaskSetDoc,
} from './task-set-doc.js'
import { deploymentTaskTags } from './task-tags.js'
import { checkRunnable, checkTaskDefinitionUsable, chooseLaunch, normalizeNetwork } from './validate.js'

/**
 * CreateTaskSet, UpdateTaskSet, DeleteTaskSet, DescribeTaskSets, UpdateServicePrimaryTaskSet: task sets
 * of services with the EXTERNAL deployment controller (task-set-doc.ts). The handlers store what is
 * wanted and tell the service runtime, which runs each task set as a Deployment; the service scheduler
 * counts their tasks (runningCount, pendingCount, stabilityStatus) and removes drained task sets.
 */

const taskSetMessages = {
  notExternal: 'Task sets can only be used with services that use the EXTERNAL deployment controller.',
  notFound: 'The specified task set does not exist.',
  scale: 'The scale value must be between 0 and 100 (percent).',
  notScaledTo0: 'The task set cannot be deleted while it is scaled above 0. Scale it to 0 first, or delete it with force.',
  draining: 'The task set is being deleted (DRAINING).',
  notIdempotent: 'Creation of task set was not idempotent.',
  clientToken: 'clientToken must be at most 36 characters.',
}

const taskSetNotFound = () => new EcsError('TaskSetNotFoundException', taskSetMessages.notFound)

/** The cluster and the service a task set call names; the service must be ACTIVE (or just exist, for Describe) and EXTERNAL. */
function serviceFor(ctx: RequestContext, deps: EcsDeps, cluster: string | undefined, service: string, opts: { describe?: boolean } = {}) {
  const c = resolveCluster(ctx, deps, cluster)
  const doc = findService(ctx, deps.repos, c.clusterName, service)
  if (!doc) throw serviceNotFound()
  if (doc.status !== 'ACTIVE' && !(opts.describe && doc.status === 'DRAINING')) throw serviceNotActive()
  if (doc.deploymentController?.type !== 'EXTERNAL') throw invalidParameter(taskSetMessages.notExternal)
  return { cluster: c, service: doc, key: serviceKey(ctx, c.clusterName, doc.serviceName) }
}

function scaleOf(given: { value?: number; unit?: string } | undefined): TaskSetDoc['scale'] {
  const value = given?.value ?? 0
  if (!Number.isFinite(value) || value < 0 || value > 100) throw invalidParameter(taskSetMessages.scale)
  return { value, unit: 'PERCENT' }
}

const createTaskSet: Handler<'CreateTaskSet'> = async (input, ctx, deps) => {
  const { cluster, service, key } = serviceFor(ctx, deps, input.cluster, input.service!)
  if (input.clientToken !== undefined && input.clientToken.length > 36) throw invalidParameter(taskSetMessages.clientToken)
  const fingerprint = requestFingerprint(input)
  if (input.clientToken) {
    const same = taskSetEntries(deps.repos, service.serviceArn).find(([, ts]) => ts.kecs.clientToken === input.clientToken)
    if (same) {
      if (same[1].kecs.requestFingerprint !== fingerprint) throw invalidParameter(taskSetMessages.notIdempotent)
      return { taskSet: renderTaskSet(deps.repos, same[1]) }
    }
  }
  const td = resolveTaskDefinition(ctx, deps, input.taskDefinition!)
  checkTaskDefinitionUsable(td)
  const launch = chooseLaunch(input, cluster)
  const network = normalizeNetwork(input.networkConfiguration)
  checkRunnable(td, launch, network)
  const scale = scaleOf(input.scale)
  const tags = validateTags(input.tags)

  const nowMs = deps.clock.now()
  const now = epochSeconds(nowMs)
  const id = newDeploymentId()
  const fargate = launch.launchTypes.includes('FARGATE')
  const doc: TaskSetDoc = {
    id,
    taskSetArn: taskSetArn(ctx, cluster.clusterName, service.serviceName, id),
    serviceArn: service.serviceArn,
    clusterArn: cluster.clusterArn,
    ...(input.externalId !== undefined ? { externalId: input.externalId } : {}),
    status: 'ACTIVE',
    taskDefinition: td.taskDefinitionArn!,
    computedDesiredCount: computedDesiredCount(service.desiredCount, scale.value),
    pendingCount: 0,
    runningCount: 0,
    createdAt: now,
    updatedAt: now,
    ...(launch.capacityProviderStrategy ? { capacityProviderStrategy: launch.capacityProviderStrategy } : {}),
    ...(launch.launchType ? { launchType: launch.launchType as TaskSetDoc['launchType'] } : {}),
    ...(fargate
      ? {
          platformVersion: !input.platformVersion || input.platformVersion === 'LATEST' ? FARGATE_PLATFORM_VERSION : input.platformVersion,
          platformFamily: 'Linux',
        }
      : {}),
    ...(network ? { networkConfiguration: network } : {}),
    loadBalancers: structuredClone(input.loadBalancers ?? []),
    serviceRegistries: structuredClone(input.serviceRegistries ?? []),
    scale,
    stabilityStatus: 'STABILIZING',
    stabilityStatusAt: now,
    kecs: {
      clusterName: cluster.clusterName,
      serviceName: service.serviceName,
      taskTags: deploymentTaskTags(deps, {
        propagateTags: service.propagateTags,
        enableECSManagedTags: service.enableECSManagedTags,
        serviceTags: getTags(deps.repos, service.serviceArn).map((t) => ({ key: t.key ?? '', value: t.value ?? '' })),
        taskDefinition: td,
        clusterName: cluster.clusterName,
        serviceName: service.serviceName,
      }),
      ...(input.clientToken ? { clientToken: input.clientToken, requestFingerprint: fingerprint } : {}),
    },
  }
  const runtime = serviceRuntime(deps)
  runtime?.prepareTaskSet?.(service, doc, td)
  const tsKey = taskSetKey(ctx, cluster.clusterName, service.serviceName, id)
  await deps.repos.store.write([deps.repos.taskSets.stagePut(tsKey, doc), stageTags(deps.repos, doc.taskSetArn, tags)])
  runtime?.changed(key)
  return { taskSet: renderTaskSet(deps.repos, doc, { echoTags: tags }) }
}

const updateTaskSet: Handler<'UpdateTaskSet'> = async (input, ctx, deps) => {
  const { service, key } = serviceFor(ctx, deps, input.cluster, input.service!)
  const found = findTaskSet(ctx, deps.repos, service, input.taskSet!)
  if (!found) throw taskSetNotFound()
  const [tsKey, current] = found
  if (current.status === 'DRAINING') throw invalidParameter(taskSetMessages.draining)
  const scale = scaleOf(input.scale)
  const doc = structuredClone(current)
  const now = epochSeconds(deps.clock.now())
  doc.scale = scale
  doc.updatedAt = now
  const computed = computedDesiredCount(service.desiredCount, scale.value)
  if (computed !== doc.computedDesiredCount) {
    doc.computedDesiredCount = computed
    doc.stabilityStatus = 'STABILIZING'
    doc.stabilityStatusAt = now
  }
  await deps.repos.taskSets.put(tsKey, doc)
  serviceRuntime(deps)?.changed(key)
  return { taskSet: renderTaskSet(deps.repos, doc) }
}

/**
 * DeleteTaskSet: DRAINING (its Deployment scales to 0; the scheduler removes it once its tasks are
 * gone). A task set whose scale is above 0 needs `force`. Without a cluster it goes at once.
 */
const deleteTaskSet: Handler<'DeleteTaskSet'> = async (input, ctx, deps) => {
  const { service, key } = serviceFor(ctx, deps, input.cluster, input.service!)
  const found = findTaskSet(ctx, deps.repos, service, input.taskSet!)
  if (!found) throw taskSetNotFound()
  const [tsKey, current] = found
  if (current.status === 'DRAINING') return { taskSet: renderTaskSet(deps.repos, current) }
  if (current.scale.value > 0 && !input.force) throw invalidParameter(taskSetMessages.notScaledTo0)
  const doc = structuredClone(current)
  const now = epochSeconds(deps.clock.now())
  doc.status = 'DRAINING'
  doc.computedDesiredCount = 0
  doc.updatedAt = now
  doc.stabilityStatus = 'STABILIZING'
  doc.stabilityStatusAt = now
  const runtime = serviceRuntime(deps)
  if (runtime) await deps.repos.taskSets.put(tsKey, doc)
  else await deps.repos.store.write([deps.repos.taskSets.stageDelete(tsKey), stageDeleteTags(deps.repos, doc.taskSetArn)])
  runtime?.changed(key)
  return { taskSet: renderTaskSet(deps.repos, doc) }
}

const describeTaskSets: Handler<'DescribeTaskSets'> = async (input, ctx, deps) => {
  const { service } = serviceFor(ctx, deps, input.cluster, input.service!, { describe: true })
  const withTags = (input.include ?? []).includes('TAGS')
  const render = (ts: TaskSetDoc) => renderTaskSet(deps.repos, ts, { tags: withTags })
  if (!input.taskSets?.length) {
    return { taskSets: taskSetEntries(deps.repos, service.serviceArn).map(([, ts]) => render(ts)), failures: [] }
  }
  const taskSets = []
  const failures = []
  const seen = new Set<string>()
  for (const ref of input.taskSets) {
    const found = findTaskSet(ctx, deps.repos, service, ref)
    if (!found) {
      failures.push({ arn: ref.startsWith('arn:') ? ref : taskSetArn(ctx, service.kecs.clusterName, service.serviceName, ref), reason: 'MISSING' })
      continue
    }
    if (seen.has(found[0])) continue
    seen.add(found[0])
    taskSets.push(render(found[1]))
  }
  return { taskSets, failures }
}

/**
 * UpdateServicePrimaryTaskSet: the task set becomes PRIMARY (the previous one ACTIVE) and the service
 * takes its settings (task definition, launch type or capacity provider strategy, platform version,
 * network configuration, load balancers, service registries), as ECS describes it.
 */
const updateServicePrimaryTaskSet: Handler<'UpdateServicePrimaryTaskSet'> = async (input, ctx, deps) => {
  const { service: current, key } = serviceFor(ctx, deps, input.cluster, input.service!)
  const found = findTaskSet(ctx, deps.repos, current, input.primaryTaskSet!)
  if (!found) throw taskSetNotFound()
  const [tsKey, chosen] = found
  if (chosen.status === 'DRAINING') throw invalidParameter(taskSetMessages.draining)
  if (chosen.status === 'PRIMARY') return { taskSet: renderTaskSet(deps.repos, chosen) }
  const now = epochSeconds(deps.clock.now())
  const ops = []
  for (const [k, ts] of taskSetEntries(deps.repos, current.serviceArn)) {
    if (ts.status !== 'PRIMARY') continue
    ops.push(deps.repos.taskSets.stagePut(k, { ...structuredClone(ts), status: 'ACTIVE', updatedAt: now }))
  }
  const primary: TaskSetDoc = { ...structuredClone(chosen), status: 'PRIMARY', updatedAt: now }
  ops.push(deps.repos.taskSets.stagePut(tsKey, primary))
  const service: ServiceDoc = structuredClone(current)
  service.taskDefinition = primary.taskDefinition
  delete service.launchType
  delete service.capacityProviderStrategy
  delete service.platformVersion
  delete service.platformFamily
  delete service.networkConfiguration
  if (primary.capacityProviderStrategy?.length) service.capacityProviderStrategy = structuredClone(primary.capacityProviderStrategy)
  else if (primary.launchType) service.launchType = primary.launchType
  if (primary.platformVersion) {
    service.platformVersion = primary.platformVersion
    service.platformFamily = primary.platformFamily ?? 'Linux'
  }
  if (primary.networkConfiguration) service.networkConfiguration = structuredClone(primary.networkConfiguration)
  service.loadBalancers = structuredClone(primary.loadBalancers ?? [])
  service.serviceRegistries = structuredClone(primary.serviceRegistries ?? [])
  ops.push(deps.repos.services.stagePut(key, service))
  await deps.repos.store.write(ops)
  serviceRuntime(deps)?.changed(key)
  return { taskSet: renderTaskSet(deps.repos, primary) }
}

export const handlers = {
  CreateTaskSet: createTaskSet,
  UpdateTaskSet: updateTaskSet,
  DeleteTaskSet: deleteTaskSet,
  DescribeTaskSets: describeTaskSets,
  UpdateServicePrimaryTaskSet: updateServicePrimaryTaskSet,
}

const EXTERNAL_FIXED: [keyof Wire<UpdateServiceRequest>, string][] = [
  ['taskDefinition', 'task definition'],
  ['capacityProviderStrategy', 'capacity provider strategy'],
  ['platformVersion', 'platform version'],
  ['networkConfiguration', 'network configuration'],
  ['loadBalancers', 'load balancers'],
  ['serviceRegistries', 'service registries'],
  ['serviceConnectConfiguration', 'Service Connect configuration'],
  ['volumeConfigurations', 'volume configurations'],
]

/**
 * UpdateService on an EXTERNAL service changes only what the task sets do not own (API reference:
 * desired count, placement, health check grace period, tag propagation; the deployment configuration
 * is recorded): what tasks run comes from task sets, so the rest is refused, worded as ECS words it
 * for CODE_DEPLOY services.
 */
export function checkExternalUpdate(input: Wire<UpdateServiceRequest>): void {
  if (input.forceNewDeployment) {
    throw invalidParameter('Unable to force a new deployment on services with a EXTERNAL deployment controller. Create a new task set (CreateTaskSet) instead.')
  }
  for (const [k, what] of EXTERNAL_FIXED) {
    const v = input[k]
    if (v === undefined || (Array.isArray(v) && v.length === 0)) continue
    throw invalidParameter(`Unable to update ${what} on services with a EXTERNAL deployment controller. Create a new task set (CreateTaskSet) instead.`)
  }
}
