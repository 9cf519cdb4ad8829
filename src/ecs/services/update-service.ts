import { resolveCluster } from '../clusters/resolve.js'
import { invalidParameter, serviceNotActive, serviceNotFound } from '../errors.js'
import { getTags } from '../tag-store.js'
import type { TaskDefinitionDoc } from '../task-definitions/task-definition-doc.js'
import { resolveTaskDefinition } from '../task-definitions/resolve.js'
import type { Handler } from '../types.js'
import { managedVolumesFor } from '../tasks/managed-volumes.js'
import { mergeConfig, newDeployment, startDeployment } from './deployments.js'
import { publishServiceNotes, reasons } from './events.js'
import { serviceRuntime } from './runtime.js'
import { connectGateways } from '../gateways/connect.js'
import { findService, primaryOf, renderService, serviceKey, type ServiceDoc } from './service-doc.js'
import { stageTaskSetCounts } from './task-set-doc.js'
import { checkExternalUpdate } from './task-sets.js'
import { deploymentTaskTags } from './task-tags.js'
import { checkRunnable, checkTaskDefinitionUsable, chooseLaunch, normalizeNetwork, serviceMessages } from './validate.js'

/**
 * UpdateService (docs/ecs-facts.md#services). Settings that change what the tasks are — the task definition, the
 * network configuration, the capacity provider strategy, the platform version, execute command, load
 * balancers, service registries, Service Connect — or `forceNewDeployment` start a new deployment
 * (PRIMARY, IN_PROGRESS; the current ones become ACTIVE and drain). desiredCount, deploymentConfiguration,
 * healthCheckGracePeriodSeconds, placement and tag propagation settings keep the deployment.
 * EXTERNAL services take only what their task sets do not own (task-sets.ts checkExternalUpdate).
 */
