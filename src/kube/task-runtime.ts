import type { Tag } from '@aws-sdk/client-ecs'
import type { V1Node, V1PersistentVolumeClaim, V1Pod } from '@kubernetes/client-node'
import { clusterArn as buildClusterArn } from '../ecs/arns.js'
import { clusterKey } from '../ecs/clusters/cluster-doc.js'
import type { RequestContext } from '../ecs/context.js'
import { taskKeyOf } from '../ecs/tasks/task-keys.js'
import { getTags } from '../ecs/tag-store.js'
import { taskDefinitionOfArn } from '../ecs/task-definitions/resolve.js'
import { deregisterNodeInstances, pinnableNode, registerNodeInstances, type NodeInfo } from '../ecs/tasks/node-instances.js'
import type { PreparedLaunch, TaskRuntime } from '../ecs/tasks/runtime.js'
import type { StopReason } from '../ecs/tasks/stopping.js'
import type { TaskDoc } from '../ecs/tasks/task-doc.js'
import type { TaskDefinitionDoc } from '../ecs/task-definitions/task-definition-doc.js'
import type { EcsCore, Wire } from '../ecs/types.js'
import { kubeErrorMessage, statusOf, type KubeClient } from './client.js'
import { ANNOTATIONS, clusterScopeOf, clusterToNamespace, namespaceName, taskToPod, type NeededSecret } from './convert/index.js'
import { dnsLabel } from './convert/names.js'
import type { LaunchVolume } from './convert/volumes.js'
import type { Reconciler } from './reconciler.js'
import { materializeSecrets, SECRET_LABELS, type SecretResolver } from './secret-resolver.js'
import { WorkQueue } from '../lib/work-queue.js'
import { toTimers, type Timers } from '../lib/timers.js'

/**
 * The TaskRuntime the ECS handlers use when KECS has a cluster: tasks become pods in the cluster's
 * namespace (`kecs-<cluster>`, with a suffix outside the instance's own region and account: see
 * namespaceName in convert/names.ts; converters in ./convert), stops delete them with the task's stop timeout
 * as grace period, and clusters own their namespaces and have their node(s) as container instances.
 */
export interface KubeRuntimeOptions {
  /** KECS's ECS API as seen from inside the cluster (AWS_ENDPOINT_URL_ECS in every container). */
  ecsEndpoint: () => string
  /** Base URL of the task metadata endpoint as seen from inside the cluster. */
  metadataEndpoint: () => string
  retentionMs: number
  /** The cluster provisions PersistentVolumeClaims on a default StorageClass (Kind, existing); the emulated one does not. */
  persistentVolumes?: boolean
  /** Resolves `secrets[].valueFrom` and repositoryCredentials at task start; absent: the Secrets are made empty. */
  secrets?: SecretResolver
  /** AWS_ENDPOINT_URL (KECS's API for every AWS service) in every container; default true (`--no-inject-endpoint`). */
  injectEndpoint?: boolean
  /** Asked before a task's pod is made (the awslogs group check): a reason stops the task instead. */
  launchCheck?: (task: TaskDoc, td: TaskDefinitionDoc) => Promise<StopReason | undefined>
  /** The launch queue's timers (its retries); default real timers. */
  timers?: Timers
  log?: (line: string) => void
}

interface KubeLaunch extends PreparedLaunch {
  td: TaskDefinitionDoc
  pod: V1Pod
  secrets: NeededSecret[]
  /** claims of EBS volumes kept after the task (deleteOnTermination false), made before the pod */
  claims: V1PersistentVolumeClaim[]
}

/** Pods being made at once by the launch controller (each a few API calls). */
const LAUNCHES_AT_ONCE = 8

export class KubeTaskRuntime implements TaskRuntime {
  /** Namespaces known to exist (ensured once per cluster while KECS runs). */
  private readonly namespaces = new Set<string>()
  /**
   * Tasks stored but whose pods are not made yet, by task key. RunTask answers once the task is
   * stored (PROVISIONING, as ECS does); this controller makes the pods afterwards, off the request path.
   */
  private readonly toLaunch = new Map<string, KubeLaunch>()
  private readonly launches: WorkQueue

  constructor(
    private readonly client: KubeClient,
    private readonly deps: EcsCore,
    private readonly reconciler: Reconciler,
    private readonly opts: KubeRuntimeOptions,
  ) {
    // A few pods made at a time, clusters taking turns: a RunTask burst in one cluster does not hold
    // back the tasks of another (time to RUNNING unaffected by other clients' load).
    this.launches = new WorkQueue(
      'launch',
      (key) => this.syncLaunch(key),
      toTimers(opts.timers),
      (where, err) => this.opts.log?.(`${where}: ${(err as Error)?.message ?? err}`),
      undefined,
      { maxActive: LAUNCHES_AT_ONCE, laneOf: (key) => key.slice(0, key.lastIndexOf('/')) },
    )
  }

