import { isArn, parseArn } from '../arns.js'
import { epochSeconds } from '../clock.js'
import { resolveCluster } from '../clusters/resolve.js'
import type { RequestContext } from '../context.js'
import { clientException, EcsError, invalidParameter, resourceNotFound } from '../errors.js'
import { listPage } from '../pagination.js'
import { getTags, stageDeleteTags, stageTags } from '../tag-store.js'
import { validateTags } from '../tags.js'
import type { EcsDeps, HandlerMap, OperationInput } from '../types.js'
import { scopedKey } from '../../store/scoped-key.js'
import type { GatewayDoc } from './gateway-doc.js'
import { gatewayRoutes } from './connect.js'

export type { GatewayDoc }

/**
 * ECS Gateways as far as they map onto KECS. A gateway and its cluster associations are account-level
 * records that ECS makes synchronously and backs with infrastructure only once a service connects, so
 * KECS keeps them as ECS does. Routes follow the services that connect (connect.ts): their URLs answer
 * on the KECS host. KECS provisions no load balancers, so DescribeGatewayResources lists none.
 */
type Scope = Pick<RequestContext, 'account' | 'region'>

// Not confirmed: the gateway ARN form (no source shows one) and these texts.
export const gatewayArn = (s: Scope, name: string) => `arn:aws:ecs:${s.region}:${s.account}:gateway/${name}`
export const gatewayMessages = {
  notFound: 'The specified gateway does not exist.',
  name: 'Gateway name must be 1-255 letters, numbers and hyphens.',
  exists: 'A gateway with this name already exists.',
  protection: 'The gateway has deletion protection enabled. Disable it with UpdateGateway before deleting the gateway.',
  associated: 'The gateway is associated with clusters. Disassociate it from every cluster before deleting it.',
  associationNotFound: 'The gateway is not associated with the cluster.',
  maxAssociations: 'A cluster can be associated with at most 5 gateways.',
  routeNotFound: 'The specified gateway route does not exist.',
}

const gatewayNotFound = () => new EcsError('GatewayNotFoundException', gatewayMessages.notFound)
const key = (s: Scope, name: string) => scopedKey(s, name)

/** A gateway named by name or ARN. */
function findGateway(ctx: RequestContext, deps: EcsDeps, ref: string): GatewayDoc | undefined {
  let name = ref
  if (isArn(ref)) {
    const p = parseArn(ref)
    if (!p || p.resourceType !== 'gateway' || p.region !== ctx.region || p.account !== ctx.account) return undefined
    name = p.resource
  }
  return deps.repos.gateways.get(key(ctx, name))
}

function resolveGateway(ctx: RequestContext, deps: EcsDeps, ref: string): GatewayDoc {
  const g = findGateway(ctx, deps, ref)
  if (!g) throw gatewayNotFound()
  return g
}

/** DISASSOCIATING lasts until the cluster's services no longer route through the gateway. */
type AssociationStatus = GatewayDoc['associations'][number]['status']

function associationStatus(ctx: RequestContext, deps: EcsDeps, g: GatewayDoc, clusterArn: string, stored: AssociationStatus): AssociationStatus {
  if (stored !== 'DISASSOCIATING') return stored
  return gatewayRoutes(ctx, deps.repos).some((r) => r.gatewayArn === g.gatewayArn && r.clusterArn === clusterArn) ? 'DISASSOCIATING' : 'INACTIVE'
}

const save = (ctx: RequestContext, deps: EcsDeps, g: GatewayDoc) => deps.repos.gateways.put(key(ctx, g.name), g)

const createGateway = async (input: OperationInput<'CreateGateway'>, ctx: RequestContext, deps: EcsDeps) => {
  const name = input.name!
  if (!/^[a-zA-Z0-9-]{1,255}$/.test(name)) throw invalidParameter(gatewayMessages.name)
  const alb = input.configuration?.hostSharedAlb
  if (!alb) throw invalidParameter('configuration must have exactly one member: hostSharedAlb.')
  const existing = deps.repos.gateways.get(key(ctx, name))
  if (existing) {
    if (input.clientToken && existing.clientToken === input.clientToken) return { gatewayArn: existing.gatewayArn, name, status: existing.status }
    throw invalidParameter(gatewayMessages.exists)
  }
  const tags = validateTags(input.tags)
  const now = epochSeconds(deps.clock.now())
  const scheme = alb.scheme ?? 'internet-facing'
  const g: GatewayDoc = {
    gatewayArn: gatewayArn(ctx, name),
    name,
    // A new gateway is always ACTIVE: ECS provisions nothing before a service connects.
    status: 'ACTIVE',
    accessType: scheme === 'internal' ? 'PRIVATE' : 'PUBLIC',
    configuration: { hostSharedAlb: { ...alb, scheme, port: 443, protocol: 'HTTPS', currentAlbCount: 0 } },
    deletionProtection: input.deletionProtection ?? false,
    infrastructureRoleArn: input.infrastructureRoleArn,
    propagateTags: input.propagateTags ?? 'NONE',
    failures: [],
    createdAt: now,
    updatedAt: now,
    associations: [],
    ...(input.clientToken ? { clientToken: input.clientToken } : {}),
  }
  await deps.repos.store.write([deps.repos.gateways.stagePut(key(ctx, name), g), ...(tags.length ? [stageTags(deps.repos, g.gatewayArn, tags)] : [])])
  return { gatewayArn: g.gatewayArn, name, status: g.status }
}

