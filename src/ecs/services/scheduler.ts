import { WorkQueue } from '../../lib/work-queue.js'
import type { Timers } from '../../lib/timers.js'
import { parseArn } from '../arns.js'
import { stageDeleteTags, stageTags } from '../tag-store.js'
import { saveTaskChange } from '../tasks/events.js'
import { markStopping } from '../tasks/stopping.js'
import type { TaskDoc } from '../tasks/task-doc.js'
import { taskKeyOfArn } from '../tasks/task-keys.js'
import { taskDefinitionOfArn } from '../task-definitions/resolve.js'
import type { Repos } from '../repos.js'
import type { EcsCore } from '../types.js'
import { addEvents, publishServiceNotes } from './events.js'
import { noObservations, step, type Observations, type TaskView } from './scheduler-state.js'
import { serviceKey, type ServiceDoc } from './service-doc.js'
import { taskSetEntries } from './task-set-doc.js'
import { stepTaskSets } from './task-set-state.js'

/**
 * The service scheduler: drives scheduler-state.ts from what happens to the services' tasks, learnt
 * from the typed task-change signal (every change, whoever made it). After a short batching delay it
 * runs one state step per service whose tasks changed (or that a handler changed); the step's
 * events[] and state are stored in one write, then its bus events are published. It belongs to the
 * instance and runs with or without a cluster. At start the stored tasks count as already seen.
 */
export interface ServiceSchedulerOptions {
  deps: EcsCore
  /** Stops a task's workload once its doc says STOPPED (the cluster's task runtime). */
  stopTask?: (task: TaskDoc) => Promise<void>
  timers: Timers
  /** The service's PRIMARY deployment changed without a request (a rollback): make the cluster follow. */
  apply?: (serviceKey: string) => void
  /** DAEMON services: the number of tasks the cluster calls for, when known. */
  daemonDesired?: (serviceKey: string) => number | undefined
  /** How long changes are gathered before a step (ms); default 50. */
  batchMs?: number
  /** How long a deployment's tasks must stay RUNNING before it completes (ms); default 0. scheduler-state.ts */
  stableMs?: number
  log?: (line: string) => void
}

interface Seen {
  service: string
  desiredStatus: string
  healthStatus?: string
  /** when this scheduler first saw the task RUNNING (clock ms) */
  runningSince?: number
}

export class ServiceScheduler {
  private readonly seen = new Map<string, Seen>()
  private readonly tasksOf = new Map<string, Set<string>>()
  private readonly pending = new Map<string, Observations>()
  private readonly queue: WorkQueue
  private unsubscribe: (() => void) | undefined
  private readonly deps: EcsCore
  private writes = Promise.resolve()

  constructor(private readonly opts: ServiceSchedulerOptions) {
    this.deps = opts.deps
    this.queue = new WorkQueue('service scheduler', async (key) => this.evaluate(key), opts.timers, (where, err) =>
      this.log(`${where}: ${(err as Error)?.message ?? err}`),
    )
  }

  start(): void {
    for (const [key, t] of this.deps.repos.tasks.entries()) {
      const service = serviceKeyOfTask(t)
      if (service) this.remember(key, t, service)
    }
    this.unsubscribe = this.deps.signals.taskChanged.on(({ task }) => this.onTaskChange(task))
    for (const [key, doc] of this.deps.repos.services.entries()) {
      if (doc.status !== 'INACTIVE') this.schedule(key)
    }
  }

  async stop(): Promise<void> {
    this.unsubscribe?.()
    await this.queue.stop()
    await this.writes
  }

  /** Evaluates the service soon (after the batching delay). */
  schedule(key: string): void {
    this.queue.addAfter(key, this.opts.batchMs ?? 50)
  }

  /** Resolves when every step taken so far is stored. */
  flushed(): Promise<void> {
    return this.writes
  }

  private onTaskChange(task: TaskDoc): void {
    const key = taskKeyOfArn(task.taskArn)
    if (!key) return
    const service = serviceKeyOfTask(task)
    if (!service) return
    const before = this.seen.get(key)
    const obs = this.pending.get(service) ?? noObservations()
    this.remember(key, task, service)
    const view = viewOf(task, this.deps.repos, this.seen.get(key))
    if (!before) {
      if (task.lastStatus !== 'STOPPED') obs.started.push(view)
    } else {
      if (before.desiredStatus !== 'STOPPED' && task.desiredStatus === 'STOPPED') obs.stopped.push(view)
      if (before.healthStatus !== task.healthStatus) {
        if (task.healthStatus === 'HEALTHY') obs.healthy.push(view)
        else if (task.healthStatus === 'UNHEALTHY') obs.unhealthy.push(view)
      }
    }
    this.pending.set(service, obs)
    this.schedule(service)
  }

  private remember(taskKey: string, t: TaskDoc, service: string): void {
    const running = t.lastStatus === 'RUNNING' && t.desiredStatus === 'RUNNING'
    const since = running ? (this.seen.get(taskKey)?.runningSince ?? this.deps.clock.now()) : undefined
    this.seen.set(taskKey, { service, desiredStatus: t.desiredStatus, healthStatus: t.healthStatus, ...(since !== undefined ? { runningSince: since } : {}) })
    let set = this.tasksOf.get(service)
    if (!set) this.tasksOf.set(service, (set = new Set()))
    set.add(taskKey)
  }

