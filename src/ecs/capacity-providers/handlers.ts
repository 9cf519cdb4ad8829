import type { AutoScalingGroupProvider, CapacityProvider, Failure } from '@aws-sdk/client-ecs'
import { clusterArn } from '../arns.js'
import { clusterKey } from '../clusters/cluster-doc.js'
import { resolveCluster } from '../clusters/resolve.js'
import type { RequestContext } from '../context.js'
import { clientException } from '../errors.js'
import { paginate } from '../pagination.js'
import { stageDeleteTags, stageTags } from '../tag-store.js'
import { validateTags } from '../tags.js'
import type { EcsDeps, Handler, HandlerMap, Wire } from '../types.js'
import {
  BUILTIN_PROVIDERS,
  builtinProvider,
  capacityProviderArn,
  findProvider,
  isBuiltinProvider,
  providerKey,
  providerNameOf,
  renderProvider,
  type CapacityProviderDoc,
} from './provider-doc.js'
import { capacityAttachments } from './attachments.js'
import { capacityProviderInUse, clustersWithProvider } from './usage.js'
import {
  checkAsgProvider,
  managedScalingWithDefaults,
  providerMessages,
  validateAsgArn,
  validateProviderName,
} from './validate.js'

/**
 * The capacity provider operations (docs/ecs-facts.md#capacity-providers). FARGATE and FARGATE_SPOT
 * are built in; Auto Scaling group providers are stored and can be used wherever those are (clusters,
 * strategies); their tasks run on the cluster's nodes. Managed Instances providers belong to one
 * cluster and are associated with it when created.
 */

const DESCRIBE_PAGE = { defaultMax: 10, limit: 10 }

const createCapacityProvider: Handler<'CreateCapacityProvider'> = async (input, ctx, deps) => {
  const name = input.name!
  validateProviderName(name)
  const tags = validateTags(input.tags)
  const asg = input.autoScalingGroupProvider
  const mi = input.managedInstancesProvider
  if ((asg ? 1 : 0) + (mi ? 1 : 0) !== 1) throw clientException(providerMessages.oneKind)
  const existing = findProvider(deps.repos, ctx, name)
  if (existing && existing.status !== 'INACTIVE') throw clientException(providerMessages.exists)

  let doc: CapacityProviderDoc = { capacityProviderArn: capacityProviderArn(ctx, name), name, status: 'ACTIVE' }
  const writes = []
  if (asg) {
    validateAsgArn(asg.autoScalingGroupArn!)
    if (asgTaken(deps, ctx, asg.autoScalingGroupArn!)) throw clientException(providerMessages.asgInUse)
    const provider: Wire<AutoScalingGroupProvider> = {
      autoScalingGroupArn: asg.autoScalingGroupArn,
      managedScaling: managedScalingWithDefaults(asg.managedScaling),
      managedTerminationProtection: asg.managedTerminationProtection ?? 'DISABLED',
      // ECS turns managed draining on for new providers unless told otherwise.
      managedDraining: asg.managedDraining ?? 'ENABLED',
    }
    checkAsgProvider(provider)
    doc = { ...doc, autoScalingGroupProvider: provider, type: 'EC2_AUTOSCALING' }
  } else {
    if (!input.cluster) throw clientException(providerMessages.miCluster)
    const cluster = resolveCluster(ctx, deps, input.cluster)
    const { infrastructureRoleArn, instanceLaunchTemplate, propagateTags, infrastructureOptimization, autoRepairConfiguration } = mi!
    doc = {
      ...doc,
      cluster: cluster.clusterName,
      type: 'MANAGED_INSTANCES',
      updateStatus: 'CREATE_COMPLETE',
      managedInstancesProvider: {
        infrastructureRoleArn,
        instanceLaunchTemplate,
        propagateTags: propagateTags ?? 'NONE',
        ...(infrastructureOptimization ? { infrastructureOptimization } : {}),
        ...(autoRepairConfiguration ? { autoRepairConfiguration } : {}),
      },
    }
    // Managed Instances providers are associated with their cluster on creation.
    const providers = [...(cluster.capacityProviders ?? []).filter((p) => p !== name), name]
    writes.push(deps.repos.clusters.stagePut(clusterKey(ctx, cluster.clusterName), { ...cluster, capacityProviders: providers }))
  }
  await deps.repos.store.write([deps.repos.capacityProviders.stagePut(providerKey(ctx, name), doc), stageTags(deps.repos, doc.capacityProviderArn, tags), ...writes])
  return { capacityProvider: renderProvider(deps.repos, doc, true) }
}