/** UpdateGateway: ECS updates the load balancers asynchronously; with none to update, the update completes at once. */
const updateGateway = async (input: OperationInput<'UpdateGateway'>, ctx: RequestContext, deps: EcsDeps) => {
  const g = structuredClone(resolveGateway(ctx, deps, input.gateway!))
  if (input.configuration && !input.configuration.hostSharedAlb) throw invalidParameter('The configuration must match the gateway type (hostSharedAlb).')
  const alb = input.configuration?.hostSharedAlb
  if (alb) {
    const current = g.configuration!.hostSharedAlb!
    const { networkConfiguration, ...rest } = alb
    g.configuration = {
      hostSharedAlb: {
        ...current,
        ...rest,
        ...(networkConfiguration ? { networkConfiguration: { ...(current.networkConfiguration ?? {}), ...networkConfiguration } } : {}),
      },
    }
  }
  if (input.deletionProtection !== undefined) g.deletionProtection = input.deletionProtection
  if (input.infrastructureRoleArn !== undefined) g.infrastructureRoleArn = input.infrastructureRoleArn
  if (input.propagateTags !== undefined) g.propagateTags = input.propagateTags
  g.status = 'UPDATE_COMPLETE'
  g.updatedAt = epochSeconds(deps.clock.now())
  await save(ctx, deps, g)
  return { gatewayArn: g.gatewayArn, name: g.name, status: 'UPDATE_IN_PROGRESS' as const }
}

const deleteGateway = async (input: OperationInput<'DeleteGateway'>, ctx: RequestContext, deps: EcsDeps) => {
  const g = resolveGateway(ctx, deps, input.gateway!)
  if (g.deletionProtection) throw clientException(gatewayMessages.protection)
  if (g.associations.some((a) => associationStatus(ctx, deps, g, a.clusterArn, a.status) !== 'INACTIVE')) throw clientException(gatewayMessages.associated)
  await deps.repos.store.write([deps.repos.gateways.stageDelete(key(ctx, g.name)), stageDeleteTags(deps.repos, g.gatewayArn)])
  return { gatewayArn: g.gatewayArn, name: g.name, status: 'DELETED' as const }
}

const describeGateway = async (input: OperationInput<'DescribeGateway'>, ctx: RequestContext, deps: EcsDeps) => {
  const { associations: _a, clientToken: _c, ...g } = resolveGateway(ctx, deps, input.gateway!)
  return { gateway: { ...g, tags: getTags(deps.repos, g.gatewayArn) } }
}

const listGateways = async (input: OperationInput<'ListGateways'>, ctx: RequestContext, deps: EcsDeps) => {
  const prefix = scopedKey(ctx, '')
  const names = input.names?.length ? new Set(input.names) : undefined
  const statuses = input.status?.length ? new Set<string>(input.status) : undefined
  const items = [...deps.repos.gateways.entries()]
    .filter(([k, g]) => k.startsWith(prefix) && (!names || names.has(g.name)) && (!statuses || statuses.has(g.status)))
    .map(([, g]) => ({ createdAt: g.createdAt, gatewayArn: g.gatewayArn, name: g.name, status: g.status }))
    .sort((a, b) => a.name.localeCompare(b.name))
  return listPage('ListGateways', items, input, [input.names, input.status])
}

const associateGatewayWithCluster = async (input: OperationInput<'AssociateGatewayWithCluster'>, ctx: RequestContext, deps: EcsDeps) => {
  const g = structuredClone(resolveGateway(ctx, deps, input.gateway!))
  const cluster = resolveCluster(ctx, deps, input.cluster)
  const current = g.associations.find((a) => a.clusterArn === cluster.clusterArn)
  if (!current || current.status !== 'ACTIVE') {
    let count = 0
    for (const other of deps.repos.gateways.values()) {
      if (other.gatewayArn === g.gatewayArn) continue
      if (other.associations.some((a) => a.clusterArn === cluster.clusterArn && associationStatus(ctx, deps, other, a.clusterArn, a.status) !== 'INACTIVE')) count++
    }
    if (count >= 5) throw clientException(gatewayMessages.maxAssociations)
    g.associations = [...g.associations.filter((a) => a !== current), { clusterArn: cluster.clusterArn, status: 'ACTIVE' }]
    await save(ctx, deps, g)
  }
  return { clusterArn: cluster.clusterArn, gatewayArn: g.gatewayArn, status: 'ACTIVE' as const }
}

