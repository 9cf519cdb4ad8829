import type { V1Pod } from '@kubernetes/client-node'
import { parseArn } from '../ecs/arns.js'
import { buildTask } from '../ecs/tasks/build-task.js'
import { publishTaskChange, saveTaskChange } from '../ecs/tasks/events.js'
import { clusterInstances } from '../ecs/tasks/node-instances.js'
import { isExpired } from '../ecs/tasks/runtime.js'
import type { StopReason } from '../ecs/tasks/stopping.js'
import type { TaskDoc } from '../ecs/tasks/task-doc.js'
import { taskKey, taskKeyOf, taskKeyOfArn } from '../ecs/tasks/task-keys.js'
import { taskDefinitionOfArn } from '../ecs/task-definitions/resolve.js'
import { stageDeleteTags } from '../ecs/tag-store.js'
import type { EcsDeps } from '../ecs/types.js'
import type { KubeClient, PodWatch, WatchEventType } from './client.js'
import { taskIdOfPodUid } from '../ecs/tasks/container-ids.js'
import { ANNOTATIONS, LABELS, MANAGED_BY_VALUE } from './convert/labels.js'
import { POD_DELETED, taskStateFromPod } from './task-state.js'

/**
 * Kubernetes → ECS task state (DESIGN: "the reconciler turns what Kubernetes reports into ECS task
 * status and into events"). One watch on every pod KECS manages (`kecs.dev/managed-by=kecs`, all
 * namespaces) drives every task: each pod change goes through taskStateFromPod (task-state.ts); a
 * change bumps the task's version, is stored and is published as `ECS Task State Change`. When the
 * task must stop (an essential container exited, an image cannot be pulled, a failed pod) it deletes
 * the pod; a pod that vanishes makes its task STOPPED.
 *
 * Restart: the first list after start is compared with the stored tasks. Tasks whose pods still exist
 * carry on from the pods' current state; tasks whose pods are gone become STOPPED with
 * stopCode InfrastructureHealth and `Task stopped because its pod was not found after a KECS restart`
 * (what ECS reports when the infrastructure under a task is lost). A later relist (after 410 Gone)
 * treats missing pods as deleted outside KECS.
 *
 * Pods of services (Deployment pods, label `kecs.dev/service`) that have no task yet are adopted: a
 * task is built from the pod's annotations and its task definition. Its id is the pod's UID without
 * dashes (32 lowercase hex, the shape of every ECS task id; the pod name is Kubernetes's, e.g.
 * `web-6c5fcfccb-snwfk`), and the doc keeps the pod's namespace and name (logs, StopTask). Tasks
 * adopted by older versions under their pod name keep that id while their pod lives. Pods that name a
 * task KECS does not know are left alone (another KECS instance may share the cluster).
 */
export interface ReconcilerOptions {
  deps: EcsDeps
  client: KubeClient
  retentionMs: number
  log?: (line: string) => void
  /** Awaited before KECS deletes a task's pod (e.g. to keep the tail of its logs). */
  beforePodDelete?: (task: TaskDoc, pod: V1Pod | undefined) => Promise<void>
  /** How often forgotten STOPPED tasks are swept (ms); default min(retention, 60s). */
  sweepIntervalMs?: number
}

export type TaskChangeListener = (task: TaskDoc, previous: TaskDoc, pod: V1Pod | undefined) => void

export const RESTART_LOST: StopReason = {
  stopCode: 'InfrastructureHealth',
  stoppedReason: 'Task stopped because its pod was not found after a KECS restart',
}

export const MANAGED_SELECTOR = `${LABELS.managedBy}=${MANAGED_BY_VALUE}`

export class Reconciler {
  /** Tasks whose pod is being created right now: a list taken meanwhile may not show it yet. */
  readonly launching = new Set<string>()
  /** The last state seen of each task's pod, so a vanished pod's task keeps its containers' exit codes. */
  private readonly lastPod = new Map<string, V1Pod>()
  private readonly deleting = new Set<string>()
  private readonly listeners = new Set<TaskChangeListener>()
  private watch: PodWatch | undefined
  private sweeper: NodeJS.Timeout | undefined
  private synced = false
  private readonly deps: EcsDeps

  constructor(private readonly opts: ReconcilerOptions) {
    this.deps = opts.deps
  }

  /** Lists and applies every managed pod (the restart check), then watches. */
  async start(): Promise<void> {
    this.watch = this.opts.client.watchPods({
      labelSelector: MANAGED_SELECTOR,
      onSync: (pods) => this.sync(pods),
      onEvent: (type, pod) => this.onEvent(type, pod),
      onError: (err) => this.log(`pod watch: ${(err as Error)?.message ?? err} (retrying)`),
    })
    await this.watch.start()
    const every = this.opts.sweepIntervalMs ?? Math.max(1_000, Math.min(this.opts.retentionMs, 60_000))
    this.sweeper = setInterval(() => void this.sweep(), every)
    this.sweeper.unref?.()
  }

