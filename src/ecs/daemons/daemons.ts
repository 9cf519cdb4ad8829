import type { DaemonSummary } from '@aws-sdk/client-ecs'
import { isArn, NAME_PATTERN, parseArn } from '../arns.js'
import { requestFingerprint } from '../client-token.js'
import { epochSeconds } from '../clock.js'
import type { ClusterDoc } from '../clusters/cluster-doc.js'
import { findCluster, resolveCluster } from '../clusters/resolve.js'
import type { RequestContext } from '../context.js'
import { clientException, clusterNotFound, EcsError, invalidParameter } from '../errors.js'
import { paginate } from '../pagination.js'
import { getTags, stageTags } from '../tag-store.js'
import { validateTags } from '../tags.js'
import type { EcsDeps, Handler, Wire } from '../types.js'
import { daemonArn, daemonDeploymentArn, newDaemonDeploymentId } from './arns.js'
import { daemonKey, daemonServiceKey, daemonServiceOf, findDaemon, type DaemonDoc } from './daemon-doc.js'
import { describeDaemonDetail } from './render.js'
import { deployRevision, drainDaemonService } from './run.js'
import { daemonTdMessages, findDaemonTaskDefinition, type DaemonTaskDefinitionDoc } from './task-definitions.js'

/** CreateDaemon, UpdateDaemon, DeleteDaemon, DescribeDaemon, ListDaemons. */

// ECS's texts for these two are not published; worded after the exceptions' documentation.
export const daemonNotFound = () => new EcsError('DaemonNotFoundException', 'Daemon not found. You can view your available daemons with ListDaemons.')
export const daemonNotActive = () => new EcsError('DaemonNotActiveException', "You can't update a daemon that's inactive.")

export const daemonMessages = {
  managedInstancesOnly: 'ECS Managed Daemons is only supported for Amazon ECS Managed Instances Capacity Providers.',
  noCapacityProviders: 'capacityProviderArns must contain at least one capacity provider.',
  drainPercent: 'drainPercent must be between 0.0 and 100.0.',
  notIdempotent: 'Creation of daemon was not idempotent.',
  tdNotActive: 'The daemon task definition is not ACTIVE.',
}

/**
 * The capacity providers a daemon runs on, as ARNs. FARGATE, FARGATE_SPOT and Auto Scaling group
 * providers are refused as ECS refuses them. KECS runs a daemon on every node of the cluster: a
 * provider it does not store is taken as a Managed Instances provider of those nodes (an assumption:
 * KECS cannot check what an unknown provider is).
 */
function capacityProviderArns(ctx: RequestContext, deps: EcsDeps, refs: string[] | undefined): string[] {
  if (!refs?.length) throw invalidParameter(daemonMessages.noCapacityProviders)
  return refs.map((ref) => {
    const name = isArn(ref) ? (parseArn(ref)?.resourceType === 'capacity-provider' ? parseArn(ref)!.resource : undefined) : ref
    if (!name) throw invalidParameter(`Invalid capacity provider: ${ref}`)
    if (name === 'FARGATE' || name === 'FARGATE_SPOT') throw invalidParameter(daemonMessages.managedInstancesOnly)
    for (const cp of deps.repos.capacityProviders.values()) {
      if (cp.name === name && !cp.managedInstancesProvider) throw invalidParameter(daemonMessages.managedInstancesOnly)
    }
    return isArn(ref) ? ref : `arn:aws:ecs:${ctx.region}:${ctx.account}:capacity-provider/${name}`
  })
}

function checkDeploymentConfiguration(c: DaemonDoc['deploymentConfiguration'] | undefined): DaemonDoc['deploymentConfiguration'] {
  const drain = c?.drainPercent ?? 25
  if (drain < 0 || drain > 100) throw invalidParameter(daemonMessages.drainPercent)
  if (c?.bakeTimeInMinutes !== undefined && c.bakeTimeInMinutes < 0) throw invalidParameter('bakeTimeInMinutes must not be negative.')
  return {
    drainPercent: drain,
    bakeTimeInMinutes: c?.bakeTimeInMinutes ?? 0,
    alarms: { alarmNames: c?.alarms?.alarmNames ?? [], enable: !!c?.alarms?.enable },
  }
}

function activeTaskDefinition(ctx: RequestContext, deps: EcsDeps, ref: string): DaemonTaskDefinitionDoc {
  const td = findDaemonTaskDefinition(deps.repos, ctx, ref)
  if (!td) throw clientException(daemonTdMessages.unknown)
  if (td.status !== 'ACTIVE') throw clientException(daemonMessages.tdNotActive)
  return td
}

