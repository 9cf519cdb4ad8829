import type { ClusterSetting } from '@aws-sdk/client-ecs'
import { clusterArn } from '../arns.js'
import { effectiveSetting } from '../account-settings.js'
import type { RequestContext } from '../context.js'
import { clientException, EcsError, invalidParameter } from '../errors.js'
import { listPage } from '../pagination.js'
import { stageDeleteTags, stageTags } from '../tag-store.js'
import { validateTags } from '../tags.js'
import type { EcsDeps, Handler, HandlerMap } from '../types.js'
import { clusterKey, renderCluster, type ClusterDoc } from './cluster-doc.js'
import { clusterTally } from './counts.js'
import { managedInstanceCount } from '../tasks/node-instances.js'
import { capacityProviderInUse } from '../capacity-providers/usage.js'
import { capacityAttachments } from '../capacity-providers/attachments.js'
import { findProvider } from '../capacity-providers/provider-doc.js'
import { parseClusterRef, resolveCluster } from './resolve.js'
import {
  mergeSettings,
  namespaceArn,
  validateCapacityProviders,
  validateClusterName,
  validateClusterSettings,
  validateStrategy,
} from './validate.js'

/** The cluster operations (docs/ecs-facts.md#clusters). Clusters are account/region scoped and named uniquely. */

const MAX_DESCRIBE = 100

const createCluster: Handler<'CreateCluster'> = async (input, ctx, deps) => {
  const name = input.clusterName ?? 'default'
  validateClusterName(name)
  const tags = validateTags(input.tags)
  const settings = input.settings ?? []
  validateClusterSettings(settings)
  const providers = validateCapacityProviders(ctx, deps, input.capacityProviders ?? [])
  const strategy = validateStrategy(input.defaultCapacityProviderStrategy ?? [], providers)

  const key = clusterKey(ctx, name)
  const existing = deps.repos.clusters.get(key)
  // Idempotent on the name: an ACTIVE cluster comes back as it is; an INACTIVE one is created anew.
  // The hook runs again (hooks are idempotent), so a retry repairs a namespace a failed call left out.
  if (existing?.status === 'ACTIVE') {
    await deps.cluster.clusterCreated?.(ctx, name)
    return { cluster: renderCluster(deps.repos, existing) }
  }

  const insights = effectiveSetting(deps, ctx, 'containerInsights').value ?? 'disabled'
  let doc: ClusterDoc = {
    clusterArn: clusterArn(ctx, name),
    clusterName: name,
    status: 'ACTIVE',
    settings: mergeSettings([{ name: 'containerInsights', value: insights }], settings),
    capacityProviders: providers,
    defaultCapacityProviderStrategy: strategy,
  }
  if (input.configuration) doc.configuration = input.configuration
  if (input.serviceConnectDefaults?.namespace) {
    doc.serviceConnectDefaults = { namespace: namespaceArn(ctx, input.serviceConnectDefaults.namespace) }
  }
  doc = { ...doc, ...capacityAttachments(deps.repos, ctx, doc) }

  // The cluster and its tags in one atomic job; staging updates the in-memory copy at once, so a
  // concurrent CreateCluster of the same name already sees this one.
  await deps.repos.store.write([deps.repos.clusters.stagePut(key, doc), stageTags(deps.repos, doc.clusterArn, tags)])
  await deps.cluster.clusterCreated?.(ctx, name)
  return { cluster: renderCluster(deps.repos, doc) }
}

const describeClusters: Handler<'DescribeClusters'> = async (input, ctx, deps) => {
  const refs = input.clusters && input.clusters.length > 0 ? input.clusters : ['default']
  if (refs.length > MAX_DESCRIBE) throw invalidParameter(`clusters can have at most ${MAX_DESCRIBE} items.`)
  const view = new Set<string>(input.include ?? [])
  const clusters = []
  const failures = []
  const seen = new Set<string>()
  for (const ref of refs) {
    const { name, arn } = parseClusterRef(ctx, ref)
    const doc = name === undefined ? undefined : deps.repos.clusters.get(clusterKey(ctx, name))
    if (!doc) {
      failures.push({ arn, reason: 'MISSING' })
      continue
    }
    if (seen.has(doc.clusterArn)) continue
    seen.add(doc.clusterArn)
    clusters.push(renderCluster(deps.repos, doc, view))
  }
  return { clusters, failures }
}

const listClusters: Handler<'ListClusters'> = async (input, ctx, deps) => {
  const prefix = clusterKey(ctx, '')
  const arns: string[] = []
  for (const [key, doc] of deps.repos.clusters.entries()) {
    if (key.startsWith(prefix) && doc.status === 'ACTIVE') arns.push(doc.clusterArn)
  }
  arns.sort()
  return listPage('ListClusters', arns, input)
}

