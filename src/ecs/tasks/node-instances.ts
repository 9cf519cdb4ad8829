import type { ContainerInstance } from '@aws-sdk/client-ecs'
import { createHash } from 'node:crypto'
import { containerInstanceArn, isArn, parseArn } from '../arns.js'
import { epochSeconds } from '../clock.js'
import type { RequestContext } from '../context.js'
import { scopedKey } from '../../store/scoped-key.js'
import type { Repos } from '../repos.js'
import { serializeShape } from '../model/serialize.js'
import type { EcsDeps, Wire } from '../types.js'
import { CAPABILITY_ATTRIBUTES } from '../container-instances/capabilities.js'

/**
 * The cluster's Kubernetes node(s) as ECS container instances (docs/ecs-on-kubernetes.md#container-instances: container instance
 * = Node), so EC2 tasks carry a containerInstanceArn and StartTask has somewhere to start tasks.
 * KECS registers them itself when a cluster is created (src/kube/attach.ts) and deregisters them when
 * it is deleted, so DeleteCluster does not count them as the user's instances (clusters/handlers.ts).
 */
export type ContainerInstanceDoc = Wire<ContainerInstance> & {
  containerInstanceArn: string
  /** cluster ARN: what clusterCounts and ListTasks filter on */
  clusterArn: string
  status: string
  kecs?: {
    managedNode?: true
    nodeName?: string
    clusterName: string
    /** the node list could not be read: the instance stands for the whole cluster, not one node */
    assumedNode?: true
    /** deregistered by DeregisterContainerInstance: stays INACTIVE until its cluster is created again */
    userDeregistered?: true
  }
}

export interface NodeInfo {
  name: string
  /** cpu units (1024 per core) and memory in MiB, from the node's capacity */
  cpuUnits: number
  memoryMiB: number
  /** `x86_64` or `arm64` (ECS attribute values) */
  architecture: string
  /** no node list: a stand-in for the cluster */
  assumed?: boolean
}

type Scope = Pick<RequestContext, 'account' | 'region'>

export const containerInstanceKey = (scope: Scope, clusterName: string, id: string) =>
  scopedKey(scope, clusterName, 'container-instance', id)

/** A stable 32-hex id per cluster and node, so registering again finds the same instance. */
const nodeInstanceId = (clusterArn: string, nodeName: string) =>
  createHash('sha256').update(`${clusterArn}\n${nodeName}`).digest('hex').slice(0, 32)

const isKecsManagedInstance = (doc: ContainerInstanceDoc) => !!doc.kecs?.managedNode

const REGISTERED = new Set(['ACTIVE', 'DRAINING'])

/** The cluster's registered (ACTIVE or DRAINING) container instances. */
export function clusterInstances(repos: Pick<Repos, 'containerInstances'>, clusterArn: string): ContainerInstanceDoc[] {
  const out: ContainerInstanceDoc[] = []
  for (const doc of repos.containerInstances.values()) {
    if (doc?.clusterArn === clusterArn && REGISTERED.has(doc.status)) out.push(doc)
  }
  return out.sort((a, b) => (a.containerInstanceArn < b.containerInstanceArn ? -1 : 1))
}

/** The cluster's registered instance standing for a Kubernetes node. */
export function nodeInstance(repos: Pick<Repos, 'containerInstances'>, clusterArn: string, nodeName: string): ContainerInstanceDoc | undefined {
  return clusterInstances(repos, clusterArn).find((d) => pinnableNode(d) === nodeName)
}

/** How many of the cluster's registered instances are KECS's node instances (they go with the cluster). */
export function managedInstanceCount(repos: Pick<Repos, 'containerInstances'>, clusterArn: string): number {
  return clusterInstances(repos, clusterArn).filter(isKecsManagedInstance).length
}

/** A container instance reference (ARN or id) in a cluster, registered or not. */
export function findInstance(
  ctx: Scope,
  repos: Pick<Repos, 'containerInstances'>,
  clusterName: string,
  ref: string,
): ContainerInstanceDoc | undefined {
  let id = ref
  if (isArn(ref)) {
    const p = parseArn(ref)
    if (!p || p.resourceType !== 'container-instance' || p.account !== ctx.account || p.region !== ctx.region) return undefined
    const parts = p.resource.split('/')
    if (parts.length === 2 && parts[0] !== clusterName) return undefined
    id = parts[parts.length - 1]!
  }
  return repos.containerInstances.get(containerInstanceKey(ctx, clusterName, id))
}