  stop(): void {
    this.watch?.stop()
    if (this.sweeper) clearInterval(this.sweeper)
  }

  /** Called on every task change the reconciler records (not for changes the handlers make). */
  onTaskChange(listener: TaskChangeListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** The full set of managed pods: apply each; tasks with no pod any more have lost it. */
  sync(pods: V1Pod[]): void {
    const seen = new Set<string>()
    for (const pod of pods) {
      const key = this.keyOf(pod)
      if (!key) continue
      seen.add(key)
      this.apply(key, pod, false)
    }
    const lost = this.synced ? undefined : RESTART_LOST
    for (const [key, doc] of this.deps.repos.tasks.entries()) {
      if (doc.lastStatus === 'STOPPED' || seen.has(key) || this.launching.has(key) || !doc.kecs?.podName) continue
      this.apply(key, this.lastPod.get(key), true, lost)
    }
    this.synced = true
  }

  onEvent(type: WatchEventType, pod: V1Pod): void {
    const key = this.keyOf(pod)
    if (key) this.apply(key, pod, type === 'DELETED')
  }

  /**
   * The task's pod is gone or could not be created: record it (used by the runtime when a pod it
   * deletes or creates turns out not to exist).
   */
  podGone(key: string, reason?: StopReason): void {
    this.apply(key, this.lastPod.get(key), true, reason)
  }

  /** Applies one observation of a task's pod. */
  apply(key: string, pod: V1Pod | undefined, gone: boolean, lost?: StopReason): void {
    let doc = this.deps.repos.tasks.get(key)
    if (!doc) {
      if (gone || !pod) return
      doc = this.adopt(key, pod)
      if (!doc) return
    }
    if (!doc.kecs) doc = withInternal(doc, pod)
    if (gone) this.lastPod.delete(key)
    else if (pod) this.lastPod.set(key, pod)
    if (doc.lastStatus === 'STOPPED') {
      // A pod left behind by a stopped task (e.g. stopped while KECS was down) is cleaned up.
      if (!gone && pod && !pod.metadata?.deletionTimestamp) void this.deletePod(key, doc, pod, 0)
      return
    }
    const next = taskStateFromPod({ pod, gone, task: doc, nowMs: this.deps.clock.now(), lost: lost ?? lostReason(doc) })
    if (stateChanged(doc, next)) {
      next.version = doc.version + 1
      saveTaskChange(this.deps, next).catch((err) => this.log(`storing task ${next.taskArn}: ${(err as Error).message}`))
      for (const l of this.listeners) l(next, doc, pod)
    } else if (JSON.stringify(doc) !== JSON.stringify(next)) {
      // Details only (timestamps, digests, ENI details): stored, no new version or event.
      this.deps.repos.store
        .write([this.deps.repos.tasks.stagePut(key, next)])
        .catch((err) => this.log(`storing task ${next.taskArn}: ${(err as Error).message}`))
    }
    if (!gone && pod && next.desiredStatus === 'STOPPED' && !pod.metadata?.deletionTimestamp) {
      const terminal = pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed'
      void this.deletePod(key, next, pod, terminal ? 0 : next.kecs.stopTimeoutSeconds)
    }
  }

  /** Deletes a task's pod once (the hook first); a pod already gone makes the task STOPPED. */
  async deletePod(key: string, task: TaskDoc, pod: V1Pod | undefined, graceSeconds: number): Promise<void> {
    const ns = task.kecs.namespace
    const name = task.kecs.podName
    if (!ns || !name || this.deleting.has(key)) return
    this.deleting.add(key)
    try {
      await this.opts.beforePodDelete?.(task, pod).catch((err) => this.log(`before deleting pod ${ns}/${name}: ${err?.message ?? err}`))
      const existed = await this.opts.client.deletePod(ns, name, graceSeconds)
      if (!existed) this.podGone(key)
    } catch (err) {
      // The next relist sees the pod again and retries (desiredStatus is STOPPED).
      this.log(`deleting pod ${ns}/${name}: ${(err as Error).message}`)
    } finally {
      this.deleting.delete(key)
    }
  }

  /** Forgets STOPPED tasks older than the retention (and whatever tags they still have). */
  async sweep(): Promise<void> {
    const now = this.deps.clock.now()
    const ops = []
    for (const [key, doc] of [...this.deps.repos.tasks.entries()] as [string, TaskDoc][]) {
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
    const instance = launchType === 'FARGATE' ? undefined : clusterInstances(this.deps.repos, clusterArn)[0]
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
    })
    doc.kecs.namespace = pod.metadata!.namespace
    doc.kecs.podName = pod.metadata!.name
    doc.kecs.adopted = true
    if (taskKeyOf(doc) !== key) return undefined
    this.deps.repos.store
      .write([this.deps.repos.tasks.stagePut(key, doc)])
      .catch((err) => this.log(`storing task ${doc.taskArn}: ${err.message}`))
    publishTaskChange(this.deps.bus, doc, this.deps.clock.now())
    return doc
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
 * (fact sheet ecs-events-metadata §1: one event per change of task or container status).
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