/** The daemon a daemonArn names: DaemonNotFoundException otherwise (ClusterNotFoundException when its cluster is unknown). */
export function resolveDaemon(ctx: RequestContext, deps: EcsDeps, arn: string): DaemonDoc {
  const doc = findDaemon(deps.repos, ctx, arn)
  if (doc) return doc
  const p = parseArn(arn)
  if (p?.resourceType === 'daemon' && p.region === ctx.region && p.account === ctx.account && !findCluster(ctx, deps, p.resource.split('/')[0])) throw clusterNotFound()
  throw daemonNotFound()
}

const createDaemon: Handler<'CreateDaemon'> = async (input, ctx, deps) => {
  const cluster: ClusterDoc = resolveCluster(ctx, deps, input.clusterArn)
  const name = input.daemonName!
  if (!NAME_PATTERN.test(name)) throw invalidParameter('Daemon name must be up to 255 letters (uppercase and lowercase), numbers, hyphens, and underscores.')
  if (input.clientToken !== undefined && (input.clientToken.length > 36 || !/^[\x21-\x7e]+$/.test(input.clientToken))) {
    throw invalidParameter('clientToken must be up to 36 ASCII characters.')
  }
  const key = daemonKey(ctx, cluster.clusterName, name)
  const existing = deps.repos.daemons.get(key)
  const fingerprint = requestFingerprint(input)
  if (existing) {
    if (input.clientToken && existing.clientToken === input.clientToken && existing.requestFingerprint === fingerprint) {
      return { daemonArn: existing.daemonArn, status: existing.status, createdAt: existing.createdAt, deploymentArn: existing.deploymentArn }
    }
    // A daemon whose deletion finished may be created again; one still there may not.
    const service = daemonServiceOf(deps.repos, ctx, existing)
    if (existing.status === 'ACTIVE' || (service && service.status !== 'INACTIVE')) throw invalidParameter(daemonMessages.notIdempotent)
  }
  const td = activeTaskDefinition(ctx, deps, input.daemonTaskDefinitionArn!)
  const providers = capacityProviderArns(ctx, deps, input.capacityProviderArns)
  const tags = validateTags(input.tags)
  const now = epochSeconds(deps.clock.now())
  const doc: DaemonDoc = {
    daemonArn: daemonArn(ctx, cluster.clusterName, name),
    daemonName: name,
    clusterArn: cluster.clusterArn,
    clusterName: cluster.clusterName,
    status: 'ACTIVE',
    createdAt: now,
    updatedAt: now,
    deploymentArn: '',
    daemonTaskDefinitionArn: td.daemonTaskDefinitionArn,
    capacityProviderArns: providers,
    deploymentConfiguration: checkDeploymentConfiguration(input.deploymentConfiguration),
    propagateTags: input.propagateTags ?? 'NONE',
    enableECSManagedTags: input.enableECSManagedTags ?? false,
    enableExecuteCommand: input.enableExecuteCommand ?? false,
    critical: input.critical ?? true,
    ...(input.clientToken ? { clientToken: input.clientToken, requestFingerprint: fingerprint } : {}),
    revisions: [],
    deployments: [],
  }
  const { ops, changed } = deployRevision(ctx, deps, doc, td, tags, undefined)
  await deps.repos.store.write([deps.repos.daemons.stagePut(key, doc), stageTags(deps.repos, doc.daemonArn, tags), ...ops])
  changed()
  return { daemonArn: doc.daemonArn, status: doc.status, createdAt: doc.createdAt, deploymentArn: doc.deploymentArn }
}

