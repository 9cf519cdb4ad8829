import { isIPv4, isIPv6 } from 'node:net'
import { AwsError, type AwsContext } from '../service.js'
import { page } from './filters.js'
import { findService, instanceNotFound, invalidInput } from './ids.js'
import { newOperation, replayed } from './operations.js'
import type { CloudMapState, HealthStatus, InstanceDoc, ServiceDoc } from './state.js'

const MAX_ATTRIBUTES = 30

/** The attributes a service's records need, and the well-known ones well-formed. */
function checkAttributes(svc: ServiceDoc, attrs: Record<string, string>) {
  const keys = Object.keys(attrs)
  if (keys.length > MAX_ATTRIBUTES) throw invalidInput(`An instance can have at most ${MAX_ATTRIBUTES} attributes.`)
  for (const [k, v] of Object.entries(attrs)) {
    if (k.length > 255) throw invalidInput(`Attribute key ${k.slice(0, 32)}... is longer than 255 characters.`)
    if (String(v).length > 1024) throw invalidInput(`The value of attribute ${k} is longer than 1024 characters.`)
  }
  const ipv4 = attrs.AWS_INSTANCE_IPV4
  const ipv6 = attrs.AWS_INSTANCE_IPV6
  const port = attrs.AWS_INSTANCE_PORT
  if (ipv4 !== undefined && !isIPv4(ipv4)) throw invalidInput(`AWS_INSTANCE_IPV4 ${ipv4} is not a valid IPv4 address.`)
  if (ipv6 !== undefined && !isIPv6(ipv6)) throw invalidInput(`AWS_INSTANCE_IPV6 ${ipv6} is not a valid IPv6 address.`)
  if (port !== undefined && !(/^\d{1,5}$/.test(port) && Number(port) <= 65535)) throw invalidInput(`AWS_INSTANCE_PORT ${port} is not a valid port.`)
  const init = attrs.AWS_INIT_HEALTH_STATUS
  if (init !== undefined) {
    if (init !== 'HEALTHY' && init !== 'UNHEALTHY') throw invalidInput('AWS_INIT_HEALTH_STATUS must be HEALTHY or UNHEALTHY.')
  }
  if (attrs.AWS_ALIAS_DNS_NAME !== undefined) return
  for (const r of svc.dnsConfig?.DnsRecords ?? []) {
    if (r.Type === 'A' && ipv4 === undefined) throw invalidInput('The service has an A record: AWS_INSTANCE_IPV4 is required.')
    if (r.Type === 'AAAA' && ipv6 === undefined) throw invalidInput('The service has an AAAA record: AWS_INSTANCE_IPV6 is required.')
    if (r.Type === 'SRV') {
      if (port === undefined) throw invalidInput('The service has an SRV record: AWS_INSTANCE_PORT is required.')
      if (ipv4 === undefined && ipv6 === undefined) throw invalidInput('The service has an SRV record: AWS_INSTANCE_IPV4 or AWS_INSTANCE_IPV6 is required.')
    }
    if (r.Type === 'CNAME' && attrs.AWS_INSTANCE_CNAME === undefined) throw invalidInput('The service has a CNAME record: AWS_INSTANCE_CNAME is required.')
  }
}

/** What DiscoverInstances and GetInstancesHealthStatus show for an instance. */
export function healthOf(svc: ServiceDoc, inst: InstanceDoc): HealthStatus {
  if (svc.healthCheckCustomConfig) return inst.health ?? 'HEALTHY'
  // Route 53 health checks (public DNS / HTTP namespaces) are not run locally: the endpoint counts as healthy.
  if (svc.healthCheckConfig) return 'HEALTHY'
  return 'UNKNOWN'
}