  get retentionMs(): number {
    return this.opts.retentionMs
  }

  prepare(task: TaskDoc, td: TaskDefinitionDoc, tags: Wire<Tag>[]): KubeLaunch {
    const p = /^arn:[^:]+:ecs:([^:]*):(\d{12}):/.exec(task.taskArn)!
    const persistent = this.opts.persistentVolumes ?? false
    const launchVolumes: LaunchVolume[] = (task.kecs.managedVolumes ?? []).map((v) => ({
      name: v.name,
      sizeInGiB: v.sizeInGiB,
      persistent,
      ...(persistent && !v.deleteOnTermination ? { claimName: dnsLabel(`${task.kecs.taskId}-${v.name}`) } : {}),
    }))
    const { pod, secrets, ignored } = taskToPod({
      clusterName: task.kecs.clusterName,
      clusterArn: task.clusterArn,
      region: p[1]!,
      account: p[2]!,
      launchType: task.launchType,
      ecsEndpoint: this.opts.ecsEndpoint(),
      ...(this.opts.injectEndpoint === false ? {} : { awsEndpoint: this.opts.ecsEndpoint() }),
      metadataEndpoint: this.opts.metadataEndpoint(),
      tags,
      taskDefinition: td,
      taskId: task.kecs.taskId,
      taskArn: task.taskArn,
      overrides: task.overrides,
      startedBy: task.startedBy,
      group: task.group,
      nodeName: this.nodeOf(task),
      launchVolumes,
    })
    task.kecs.namespace = pod.metadata!.namespace
    task.kecs.podName = pod.metadata!.name
    if (ignored.length) task.kecs.ignored = ignored
    const claims = launchVolumes.filter((v) => v.claimName).map((v) => keptClaim(pod, v))
    return { task, td, pod, secrets, claims }
  }

  /** The node ECS placement put the task on, when its container instance is one real node. */
  private nodeOf(task: TaskDoc): string | undefined {
    const arn = task.containerInstanceArn
    if (!arn) return undefined
    for (const doc of this.deps.repos.containerInstances.values()) if (doc?.containerInstanceArn === arn) return pinnableNode(doc)
    return undefined
  }

  /** Cordons or uncordons a node (UpdateContainerInstancesState: DRAINING / ACTIVE). */
  async setNodeSchedulable(nodeName: string, schedulable: boolean): Promise<void> {
    try {
      await this.client.setNodeUnschedulable(nodeName, !schedulable)
    } catch (err) {
      // e.g. no right to patch nodes on an existing cluster: the instance still drains ECS-side
      this.opts.log?.(`${schedulable ? 'uncordoning' : 'cordoning'} node ${nodeName}: ${kubeErrorMessage(err)}`)
    }
  }

  /** Queues the task's pod; the launch controller makes it (syncLaunch). */
  launch(prepared: PreparedLaunch): void {
    const key = taskKeyOf(prepared.task)
    this.toLaunch.set(key, prepared as KubeLaunch)
    this.launches.add(key)
  }

  /**
   * After a restart: a task stored whose pod was never made (KECS stopped between RunTask's answer
   * and the pod) gets it now. Such a task is still at its first version (the reconciler bumps it as
   * soon as it sees the pod) and meant to run. Returns whether the task is taken care of.
   */
  resume(task: TaskDoc): boolean {
    if (task.version !== 1 || task.desiredStatus !== 'RUNNING' || task.kecs?.adopted) return false
    const td = taskDefinitionOfArn(this.deps.repos, task.taskDefinitionArn)
    if (!td) return false
    let prepared: KubeLaunch
    try {
      prepared = this.prepare(structuredClone(task), td, getTags(this.deps.repos, task.taskArn).map((t) => ({ key: t.key, value: t.value })))
    } catch {
      return false
    }
    this.launch(prepared)
    return true
  }

  /** Waits for the launches queued so far (shutdown). */
  stopLaunches(): Promise<void> {
    return this.launches.stop()
  }

  private async syncLaunch(key: string): Promise<void> {
    const prepared = this.toLaunch.get(key)
    if (!prepared) return
    this.toLaunch.delete(key)
    const now = this.deps.repos.tasks.get(key)
    if (!now || now.lastStatus === 'STOPPED') return
    // Stopped before its pod was made (StopTask): no pod; the reconciler records STOPPED.
    if (now.desiredStatus === 'STOPPED') return this.reconciler.podGone(key)
    await this.create(prepared)
  }

