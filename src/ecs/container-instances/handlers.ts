import { randomBytes } from 'node:crypto'
import { containerInstanceArn, isArn } from '../arns.js'
import { epochSeconds } from '../clock.js'
import { resolveCluster } from '../clusters/resolve.js'
import type { ClusterDoc } from '../clusters/cluster-doc.js'
import type { RequestContext } from '../context.js'
import { clientException, EcsError, invalidParameter } from '../errors.js'
import { listPage } from '../pagination.js'
import { stageTags } from '../tag-store.js'
import { validateTags } from '../tags.js'
import { saveTaskChange } from '../tasks/events.js'
import {
  containerInstanceKey,
  findInstance,
  pinnableNode,
  publishInstanceChange,
  type ContainerInstanceDoc,
} from '../tasks/node-instances.js'
import { taskRuntime } from '../tasks/runtime.js'
import { markStopping } from '../tasks/stopping.js'
import type { EcsDeps, Handler, Wire } from '../types.js'
import type { Attribute, Resource } from '@aws-sdk/client-ecs'
import { CAPABILITY_ATTRIBUTES } from './capabilities.js'
import { compileQuery } from './query.js'
import { instanceFacts, instanceTasks, renderInstance } from './view.js'

/**
 * RegisterContainerInstance, DeregisterContainerInstance, DescribeContainerInstances,
 * ListContainerInstances, UpdateContainerInstancesState and UpdateContainerAgent. The cluster's
 * Kubernetes nodes are registered by KECS itself (tasks/node-instances.ts); an agent or a user may
 * register more, which hold tasks ECS-side and run them wherever Kubernetes schedules them.
 */

const MAX_DESCRIBE = 100
const MAX_UPDATE_STATE = 10
const DEFAULT_AGENT = { agentVersion: '1.89.0', agentHash: 'kecs', dockerVersion: 'DockerVersion: 25.0.0' }
const RESERVED_PORTS = ['22', '2376', '2375', '51678', '51679']

const register: Handler<'RegisterContainerInstance'> = async (input, ctx, deps) => {
  const cluster = resolveCluster(ctx, deps, input.cluster)
  const tags = validateTags(input.tags)
  const identity = parseIdentity(input.instanceIdentityDocument)
  let prior: ContainerInstanceDoc | undefined
  if (input.containerInstanceArn) {
    prior = findInstance(ctx, deps.repos, cluster.clusterName, input.containerInstanceArn)
    if (!prior) throw invalidParameter(`Container instance ${input.containerInstanceArn} was not found in cluster ${cluster.clusterName}.`)
    // what the agent sees when it re-registers a deregistered instance
    if (prior.status === 'INACTIVE') throw clientException(`Container instance ${idOf(prior)} is inactive.`)
    const priorType = prior.attributes?.find((a) => a.name === 'ecs.instance-type')?.value
    if (identity.instanceType && priorType && identity.instanceType !== priorType) {
      throw clientException('Container instance type changes are not supported.')
    }
  }
  const id = prior ? idOf(prior) : randomBytes(16).toString('hex')
  const arn = containerInstanceArn(ctx, cluster.clusterName, id)
  const resources = registeredResources(input.totalResources)
  const doc: ContainerInstanceDoc = {
    ...(prior ? structuredClone(prior) : {}),
    containerInstanceArn: arn,
    clusterArn: cluster.clusterArn,
    ec2InstanceId: prior?.ec2InstanceId ?? identity.instanceId ?? `i-${randomBytes(9).toString('hex').slice(0, 17)}`,
    version: (prior?.version ?? 0) + 1,
    versionInfo: { ...DEFAULT_AGENT, ...(input.versionInfo ?? {}) },
    registeredResources: resources,
    remainingResources: structuredClone(resources),
    status: 'ACTIVE',
    agentConnected: true,
    runningTasksCount: 0,
    pendingTasksCount: 0,
    attributes: registeredAttributes(ctx, identity, input.attributes, prior),
    registeredAt: prior?.registeredAt ?? epochSeconds(deps.clock.now()),
    attachments: prior?.attachments ?? [],
    kecs: { ...(prior?.kecs ?? {}), clusterName: cluster.clusterName },
  }
  const ops = [deps.repos.containerInstances.stagePut(containerInstanceKey(ctx, cluster.clusterName, id), doc)]
  if (tags.length) ops.push(stageTags(deps.repos, arn, tags))
  await deps.repos.store.write(ops)
  publishInstanceChange(deps, ctx, doc)
  return { containerInstance: renderInstance(deps.repos, doc, { tags: true }) }
}