function buildInstance(scope: Scope, clusterName: string, clusterArn: string, node: NodeInfo, nowMs: number): ContainerInstanceDoc {
  const id = nodeInstanceId(clusterArn, node.name)
  const resources = [
    { name: 'CPU', type: 'INTEGER', doubleValue: 0, longValue: 0, integerValue: node.cpuUnits },
    { name: 'MEMORY', type: 'INTEGER', doubleValue: 0, longValue: 0, integerValue: node.memoryMiB },
    { name: 'PORTS', type: 'STRINGSET', doubleValue: 0, longValue: 0, integerValue: 0, stringSetValue: ['22', '2376', '2375', '51678', '51679'] },
    { name: 'PORTS_UDP', type: 'STRINGSET', doubleValue: 0, longValue: 0, integerValue: 0, stringSetValue: [] },
  ]
  return {
    containerInstanceArn: containerInstanceArn(scope, clusterName, id),
    clusterArn,
    ec2InstanceId: `i-${id.slice(0, 17)}`,
    version: 1,
    versionInfo: { agentVersion: '1.89.0', agentHash: 'kecs', dockerVersion: 'DockerVersion: kubernetes' },
    remainingResources: structuredClone(resources),
    registeredResources: resources,
    status: 'ACTIVE',
    agentConnected: true,
    runningTasksCount: 0,
    pendingTasksCount: 0,
    attributes: [
      { name: 'ecs.os-type', value: 'linux' },
      { name: 'ecs.cpu-architecture', value: node.architecture },
      { name: 'ecs.instance-type', value: 'kubernetes-node' },
      { name: 'ecs.availability-zone', value: `${scope.region}a` },
      { name: 'kecs.node-name', value: node.name },
      ...CAPABILITY_ATTRIBUTES.map((name) => ({ name })),
    ],
    registeredAt: epochSeconds(nowMs),
    attachments: [],
    kecs: { managedNode: true, nodeName: node.name, clusterName, ...(node.assumed ? { assumedNode: true as const } : {}) },
  }
}

/** Whether the node instance stands for one real node KECS can pin pods to. */
export const pinnableNode = (doc: ContainerInstanceDoc | undefined): string | undefined =>
  doc?.kecs?.managedNode && !doc.kecs.assumedNode ? doc.kecs.nodeName : undefined

/** Registers each node once per cluster (idempotent); publishes `ECS Container Instance State Change`. */
export async function registerNodeInstances(
  deps: Pick<EcsDeps, 'repos' | 'bus' | 'clock'>,
  scope: Scope,
  clusterName: string,
  clusterArn: string,
  nodes: NodeInfo[],
): Promise<void> {
  const added: ContainerInstanceDoc[] = []
  const ops = []
  for (const node of nodes) {
    const key = containerInstanceKey(scope, clusterName, nodeInstanceId(clusterArn, node.name))
    const existing = deps.repos.containerInstances.get(key)
    if (existing && REGISTERED.has(existing.status)) {
      // registered before instances carried the agent's capabilities: they are added, so placement sees them
      const refreshed = withCapabilities(existing)
      if (refreshed) ops.push(deps.repos.containerInstances.stagePut(key, refreshed))
      continue
    }
    if (existing?.kecs?.userDeregistered) continue
    const doc = buildInstance(scope, clusterName, clusterArn, node, deps.clock.now())
    if (existing) doc.version = (existing.version ?? 0) + 1
    ops.push(deps.repos.containerInstances.stagePut(key, doc))
    added.push(doc)
  }
  if (ops.length === 0) return
  await deps.repos.store.write(ops)
  for (const doc of added) publishInstanceChange(deps, scope, doc)
}

function withCapabilities(doc: ContainerInstanceDoc): ContainerInstanceDoc | undefined {
  const have = new Set((doc.attributes ?? []).map((a) => a.name))
  const missing = CAPABILITY_ATTRIBUTES.filter((name) => !have.has(name))
  if (missing.length === 0) return undefined
  return { ...structuredClone(doc), attributes: [...(doc.attributes ?? []), ...missing.map((name) => ({ name }))] }
}

/** Marks the cluster's node instances INACTIVE (deregistered) when the cluster is deleted. */
export async function deregisterNodeInstances(
  deps: Pick<EcsDeps, 'repos' | 'bus' | 'clock'>,
  scope: Scope,
  clusterArn: string,
): Promise<void> {
  const changed: ContainerInstanceDoc[] = []
  const ops = []
  for (const [key, doc] of deps.repos.containerInstances.entries()) {
    if (doc?.clusterArn !== clusterArn || !isKecsManagedInstance(doc)) continue
    if (doc.status === 'INACTIVE') {
      // the cluster goes: a later cluster of the same name registers its nodes afresh
      if (doc.kecs?.userDeregistered) ops.push(deps.repos.containerInstances.stagePut(key, { ...doc, kecs: { ...doc.kecs, userDeregistered: undefined } }))
      continue
    }
    const next: ContainerInstanceDoc = { ...structuredClone(doc), status: 'INACTIVE', agentConnected: false, version: (doc.version ?? 0) + 1 }
    ops.push(deps.repos.containerInstances.stagePut(key, next))
    changed.push(next)
  }
  if (ops.length === 0) return
  await deps.repos.store.write(ops)
  for (const doc of changed) publishInstanceChange(deps, scope, doc)
}

/** The detail is the instance in the model's ContainerInstance shape, ISO timestamps, plus `updatedAt`. */
export function publishInstanceChange(deps: Pick<EcsDeps, 'bus' | 'clock'>, scope: Scope, doc: ContainerInstanceDoc) {
  const detail = serializeShape('ContainerInstance', doc, 'iso') as Record<string, unknown>
  deps.bus.publish({
    detailType: 'ECS Container Instance State Change',
    account: scope.account,
    region: scope.region,
    resources: [doc.containerInstanceArn],
    detail: { ...detail, updatedAt: new Date(deps.clock.now()).toISOString() },
    time: new Date(deps.clock.now()),
  })
}
