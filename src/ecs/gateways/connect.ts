import type { GatewayConnector, GatewayRouteSummary } from '@aws-sdk/client-ecs'
import type { RequestContext } from '../context.js'
import { clientException } from '../errors.js'
import { allocateHostPort, endpointLabel } from '../host-endpoints.js'
import type { Repos } from '../repos.js'
import type { ServiceDoc } from '../services/service-doc.js'
import type { TaskDefinitionDoc } from '../task-definitions/task-definition-doc.js'
import type { Wire } from '../types.js'
import type { WriteOp } from '../../store/store.js'
import type { GatewayDoc } from './gateway-doc.js'

/**
 * Services connect to gateways with `gatewayConnectors` (CreateService, UpdateService). ECS then makes
 * a gateway route per compatible gateway (an ACTIVE association with the service's cluster and a
 * matching access type) and gives the service an HTTPS host name on the gateway's load balancers.
 * KECS has no load balancers: each connector's container port is served on the KECS host (a host
 * port, as Express services get), and every route's serviceUrl names that port.
 */
export interface ConnectedPort {
  portName: string
  accessTypes?: ('PUBLIC' | 'PRIVATE')[]
  containerName: string
  containerPort: number
  hostPort: number
  /** The host name label of the service's URLs. */
  label: string
}

// Not confirmed: ECS's texts for these refusals, and the gateway route ARN form (no source shows one).
export const connectMessages = {
  awsvpc: 'A service that connects to a gateway must use a task definition with the awsvpc network mode.',
  portName: (p: string) => `The task definition has no container port mapping named ${p}.`,
  noAssociation: 'The cluster is not associated with an ACTIVE gateway. Associate one with AssociateGatewayWithCluster.',
}

/**
 * Checks the connectors against the task definition and the cluster's associations, and records them
 * on the service (a host port for each, kept when a connector of the same port name stays). Changes `doc`.
 */
export function connectGateways(
  repos: Pick<Repos, 'gateways' | 'counters'>,
  doc: ServiceDoc,
  connectors: Wire<GatewayConnector>[],
  td: TaskDefinitionDoc | undefined,
): WriteOp[] {
  if (!connectors.length) {
    delete doc.kecs.gateways
    return []
  }
  if (td?.networkMode !== 'awsvpc') throw clientException(connectMessages.awsvpc)
  if (!associationsOf(repos, doc.clusterArn).length) throw clientException(connectMessages.noAssociation)
  const ops: WriteOp[] = []
  const before = doc.kecs.gateways ?? []
  doc.kecs.gateways = connectors.map((c) => {
    const portName = c.portName!
    const container = td.containerDefinitions?.find((x) => x.portMappings?.some((p) => p.name === portName))
    const mapping = container?.portMappings?.find((p) => p.name === portName)
    if (!container || !mapping?.containerPort) throw clientException(connectMessages.portName(portName))
    const kept = before.find((b) => b.portName === portName && b.containerName === container.name && b.containerPort === mapping.containerPort)
    let hostPort = kept?.hostPort
    if (hostPort === undefined) {
      const a = allocateHostPort(repos)
      ops.push(a.op)
      hostPort = a.port
    }
    return {
      portName,
      ...(c.filters?.accessTypes?.length ? { accessTypes: c.filters.accessTypes } : {}),
      containerName: container.name!,
      containerPort: mapping.containerPort,
      hostPort,
      label: kept?.label ?? endpointLabel(doc.serviceName),
    }
  })
  return ops
}

/** Gateways with an association of the cluster that is not INACTIVE. */
function associationsOf(repos: Pick<Repos, 'gateways'>, clusterArn: string): { gateway: GatewayDoc; status: string }[] {
  const out: { gateway: GatewayDoc; status: string }[] = []
  for (const g of repos.gateways.values()) {
    const a = g.associations.find((x) => x.clusterArn === clusterArn && x.status === 'ACTIVE')
    if (a) out.push({ gateway: g, status: a.status })
  }
  return out
}

export interface Route extends Wire<GatewayRouteSummary> {
  gatewayRouteArn: string
  gatewayArn: string
  clusterArn: string
  serviceArn: string
  serviceContainerPortName: string
  serviceUrl: string
  hostPort: number
}

const routeArn = (g: GatewayDoc, s: ServiceDoc, portName: string) =>
  g.gatewayArn.replace(':gateway/', ':gateway-route/') + `/${s.kecs.clusterName}/${s.serviceName}/${portName}`

/**
 * The gateway routes of this account and region: one per connector of a live service and gateway
 * associated with its cluster (ACTIVE, or DISASSOCIATING until the services let go) whose access type
 * the connector accepts. They exist as long as both do, so they are derived, never stored.
 */
export function gatewayRoutes(ctx: Pick<RequestContext, 'account' | 'region'>, repos: Pick<Repos, 'gateways' | 'services'>): Route[] {
  const out: Route[] = []
  const gateways = [...repos.gateways.values()].filter((g) => g.gatewayArn.includes(`:${ctx.region}:${ctx.account}:`))
  for (const s of repos.services.values()) {
    if (!s.kecs.gateways?.length || s.status === 'INACTIVE' || !s.serviceArn.includes(`:${ctx.region}:${ctx.account}:`)) continue
    for (const g of gateways) {
      const a = g.associations.find((x) => x.clusterArn === s.clusterArn && x.status !== 'INACTIVE')
      if (!a) continue
      for (const c of s.kecs.gateways) {
        if (c.accessTypes && g.accessType && !c.accessTypes.includes(g.accessType)) continue
        out.push({
          gatewayRouteArn: routeArn(g, s, c.portName),
          gatewayArn: g.gatewayArn,
          clusterArn: s.clusterArn,
          serviceArn: s.serviceArn,
          serviceContainerPortName: c.portName,
          status: s.status === 'ACTIVE' ? 'ACTIVE' : 'DELETE_IN_PROGRESS',
          serviceUrl: `http://${c.label}.${g.name.toLowerCase()}.gateway.localhost:${c.hostPort}`,
          hostPort: c.hostPort,
        })
      }
    }
  }
  return out.sort((x, y) => x.gatewayRouteArn.localeCompare(y.gatewayRouteArn))
}

/** The host ports a service's pods offer for its gateway connectors (`<container>:<port>` → host port). */
export function gatewayHostPorts(doc: ServiceDoc): Record<string, number> {
  return Object.fromEntries((doc.kecs.gateways ?? []).map((c) => [`${c.containerName}:${c.containerPort}`, c.hostPort]))
}
