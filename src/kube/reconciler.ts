import type { V1Pod } from '@kubernetes/client-node'
import { parseArn } from '../ecs/arns.js'
import { buildTask } from '../ecs/tasks/build-task.js'
import { publishTaskChange, saveTaskChange } from '../ecs/tasks/events.js'
import { clusterInstances, nodeInstance } from '../ecs/tasks/node-instances.js'
import { isExpired } from '../ecs/tasks/runtime.js'
import type { StopReason } from '../ecs/tasks/stopping.js'
import type { TaskDoc } from '../ecs/tasks/task-doc.js'
import { managedVolumesFor, volumeAttachment } from '../ecs/tasks/managed-volumes.js'
import { spread } from '../ecs/tasks/validate-run.js'
import { serviceKey } from '../ecs/services/service-doc.js'
import type { TaskDefinitionDoc } from '../ecs/task-definitions/task-definition-doc.js'
import { taskKey, taskKeyOf, taskKeyOfArn } from '../ecs/tasks/task-keys.js'
import { taskDefinitionOfArn } from '../ecs/task-definitions/resolve.js'
import { stageDeleteTags } from '../ecs/tag-store.js'
import type { EcsCore } from '../ecs/types.js'
import { WorkQueue } from '../lib/work-queue.js'
import { every, type Timers } from '../lib/timers.js'
import type { KubeClient } from './client.js'
import type { SharedInformer } from './informer.js'
import { taskIdOfPodUid } from '../ecs/tasks/container-ids.js'
import { ANNOTATIONS, LABELS } from './convert/labels.js'
import { POD_DELETED, taskStateFromPod } from './task-state.js'

/**
 * Kubernetes → ECS task state: a level-triggered controller over the shared pod informer. A pod
 * event only enqueues its task's key; `sync(key)` reads the task and its pod from the cache, maps
 * them with taskStateFromPod and stores and publishes a change. A task whose pod was seen and is gone
 * is STOPPED; at start, a stored task whose pod is not there lost it while KECS was down. Details:
 * docs/architecture.md ("Controllers").
 */
export interface ReconcilerOptions {
  deps: EcsCore
  client: KubeClient
  pods: SharedInformer<V1Pod>
  timers: Timers
  retentionMs: number
  log?: (line: string) => void
  /** Awaited before KECS deletes a task's pod (e.g. to keep the tail of its logs). */
  beforePodDelete?: (task: TaskDoc, pod: V1Pod | undefined) => Promise<void>
  /** How often forgotten STOPPED tasks are swept (ms); default min(retention, 60s). */
  sweepIntervalMs?: number
  /** At start, a stored task without its pod: true when its pod was never made and is made now (the launch controller). */
  resume?: (task: TaskDoc) => boolean
}

export const RESTART_LOST: StopReason = {
  stopCode: 'InfrastructureHealth',
  stoppedReason: 'Task stopped because its pod was not found after a KECS restart',
}

const TASK_INDEX = 'task'

export class Reconciler {
  /** The last state seen of each task's pod, so a vanished pod's task keeps its containers' exit codes. */
  private readonly lastPod = new Map<string, V1Pod>()
  /** Tasks whose pod is known to be gone without a watch event (never created, restart check), with why. */
  private readonly gone = new Map<string, StopReason | undefined>()
  private readonly queue: WorkQueue
  private stopSweeping = () => {}
  private readonly deps: EcsCore

  constructor(private readonly opts: ReconcilerOptions) {
    this.deps = opts.deps
    this.queue = new WorkQueue('task', (key) => this.sync(key), opts.timers, (where, err) =>
      this.log(`${where}: ${(err as Error)?.message ?? err}`),
    )
    opts.pods.addIndex(TASK_INDEX, (pod) => {
      const key = this.keyOf(pod)
      return key ? [key] : []
    })
    opts.pods.addHandler((_type, pod) => {
      const key = this.keyOf(pod)
      if (!key) return
      this.lastPod.set(key, pod)
      this.queue.add(key)
    })
  }