/** Whether another live provider in this scope already uses the Auto Scaling group. */
function asgTaken(deps: EcsDeps, ctx: RequestContext, asg: string): boolean {
  const prefix = capacityProviderArn(ctx, '')
  const asgName = (ref: string) => ref.replace(/^.*:autoScalingGroupName\//, '')
  for (const p of deps.repos.capacityProviders.values()) {
    if (p.status === 'INACTIVE' || !p.capacityProviderArn.startsWith(prefix)) continue
    const other = p.autoScalingGroupProvider?.autoScalingGroupArn
    if (other && asgName(other) === asgName(asg)) return true
  }
  return false
}

/** A stored, live provider the caller may change; FARGATE and FARGATE_SPOT are ECS's own. */
function changeable(deps: EcsDeps, ctx: RequestContext, ref: string): CapacityProviderDoc {
  const name = providerNameOf(ref)
  if (isBuiltinProvider(name)) throw clientException(providerMessages.reserved(name))
  const doc = findProvider(deps.repos, ctx, name)
  if (!doc || doc.status === 'INACTIVE') throw clientException(providerMessages.notFound)
  return doc
}

/**
 * ECS applies an update asynchronously: the response shows UPDATE_IN_PROGRESS with the settings as
 * they were, and the provider is stored as the update leaves it (UPDATE_COMPLETE), since KECS has no
 * Auto Scaling group to wait for.
 */
const updateCapacityProvider: Handler<'UpdateCapacityProvider'> = async (input, ctx, deps) => {
  const current = changeable(deps, ctx, input.name!)
  const next: CapacityProviderDoc = structuredClone(current)
  const asg = input.autoScalingGroupProvider
  if (asg) {
    if (!current.autoScalingGroupProvider) throw clientException(providerMessages.wrongKind(current.name, 'autoScalingGroupProvider'))
    const was = current.autoScalingGroupProvider
    next.autoScalingGroupProvider = {
      ...was,
      managedScaling: managedScalingWithDefaults(asg.managedScaling, was.managedScaling),
      managedTerminationProtection: asg.managedTerminationProtection ?? was.managedTerminationProtection,
      managedDraining: asg.managedDraining ?? was.managedDraining,
    }
    checkAsgProvider(next.autoScalingGroupProvider)
  }
  if (input.managedInstancesProvider) {
    if (!current.managedInstancesProvider) throw clientException(providerMessages.wrongKind(current.name, 'managedInstancesProvider'))
    const was = current.managedInstancesProvider
    const { instanceLaunchTemplate, ...rest } = structuredClone(input.managedInstancesProvider)
    // the update's launch template lists only what changes: merged over the stored one
    const template = { ...was.instanceLaunchTemplate, ...instanceLaunchTemplate } as NonNullable<typeof was.instanceLaunchTemplate>
    next.managedInstancesProvider = { ...was, ...rest, instanceLaunchTemplate: template }
  }
  next.updateStatus = 'UPDATE_COMPLETE'
  delete next.updateStatusReason
  await deps.repos.store.write([deps.repos.capacityProviders.stagePut(providerKey(ctx, current.name), next)])
  // managed scaling or draining turned on or off: the clusters' attachments follow
  const writes = clustersWithProvider(deps.repos, clusterArn(ctx, ''), current.name).map((name) => {
    const cluster = deps.repos.clusters.get(clusterKey(ctx, name))!
    return deps.repos.clusters.stagePut(clusterKey(ctx, name), { ...cluster, ...capacityAttachments(deps.repos, ctx, cluster) })
  })
  if (writes.length) await deps.repos.store.write(writes)
  return { capacityProvider: renderProvider(deps.repos, { ...current, updateStatus: 'UPDATE_IN_PROGRESS' }, false) }
}

/**
 * A provider associated with a cluster is not deleted: ECS answers (without an error) with
 * DELETE_FAILED and the reason. Otherwise the answer says DELETE_IN_PROGRESS while the provider is
 * stored as the delete leaves it: INACTIVE, DELETE_COMPLETE.
 */
const deleteCapacityProvider: Handler<'DeleteCapacityProvider'> = async (input, ctx, deps) => {
  const current = changeable(deps, ctx, input.capacityProvider!)
  const key = providerKey(ctx, current.name)
  if (current.type === 'MANAGED_INSTANCES' && current.cluster) {
    return { capacityProvider: await deleteManagedInstances(deps, ctx, current) }
  }
  const clusters = clustersWithProvider(deps.repos, clusterArn(ctx, ''), current.name)
  if (clusters.length > 0) {
    const failed: CapacityProviderDoc = {
      ...current,
      updateStatus: 'DELETE_FAILED',
      updateStatusReason: providerMessages.associated(clusters[0]!),
    }
    await deps.repos.capacityProviders.put(key, failed)
    return { capacityProvider: renderProvider(deps.repos, failed, false) }
  }
  const gone: CapacityProviderDoc = { ...current, status: 'INACTIVE', updateStatus: 'DELETE_COMPLETE' }
  delete gone.updateStatusReason
  await deps.repos.store.write([deps.repos.capacityProviders.stagePut(key, gone), stageDeleteTags(deps.repos, current.capacityProviderArn)])
  return { capacityProvider: renderProvider(deps.repos, { ...current, updateStatus: 'DELETE_IN_PROGRESS' }, false) }
}

/** A Managed Instances provider leaves its cluster with it; refused while the cluster's services or tasks use it. */
async function deleteManagedInstances(deps: EcsDeps, ctx: RequestContext, current: CapacityProviderDoc) {
  const cluster = deps.repos.clusters.get(clusterKey(ctx, current.cluster!))
  if (cluster && capacityProviderInUse(deps.repos, cluster.clusterArn, current.name)) {
    throw clientException(`The specified capacity provider '${current.name}' is in use and cannot be removed.`)
  }
  const gone: CapacityProviderDoc = { ...current, status: 'INACTIVE', updateStatus: 'DELETE_COMPLETE' }
  const writes = [deps.repos.capacityProviders.stagePut(providerKey(ctx, current.name), gone), stageDeleteTags(deps.repos, current.capacityProviderArn)]
  if (cluster) {
    const providers = (cluster.capacityProviders ?? []).filter((p) => p !== current.name)
    const strategy = (cluster.defaultCapacityProviderStrategy ?? []).filter((i) => i.capacityProvider !== current.name)
    writes.push(deps.repos.clusters.stagePut(clusterKey(ctx, cluster.clusterName), { ...cluster, capacityProviders: providers, defaultCapacityProviderStrategy: strategy }))
  }
  await deps.repos.store.write(writes)
  return renderProvider(deps.repos, { ...current, updateStatus: 'DELETE_IN_PROGRESS' }, false)
}

/**
 * Named providers in the order asked, MISSING for unknown ones; with no names, the built-in ones
 * then the live stored ones by name. `cluster` keeps those associated with it. A deleted (INACTIVE)
 * provider is shown only when named, as ECS keeps them discoverable for a while.
 */
const describeCapacityProviders: Handler<'DescribeCapacityProviders'> = async (input, ctx, deps) => {
  const withTags = (input.include ?? []).includes('TAGS')
  const cluster = input.cluster ? resolveCluster(ctx, deps, input.cluster) : undefined
  const associated = cluster ? new Set(cluster.capacityProviders ?? []) : undefined
  const found: Wire<CapacityProvider>[] = []
  const failures: Wire<Failure>[] = []
  const show = (name: string, named: boolean) => {
    if (isBuiltinProvider(name)) return builtinProvider(ctx, name)
    const doc = findProvider(deps.repos, ctx, name)
    if (!doc || (!named && doc.status === 'INACTIVE')) return undefined
    return renderProvider(deps.repos, doc, withTags)
  }
  if (input.capacityProviders && input.capacityProviders.length > 0) {
    if (input.capacityProviders.length > 100) throw clientException('capacityProviders can have at most 100 items.')
    for (const ref of input.capacityProviders) {
      const name = providerNameOf(ref)
      const p = associated && !associated.has(name) ? undefined : show(name, true)
      if (p) found.push(p)
      else failures.push({ arn: ref.startsWith('arn:') ? ref : capacityProviderArn(ctx, name), reason: 'MISSING' })
    }
  } else {
    const prefix = capacityProviderArn(ctx, '')
    const stored = [...deps.repos.capacityProviders.values()]
      .filter((p) => p.capacityProviderArn.startsWith(prefix))
      .map((p) => p.name)
      .sort()
    for (const name of [...BUILTIN_PROVIDERS, ...stored]) {
      if (associated && !associated.has(name)) continue
      const p = show(name, false)
      if (p) found.push(p)
    }
  }
  const { page, nextToken } = paginate(found, {
    ...DESCRIBE_PAGE,
    maxResults: input.maxResults,
    nextToken: input.nextToken,
    filters: [input.capacityProviders ?? null, input.cluster ?? null],
  })
  return { capacityProviders: page, failures, ...(nextToken ? { nextToken } : {}) }
}

export const handlers: HandlerMap = {
  CreateCapacityProvider: createCapacityProvider,
  UpdateCapacityProvider: updateCapacityProvider,
  DeleteCapacityProvider: deleteCapacityProvider,
  DescribeCapacityProviders: describeCapacityProviders,
}
