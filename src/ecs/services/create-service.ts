import { serviceArn } from '../arns.js'
import { compileConstraints } from '../container-instances/placement.js'
import { requestFingerprint } from '../client-token.js'
import { epochSeconds } from '../clock.js'
import { resolveCluster } from '../clusters/resolve.js'
import { invalidParameter } from '../errors.js'
import { stageTags } from '../tag-store.js'
import { validateTags } from '../tags.js'
import type { TaskDefinitionDoc } from '../task-definitions/task-definition-doc.js'
import { resolveTaskDefinition } from '../task-definitions/resolve.js'
import { clusterInstances } from '../tasks/node-instances.js'
import type { Handler } from '../types.js'
import { managedVolumesFor } from '../tasks/managed-volumes.js'
import { newDeployment, newServiceConfig, startDeployment } from './deployments.js'
import { publishServiceNotes, reasons } from './events.js'
import { serviceRuntime } from './runtime.js'
import { connectGateways } from '../gateways/connect.js'
import { renderService, serviceKey, type ServiceDoc } from './service-doc.js'
import { deploymentTaskTags } from './task-tags.js'
import {
  checkRunnable,
  checkTaskDefinitionUsable,
  chooseLaunch,
  normalizeNetwork,
  roleArnOf,
  serviceMessages,
  validateServiceName,
} from './validate.js'

/**
 * CreateService (docs/ecs-facts.md#services): validates, stores the service ACTIVE with its first deployment
 * (PRIMARY, IN_PROGRESS; none with the EXTERNAL controller) and its tags in one job, publishes
 * SERVICE_DEPLOYMENT_IN_PROGRESS, then tells the runtime, which creates the Deployment (DaemonSet for
 * DAEMON) and its Service; the scheduler (scheduler.ts) reports tasks, rollout and steady state.
 * A name that is ACTIVE or DRAINING is refused (`Creation of service was not idempotent.`) unless the
 * same clientToken comes with the same request, which answers the existing service.
 */
export const createService: Handler<'CreateService'> = (input, ctx, deps) => createServiceWith(input, ctx, deps)