/** Disassociate: DISASSOCIATING until the cluster's services stop routing through the gateway (then INACTIVE). */
const disassociateGatewayFromCluster = async (input: OperationInput<'DisassociateGatewayFromCluster'>, ctx: RequestContext, deps: EcsDeps) => {
  const g = structuredClone(resolveGateway(ctx, deps, input.gateway!))
  const cluster = resolveCluster(ctx, deps, input.cluster)
  const current = g.associations.find((a) => a.clusterArn === cluster.clusterArn && associationStatus(ctx, deps, g, a.clusterArn, a.status) !== 'INACTIVE')
  if (!current) throw resourceNotFound(gatewayMessages.associationNotFound)
  current.status = 'DISASSOCIATING'
  await save(ctx, deps, g)
  return { clusterArn: cluster.clusterArn, gatewayArn: g.gatewayArn, status: 'DISASSOCIATING' as const }
}

const listGatewayClusterAssociations = async (input: OperationInput<'ListGatewayClusterAssociations'>, ctx: RequestContext, deps: EcsDeps) => {
  const gateway = input.gateway !== undefined ? resolveGateway(ctx, deps, input.gateway) : undefined
  const clusterArn = input.cluster !== undefined ? resolveCluster(ctx, deps, input.cluster).clusterArn : undefined
  const statuses = input.status?.length ? new Set<string>(input.status) : undefined
  const prefix = scopedKey(ctx, '')
  const items = [...deps.repos.gateways.entries()]
    .filter(([k, g]) => k.startsWith(prefix) && (!gateway || g.gatewayArn === gateway.gatewayArn))
    .flatMap(([, g]) => g.associations.map((a) => ({ clusterArn: a.clusterArn, gatewayArn: g.gatewayArn, status: associationStatus(ctx, deps, g, a.clusterArn, a.status) })))
    .filter((a) => (!clusterArn || a.clusterArn === clusterArn) && (!statuses || statuses.has(a.status)))
    .sort((a, b) => a.gatewayArn.localeCompare(b.gatewayArn) || a.clusterArn.localeCompare(b.clusterArn))
  return listPage('ListGatewayClusterAssociations', items, input, [gateway?.gatewayArn, clusterArn, input.status])
}

/** No load balancers: ECS creates them when the first service connects, which KECS cannot do. */
const describeGatewayResources = async (input: OperationInput<'DescribeGatewayResources'>, ctx: RequestContext, deps: EcsDeps) => {
  const g = resolveGateway(ctx, deps, input.gateway!)
  if (input.maxResults !== undefined && (input.maxResults < 1 || input.maxResults > 20)) throw invalidParameter('maxResults must be between 1 and 20.')
  return { gatewayResources: { gatewayArn: g.gatewayArn, resources: { hostSharedAlb: [] } } }
}

const listGatewayRoutes = async (input: OperationInput<'ListGatewayRoutes'>, ctx: RequestContext, deps: EcsDeps) => {
  const gateway = input.gateway !== undefined ? resolveGateway(ctx, deps, input.gateway) : undefined
  const cluster = input.cluster !== undefined ? resolveCluster(ctx, deps, input.cluster) : undefined
  const statuses = input.status?.length ? new Set<string>(input.status) : undefined
  const service = input.service
  const items = gatewayRoutes(ctx, deps.repos)
    .filter((r) => (!gateway || r.gatewayArn === gateway.gatewayArn) && (!cluster || r.clusterArn === cluster.clusterArn))
    .filter((r) => !service || r.serviceArn === service || r.serviceArn.endsWith(`/${service}`))
    .filter((r) => (input.serviceContainerPortName === undefined || r.serviceContainerPortName === input.serviceContainerPortName) && (!statuses || statuses.has(r.status!)))
    .map(({ clusterArn, gatewayArn, gatewayRouteArn, serviceArn, serviceContainerPortName, status }) => ({ clusterArn, gatewayArn, gatewayRouteArn, serviceArn, serviceContainerPortName, status }))
  return listPage('ListGatewayRoutes', items, input, [gateway?.gatewayArn, cluster?.clusterArn, service, input.serviceContainerPortName, input.status])
}

/** A route's URL answers on the KECS host; it has no load balancer resources. */
const describeGatewayRoute = async (input: OperationInput<'DescribeGatewayRoute'>, ctx: RequestContext, deps: EcsDeps) => {
  const r = gatewayRoutes(ctx, deps.repos).find((x) => x.gatewayRouteArn === input.gatewayRouteArn)
  if (!r) throw resourceNotFound(gatewayMessages.routeNotFound)
  return {
    gatewayRoute: { gatewayRouteArn: r.gatewayRouteArn, serviceArn: r.serviceArn, serviceContainerPortName: r.serviceContainerPortName, serviceUrl: r.serviceUrl, status: r.status },
  }
}

export const handlers: HandlerMap = {
  CreateGateway: createGateway,
  UpdateGateway: updateGateway,
  DeleteGateway: deleteGateway,
  DescribeGateway: describeGateway,
  ListGateways: listGateways,
  AssociateGatewayWithCluster: associateGatewayWithCluster,
  DisassociateGatewayFromCluster: disassociateGatewayFromCluster,
  ListGatewayClusterAssociations: listGatewayClusterAssociations,
  DescribeGatewayResources: describeGatewayResources,
  ListGatewayRoutes: listGatewayRoutes,
  DescribeGatewayRoute: describeGatewayRoute,
}
