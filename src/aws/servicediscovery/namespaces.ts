import { epochSeconds } from '../paging.js'
import { AwsError, type AwsContext } from '../service.js'
import { applyFilters, page, type FilterSpec } from './filters.js'
import { findNamespace, invalidInput, namespaceArn, newHostedZoneId, newNamespaceId } from './ids.js'
import { newOperation, replayed } from './operations.js'
import type { CloudMapState, NamespaceDoc, NamespaceType } from './state.js'
import { mergeTags } from './tags.js'

/** The namespace's Properties, as GetNamespace shows them (HTTP namespaces: empty DnsProperties). */
function properties(ns: NamespaceDoc) {
  const dns: Record<string, unknown> = {}
  if (ns.hostedZoneId) dns.HostedZoneId = ns.hostedZoneId
  // The SOA's negative-caching TTL: what was given, else 15 seconds [L: the default is not confirmed].
  if (ns.type !== 'HTTP') dns.SOA = { TTL: ns.soaTtl ?? 15 }
  return { DnsProperties: dns, HttpProperties: { HttpName: ns.name } }
}

export function renderNamespace(state: CloudMapState, ns: NamespaceDoc) {
  return {
    Id: ns.id,
    Arn: ns.arn,
    ResourceOwner: ns.account,
    Name: ns.name,
    Type: ns.type,
    ...(ns.description !== undefined ? { Description: ns.description } : {}),
    ServiceCount: state.listServices(ns, ns.id).length,
    Properties: properties(ns),
    CreateDate: epochSeconds(ns.created),
    ...(ns.creatorRequestId ? { CreatorRequestId: ns.creatorRequestId } : {}),
  }
}

/** The three Create*Namespace operations: the namespace exists (and its operation is SUCCESS) when this answers. */
async function createNamespace(input: any, ctx: AwsContext, state: CloudMapState, type: NamespaceType) {
  const name = String(input.Name)
  const fingerprint = JSON.stringify(['CreateNamespace', type, name, input.Vpc ?? null])
  const prior = replayed(state, ctx, input.CreatorRequestId, fingerprint)
  if (prior) return { OperationId: prior.id }
  if (type !== 'HTTP' && (name.endsWith('.') ? name.slice(0, -1) : name).split('.').some((l) => l.length === 0 || l.length > 63)) {
    throw invalidInput(`The namespace name ${name} is not a valid DNS domain name.`)
  }
  const existing = state.listNamespaces(ctx).find((n) => n.name === name)
  if (existing) {
    throw new AwsError('NamespaceAlreadyExists', `Namespace ${name} already exists (${existing.id}).`)
  }
  const id = newNamespaceId()
  const now = ctx.now()
  const ns: NamespaceDoc = {
    account: ctx.account,
    region: ctx.region,
    id,
    arn: namespaceArn(ctx, id),
    name,
    type,
    created: now,
    tags: [],
  }
  ns.tags = mergeTags([], input.Tags, ns.arn)
  if (input.Description !== undefined) ns.description = input.Description
  if (input.CreatorRequestId) ns.creatorRequestId = input.CreatorRequestId
  if (type === 'DNS_PRIVATE') ns.vpc = input.Vpc
  if (type !== 'HTTP') {
    ns.hostedZoneId = newHostedZoneId()
    const ttl = input.Properties?.DnsProperties?.SOA?.TTL
    if (ttl !== undefined) ns.soaTtl = ttl
  }
  const op = newOperation(ctx, now, 'CREATE_NAMESPACE', { NAMESPACE: id }, { id: input.CreatorRequestId, fingerprint })
  await state.write([state.putNamespace(ns), state.putOperation(op)])
  state.changed.emit({ account: ns.account, region: ns.region, namespaceId: ns.id })
  return { OperationId: op.id }
}

export const createHttpNamespace = (input: any, ctx: AwsContext, state: CloudMapState) => createNamespace(input, ctx, state, 'HTTP')
export const createPrivateDnsNamespace = (input: any, ctx: AwsContext, state: CloudMapState) => createNamespace(input, ctx, state, 'DNS_PRIVATE')
/** Public DNS namespaces are allowed, and as local as the others: no public zone is created anywhere. */
export const createPublicDnsNamespace = (input: any, ctx: AwsContext, state: CloudMapState) => createNamespace(input, ctx, state, 'DNS_PUBLIC')