  /**
   * Once the pod informer has listed: stored tasks whose pods are not there lost them while KECS was
   * down (the restart check); then sweeps forgotten tasks periodically.
   */
  start(): void {
    for (const [key, doc] of this.deps.repos.tasks.entries()) {
      if (doc.lastStatus === 'STOPPED' || !doc.kecs?.podName || this.podOf(key)) continue
      if (this.opts.resume?.(doc)) continue
      this.podGone(key, RESTART_LOST)
    }
    const interval = this.opts.sweepIntervalMs ?? Math.max(1_000, Math.min(this.opts.retentionMs, 60_000))
    this.stopSweeping = every(this.opts.timers, interval, () => void this.sweep())
  }

  async stop(): Promise<void> {
    this.stopSweeping()
    await this.queue.stop()
  }

  /** The task's pod is gone or could not be created (the runtime, the restart check). */
  podGone(key: string, reason?: StopReason): void {
    this.gone.set(key, reason)
    this.queue.add(key)
  }

  /** Asks for the task's pod to go (StopTask, the scheduler): the next sync deletes it. */
  enqueue(key: string): void {
    this.queue.add(key)
  }

  /** Level-triggered: the task and its pod as they are now. */
  private async sync(key: string): Promise<void> {
    const pod = this.podOf(key)
    if (pod) {
      this.gone.delete(key)
      return this.apply(key, pod, false)
    }
    const seen = this.lastPod.get(key)
    if (!seen && !this.gone.has(key)) return // created but not seen yet: its ADDED event follows
    const reason = this.gone.get(key)
    this.gone.delete(key)
    this.lastPod.delete(key)
    return this.apply(key, seen, true, reason)
  }

  private podOf(key: string): V1Pod | undefined {
    return this.opts.pods.byIndex(TASK_INDEX, key)[0]
  }

  /** Applies one observation of a task's pod. */
  private async apply(key: string, pod: V1Pod | undefined, gone: boolean, lost?: StopReason): Promise<void> {
    let doc = this.deps.repos.tasks.get(key)
    if (!doc) {
      if (gone || !pod) return
      doc = this.adopt(key, pod)
      if (!doc) return
    }
    if (!doc.kecs) doc = withInternal(doc, pod)
    if (doc.lastStatus === 'STOPPED') {
      // A pod left behind by a stopped task (e.g. stopped while KECS was down) is cleaned up.
      if (!gone && pod && !pod.metadata?.deletionTimestamp) await this.deletePod(doc, pod, 0)
      return
    }
    const next = taskStateFromPod({ pod, gone, task: doc, nowMs: this.deps.clock.now(), lost: lost ?? lostReason(doc) })
    this.followNode(next, pod)
    if (stateChanged(doc, next)) {
      next.version = doc.version + 1
      saveTaskChange(this.deps, next, [], doc).catch((err) => this.log(`storing task ${next.taskArn}: ${(err as Error).message}`))
    } else if (JSON.stringify(doc) !== JSON.stringify(next)) {
      // Details only (timestamps, digests, ENI details): stored, no new version or event.
      this.deps.repos.store
        .write([this.deps.repos.tasks.stagePut(key, next)])
        .catch((err) => this.log(`storing task ${next.taskArn}: ${(err as Error).message}`))
    }
    if (!gone && pod && next.desiredStatus === 'STOPPED' && !pod.metadata?.deletionTimestamp) {
      const terminal = pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed'
      await this.deletePod(next, pod, terminal ? 0 : next.kecs.stopTimeoutSeconds)
    }
  }

  /** Deletes a task's pod (the hook first). Runs inside the task's sync, so never twice at once. */
  private async deletePod(task: TaskDoc, pod: V1Pod, graceSeconds: number): Promise<void> {
    const ns = pod.metadata?.namespace
    const name = pod.metadata?.name
    if (!ns || !name) return
    await this.opts.beforePodDelete?.(task, pod).catch((err) => this.log(`before deleting pod ${ns}/${name}: ${err?.message ?? err}`))
    // Gone already: the informer's DELETED event finishes the task. A failure is retried by the queue.
    await this.opts.client.deletePod(ns, name, graceSeconds)
  }

  /** Forgets STOPPED tasks older than the retention (and whatever tags they still have). */
  async sweep(): Promise<void> {
    const now = this.deps.clock.now()
    const ops = []
    for (const [key, doc] of [...this.deps.repos.tasks.entries()]) {
      if (!isExpired(doc, now, this.opts.retentionMs)) continue
      ops.push(this.deps.repos.tasks.stageDelete(key), stageDeleteTags(this.deps.repos, doc.taskArn))
      this.lastPod.delete(key)
    }
    if (ops.length) await this.deps.repos.store.write(ops).catch((err) => this.log(`sweeping stopped tasks: ${err.message}`))
  }