  /** Makes the task's pod (and its Secrets and claims); a failure stops the task. Never throws. */
  private async create(prepared: KubeLaunch): Promise<void> {
    const { task, td, pod, secrets, claims } = prepared
    const key = taskKeyOf(task)
    const refused = await this.checkLaunch(task, td)
    if (refused) return this.reconciler.podGone(key, refused)
    const ns = pod.metadata!.namespace!
    const owner = dnsLabel(task.kecs.taskId)
    // Settings accepted but not applied are never dropped silently: the instance log names them.
    for (const i of task.kecs.ignored ?? []) this.opts.log?.(`task ${task.taskArn}: ${i.field} is ignored: ${i.reason}`)
    // Resolved now, per task (ECS reads them at task start): a value changed later reaches new tasks only.
    const p = /^arn:[^:]+:ecs:([^:]*):(\d{12}):/.exec(task.taskArn)!
    const resolved = await materializeSecrets({ needed: secrets, resolver: this.opts.secrets, scope: { region: p[1]!, account: p[2]! }, namespace: ns, owner })
    if (!resolved.ok) {
      this.opts.log?.(`task ${task.taskArn}: ${resolved.stoppedReason}`)
      this.reconciler.podGone(key, { stopCode: 'TaskFailedToStart', stoppedReason: resolved.stoppedReason })
      return
    }
    let created: V1Pod | undefined
    try {
      await this.ensureNamespace(task.kecs.clusterName, task.clusterArn)
      for (const s of resolved.secrets) await this.client.putSecret(s)
      for (const c of claims) await this.client.ensurePersistentVolumeClaim(c)
      created = await this.createPod(task, pod)
    } catch (err) {
      this.opts.log?.(`creating pod for task ${task.taskArn}: ${kubeErrorMessage(err)}`)
      if (resolved.secrets.length) {
        await this.client.deleteSecrets(ns, `${SECRET_LABELS.owner}=${owner}`).catch(() => 0)
      }
      this.reconciler.podGone(key, {
        stopCode: 'TaskFailedToStart',
        stoppedReason: `ResourceInitializationError: could not create the task's pod: ${kubeErrorMessage(err)}`,
      })
      return
    }
    // The task's Secrets go with its pod (the garbage collector deletes them after the pod).
    const uid = created?.metadata?.uid
    if (!uid) return
    for (const s of resolved.secrets) {
      await this.client
        .setSecretOwner(ns, s.metadata!.name!, { apiVersion: 'v1', kind: 'Pod', name: pod.metadata!.name!, uid })
        .catch((err) => this.opts.log?.(`task ${task.taskArn}: secret ${s.metadata!.name} is not owned by its pod: ${kubeErrorMessage(err)}`))
    }
  }

  private async checkLaunch(task: TaskDoc, td: TaskDefinitionDoc): Promise<StopReason | undefined> {
    try {
      return await this.opts.launchCheck?.(task, td)
    } catch (err) {
      this.opts.log?.(`checking task ${task.taskArn} before launch: ${(err as Error).message}`)
      return undefined
    }
  }

  /** Creates the pod (undefined when it was created already); a namespace deleted behind KECS's back is created again once. */
  private async createPod(task: TaskDoc, pod: V1Pod): Promise<V1Pod | undefined> {
    try {
      return await this.client.createPod(pod)
    } catch (err) {
      if (statusOf(err) === 409) return undefined // created already (a retried launch)
      if (statusOf(err) !== 404) throw err
      this.namespaces.delete(pod.metadata!.namespace!)
      await this.ensureNamespace(task.kecs.clusterName, task.clusterArn)
      return await this.client.createPod(pod)
    }
  }

  /** The task's doc says STOPPED: its controller deletes the pod (with the stop timeout as grace period). */
  async stop(task: TaskDoc): Promise<void> {
    const key = taskKeyOf(task)
    if (!task.kecs.podName) return this.reconciler.podGone(key)
    // A pod not made yet is never made: the launch controller sees desiredStatus STOPPED.
    if (this.toLaunch.has(key)) return this.launches.add(key)
    this.reconciler.enqueue(key)
  }

  // --- clusters ---

  /** A new (or re-created) cluster: its namespace, and the node(s) as container instances. */
  async clusterCreated(ctx: Pick<RequestContext, 'account' | 'region'>, clusterName: string, nodes?: NodeInfo[]): Promise<void> {
    const arn = buildClusterArn(ctx, clusterName)
    await this.ensureNamespace(clusterName, arn)
    await registerNodeInstances(this.deps, ctx, clusterName, arn, nodes ?? (await this.nodeInfos()))
  }