export function getNamespace(input: any, ctx: AwsContext, state: CloudMapState) {
  return { Namespace: renderNamespace(state, findNamespace(state, ctx, String(input.Id))) }
}

const NAMESPACE_FILTERS: FilterSpec<NamespaceDoc> = {
  TYPE: { conditions: ['EQ', 'IN'], value: (n) => n.type },
  NAME: { conditions: ['EQ', 'BEGINS_WITH'], value: (n) => n.name },
  HTTP_NAME: { conditions: ['EQ', 'BEGINS_WITH'], value: (n) => n.name },
  // KECS shares nothing across accounts: every namespace is the caller's own.
  RESOURCE_OWNER: { conditions: ['EQ'], value: () => 'SELF' },
}

export function listNamespaces(input: any, ctx: AwsContext, state: CloudMapState) {
  const all = applyFilters(state.listNamespaces(ctx), input.Filters, NAMESPACE_FILTERS)
  const { page: items, nextToken } = page(all, input, 'ListNamespaces')
  const Namespaces = items.map((ns) => {
    const { CreatorRequestId: _omit, ...summary } = renderNamespace(state, ns) as ReturnType<typeof renderNamespace> & { CreatorRequestId?: string }
    return summary
  })
  return { Namespaces, ...(nextToken ? { NextToken: nextToken } : {}) }
}

/** UpdateHttpNamespace / UpdatePrivateDnsNamespace / UpdatePublicDnsNamespace: description and SOA TTL. */
async function updateNamespace(input: any, ctx: AwsContext, state: CloudMapState, type: NamespaceType) {
  const found = findNamespace(state, ctx, String(input.Id))
  const fingerprint = JSON.stringify(['UpdateNamespace', found.id, input.Namespace])
  const prior = replayed(state, ctx, input.UpdaterRequestId, fingerprint)
  if (prior) return { OperationId: prior.id }
  if (found.type !== type) {
    throw invalidInput(`Namespace ${found.id} is a ${found.type} namespace; this operation updates ${type} namespaces.`)
  }
  const ns = structuredClone(found)
  const change = input.Namespace ?? {}
  if (change.Description !== undefined) ns.description = change.Description
  const ttl = change.Properties?.DnsProperties?.SOA?.TTL
  if (ttl !== undefined) ns.soaTtl = ttl
  const op = newOperation(ctx, ctx.now(), 'UPDATE_NAMESPACE', { NAMESPACE: ns.id }, { id: input.UpdaterRequestId, fingerprint })
  await state.write([state.putNamespace(ns), state.putOperation(op)])
  return { OperationId: op.id }
}

export const updateHttpNamespace = (input: any, ctx: AwsContext, state: CloudMapState) => updateNamespace(input, ctx, state, 'HTTP')
export const updatePrivateDnsNamespace = (input: any, ctx: AwsContext, state: CloudMapState) => updateNamespace(input, ctx, state, 'DNS_PRIVATE')
export const updatePublicDnsNamespace = (input: any, ctx: AwsContext, state: CloudMapState) => updateNamespace(input, ctx, state, 'DNS_PUBLIC')

export async function deleteNamespace(input: any, ctx: AwsContext, state: CloudMapState) {
  const ns = findNamespace(state, ctx, String(input.Id))
  const services = state.listServices(ns, ns.id)
  if (services.length) {
    throw new AwsError('ResourceInUse', `Namespace ${ns.id} has ${services.length} service(s); delete them first.`)
  }
  const op = newOperation(ctx, ctx.now(), 'DELETE_NAMESPACE', { NAMESPACE: ns.id })
  await state.write([state.deleteNamespace(ns), state.putOperation(op)])
  state.changed.emit({ account: ns.account, region: ns.region, namespaceId: ns.id })
  return { OperationId: op.id }
}