/** UpdateDaemon: every call starts a new deployment of a new revision (ECS replaces the daemon tasks). */
const updateDaemon: Handler<'UpdateDaemon'> = async (input, ctx, deps) => {
  const current = resolveDaemon(ctx, deps, input.daemonArn!)
  if (current.status !== 'ACTIVE') throw daemonNotActive()
  const td = activeTaskDefinition(ctx, deps, input.daemonTaskDefinitionArn!)
  const doc: DaemonDoc = structuredClone(current)
  doc.capacityProviderArns = capacityProviderArns(ctx, deps, input.capacityProviderArns)
  doc.daemonTaskDefinitionArn = td.daemonTaskDefinitionArn
  if (input.deploymentConfiguration !== undefined) doc.deploymentConfiguration = checkDeploymentConfiguration(input.deploymentConfiguration)
  if (input.propagateTags !== undefined) doc.propagateTags = input.propagateTags
  if (input.enableECSManagedTags !== undefined) doc.enableECSManagedTags = input.enableECSManagedTags
  if (input.enableExecuteCommand !== undefined) doc.enableExecuteCommand = input.enableExecuteCommand
  if (input.critical !== undefined) doc.critical = input.critical
  doc.updatedAt = epochSeconds(deps.clock.now())
  const tags = getTags(deps.repos, doc.daemonArn).map((t) => ({ key: t.key ?? '', value: t.value ?? '' }))
  const service = daemonServiceOf(deps.repos, ctx, doc)
  const { ops, changed } = deployRevision(ctx, deps, doc, td, tags, service)
  await deps.repos.store.write([deps.repos.daemons.stagePut(daemonKey(ctx, doc.clusterName, doc.daemonName), doc), ...ops])
  changed()
  return { daemonArn: doc.daemonArn, status: doc.status, createdAt: doc.createdAt, updatedAt: doc.updatedAt, deploymentArn: doc.deploymentArn }
}

/** DeleteDaemon: DELETE_IN_PROGRESS, and a deployment that drains the daemon's tasks (its DaemonSet goes). */
const deleteDaemon: Handler<'DeleteDaemon'> = async (input, ctx, deps) => {
  const current = resolveDaemon(ctx, deps, input.daemonArn!)
  if (current.status !== 'ACTIVE') throw daemonNotActive()
  const doc: DaemonDoc = structuredClone(current)
  const nowMs = deps.clock.now()
  doc.status = 'DELETE_IN_PROGRESS'
  doc.updatedAt = epochSeconds(nowMs)
  const service = daemonServiceOf(deps.repos, ctx, doc)
  const arn = daemonDeploymentArn(ctx, doc.clusterName, doc.daemonName, newDaemonDeploymentId())
  doc.deployments.push({
    arn,
    kind: 'delete',
    sourceRevisionArns: currentRevisionArns(doc),
    createdAt: doc.updatedAt,
    deploymentConfiguration: doc.deploymentConfiguration,
  })
  doc.deploymentArn = arn
  const { ops, changed } = drainDaemonService(deps, daemonServiceKey(ctx, doc), service)
  await deps.repos.store.write([deps.repos.daemons.stagePut(daemonKey(ctx, doc.clusterName, doc.daemonName), doc), ...ops])
  changed()
  return { daemonArn: doc.daemonArn, status: doc.status, createdAt: doc.createdAt, updatedAt: doc.updatedAt, deploymentArn: doc.deploymentArn }
}

function currentRevisionArns(doc: DaemonDoc): string[] {
  const last = [...doc.deployments].reverse().find((d) => d.kind === 'deploy')
  return last?.targetRevisionArn ? [last.targetRevisionArn] : []
}

const describeDaemon: Handler<'DescribeDaemon'> = async (input, ctx, deps) => {
  const doc = resolveDaemon(ctx, deps, input.daemonArn!)
  return { daemon: describeDaemonDetail(deps, ctx, doc) }
}

/** ListDaemons: the cluster's daemons (default cluster), optionally those on any of the given capacity providers; by ARN. */
const listDaemons: Handler<'ListDaemons'> = async (input, ctx, deps) => {
  const cluster = findCluster(ctx, deps, input.clusterArn)
  if (!cluster) throw clusterNotFound()
  const wanted = input.capacityProviderArns?.length ? capacityProviderArns(ctx, deps, input.capacityProviderArns) : undefined
  const items: Wire<DaemonSummary>[] = []
  for (const d of deps.repos.daemons.values()) {
    if (d.clusterArn !== cluster.clusterArn) continue
    if (wanted && !d.capacityProviderArns.some((a) => wanted.includes(a))) continue
    items.push({ daemonArn: d.daemonArn, status: d.status, createdAt: d.createdAt, updatedAt: d.updatedAt })
  }
  items.sort((a, b) => a.daemonArn!.localeCompare(b.daemonArn!))
  const { page, nextToken } = paginate(items, {
    maxResults: input.maxResults,
    nextToken: input.nextToken,
    defaultMax: 100,
    limit: 100,
    filters: [cluster.clusterArn, wanted],
  })
  return { daemonSummariesList: page, ...(nextToken ? { nextToken } : {}) }
}

export const handlers = {
  CreateDaemon: createDaemon,
  UpdateDaemon: updateDaemon,
  DeleteDaemon: deleteDaemon,
  DescribeDaemon: describeDaemon,
  ListDaemons: listDaemons,
}
