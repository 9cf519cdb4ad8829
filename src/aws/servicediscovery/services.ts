import { epochSeconds } from '../paging.js'
import { AwsError, type AwsContext } from '../service.js'
import { applyFilters, page, type FilterSpec } from './filters.js'
import { findNamespace, findService, invalidInput, newServiceId, serviceArn } from './ids.js'
import { newOperation, replayed } from './operations.js'
import type { CloudMapState, DnsRecord, NamespaceDoc, ServiceDoc } from './state.js'
import { mergeTags } from './tags.js'

/** Record types a service may combine: one of each; CNAME alone; SRV with A and/or AAAA. */
function checkRecords(records: DnsRecord[], routing: string) {
  if (!records.length) throw invalidInput('DnsRecords must contain at least one record.')
  const types = records.map((r) => r.Type)
  if (new Set(types).size !== types.length) throw invalidInput('DnsRecords may contain each record type only once.')
  if (types.includes('CNAME') && types.length > 1) throw invalidInput('A CNAME record cannot be combined with other record types.')
  if (types.includes('CNAME') && routing !== 'WEIGHTED') throw invalidInput('A CNAME record requires the WEIGHTED routing policy.')
}

export function renderService(state: CloudMapState, s: ServiceDoc) {
  return {
    Id: s.id,
    Arn: s.arn,
    ResourceOwner: s.account,
    Name: s.name,
    NamespaceId: s.namespaceId,
    ...(s.description !== undefined ? { Description: s.description } : {}),
    InstanceCount: state.listInstances(s).length,
    // The namespace id inside DnsConfig too: Terraform's dns_config.namespace_id is read from it (ForceNew).
    ...(s.dnsConfig ? { DnsConfig: { NamespaceId: s.namespaceId, RoutingPolicy: s.dnsConfig.RoutingPolicy, DnsRecords: s.dnsConfig.DnsRecords } } : {}),
    Type: s.type,
    ...(s.healthCheckConfig ? { HealthCheckConfig: s.healthCheckConfig } : {}),
    ...(s.healthCheckCustomConfig ? { HealthCheckCustomConfig: s.healthCheckCustomConfig } : {}),
    CreateDate: epochSeconds(s.created),
    ...(s.creatorRequestId ? { CreatorRequestId: s.creatorRequestId } : {}),
    CreatedByAccount: s.account,
  }
}

export async function createService(input: any, ctx: AwsContext, state: CloudMapState) {
  const name = String(input.Name)
  const nsRef = input.NamespaceId ?? input.DnsConfig?.NamespaceId
  if (!nsRef) throw invalidInput('A NamespaceId is required, as NamespaceId or DnsConfig.NamespaceId.')
  const ns: NamespaceDoc = findNamespace(state, ctx, String(nsRef))
  if (input.NamespaceId && input.DnsConfig?.NamespaceId && findNamespace(state, ctx, String(input.DnsConfig.NamespaceId)).id !== ns.id) {
    throw invalidInput('NamespaceId and DnsConfig.NamespaceId name different namespaces.')
  }
  const existing = state.listServices(ns, ns.id).find((s) => s.name.toLowerCase() === name.toLowerCase())
  if (existing) {
    if (input.CreatorRequestId && existing.creatorRequestId === input.CreatorRequestId) return { Service: renderService(state, existing) }
    throw new AwsError('ServiceAlreadyExists', `Service ${name} already exists in namespace ${ns.name} (${existing.id}).`)
  }
  let type: ServiceDoc['type'] = 'HTTP'
  let dnsConfig: ServiceDoc['dnsConfig']
  if (input.DnsConfig) {
    if (ns.type === 'HTTP') throw invalidInput(`Namespace ${ns.id} is an HTTP namespace; its services take no DnsConfig.`)
    if (input.Type === 'HTTP') throw invalidInput('A service of Type HTTP takes no DnsConfig.')
    const routing = input.DnsConfig.RoutingPolicy ?? 'MULTIVALUE'
    checkRecords(input.DnsConfig.DnsRecords ?? [], routing)
    dnsConfig = { RoutingPolicy: routing, DnsRecords: input.DnsConfig.DnsRecords.map((r: DnsRecord) => ({ Type: r.Type, TTL: r.TTL })) }
    type = 'DNS_HTTP'
  }
  if (input.HealthCheckConfig && input.HealthCheckCustomConfig) {
    throw invalidInput('Specify either HealthCheckConfig or HealthCheckCustomConfig, not both.')
  }
  if (input.HealthCheckConfig && ns.type === 'DNS_PRIVATE') {
    throw invalidInput('HealthCheckConfig is supported only for public DNS and HTTP namespaces; use HealthCheckCustomConfig.')
  }
  const id = newServiceId()
  const svc: ServiceDoc = {
    account: ns.account,
    region: ns.region,
    id,
    arn: serviceArn(ns, id),
    name,
    namespaceId: ns.id,
    type,
    attributes: {},
    created: ctx.now(),
    tags: [],
    revision: 1,
  }
  svc.tags = mergeTags([], input.Tags, svc.arn)
  if (dnsConfig) svc.dnsConfig = dnsConfig
  if (input.Description !== undefined) svc.description = input.Description
  if (input.HealthCheckConfig) svc.healthCheckConfig = structuredClone(input.HealthCheckConfig)
  if (input.HealthCheckCustomConfig) svc.healthCheckCustomConfig = structuredClone(input.HealthCheckCustomConfig)
  if (input.CreatorRequestId) svc.creatorRequestId = input.CreatorRequestId
  await state.write([state.putService(svc)])
  state.changed.emit({ account: svc.account, region: svc.region, namespaceId: svc.namespaceId, serviceId: svc.id })
  return { Service: renderService(state, svc) }
}