const deregister: Handler<'DeregisterContainerInstance'> = async (input, ctx, deps) => {
  const cluster = resolveCluster(ctx, deps, input.cluster)
  const doc = instanceOrThrow(ctx, deps, cluster, input.containerInstance!)
  if (doc.status === 'INACTIVE') return { containerInstance: renderInstance(deps.repos, doc) }
  // ECS's wording for this refusal is not documented; this names the way out as the CLI guide does.
  if (!input.force && instanceTasks(deps.repos, doc).length > 0) {
    throw invalidParameter(
      'Found running tasks on the instance: stop those tasks before deregistering the container instance, or use force.',
    )
  }
  // With force the tasks keep running, orphaned (ECS says so too); the instance takes no new ones.
  const next: ContainerInstanceDoc = {
    ...structuredClone(doc),
    status: 'INACTIVE',
    version: (doc.version ?? 0) + 1,
    kecs: { ...(doc.kecs ?? { clusterName: cluster.clusterName }), userDeregistered: true },
  }
  await save(ctx, deps, next)
  if (doc.status === 'DRAINING') await syncCordon(deps, doc)
  return { containerInstance: renderInstance(deps.repos, next) }
}

const describe: Handler<'DescribeContainerInstances'> = async (input, ctx, deps) => {
  const cluster = resolveCluster(ctx, deps, input.cluster)
  const refs = input.containerInstances ?? []
  if (refs.length === 0) throw invalidParameter('containerInstances can not be empty.')
  if (refs.length > MAX_DESCRIBE) throw invalidParameter(`containerInstances can have at most ${MAX_DESCRIBE} items.`)
  const include = new Set(input.include ?? [])
  const { found, failures } = lookUp(ctx, deps, cluster, refs)
  const containerInstances = found.map((doc) =>
    renderInstance(deps.repos, doc, { tags: include.has('TAGS'), health: include.has('CONTAINER_INSTANCE_HEALTH') }),
  )
  return { containerInstances, failures }
}

const list: Handler<'ListContainerInstances'> = async (input, ctx, deps) => {
  const cluster = resolveCluster(ctx, deps, input.cluster)
  const matches = input.filter ? compileQuery(input.filter) : undefined
  const arns: string[] = []
  for (const doc of deps.repos.containerInstances.values()) {
    if (doc?.clusterArn !== cluster.clusterArn) continue
    // without a status filter every instance but the deregistered ones
    if (input.status ? doc.status !== input.status : doc.status === 'INACTIVE') continue
    if (matches && !matches(instanceFacts(deps.repos, doc))) continue
    arns.push(doc.containerInstanceArn)
  }
  arns.sort()
  return listPage('ListContainerInstances', arns, input, [cluster.clusterArn, input.status ?? '', input.filter ?? ''])
}

const updateState: Handler<'UpdateContainerInstancesState'> = async (input, ctx, deps) => {
  const cluster = resolveCluster(ctx, deps, input.cluster)
  const refs = input.containerInstances ?? []
  const status = input.status!
  if (status !== 'ACTIVE' && status !== 'DRAINING') throw invalidParameter('Container instance status should be one of [ACTIVE, DRAINING].')
  if (refs.length === 0) throw invalidParameter('containerInstances can not be empty.')
  if (refs.length > MAX_UPDATE_STATE) throw invalidParameter(`containerInstances can have at most ${MAX_UPDATE_STATE} items.`)
  const containerInstances = []
  const { found, failures } = lookUp(ctx, deps, cluster, refs)
  for (const doc of found) {
    // Only a registered (ACTIVE or DRAINING) instance changes state; the failure text is KECS's own.
    if (doc.status !== 'ACTIVE' && doc.status !== 'DRAINING') {
      failures.push({ arn: doc.containerInstanceArn, reason: doc.status, detail: `The container instance is ${doc.status}.` })
      continue
    }
    let next = doc
    if (doc.status !== status) {
      next = { ...structuredClone(doc), status, version: (doc.version ?? 0) + 1 }
      await save(ctx, deps, next)
      await syncCordon(deps, next)
      if (status === 'DRAINING') await drainServiceTasks(deps, next)
    }
    containerInstances.push(renderInstance(deps.repos, next))
  }
  return { containerInstances, failures }
}

