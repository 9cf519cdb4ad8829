import type { ClusterDoc } from '../clusters/cluster-doc.js'
import { findCluster } from '../clusters/resolve.js'
import { namespaceArn } from '../clusters/validate.js'
import type { RequestContext } from '../context.js'
import { clusterNotFound, invalidParameter } from '../errors.js'
import { paginate, listPage } from '../pagination.js'
import { scopedKey } from '../../store/scoped-key.js'
import type { EcsDeps, Wire, Handler } from '../types.js'
import { findService, isDaemonService, primaryOf, renderService, serviceRefArn, type ServiceDoc } from './service-doc.js'
import { serviceMessages } from './validate.js'

/** DescribeServices, ListServices, ListServicesByNamespace (docs/ecs-facts.md#services). */

const MAX_DESCRIBE = 10

const describeServices: Handler<'DescribeServices'> = async (input, ctx, deps) => {
  const refs = input.services ?? []
  if (refs.length === 0) throw invalidParameter(serviceMessages.noServices)
  if (refs.length > MAX_DESCRIBE) throw invalidParameter(serviceMessages.tooManyServices)
  const cluster = findCluster(ctx, deps, input.cluster)
  if (!cluster) throw clusterNotFound()
  const withTags = (input.include ?? []).includes('TAGS')
  const services = []
  const failures = []
  const seen = new Set<string>()
  for (const ref of refs) {
    const doc = findService(ctx, deps.repos, cluster.clusterName, ref)
    if (!doc) {
      failures.push({ arn: serviceRefArn(ctx, ref), reason: 'MISSING' })
      continue
    }
    if (seen.has(doc.serviceArn)) continue
    seen.add(doc.serviceArn)
    services.push(renderService(deps.repos, doc, { tags: withTags }))
  }
  return { services, failures }
}

/** The cluster's services a list shows: ACTIVE only (DRAINING and INACTIVE ones are hidden, as in ECS). */
function listed(ctx: RequestContext, deps: EcsDeps, cluster: ClusterDoc): ServiceDoc[] {
  const prefix = scopedKey(ctx, cluster.clusterName, '')
  const out: ServiceDoc[] = []
  for (const [key, doc] of deps.repos.services.entries()) {
    if (key.startsWith(prefix) && doc.clusterArn === cluster.clusterArn && doc.status === 'ACTIVE' && !isDaemonService(doc)) out.push(doc)
  }
  return out
}

const listServices: Handler<'ListServices'> = async (input, ctx, deps) => {
  const cluster = findCluster(ctx, deps, input.cluster)
  if (!cluster) throw clusterNotFound()
  const arns = listed(ctx, deps, cluster)
    .filter((s) => input.launchType === undefined || s.launchType === input.launchType)
    .filter((s) => input.schedulingStrategy === undefined || (s.schedulingStrategy ?? 'REPLICA') === input.schedulingStrategy)
    .filter((s) => input.resourceManagementType === undefined || (s.resourceManagementType ?? 'CUSTOMER') === input.resourceManagementType)
    .map((s) => s.serviceArn)
    .sort()
  return listPage('ListServices', arns, input, [cluster.clusterArn, input.launchType, input.schedulingStrategy, input.resourceManagementType])
}

/**
 * Services whose (PRIMARY deployment's) Service Connect configuration uses the namespace, across the
 * account and region's clusters. KECS has no Cloud Map: namespaces are matched by name or ARN as
 * CreateCluster / CreateService recorded them, so most lists are empty.
 */
const listServicesByNamespace: Handler<'ListServicesByNamespace'> = async (input, ctx, deps) => {
  const wanted = namespaceArn(ctx, input.namespace!)
  const prefix = scopedKey(ctx, '')
  const arns: string[] = []
  for (const [key, doc] of deps.repos.services.entries()) {
    if (!key.startsWith(prefix) || doc.status !== 'ACTIVE' || isDaemonService(doc)) continue
    const sc = primaryOf(doc)?.serviceConnectConfiguration
    if (!sc?.enabled) continue
    let ns = sc.namespace
    if (!ns) {
      const cluster = findCluster(ctx, deps, doc.clusterArn)
      ns = cluster?.serviceConnectDefaults?.namespace
    }
    if (ns && namespaceArn(ctx, ns) === wanted) arns.push(doc.serviceArn)
  }
  arns.sort()
  return listPage('ListServicesByNamespace', arns, input, [wanted])
}

export const handlers = {
  DescribeServices: describeServices,
  ListServices: listServices,
  ListServicesByNamespace: listServicesByNamespace,
}