export function getService(input: any, ctx: AwsContext, state: CloudMapState) {
  return { Service: renderService(state, findService(state, ctx, String(input.Id))) }
}

const SERVICE_FILTERS: FilterSpec<ServiceDoc> = {
  NAMESPACE_ID: { conditions: ['EQ', 'IN'], value: (s) => s.namespaceId },
  RESOURCE_OWNER: { conditions: ['EQ'], value: () => 'SELF' },
}

export function listServices(input: any, ctx: AwsContext, state: CloudMapState) {
  const all = applyFilters(state.listServices(ctx), input.Filters, SERVICE_FILTERS)
  const { page: items, nextToken } = page(all, input, 'ListServices')
  const Services = items.map((s) => {
    const { CreatorRequestId: _r, NamespaceId: _n, ...summary } = renderService(state, s) as ReturnType<typeof renderService> & { CreatorRequestId?: string }
    return summary
  })
  return { Services, ...(nextToken ? { NextToken: nextToken } : {}) }
}

/** Description, record TTLs (not their types) and the HTTP health check; an UPDATE_SERVICE operation. */
export async function updateService(input: any, ctx: AwsContext, state: CloudMapState) {
  const found = findService(state, ctx, String(input.Id))
  const svc = structuredClone(found)
  const change = input.Service ?? {}
  if (change.Description !== undefined) svc.description = change.Description
  if (change.DnsConfig) {
    if (!svc.dnsConfig) throw invalidInput(`Service ${svc.id} has no DNS records to update.`)
    const records: DnsRecord[] = change.DnsConfig.DnsRecords ?? []
    const before = svc.dnsConfig.DnsRecords.map((r) => r.Type).sort().join(',')
    const after = records.map((r) => r.Type).sort().join(',')
    if (before !== after) throw invalidInput('The record types of a service cannot be changed; delete the service and create it again.')
    checkRecords(records, svc.dnsConfig.RoutingPolicy ?? 'MULTIVALUE')
    svc.dnsConfig.DnsRecords = records.map((r) => ({ Type: r.Type, TTL: r.TTL }))
  }
  if (change.HealthCheckConfig) {
    if (svc.healthCheckCustomConfig) throw invalidInput('The service has a custom health check; it cannot also take HealthCheckConfig.')
    svc.healthCheckConfig = structuredClone(change.HealthCheckConfig)
  }
  const op = newOperation(ctx, ctx.now(), 'UPDATE_SERVICE', { SERVICE: svc.id })
  await state.write([state.putService(svc), state.putOperation(op)])
  state.changed.emit({ account: svc.account, region: svc.region, namespaceId: svc.namespaceId, serviceId: svc.id })
  return { OperationId: op.id }
}

export async function deleteService(input: any, ctx: AwsContext, state: CloudMapState) {
  const svc = findService(state, ctx, String(input.Id))
  const n = state.listInstances(svc).length
  if (n) throw new AwsError('ResourceInUse', `Service ${svc.id} has ${n} registered instance(s); deregister them first.`)
  await state.write([state.deleteService(svc)])
  state.changed.emit({ account: svc.account, region: svc.region, namespaceId: svc.namespaceId, serviceId: svc.id })
  return {}
}

const MAX_SERVICE_ATTRIBUTES = 30

export function getServiceAttributes(input: any, ctx: AwsContext, state: CloudMapState) {
  const svc = findService(state, ctx, String(input.ServiceId))
  const attrs = Object.keys(svc.attributes).length ? { Attributes: svc.attributes } : {}
  return { ServiceAttributes: { ServiceArn: svc.arn, ResourceOwner: svc.account, ...attrs } }
}

export async function updateServiceAttributes(input: any, ctx: AwsContext, state: CloudMapState) {
  const svc = structuredClone(findService(state, ctx, String(input.ServiceId)))
  Object.assign(svc.attributes, input.Attributes ?? {})
  if (Object.keys(svc.attributes).length > MAX_SERVICE_ATTRIBUTES) {
    throw new AwsError('ServiceAttributesLimitExceededException', `A service can have at most ${MAX_SERVICE_ATTRIBUTES} attributes.`)
  }
  await state.write([state.putService(svc)])
  return {}
}

export async function deleteServiceAttributes(input: any, ctx: AwsContext, state: CloudMapState) {
  const svc = structuredClone(findService(state, ctx, String(input.ServiceId)))
  for (const k of (input.Attributes ?? []) as string[]) delete svc.attributes[k]
  await state.write([state.putService(svc)])
  return {}
}