/** The instances the refs name, in order, and a MISSING failure for each ref that names none. */
function lookUp(ctx: RequestContext, deps: EcsDeps, cluster: ClusterDoc, refs: string[]) {
  const found: ContainerInstanceDoc[] = []
  const failures: { arn?: string; reason?: string; detail?: string }[] = []
  for (const ref of refs) {
    const doc = findInstance(ctx, deps.repos, cluster.clusterName, ref)
    if (doc) found.push(doc)
    else failures.push({ arn: refArn(ctx, cluster, ref), reason: 'MISSING' })
  }
  return { found, failures }
}

/**
 * KECS's instances have no ecs-init to update the agent: ECS answers such an instance with
 * NoUpdateAvailableException (its exact text is not documented; this one says why).
 */
const updateAgent: Handler<'UpdateContainerAgent'> = async (input, ctx, deps) => {
  const cluster = resolveCluster(ctx, deps, input.cluster)
  const doc = instanceOrThrow(ctx, deps, cluster, input.containerInstance!)
  if (doc.status === 'INACTIVE') throw invalidParameter(`Container instance ${idOf(doc)} is inactive.`)
  if (doc.agentUpdateStatus && !['UPDATED', 'FAILED'].includes(doc.agentUpdateStatus)) {
    throw new EcsError('UpdateInProgressException', 'An agent update is already in progress for this container instance.')
  }
  if (!doc.versionInfo?.agentVersion) {
    throw new EcsError('MissingVersionException', 'The container instance did not report its agent version.')
  }
  throw new EcsError(
    'NoUpdateAvailableException',
    `There is no update available for the agent on container instance ${idOf(doc)}: it does not run the Amazon ECS-optimized AMI with ecs-init (agent ${doc.versionInfo.agentVersion}).`,
  )
}

// --- helpers ---

const idOf = (doc: ContainerInstanceDoc) => doc.containerInstanceArn.split('/').pop()!

const refArn = (ctx: RequestContext, cluster: ClusterDoc, ref: string) =>
  isArn(ref) ? ref : containerInstanceArn(ctx, cluster.clusterName, ref)

/** A container instance of the cluster, or the error ECS gives for an unknown one. */
export function instanceOrThrow(ctx: RequestContext, deps: EcsDeps, cluster: ClusterDoc, ref: string): ContainerInstanceDoc {
  const doc = findInstance(ctx, deps.repos, cluster.clusterName, ref)
  if (!doc) throw invalidParameter(`Container instance ${ref} was not found in cluster ${cluster.clusterName}.`)
  return doc
}

async function save(ctx: RequestContext, deps: EcsDeps, doc: ContainerInstanceDoc): Promise<void> {
  const key = containerInstanceKey(ctx, doc.kecs?.clusterName ?? '', idOf(doc))
  await deps.repos.store.write([deps.repos.containerInstances.stagePut(key, doc)])
  publishInstanceChange(deps, ctx, doc)
}

/**
 * A node is a container instance in every ECS cluster: it is cordoned while any of its instances is
 * DRAINING, and uncordoned when none is.
 */
async function syncCordon(deps: EcsDeps, doc: ContainerInstanceDoc): Promise<void> {
  const node = pinnableNode(doc)
  const set = deps.cluster.setNodeSchedulable
  if (!node || !set) return
  let draining = false
  for (const d of deps.repos.containerInstances.values()) if (d?.status === 'DRAINING' && pinnableNode(d) === node) draining = true
  await set(node, !draining)
}

/**
 * DRAINING: the instance's service tasks are stopped so their service starts them elsewhere (on
 * Kubernetes the Deployment's new pods avoid the cordoned node); standalone tasks keep running.
 */