const deleteCluster: Handler<'DeleteCluster'> = async (input, ctx, deps) => {
  const doc = resolveCluster(ctx, deps, input.cluster)
  const tally = clusterTally(deps.repos, doc.clusterArn)
  // KECS registers the cluster's Kubernetes node(s) as container instances itself (src/kube/attach.ts)
  // and deregisters them in the clusterDeleted hook: only instances the user registered block the delete.
  if (tally.registeredContainerInstancesCount - managedInstanceCount(deps.repos, doc.clusterArn) > 0) {
    throw new EcsError(
      'ClusterContainsContainerInstancesException',
      'The Cluster cannot be deleted while Container Instances are active or draining.',
    )
  }
  if (tally.activeServicesCount + tally.drainingEC2ServiceCount + tally.drainingFargateServiceCount > 0) {
    throw new EcsError('ClusterContainsServicesException', 'The Cluster cannot be deleted while Services are active.')
  }
  if (tally.unstoppedTasksCount > 0) {
    throw new EcsError('ClusterContainsTasksException', 'The Cluster cannot be deleted while Tasks are active.')
  }
  // Observed ECS answer (the model also has ClusterContainsCapacityProviderException for this case).
  if ((doc.capacityProviders ?? []).some((p) => findProvider(deps.repos, ctx, p)?.type === 'MANAGED_INSTANCES')) {
    throw clientException('The Cluster cannot be deleted while Cluster Scoped Capacity Providers are attached to the cluster.')
  }
  const inactive: ClusterDoc = { ...doc, status: 'INACTIVE' }
  await deps.repos.store.write([
    deps.repos.clusters.stagePut(clusterKey(ctx, doc.clusterName), inactive),
    stageDeleteTags(deps.repos, doc.clusterArn),
  ])
  await deps.cluster.clusterDeleted?.(ctx, doc.clusterName)
  return { cluster: renderCluster(deps.repos, inactive) }
}

/** Replaces a cluster doc (already checked ACTIVE) and answers with it. */
async function save(deps: EcsDeps, ctx: RequestContext, doc: ClusterDoc) {
  await deps.repos.clusters.put(clusterKey(ctx, doc.clusterName), doc)
  return { cluster: renderCluster(deps.repos, doc) }
}

const updateCluster: Handler<'UpdateCluster'> = async (input, ctx, deps) => {
  const current = resolveCluster(ctx, deps, input.cluster)
  const doc: ClusterDoc = structuredClone(current)
  if (input.settings) {
    validateClusterSettings(input.settings)
    doc.settings = mergeSettings(doc.settings ?? [], input.settings)
  }
  if (input.configuration) doc.configuration = input.configuration
  if (input.serviceConnectDefaults) {
    // An empty namespace removes the default, as ECS does.
    const ns = input.serviceConnectDefaults.namespace ?? ''
    if (ns === '') delete doc.serviceConnectDefaults
    else doc.serviceConnectDefaults = { namespace: namespaceArn(ctx, ns) }
  }
  return save(deps, ctx, doc)
}

const updateClusterSettings: Handler<'UpdateClusterSettings'> = async (input, ctx, deps) => {
  const current = resolveCluster(ctx, deps, input.cluster)
  const settings: ClusterSetting[] = input.settings ?? []
  validateClusterSettings(settings)
  return save(deps, ctx, { ...structuredClone(current), settings: mergeSettings(current.settings ?? [], settings) })
}

const putClusterCapacityProviders: Handler<'PutClusterCapacityProviders'> = async (input, ctx, deps) => {
  const current = resolveCluster(ctx, deps, input.cluster)
  // The cluster's own Managed Instances providers stay associated whatever the list says.
  const own = (current.capacityProviders ?? []).filter((p) => findProvider(deps.repos, ctx, p)?.type === 'MANAGED_INSTANCES')
  const providers = [...validateCapacityProviders(ctx, deps, input.capacityProviders ?? []), ...own]
  const strategy = validateStrategy(input.defaultCapacityProviderStrategy ?? [], providers)
  const removed = (current.capacityProviders ?? []).filter((p) => !providers.includes(p))
  const inUse = removed.find((p) => capacityProviderInUse(deps.repos, current.clusterArn, p))
  if (inUse) {
    throw new EcsError(
      'ResourceInUseException',
      `The specified capacity provider '${inUse}' is in use and cannot be removed.`,
    )
  }
  const doc: ClusterDoc = { ...structuredClone(current), capacityProviders: providers, defaultCapacityProviderStrategy: strategy }
  return save(deps, ctx, { ...doc, ...capacityAttachments(deps.repos, ctx, doc) })
}

export const handlers: HandlerMap = {
  CreateCluster: createCluster,
  DescribeClusters: describeClusters,
  ListClusters: listClusters,
  DeleteCluster: deleteCluster,
  UpdateCluster: updateCluster,
  UpdateClusterSettings: updateClusterSettings,
  PutClusterCapacityProviders: putClusterCapacityProviders,
}