/** CreateService for the families that make services of their own (Express Mode): `kecs` adds to the stored internals. */
export const createServiceWith = async (
  input: Parameters<Handler<'CreateService'>>[0],
  ctx: Parameters<Handler<'CreateService'>>[1],
  deps: Parameters<Handler<'CreateService'>>[2],
  extra: Partial<ServiceDoc['kecs']> = {},
): ReturnType<Handler<'CreateService'>> => {
  const cluster = resolveCluster(ctx, deps, input.cluster)
  const name = input.serviceName!
  validateServiceName(name)
  const key = serviceKey(ctx, cluster.clusterName, name)
  const existing = deps.repos.services.get(key)
  const fingerprint = requestFingerprint(input)
  if (existing && existing.status !== 'INACTIVE') {
    if (input.clientToken && existing.kecs.clientToken === input.clientToken && existing.kecs.requestFingerprint === fingerprint) {
      return { service: renderService(deps.repos, existing) }
    }
    throw invalidParameter(serviceMessages.notIdempotent)
  }
  if (input.clientToken !== undefined && input.clientToken.length > 36) throw invalidParameter(serviceMessages.clientToken)

  const controller = input.deploymentController?.type ?? 'ECS'
  const external = controller === 'EXTERNAL'
  const daemon = input.schedulingStrategy === 'DAEMON'
  if (daemon && controller !== 'ECS') throw invalidParameter(serviceMessages.daemonController)
  let td: TaskDefinitionDoc | undefined
  if (input.taskDefinition) {
    td = resolveTaskDefinition(ctx, deps, input.taskDefinition)
    checkTaskDefinitionUsable(td)
  } else if (!external) {
    throw invalidParameter(serviceMessages.tdRequired)
  }
  if (td) managedVolumesFor(td, input.volumeConfigurations)
  const launch = chooseLaunch(input, cluster)
  if (daemon && launch.launchTypes.includes('FARGATE')) throw invalidParameter(serviceMessages.daemonFargate)
  const network = normalizeNetwork(input.networkConfiguration)
  if (td) checkRunnable(td, launch, network)
  if (input.desiredCount !== undefined && input.desiredCount < 0) throw invalidParameter(serviceMessages.desiredCount)
  const tags = validateTags(input.tags)
  compileConstraints(input.placementConstraints, undefined) // an invalid constraint is refused here, not when placing

  const now = deps.clock.now()
  const fargate = launch.launchTypes.includes('FARGATE')
  // DAEMON: one task per container instance (node); the runtime refines it from the DaemonSet.
  const desiredCount = daemon ? clusterInstances(deps.repos, cluster.clusterArn).length : (input.desiredCount ?? 0)
  const doc: ServiceDoc = {
    serviceArn: serviceArn(ctx, cluster.clusterName, name),
    serviceName: name,
    clusterArn: cluster.clusterArn,
    loadBalancers: structuredClone(input.loadBalancers ?? []),
    serviceRegistries: structuredClone(input.serviceRegistries ?? []),
    status: 'ACTIVE',
    desiredCount,
    runningCount: 0,
    pendingCount: 0,
    ...(launch.launchType ? { launchType: launch.launchType as ServiceDoc['launchType'] } : {}),
    ...(launch.capacityProviderStrategy ? { capacityProviderStrategy: launch.capacityProviderStrategy } : {}),
    ...(fargate ? { platformVersion: input.platformVersion ?? 'LATEST', platformFamily: 'Linux' } : {}),
    ...(td ? { taskDefinition: td.taskDefinitionArn } : {}),
    deploymentConfiguration: newServiceConfig(input.deploymentConfiguration, daemon),
    deployments: [],
    roleArn: roleArnOf(ctx.account, input.role),
    events: [],
    createdAt: epochSeconds(now),
    placementConstraints: structuredClone(input.placementConstraints ?? []),
    placementStrategy: structuredClone(input.placementStrategy ?? []),
    ...(network ? { networkConfiguration: network } : {}),
    healthCheckGracePeriodSeconds: input.healthCheckGracePeriodSeconds ?? 0,
    schedulingStrategy: daemon ? 'DAEMON' : 'REPLICA',
    deploymentController: { type: controller },
    createdBy: ctx.principalArn,
    enableECSManagedTags: input.enableECSManagedTags ?? false,
    propagateTags: input.propagateTags ?? 'NONE',
    enableExecuteCommand: input.enableExecuteCommand ?? false,
    availabilityZoneRebalancing: input.availabilityZoneRebalancing ?? (daemon ? 'DISABLED' : 'ENABLED'),
    kecs: {
      clusterName: cluster.clusterName,
      steady: false,
      recentFailures: [],
      impaired: false,
      pastDeployments: [],
      ...(input.clientToken ? { clientToken: input.clientToken, requestFingerprint: fingerprint } : {}),
      ...extra,
    },
  }
  if (!external) {
    const taskTags = deploymentTaskTags(deps, {
      propagateTags: doc.propagateTags,
      enableECSManagedTags: doc.enableECSManagedTags,
      serviceTags: tags,
      taskDefinition: td,
      clusterName: cluster.clusterName,
      serviceName: name,
    })
    startDeployment(
      doc,
      newDeployment(
        {
          taskDefinition: td!.taskDefinitionArn!,
          launchType: launch.launchType,
          capacityProviderStrategy: launch.capacityProviderStrategy,
          platformVersion: doc.platformVersion,
          networkConfiguration: network,
          serviceConnectConfiguration: input.serviceConnectConfiguration,
          volumeConfigurations: input.volumeConfigurations,
          taskTags,
        },
        desiredCount,
        now,
      ),
    )
  }
  const runtime = serviceRuntime(deps)
  if (runtime && td && !external) {
    const { ignored } = runtime.prepare(doc, td)
    if (ignored.length) doc.kecs.ignored = ignored
  }

  const gatewayOps = input.gatewayConnectors?.length ? connectGateways(deps.repos, doc, input.gatewayConnectors, td) : []
  await deps.repos.store.write([deps.repos.services.stagePut(key, doc), stageTags(deps.repos, doc.serviceArn, tags), ...gatewayOps])
  const first = doc.deployments[0]
  if (first) {
    publishServiceNotes(deps.bus, doc, [{ kind: 'deployment', name: 'SERVICE_DEPLOYMENT_IN_PROGRESS', deploymentId: first.id, reason: reasons.inProgress(first.id) }], now)
  }
  runtime?.changed(key)
  return { service: renderService(deps.repos, doc, { echoTags: tags }) }
}
