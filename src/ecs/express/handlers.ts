import type { ECSExpressGatewayService } from '@aws-sdk/client-ecs'
import { randomBytes } from 'node:crypto'
import { parseArn } from '../arns.js'
import { epochSeconds } from '../clock.js'
import { handlers as clusterHandlers } from '../clusters/handlers.js'
import { findCluster } from '../clusters/resolve.js'
import type { RequestContext } from '../context.js'
import { clientException, EcsError, invalidParameter, resourceNotFound, serviceNotActive, serviceNotFound } from '../errors.js'
import { createServiceWith } from '../services/create-service.js'
import { deleteService } from '../services/delete-service.js'
import { serviceDeploymentArn, serviceRevisionArn } from '../services/service-deployments.js'
import { primaryOf, serviceKey, type ServiceDoc } from '../services/service-doc.js'
import { updateService } from '../services/update-service.js'
import { validateServiceName } from '../services/validate.js'
import { getTags } from '../tag-store.js'
import { handlers as taskDefinitionHandlers } from '../task-definitions/handlers.js'
import { resolveTaskDefinition } from '../task-definitions/resolve.js'
import type { EcsDeps, HandlerMap, OperationInput, Wire } from '../types.js'
import type { ExpressConfiguration, ExpressInternal } from './express-doc.js'
import { allocateHostPort, endpointLabel } from '../host-endpoints.js'

/**
 * Express Mode: CreateExpressGatewayService makes an ordinary ECS service (Fargate, awsvpc) with a
 * task definition made from the primary container (`Main`), desiredCount from the scaling target's
 * minimum, and an endpoint: KECS has no load balancer, so the primary container's port is served on the
 * KECS host through the host-port forwarding static host ports use, at an ECS-style host name under
 * `.localhost` (which resolves to the loopback address). No TLS: the URL is http://.
 */

const MAIN = 'Main'
/**
 * The container KECS makes from primaryContainer. ECS calls it `Main`; Kubernetes container names are
 * lower-case DNS labels and the pod converter keeps ECS container names as they are, so KECS names it
 * `main` (a given taskDefinitionArn still needs ECS's `Main`).
 */
const GENERATED = 'main'

// Not confirmed: ECS's texts for these (Express Mode is new); worded after the API reference.
export const expressMessages = {
  notFound: 'The specified Express service does not exist.',
  exclusive: (m: string) => `taskDefinitionArn cannot be specified with ${m}.`,
  needContainer: 'Either primaryContainer or taskDefinitionArn must be specified.',
  main: `The task definition must have a container named ${MAIN} with one TCP port mapping that has a name.`,
  fargate: 'The task definition must be compatible with FARGATE.',
  scaling: 'scalingTarget.minTaskCount must be between 0 and maxTaskCount.',
}

type Scope = Pick<RequestContext, 'account' | 'region'>

/** ECS's endpoint host form `<2 chars of the name>-<32 hex>.ecs.<region>.on.aws`, under `.localhost` with the host port. */
const endpointFor = (scope: Scope, serviceName: string, hostPort: number) =>
  `http://${endpointLabel(serviceName)}.ecs.${scope.region}.localhost:${hostPort}`

type CreateInput = OperationInput<'CreateExpressGatewayService'>
type UpdateInput = OperationInput<'UpdateExpressGatewayService'>