  /**
   * The task a pod belongs to: its task ARN annotation, else (service pods) cluster + the pod UID
   * without dashes, or cluster + pod name for a task an older version adopted under that id.
   */
  private keyOf(pod: V1Pod): string | undefined {
    const a = pod.metadata?.annotations ?? {}
    const byArn = a[ANNOTATIONS.taskArn] ? taskKeyOfArn(a[ANNOTATIONS.taskArn]!) : undefined
    if (byArn) return byArn
    const cluster = a[ANNOTATIONS.clusterArn] ? parseArn(a[ANNOTATIONS.clusterArn]!) : undefined
    const name = pod.metadata?.name
    if (!cluster || cluster.resourceType !== 'cluster' || !name) return undefined
    const scope = { account: cluster.account, region: cluster.region }
    const uid = pod.metadata?.uid
    const key = uid ? taskKey(scope, cluster.resource, taskIdOfPodUid(uid)) : undefined
    if (key && this.deps.repos.tasks.get(key)) return key
    const legacyKey = taskKey(scope, cluster.resource, name)
    const legacy = this.deps.repos.tasks.get(legacyKey)
    if (legacy?.kecs?.podName === name && legacy.kecs.namespace === pod.metadata?.namespace) return legacyKey
    return key
  }

  /** A service's task (placed by Kubernetes) is on the container instance of the node its pod runs on. */
  private followNode(task: TaskDoc, pod: V1Pod | undefined): void {
    const node = pod?.spec?.nodeName
    if (!task.kecs.adopted || !node || task.launchType === 'FARGATE') return
    const inst = nodeInstance(this.deps.repos, task.clusterArn, node)
    if (inst) task.containerInstanceArn = inst.containerInstanceArn
  }

  /** A service's pod with no task yet becomes one (task id = pod UID without dashes); other unknown pods are ignored. */
  private adopt(key: string, pod: V1Pod): TaskDoc | undefined {
    const a = pod.metadata?.annotations ?? {}
    const serviceName = a[ANNOTATIONS.serviceName] ?? pod.metadata?.labels?.[LABELS.service]
    if (!serviceName || a[ANNOTATIONS.taskArn] || pod.metadata?.deletionTimestamp || !pod.metadata?.uid) return undefined
    const cluster = parseArn(a[ANNOTATIONS.clusterArn] ?? '')
    const td = taskDefinitionOfArn(this.deps.repos, a[ANNOTATIONS.taskDefinitionArn])
    if (!cluster || !td) return undefined
    const scope = { account: cluster.account, region: cluster.region }
    const launchType = a[ANNOTATIONS.launchType] ?? 'EC2'
    const clusterArn = a[ANNOTATIONS.clusterArn]!
    const node = pod.spec?.nodeName
    const instance =
      launchType === 'FARGATE' ? undefined : ((node && nodeInstance(this.deps.repos, clusterArn, node)) || clusterInstances(this.deps.repos, clusterArn)[0])
    const created = Date.parse(String(pod.metadata?.creationTimestamp ?? ''))
    const doc = buildTask({
      scope,
      clusterName: a[ANNOTATIONS.clusterName] ?? cluster.resource,
      clusterArn,
      taskDefinition: td,
      taskId: taskIdOfPodUid(pod.metadata.uid),
      nowMs: Number.isNaN(created) ? this.deps.clock.now() : created,
      launchType,
      containerInstanceArn: instance?.containerInstanceArn,
      startedBy: a[ANNOTATIONS.startedBy] ?? a[ANNOTATIONS.deploymentId],
      group: a[ANNOTATIONS.group] ?? `service:${serviceName}`,
      networkConfiguration: td.networkMode === 'awsvpc' ? { awsvpcConfiguration: { subnets: [] } } : undefined,
      // A service's tasks get the setting the service has when they start (ECS Exec).
      enableExecuteCommand: this.deps.repos.services.get(serviceKey(scope, a[ANNOTATIONS.clusterName] ?? cluster.resource, serviceName))?.enableExecuteCommand,
    })
    doc.kecs.namespace = pod.metadata!.namespace
    doc.kecs.podName = pod.metadata!.name
    doc.kecs.adopted = true
    this.addServiceVolumes(doc, td, scope, serviceName, a[ANNOTATIONS.deploymentId])
    this.addServiceProvider(doc, scope, serviceName, a[ANNOTATIONS.deploymentId])
    if (taskKeyOf(doc) !== key) return undefined
    this.deps.repos.store
      .write([this.deps.repos.tasks.stagePut(key, doc)])
      .catch((err) => this.log(`storing task ${doc.taskArn}: ${err.message}`))
    publishTaskChange(this.deps, doc, undefined)
    return doc
  }