async function drainServiceTasks(deps: EcsDeps, doc: ContainerInstanceDoc): Promise<void> {
  const runtime = taskRuntime(deps)
  for (const task of instanceTasks(deps.repos, doc)) {
    if (!task.group?.startsWith('service:') || task.desiredStatus === 'STOPPED') continue
    const next = structuredClone(task)
    // ECS's stoppedReason for drained tasks is not documented: this one says what happened.
    markStopping(next, { stopCode: 'ServiceSchedulerInitiated', stoppedReason: 'Container instance is DRAINING' }, deps.clock.now())
    next.version++
    await saveTaskChange(deps, next, [])
    void runtime?.stop(next).catch(() => {})
  }
}

function registeredResources(total: Wire<Resource>[] | undefined): Wire<Resource>[] {
  const byName = new Map<string, Wire<Resource>>()
  // Without totalResources (a hand-made registration) the instance gets a small default size.
  const defaults: Wire<Resource>[] = [
    { name: 'CPU', type: 'INTEGER', doubleValue: 0, longValue: 0, integerValue: 2048 },
    { name: 'MEMORY', type: 'INTEGER', doubleValue: 0, longValue: 0, integerValue: 3904 },
    { name: 'PORTS', type: 'STRINGSET', doubleValue: 0, longValue: 0, integerValue: 0, stringSetValue: RESERVED_PORTS },
    { name: 'PORTS_UDP', type: 'STRINGSET', doubleValue: 0, longValue: 0, integerValue: 0, stringSetValue: [] },
  ]
  for (const r of total?.length ? total : defaults) {
    if (!r.name) continue
    byName.set(r.name, { doubleValue: 0, longValue: 0, integerValue: 0, ...r })
  }
  return [...byName.values()]
}

interface Identity {
  instanceId?: string
  instanceType?: string
  availabilityZone?: string
  architecture?: string
  imageId?: string
}

/** The fields ECS reads from an EC2 instance identity document (JSON); anything else is ignored. */
function parseIdentity(text: string | undefined): Identity {
  if (!text) return {}
  try {
    const d = JSON.parse(text) as Record<string, unknown>
    const str = (k: string) => (typeof d[k] === 'string' ? (d[k] as string) : undefined)
    return {
      instanceId: str('instanceId'),
      instanceType: str('instanceType'),
      availabilityZone: str('availabilityZone'),
      architecture: str('architecture'),
      imageId: str('imageId'),
    }
  } catch {
    throw invalidParameter('instanceIdentityDocument is not a valid instance identity document.')
  }
}

/**
 * ECS's own attributes (from the identity document where there is one), the agent's capabilities,
 * then every attribute the request sent, echoed as sent (the agent checks that they come back).
 */
function registeredAttributes(
  ctx: RequestContext,
  identity: Identity,
  sent: Wire<Attribute>[] | undefined,
  prior: ContainerInstanceDoc | undefined,
): Wire<Attribute>[] {
  const byName = new Map<string, Wire<Attribute>>()
  const put = (name: string, value?: string) => byName.set(name, value === undefined ? { name } : { name, value })
  put('ecs.os-type', 'linux')
  put('ecs.os-family', 'LINUX')
  put('ecs.cpu-architecture', identity.architecture === 'arm64' ? 'arm64' : 'x86_64')
  put('ecs.instance-type', identity.instanceType ?? 'kubernetes-node')
  put('ecs.availability-zone', identity.availabilityZone ?? `${ctx.region}a`)
  if (identity.imageId) put('ecs.ami-id', identity.imageId)
  for (const name of CAPABILITY_ATTRIBUTES) put(name)
  // custom attributes put on an instance that registers again stay
  for (const a of prior?.attributes ?? []) if (a.name && !byName.has(a.name)) byName.set(a.name, { ...a })
  for (const a of sent ?? []) if (a.name) put(a.name, a.value)
  return [...byName.values()].map(({ name, value }) => (value === undefined ? { name } : { name, value }))
}

export const handlers = {
  RegisterContainerInstance: register,
  DeregisterContainerInstance: deregister,
  DescribeContainerInstances: describe,
  ListContainerInstances: list,
  UpdateContainerInstancesState: updateState,
  UpdateContainerAgent: updateAgent,
}