/** The task definition the configuration runs: the given one (checked), or a new revision made from the primary container. */
async function taskDefinitionFor(
  ctx: RequestContext,
  deps: EcsDeps,
  serviceName: string,
  c: ExpressConfiguration,
): Promise<{ arn: string; containerPort: number; containerName: string }> {
  if (c.taskDefinitionArn) {
    const td = resolveTaskDefinition(ctx, deps, c.taskDefinitionArn)
    const main = td.containerDefinitions?.find((x) => x.name === MAIN)
    const ports = (main?.portMappings ?? []).filter((p) => (p.protocol ?? 'tcp') === 'tcp' && p.name)
    if (!main || ports.length !== 1) throw new EcsError('PlatformTaskDefinitionIncompatibilityException', expressMessages.main)
    if (!td.compatibilities?.includes('FARGATE')) throw new EcsError('PlatformTaskDefinitionIncompatibilityException', expressMessages.fargate)
    return { arn: td.taskDefinitionArn!, containerPort: ports[0]!.containerPort!, containerName: MAIN }
  }
  const pc = c.primaryContainer!
  const containerPort = pc.containerPort ?? 80
  const logs = pc.awsLogsConfiguration
  const out = await taskDefinitionHandlers.RegisterTaskDefinition!(
    {
      family: serviceName,
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: c.cpu,
      memory: c.memory,
      runtimePlatform: { cpuArchitecture: c.cpuArchitecture, operatingSystemFamily: 'LINUX' },
      ...(c.executionRoleArn ? { executionRoleArn: c.executionRoleArn } : {}),
      ...(c.taskRoleArn ? { taskRoleArn: c.taskRoleArn } : {}),
      containerDefinitions: [
        {
          name: GENERATED,
          image: pc.image,
          essential: true,
          portMappings: [{ containerPort, protocol: 'tcp', name: 'http', appProtocol: 'http' }],
          ...(pc.command ? { command: pc.command } : {}),
          ...(pc.environment ? { environment: pc.environment } : {}),
          ...(pc.secrets ? { secrets: pc.secrets } : {}),
          ...(pc.repositoryCredentials?.credentialsParameter ? { repositoryCredentials: { credentialsParameter: pc.repositoryCredentials.credentialsParameter } } : {}),
          ...(logs
            ? { logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': logs.logGroup!, 'awslogs-stream-prefix': logs.logStreamPrefix ?? 'ecs', 'awslogs-region': ctx.region } } }
            : {}),
        },
      ],
    },
    ctx,
    deps,
  )
  return { arn: out.taskDefinition!.taskDefinitionArn!, containerPort, containerName: GENERATED }
}

const desiredOf = (c: ExpressConfiguration) => c.scalingTarget?.minTaskCount ?? 1

function checkScaling(c: ExpressConfiguration): void {
  const s = c.scalingTarget
  if (s?.minTaskCount !== undefined && (s.minTaskCount < 0 || (s.maxTaskCount !== undefined && s.minTaskCount > s.maxTaskCount))) {
    throw invalidParameter(expressMessages.scaling)
  }
}

const network = (c: ExpressConfiguration) => ({
  awsvpcConfiguration: {
    // KECS has no VPC: without subnets the service gets one that stands for the default VPC's.
    subnets: c.networkConfiguration?.subnets?.length ? c.networkConfiguration.subnets : ['subnet-default'],
    ...(c.networkConfiguration?.securityGroups?.length ? { securityGroups: c.networkConfiguration.securityGroups } : {}),
  },
})

function render(deps: EcsDeps, doc: ServiceDoc, opts: { tags?: boolean } = {}): Wire<ECSExpressGatewayService> {
  const x = doc.kecs.express!
  const primary = primaryOf(doc)
  const statusCode = doc.status === 'ACTIVE' ? 'ACTIVE' : doc.status === 'DRAINING' ? 'DRAINING' : 'INACTIVE'
  return {
    cluster: doc.clusterArn,
    serviceName: doc.serviceName,
    serviceArn: doc.serviceArn,
    infrastructureRoleArn: x.infrastructureRoleArn,
    status: { statusCode },
    ...(primary ? { currentDeployment: serviceDeploymentArn(doc.serviceArn, primary.id) } : {}),
    activeConfigurations: (doc.status === 'INACTIVE' ? [] : doc.deployments).flatMap((d) => {
      const c = x.configurations[d.id]
      return c ? [{ ...c, serviceRevisionArn: serviceRevisionArn(doc.serviceArn, d.id), ingressPaths: [{ accessType: 'PUBLIC' as const, endpoint: x.endpoint }] }] : []
    }),
    ...(opts.tags ? { tags: getTags(deps.repos, doc.serviceArn) } : {}),
    createdAt: doc.createdAt!,
    updatedAt: x.updatedAt,
  }
}

/** The Express service a serviceArn names; `notFound` otherwise (each operation has its own exception). */
function findExpress(ctx: RequestContext, deps: EcsDeps, arn: string, notFound: () => Error): { doc: ServiceDoc; key: string } {
  const p = parseArn(arn)
  const [cluster, name] = p?.resourceType === 'service' ? p.resource.split('/') : []
  if (!p || !cluster || !name || p.account !== ctx.account || p.region !== ctx.region) throw notFound()
  const key = serviceKey(ctx, cluster, name)
  const doc = deps.repos.services.get(key)
  if (!doc?.kecs.express) throw notFound()
  return { doc, key }
}

const createExpressGatewayService = async (input: CreateInput, ctx: RequestContext, deps: EcsDeps) => {
  if (input.taskDefinitionArn) {
    for (const m of ['primaryContainer', 'executionRoleArn', 'taskRoleArn', 'cpu', 'memory', 'cpuArchitecture'] as const) {
      if (input[m] !== undefined) throw invalidParameter(expressMessages.exclusive(m))
    }
  } else if (!input.primaryContainer) {
    throw invalidParameter(expressMessages.needContainer)
  }
  const clusterRef = input.cluster ?? 'default'
  // ECS creates the default cluster when it is missing; any other must exist.
  if (clusterRef === 'default' && !findCluster(ctx, deps, clusterRef)) await clusterHandlers.CreateCluster!({ clusterName: 'default' }, ctx, deps)
  const cluster = findCluster(ctx, deps, clusterRef)
  if (!cluster || cluster.status !== 'ACTIVE') throw new EcsError('ClusterNotFoundException', 'Cluster not found.')
  const serviceName = input.serviceName ?? `express-${randomBytes(6).toString('hex')}`
  validateServiceName(serviceName)
  const config: ExpressConfiguration = {
    ...(input.taskDefinitionArn
      ? { taskDefinitionArn: input.taskDefinitionArn }
      : {
          cpu: input.cpu ?? '256',
          memory: input.memory ?? '512',
          cpuArchitecture: input.cpuArchitecture ?? 'X86_64',
          primaryContainer: { ...input.primaryContainer!, containerPort: input.primaryContainer!.containerPort ?? 80 },
          ...(input.executionRoleArn ? { executionRoleArn: input.executionRoleArn } : {}),
          ...(input.taskRoleArn ? { taskRoleArn: input.taskRoleArn } : {}),
        }),
    healthCheckPath: input.healthCheckPath ?? '/ping',
    ...(input.networkConfiguration ? { networkConfiguration: input.networkConfiguration } : {}),
    scalingTarget: { autoScalingMetric: 'AVERAGE_CPU', autoScalingTargetValue: 60, ...(input.scalingTarget ?? {}) },
  }
  checkScaling(config)
  const existing = deps.repos.services.get(serviceKey(ctx, cluster.clusterName, serviceName))
  if (existing && existing.status !== 'INACTIVE') throw invalidParameter('Creation of service was not idempotent.')
  const td = await taskDefinitionFor(ctx, deps, serviceName, config)
  const host = allocateHostPort(deps.repos)
  await deps.repos.store.write([host.op])
  const now = deps.clock.now()
  const express: ExpressInternal = {
    infrastructureRoleArn: input.infrastructureRoleArn!,
    containerName: td.containerName,
    containerPort: td.containerPort,
    hostPort: host.port,
    endpoint: endpointFor(ctx, serviceName, host.port),
    configurations: {},
    updatedAt: epochSeconds(now),
  }
  await createServiceWith(
    {
      cluster: cluster.clusterName,
      serviceName,
      taskDefinition: td.arn,
      desiredCount: desiredOf(config),
      launchType: 'FARGATE',
      networkConfiguration: network(config),
      ...(input.tags?.length ? { tags: input.tags } : {}),
    },
    ctx,
    deps,
    { express },
  )
  const key = serviceKey(ctx, cluster.clusterName, serviceName)
  const doc = structuredClone(deps.repos.services.get(key)!)
  const primary = primaryOf(doc)!
  doc.kecs.express!.configurations[primary.id] = { ...config, createdAt: primary.createdAt }
  await deps.repos.services.put(key, doc)
  return { service: render(deps, doc, { tags: true }) }
}

const updateExpressGatewayService = async (input: UpdateInput, ctx: RequestContext, deps: EcsDeps) => {
  const { doc: current, key } = findExpress(ctx, deps, input.serviceArn!, () => serviceNotFound())
  if (current.status !== 'ACTIVE') throw serviceNotActive()
  const x = current.kecs.express!
  const before = x.configurations[primaryOf(current)?.id ?? ''] ?? {}
  const next: ExpressConfiguration = structuredClone(before)
  if (input.taskDefinitionArn !== undefined) {
    for (const m of ['primaryContainer', 'executionRoleArn', 'taskRoleArn', 'cpu', 'memory', 'cpuArchitecture'] as const) {
      if (input[m] !== undefined) throw invalidParameter(expressMessages.exclusive(m))
      delete next[m]
    }
    next.taskDefinitionArn = input.taskDefinitionArn
  } else {
    for (const m of ['executionRoleArn', 'taskRoleArn', 'cpu', 'memory', 'cpuArchitecture'] as const) if (input[m] !== undefined) (next as Record<string, unknown>)[m] = input[m]
    if (input.primaryContainer) next.primaryContainer = { ...input.primaryContainer, containerPort: input.primaryContainer.containerPort ?? 80 }
    if (next.primaryContainer) delete next.taskDefinitionArn
  }
  if (input.healthCheckPath !== undefined) next.healthCheckPath = input.healthCheckPath
  if (input.networkConfiguration !== undefined) next.networkConfiguration = input.networkConfiguration
  if (input.scalingTarget !== undefined) next.scalingTarget = { ...(next.scalingTarget ?? {}), ...input.scalingTarget }
  checkScaling(next)
  const changesTasks = ['taskDefinitionArn', 'primaryContainer', 'executionRoleArn', 'taskRoleArn', 'cpu', 'memory', 'cpuArchitecture'].some(
    (m) => (input as Record<string, unknown>)[m] !== undefined,
  )
  let taskDefinition: string | undefined
  if (changesTasks) {
    const td = await taskDefinitionFor(ctx, deps, current.serviceName, next)
    if (td.containerPort !== x.containerPort || td.containerName !== x.containerName) {
      throw clientException(`The primary container and its port cannot change (they are ${x.containerName}:${x.containerPort}).`)
    }
    taskDefinition = td.arn
  }
  await updateService(
    {
      cluster: current.kecs.clusterName,
      service: current.serviceName,
      ...(taskDefinition ? { taskDefinition } : {}),
      desiredCount: desiredOf(next),
      ...(input.networkConfiguration !== undefined ? { networkConfiguration: network(next) } : {}),
      ...(input.healthCheckPath !== undefined && !taskDefinition ? { forceNewDeployment: true } : {}),
    },
    ctx,
    deps,
  )
  const doc = structuredClone(deps.repos.services.get(key)!)
  const primary = primaryOf(doc)!
  const nowSec = epochSeconds(deps.clock.now())
  doc.kecs.express!.configurations[primary.id] = { ...next, createdAt: doc.kecs.express!.configurations[primary.id]?.createdAt ?? primary.createdAt }
  doc.kecs.express!.updatedAt = nowSec
  await deps.repos.services.put(key, doc)
  const shown = render(deps, doc)
  return {
    service: {
      serviceArn: doc.serviceArn,
      cluster: doc.clusterArn,
      serviceName: doc.serviceName,
      status: shown.status,
      targetConfiguration: shown.activeConfigurations![0],
      createdAt: doc.createdAt,
      updatedAt: nowSec,
    },
  }
}

/** DeleteExpressGatewayService: the service drains (DRAINING), then it and its endpoint go. */
const deleteExpressGatewayService = async (input: OperationInput<'DeleteExpressGatewayService'>, ctx: RequestContext, deps: EcsDeps) => {
  const { doc: current, key } = findExpress(ctx, deps, input.serviceArn!, () => serviceNotFound())
  if (current.status !== 'ACTIVE') throw serviceNotActive()
  await deleteService({ cluster: current.kecs.clusterName, service: current.serviceName, force: true }, ctx, deps)
  const doc = structuredClone(deps.repos.services.get(key)!)
  doc.kecs.express!.updatedAt = epochSeconds(deps.clock.now())
  await deps.repos.services.put(key, doc)
  return { service: render(deps, doc) }
}

const describeExpressGatewayService = async (input: OperationInput<'DescribeExpressGatewayService'>, ctx: RequestContext, deps: EcsDeps) => {
  const { doc } = findExpress(ctx, deps, input.serviceArn!, () => resourceNotFound(expressMessages.notFound))
  return { service: render(deps, doc, { tags: (input.include ?? []).includes('TAGS') }) }
}

export const handlers: HandlerMap = {
  CreateExpressGatewayService: createExpressGatewayService,
  UpdateExpressGatewayService: updateExpressGatewayService,
  DeleteExpressGatewayService: deleteExpressGatewayService,
  DescribeExpressGatewayService: describeExpressGatewayService,
}