  /**
   * A service task started under a capacity provider strategy names its provider, as RunTask's do: the
   * next in the strategy's spread (bases first, then weights) over the deployment's tasks so far.
   */
  private addServiceProvider(doc: TaskDoc, scope: { account: string; region: string }, service: string, deploymentId?: string) {
    const svc = this.deps.repos.services.get(serviceKey(scope, doc.kecs.clusterName, service))
    const strategy = svc?.deployments.find((d) => d.id === deploymentId)?.capacityProviderStrategy
    if (!strategy?.length || !deploymentId) return
    let n = 0
    for (const t of this.deps.repos.tasks.values()) if (t.startedBy === deploymentId && t.clusterArn === doc.clusterArn) n++
    const provider = spread(strategy, n + 1)[n]
    if (provider) doc.capacityProviderName = provider
  }

  /** A service task's EBS volumes configured at launch: its deployment's, each task with volumes of its own. */
  private addServiceVolumes(doc: TaskDoc, td: TaskDefinitionDoc, scope: { account: string; region: string }, service: string, deploymentId?: string) {
    const svc = this.deps.repos.services.get(serviceKey(scope, doc.kecs.clusterName, service))
    const configs = svc?.deployments.find((d) => d.id === deploymentId)?.volumeConfigurations
    if (!configs?.length) return
    try {
      const volumes = managedVolumesFor(td, configs)
      doc.kecs.managedVolumes = volumes
      doc.attachments = [...(doc.attachments ?? []), ...volumes.map(volumeAttachment)]
    } catch {
      // checked when the service was created or updated; a task definition changed since is left without
    }
  }

  private log(line: string): void {
    this.opts.log?.(line)
  }
}

/** A task doc written without KECS's internal part (e.g. by another family): fill it from the pod. */
function withInternal(doc: TaskDoc, pod: V1Pod | undefined): TaskDoc {
  const a = pod?.metadata?.annotations ?? {}
  const [, clusterName = '', taskId = ''] = /:task\/([^/]+)\/(.+)$/.exec(doc.taskArn) ?? []
  return {
    ...doc,
    kecs: {
      clusterName,
      taskId,
      namespace: pod?.metadata?.namespace,
      podName: pod?.metadata?.name,
      essential: a[ANNOTATIONS.essentialContainers]?.split(',').filter(Boolean) ?? (doc.containers ?? []).map((c) => c.name ?? ''),
      stopTimeoutSeconds: pod?.spec?.terminationGracePeriodSeconds ?? 30,
    },
  }
}

/** Why a task whose pod is deleted or vanishes without KECS asking stops. */
function lostReason(doc: TaskDoc): StopReason {
  if (doc.group?.startsWith('service:')) {
    return {
      stopCode: 'ServiceSchedulerInitiated',
      stoppedReason: `Scaling activity initiated by (deployment ${doc.startedBy ?? doc.group.slice('service:'.length)})`,
    }
  }
  return POD_DELETED
}

/**
 * A state change (new version, `ECS Task State Change`): the task's lastStatus, desiredStatus, health,
 * connectivity or stop code, an attachment's status, or a container's lastStatus, health or exit code
 * (docs/ecs-facts.md#events: one event per change of task or container status).
 */
function stateChanged(a: TaskDoc, b: TaskDoc): boolean {
  return JSON.stringify(stateOf(a)) !== JSON.stringify(stateOf(b))
}

const stateOf = (t: TaskDoc) => [
  t.lastStatus,
  t.desiredStatus,
  t.healthStatus,
  t.connectivity,
  t.stopCode,
  (t.attachments ?? []).map((a) => a.status),
  (t.containers ?? []).map((c) => [c.lastStatus, c.healthStatus, c.exitCode]),
]