  /** One state step for a service, now. */
  evaluate(key: string): void {
    const current = this.deps.repos.services.get(key)
    const obs = this.pending.get(key) ?? noObservations()
    this.pending.delete(key)
    if (!current) return
    const tasks: TaskView[] = []
    const docs = new Map<string, TaskDoc>()
    for (const tk of this.tasksOf.get(key) ?? []) {
      const t = this.deps.repos.tasks.get(tk)
      if (!t) {
        this.tasksOf.get(key)!.delete(tk)
        this.seen.delete(tk)
        continue
      }
      docs.set(t.kecs?.taskId ?? tk, t)
      tasks.push(viewOf(t, this.deps.repos, this.seen.get(tk)))
    }
    if (current.status === 'INACTIVE' && !obs.started.length && !obs.stopped.length) return
    const doc: ServiceDoc = structuredClone(current)
    const now = this.deps.clock.now()
    // EXTERNAL services run task sets (task-set-state.ts); the others ECS deployments.
    const sets = doc.deploymentController?.type === 'EXTERNAL' ? taskSetEntries(this.deps.repos, doc.serviceArn) : undefined
    const setStep = sets && stepTaskSets({ doc, taskSets: sets.map(([, ts]) => structuredClone(ts)), tasks, obs, nowMs: now })
    const result = setStep ?? step({ doc, tasks, obs, nowMs: now, daemonDesired: this.opts.daemonDesired?.(key), stableMs: this.opts.stableMs })
    addEvents(doc, result.messages, now)
    const ops = []
    if (JSON.stringify(doc) !== JSON.stringify(current)) ops.push(this.deps.repos.services.stagePut(key, doc))
    const setKey = new Map((sets ?? []).map(([k, ts]) => [ts.id, k]))
    for (const ts of setStep?.changed ?? []) ops.push(this.deps.repos.taskSets.stagePut(setKey.get(ts.id)!, ts))
    for (const ts of setStep?.removed ?? []) ops.push(this.deps.repos.taskSets.stageDelete(setKey.get(ts.id)!), stageDeleteTags(this.deps.repos, ts.taskSetArn))
    // New tasks get their deployment's (or task set's) tags (propagateTags, managed tags) unless they have some already.
    for (const v of obs.started) {
      const t = docs.get(v.id)
      const d = [...doc.deployments, ...doc.kecs.pastDeployments, ...(sets ?? []).map(([, ts]) => ts)].find((x) => x.id === v.deploymentId)
      if (t && d?.kecs.taskTags.length && !this.deps.repos.tags.has(t.taskArn)) ops.push(stageTags(this.deps.repos, t.taskArn, d.kecs.taskTags))
    }
    if (ops.length) {
      // Written at once (the store's queue keeps the order of writes to the same row), awaited by flushed().
      const done = this.deps.repos.store.write(ops).catch((err) => this.log(`storing service ${doc.serviceArn}: ${(err as Error).message}`))
      this.writes = this.writes.then(() => done)
    }
    publishServiceNotes(this.deps.bus, doc, result.notes, now)
    for (const s of result.stopTasks) {
      const t = docs.get(s.id)
      if (t) this.stopTask(t, s.reason)
    }
    if (result.applyWorkload) this.opts.apply?.(key)
    if ('recheckAfterMs' in result && result.recheckAfterMs !== undefined) this.queue.addAfter(key, Math.max(1, result.recheckAfterMs))
  }

  /** The scheduler stops a task (failed health checks): ServiceSchedulerInitiated; the pod goes, the workload replaces it. */
  private stopTask(current: TaskDoc, reason: string): void {
    const doc: TaskDoc = structuredClone(current)
    if (!markStopping(doc, { stopCode: 'ServiceSchedulerInitiated', stoppedReason: reason }, this.deps.clock.now())) return
    doc.version++
    saveTaskChange(this.deps, doc)
      .then(() => this.opts.stopTask?.(doc))
      .catch((err) => this.log(`stopping task ${doc.taskArn}: ${(err as Error).message}`))
  }

  private log(line: string): void {
    this.opts.log?.(line)
  }
}

function viewOf(t: TaskDoc, repos: Pick<Repos, 'taskDefinitions' | 'daemonTaskDefinitions' | 'tags'>, seen: Seen | undefined): TaskView {
  const td = taskDefinitionOfArn(repos, t.taskDefinitionArn)
  const essential = new Set(t.kecs?.essential ?? [])
  const healthChecked = (td?.containerDefinitions ?? []).some((c) => essential.has(c.name ?? '') && c.healthCheck?.command?.length && c.healthCheck.command[0] !== 'NONE')
  return {
    healthChecked,
    id: t.kecs?.taskId ?? t.taskArn.slice(t.taskArn.lastIndexOf('/') + 1),
    deploymentId: t.startedBy,
    lastStatus: t.lastStatus,
    desiredStatus: t.desiredStatus,
    stopCode: t.stopCode,
    healthStatus: t.healthStatus,
    ...(seen?.runningSince !== undefined ? { runningSinceMs: seen.runningSince } : {}),
  }
}

/** The key of the service a task belongs to (`group: service:<name>` in its cluster), if any. */
export function serviceKeyOfTask(t: Pick<TaskDoc, 'group' | 'clusterArn'>): string | undefined {
  if (!t.group?.startsWith('service:')) return undefined
  const p = parseArn(t.clusterArn)
  if (!p || p.resourceType !== 'cluster') return undefined
  return serviceKey({ account: p.account, region: p.region }, p.resource, t.group.slice('service:'.length))
}