export const updateService: Handler<'UpdateService'> = async (input, ctx, deps) => {
  const cluster = resolveCluster(ctx, deps, input.cluster)
  const current = findService(ctx, deps.repos, cluster.clusterName, input.service!)
  if (!current) throw serviceNotFound()
  if (current.status !== 'ACTIVE') throw serviceNotActive()
  if (current.deploymentController?.type === 'EXTERNAL') checkExternalUpdate(input)
  const doc: ServiceDoc = structuredClone(current)
  const daemon = doc.schedulingStrategy === 'DAEMON'
  const external = doc.deploymentController?.type === 'EXTERNAL'
  const primary = primaryOf(doc)
  let redeploy = !!input.forceNewDeployment

  let td: TaskDefinitionDoc | undefined
  if (input.taskDefinition !== undefined) {
    td = resolveTaskDefinition(ctx, deps, input.taskDefinition)
    checkTaskDefinitionUsable(td)
    if (td.taskDefinitionArn !== doc.taskDefinition) redeploy = true
    doc.taskDefinition = td.taskDefinitionArn
  } else if (doc.taskDefinition) {
    td = resolveTaskDefinition(ctx, deps, doc.taskDefinition)
  }

  if (input.volumeConfigurations !== undefined) {
    if (td) managedVolumesFor(td, input.volumeConfigurations)
    if (!sameJson(input.volumeConfigurations, primary?.volumeConfigurations ?? [])) redeploy = true
  }
  let gatewayOps: ReturnType<typeof connectGateways> = []
  if (input.gatewayConnectors !== undefined) {
    const before = JSON.stringify(doc.kecs.gateways ?? [])
    gatewayOps = connectGateways(deps.repos, doc, input.gatewayConnectors, td)
    if (JSON.stringify(doc.kecs.gateways ?? []) !== before) redeploy = true
  }
  if (input.desiredCount !== undefined && !daemon) {
    if (input.desiredCount < 0) throw invalidParameter(serviceMessages.desiredCount)
    doc.desiredCount = input.desiredCount
  }
  if (input.capacityProviderStrategy !== undefined || input.platformVersion !== undefined) {
    // A strategy replaces the launch type (and back: an empty strategy means the cluster default).
    const noDefault = (cluster.defaultCapacityProviderStrategy ?? []).length === 0
    if (input.capacityProviderStrategy?.length === 0 && noDefault && (doc.capacityProviderStrategy?.length ?? 0) > 0) {
      throw invalidParameter(serviceMessages.noFallback)
    }
    const launch =
      input.capacityProviderStrategy !== undefined
        ? chooseLaunch({ capacityProviderStrategy: input.capacityProviderStrategy }, cluster)
        : chooseLaunch({ launchType: doc.launchType, capacityProviderStrategy: doc.capacityProviderStrategy }, cluster)
    if (!sameJson(launch.capacityProviderStrategy, doc.capacityProviderStrategy) || launch.launchType !== doc.launchType) redeploy = true
    delete doc.launchType
    delete doc.capacityProviderStrategy
    if (launch.launchType) doc.launchType = launch.launchType as ServiceDoc['launchType']
    if (launch.capacityProviderStrategy) doc.capacityProviderStrategy = launch.capacityProviderStrategy
    const fargate = launch.launchTypes.includes('FARGATE')
    const platform = fargate ? (input.platformVersion ?? doc.platformVersion ?? 'LATEST') : undefined
    if (platform !== doc.platformVersion) redeploy = true
    if (platform) {
      doc.platformVersion = platform
      doc.platformFamily = 'Linux'
    } else {
      delete doc.platformVersion
      delete doc.platformFamily
    }
  }
  if (input.networkConfiguration !== undefined) {
    const nc = normalizeNetwork(input.networkConfiguration)
    if (!sameJson(nc, doc.networkConfiguration)) redeploy = true
    if (nc) doc.networkConfiguration = nc
  }
  if (input.deploymentConfiguration !== undefined) {
    doc.deploymentConfiguration = mergeConfig(doc.deploymentConfiguration, input.deploymentConfiguration, daemon)
  }
  if (input.healthCheckGracePeriodSeconds !== undefined) doc.healthCheckGracePeriodSeconds = input.healthCheckGracePeriodSeconds
  for (const k of ['loadBalancers', 'serviceRegistries'] as const) {
    if (input[k] !== undefined && !sameJson(input[k], doc[k])) {
      doc[k] = structuredClone(input[k]) as never
      redeploy = true
    }
  }
  if (input.enableExecuteCommand !== undefined && input.enableExecuteCommand !== doc.enableExecuteCommand) {
    doc.enableExecuteCommand = input.enableExecuteCommand
    redeploy = true
  }
  if (input.serviceConnectConfiguration !== undefined && !sameJson(input.serviceConnectConfiguration, primary?.serviceConnectConfiguration)) {
    redeploy = true
  }
  if (input.placementConstraints !== undefined) doc.placementConstraints = structuredClone(input.placementConstraints)
  if (input.placementStrategy !== undefined) doc.placementStrategy = structuredClone(input.placementStrategy)
  if (input.propagateTags !== undefined) doc.propagateTags = input.propagateTags
  if (input.enableECSManagedTags !== undefined) doc.enableECSManagedTags = input.enableECSManagedTags
  if (input.availabilityZoneRebalancing !== undefined) doc.availabilityZoneRebalancing = input.availabilityZoneRebalancing

  const launchTypes = doc.launchType ? [doc.launchType] : [...new Set((doc.capacityProviderStrategy ?? []).map((i) => (i.capacityProvider?.startsWith('FARGATE') ? 'FARGATE' : 'EC2')))]
  if (td && !external) checkRunnable(td, { launchTypes }, doc.networkConfiguration)

  const now = deps.clock.now()
  let started: string | undefined
  if (!external && td && (redeploy || !primary)) {
    const next = newDeployment(
      {
        taskDefinition: td.taskDefinitionArn!,
        launchType: doc.launchType,
        capacityProviderStrategy: doc.capacityProviderStrategy,
        platformVersion: doc.platformVersion,
        networkConfiguration: doc.networkConfiguration,
        serviceConnectConfiguration: input.serviceConnectConfiguration ?? primary?.serviceConnectConfiguration,
        volumeConfigurations: input.volumeConfigurations ?? primary?.volumeConfigurations,
        taskTags: deploymentTaskTags(deps, {
          propagateTags: doc.propagateTags,
          enableECSManagedTags: doc.enableECSManagedTags,
          serviceTags: getTags(deps.repos, doc.serviceArn).map((t) => ({ key: t.key ?? '', value: t.value ?? '' })),
          taskDefinition: td,
          clusterName: cluster.clusterName,
          serviceName: doc.serviceName,
        }),
      },
      doc.desiredCount,
      now,
    )
    startDeployment(doc, next)
    started = next.id
  } else {
    const p = primaryOf(doc)
    if (p && p.desiredCount !== doc.desiredCount) p.desiredCount = doc.desiredCount
  }

  const runtime = serviceRuntime(deps)
  if (runtime && td && !external && started) {
    const { ignored } = runtime.prepare(doc, td)
    if (ignored.length) doc.kecs.ignored = ignored
    else delete doc.kecs.ignored
  }
  const key = serviceKey(ctx, cluster.clusterName, doc.serviceName)
  // EXTERNAL: the task sets' computed desired counts follow desiredCount in the same job.
  await deps.repos.store.write([deps.repos.services.stagePut(key, doc), ...(external ? stageTaskSetCounts(deps.repos, doc, now) : []), ...gatewayOps])
  if (started) {
    publishServiceNotes(deps.bus, doc, [{ kind: 'deployment', name: 'SERVICE_DEPLOYMENT_IN_PROGRESS', deploymentId: started, reason: reasons.inProgress(started) }], now)
  }
  runtime?.changed(key)
  return { service: renderService(deps.repos, doc) }
}

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null)