export async function registerInstance(input: any, ctx: AwsContext, state: CloudMapState) {
  const svc = findService(state, ctx, String(input.ServiceId))
  const id = String(input.InstanceId)
  const attrs: Record<string, string> = { ...(input.Attributes ?? {}) }
  const fingerprint = JSON.stringify(['RegisterInstance', svc.id, id, attrs])
  const prior = replayed(state, ctx, input.CreatorRequestId, fingerprint)
  if (prior) return { OperationId: prior.id }
  checkAttributes(svc, attrs)
  const now = ctx.now()
  const existing = state.instance(svc, id)
  const inst: InstanceDoc = {
    account: svc.account,
    region: svc.region,
    serviceId: svc.id,
    id,
    attributes: attrs,
    created: existing?.created ?? now,
  }
  if (input.CreatorRequestId) inst.creatorRequestId = input.CreatorRequestId
  if (svc.healthCheckCustomConfig) inst.health = (attrs.AWS_INIT_HEALTH_STATUS as 'HEALTHY' | 'UNHEALTHY' | undefined) ?? 'HEALTHY'
  const op = newOperation(ctx, now, 'REGISTER_INSTANCE', { INSTANCE: id, SERVICE: svc.id }, { id: input.CreatorRequestId, fingerprint })
  await state.write([state.putInstance(inst), state.putService({ ...svc, revision: svc.revision + 1 }), state.putOperation(op)])
  state.changed.emit({ account: svc.account, region: svc.region, namespaceId: svc.namespaceId, serviceId: svc.id })
  return { OperationId: op.id }
}

export async function deregisterInstance(input: any, ctx: AwsContext, state: CloudMapState) {
  const svc = findService(state, ctx, String(input.ServiceId))
  const inst = state.instance(svc, String(input.InstanceId))
  if (!inst) throw instanceNotFound(String(input.InstanceId))
  const op = newOperation(ctx, ctx.now(), 'DEREGISTER_INSTANCE', { INSTANCE: inst.id, SERVICE: svc.id })
  await state.write([state.deleteInstance(inst), state.putService({ ...svc, revision: svc.revision + 1 }), state.putOperation(op)])
  state.changed.emit({ account: svc.account, region: svc.region, namespaceId: svc.namespaceId, serviceId: svc.id })
  return { OperationId: op.id }
}

export function getInstance(input: any, ctx: AwsContext, state: CloudMapState) {
  const svc = findService(state, ctx, String(input.ServiceId))
  const inst = state.instance(svc, String(input.InstanceId))
  if (!inst) throw instanceNotFound(String(input.InstanceId))
  return {
    ResourceOwner: svc.account,
    Instance: {
      Id: inst.id,
      ...(inst.creatorRequestId ? { CreatorRequestId: inst.creatorRequestId } : {}),
      Attributes: inst.attributes,
      CreatedByAccount: inst.account,
    },
  }
}

export function listInstances(input: any, ctx: AwsContext, state: CloudMapState) {
  const svc = findService(state, ctx, String(input.ServiceId))
  const { page: items, nextToken } = page(state.listInstances(svc), input, 'ListInstances')
  return {
    ResourceOwner: svc.account,
    Instances: items.map((i) => ({ Id: i.id, Attributes: i.attributes, CreatedByAccount: i.account })),
    ...(nextToken ? { NextToken: nextToken } : {}),
  }
}

export function getInstancesHealthStatus(input: any, ctx: AwsContext, state: CloudMapState) {
  const svc = findService(state, ctx, String(input.ServiceId))
  let instances = state.listInstances(svc)
  if (input.Instances?.length) {
    const byId = new Map(instances.map((i) => [i.id, i]))
    instances = (input.Instances as string[]).map((id) => {
      const i = byId.get(id)
      if (!i) throw instanceNotFound(id)
      return i
    })
  }
  const { page: items, nextToken } = page(instances, input, 'GetInstancesHealthStatus')
  return { Status: Object.fromEntries(items.map((i) => [i.id, healthOf(svc, i)])), ...(nextToken ? { NextToken: nextToken } : {}) }
}

export async function updateInstanceCustomHealthStatus(input: any, ctx: AwsContext, state: CloudMapState) {
  const svc = findService(state, ctx, String(input.ServiceId))
  const inst = state.instance(svc, String(input.InstanceId))
  if (!inst) throw instanceNotFound(String(input.InstanceId))
  if (!svc.healthCheckCustomConfig) {
    throw new AwsError('CustomHealthNotFound', `Service ${svc.id} has no custom health check (HealthCheckCustomConfig).`)
  }
  if (inst.health === input.Status) return {}
  await state.write([state.putInstance({ ...inst, health: input.Status }), state.putService({ ...svc, revision: svc.revision + 1 })])
  state.changed.emit({ account: svc.account, region: svc.region, namespaceId: svc.namespaceId, serviceId: svc.id })
  return {}
}