  /** A deleted cluster: its namespace goes (with whatever still runs in it); its node instances are deregistered. */
  async clusterDeleted(ctx: Pick<RequestContext, 'account' | 'region'>, clusterName: string): Promise<void> {
    const arn = buildClusterArn(ctx, clusterName)
    await deregisterNodeInstances(this.deps, ctx, arn)
    const ns = namespaceName(clusterName, ctx)
    this.namespaces.delete(ns)
    // The cluster is already deleted: a namespace that cannot be removed now is logged, not an error.
    await this.deleteOwnNamespace(ns, arn).catch((err) => this.opts.log?.(`deleting namespace ${ns}: ${kubeErrorMessage(err)}`))
  }

  /**
   * Deletes a cluster's namespace unless it says it belongs to another cluster (one of the same name
   * in another region or account that shared it before namespaces had a region suffix).
   */
  private async deleteOwnNamespace(ns: string, clusterArn: string): Promise<void> {
    const owner = (await this.client.readNamespace(ns))?.metadata?.annotations?.[ANNOTATIONS.clusterArn]
    if (owner && owner !== clusterArn) {
      this.opts.log?.(`namespace ${ns} belongs to cluster ${owner}: left in place`)
      return
    }
    await this.client.deleteNamespace(ns)
  }

  /** At start: every ACTIVE cluster gets its namespace and node instances (clusters made without a cluster, or before a reset). */
  async adoptClusters(): Promise<void> {
    const todo: [Pick<RequestContext, 'account' | 'region'>, string][] = []
    for (const [key, doc] of this.deps.repos.clusters.entries()) {
      if (doc.status !== 'ACTIVE') continue
      const [account, region] = key.split('/')
      const ctx = { account: account!, region: region! }
      if (clusterKey(ctx, doc.clusterName) === key) todo.push([ctx, doc.clusterName])
    }
    // a few at a time: an instance may hold many clusters; the nodes are listed once for all of them
    const nodes = todo.length ? await this.nodeInfos() : []
    const worker = async () => {
      for (let next = todo.shift(); next; next = todo.shift()) await this.clusterCreated(next[0], next[1], nodes)
    }
    await Promise.all(Array.from({ length: 8 }, worker))
  }

  private async ensureNamespace(clusterName: string, clusterArn: string): Promise<void> {
    const ns = namespaceName(clusterName, clusterScopeOf(clusterArn))
    if (this.namespaces.has(ns)) return
    await this.client.ensureNamespace(clusterToNamespace(clusterName, clusterArn))
    this.namespaces.add(ns)
  }

  /** Listed afresh for each new cluster, so nodes added since KECS started become its instances too. */
  private async nodeInfos(): Promise<NodeInfo[]> {
    const nodes = (await this.client.listNodes()).map(nodeInfo)
    // Without the right to list nodes KECS still needs one instance for EC2 tasks: the cluster itself.
    return nodes.length ? nodes : [{ name: 'kubernetes', cpuUnits: 4096, memoryMiB: 8192, architecture: 'x86_64', assumed: true }]
  }
}

/** Node capacity in ECS units: cpu 1024 per core, memory MiB. */
function nodeInfo(n: V1Node): NodeInfo {
  const cap = n.status?.capacity ?? {}
  const arch = n.status?.nodeInfo?.architecture
  return {
    name: n.metadata?.name ?? 'node',
    cpuUnits: Math.round(cpuCores(cap.cpu ?? '1') * 1024),
    memoryMiB: Math.floor(bytes(cap.memory ?? '0') / (1024 * 1024)),
    architecture: arch === 'arm64' ? 'arm64' : 'x86_64',
  }
}

const cpuCores = (q: string) => (q.endsWith('m') ? Number(q.slice(0, -1)) / 1000 : Number(q)) || 1

function bytes(q: string): number {
  const m = /^(\d+(?:\.\d+)?)([KMGTPE]i?)?$/.exec(q)
  if (!m) return 0
  const pow: Record<string, number> = { K: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 }
  return Number(m[1]) * (m[2] ? pow[m[2]]! : 1)
}

/** The claim of an EBS volume that outlives its task: on the default StorageClass, labelled as the pod is. */
function keptClaim(pod: V1Pod, v: LaunchVolume): V1PersistentVolumeClaim {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: v.claimName!, namespace: pod.metadata!.namespace!, labels: { ...(pod.metadata!.labels ?? {}) } },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: `${v.sizeInGiB}Gi` } } },
  }
}
