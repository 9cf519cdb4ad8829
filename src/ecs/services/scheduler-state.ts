import { epochSeconds } from '../clock.js'
import { failedTaskThreshold, newDeployment, revisionOf, startDeployment } from './deployments.js'
import { messages, reasons, type BusNote } from './events.js'
import { MAX_PAST_DEPLOYMENTS, primaryOf, type DeploymentDoc, type ServiceDoc } from './service-doc.js'

/**
 * The service scheduler's state machine, pure: one step takes a service doc, its tasks and what changed
 * among them since the last step, and moves the service along (counts, events, failures, circuit breaker,
 * drain, completed, steady, deleted). docs/architecture.md#the-service-state-step
 */

/** What the scheduler knows of one task of the service. */
export interface TaskView {
  id: string
  /** startedBy: the ECS deployment id */
  deploymentId?: string
  lastStatus: string
  desiredStatus: string
  stopCode?: string
  healthStatus?: string
  /** An essential container has a health check: the task counts toward completion only once HEALTHY. */
  healthChecked?: boolean
  /** When the scheduler first saw the task RUNNING (clock ms); absent: long enough ago. */
  runningSinceMs?: number
}

/** Changes among the service's tasks since the last step, in the order they happened. */
export interface Observations {
  /** tasks seen for the first time */
  started: TaskView[]
  /** tasks whose desiredStatus became STOPPED */
  stopped: TaskView[]
  /** tasks whose health became HEALTHY */
  healthy: TaskView[]
  /** tasks whose health became UNHEALTHY */
  unhealthy: TaskView[]
}

export const noObservations = (): Observations => ({ started: [], stopped: [], healthy: [], unhealthy: [] })

export interface StepInput {
  /** Mutated in place (pass a copy). */
  doc: ServiceDoc
  /** The service's tasks (any status; STOPPED ones may be left out once forgotten). */
  tasks: TaskView[]
  obs: Observations
  nowMs: number
  /** DAEMON services: how many tasks the cluster's eligible nodes call for, when known. */
  daemonDesired?: number
  /**
   * How long the PRIMARY deployment's tasks must have stayed RUNNING before it completes (ms; default 0).
   * A container that exits right after it starts would otherwise complete a deployment in the moment
   * between RUNNING and its exit, and the circuit breaker, which watches only deployments in progress,
   * would never see the failures.
   */
  stableMs?: number
}

export interface StepResult {
  /** events[] messages, oldest first */
  messages: string[]
  notes: BusNote[]
  /** the PRIMARY deployment changed (a rollback): the workload must follow */
  applyWorkload: boolean
  /** tasks the scheduler stops (failed health checks) */
  stopTasks: { id: string; reason: string }[]
  /** step again after this long (ms): the deployment waits for its tasks to have run stableMs */
  recheckAfterMs?: number
}

const PENDING = new Set(['PROVISIONING', 'PENDING', 'ACTIVATING'])
const FAILURE_CODES = new Set(['EssentialContainerExited', 'TaskFailedToStart'])
export const IMPAIRED_AFTER = 3
/** Failures this close together make one episode of start trouble. */
export const IMPAIRED_WINDOW_MS = 15 * 60 * 1000
const MAX_RECENT_FAILURES = 20
export const HEALTH_CHECK_STOP_REASON = 'Task failed container health checks'

/**
 * The "unable to consistently start tasks" episode (shared with the task set step): `failed` new
 * failures at `nowMs` join the window while the service is ACTIVE; IMPAIRED_AFTER of them in the
 * window start an episode (message and note, once), an empty window ends it.
 */
export function trackImpaired(doc: ServiceDoc, name: string, failed: number, nowMs: number, out: StepResult): void {
  let recent = doc.kecs.recentFailures.filter((at) => at > nowMs - IMPAIRED_WINDOW_MS)
  if (doc.status === 'ACTIVE') recent = [...recent, ...Array.from({ length: failed }, () => nowMs)].slice(-MAX_RECENT_FAILURES)
  if (recent.length !== doc.kecs.recentFailures.length || recent.some((at, i) => at !== doc.kecs.recentFailures[i])) doc.kecs.recentFailures = recent
  if (!doc.kecs.impaired && recent.length >= IMPAIRED_AFTER) {
    doc.kecs.impaired = true
    out.messages.push(messages.impaired(name))
    out.notes.push({ kind: 'action', name: 'SERVICE_TASK_START_IMPAIRED' })
  } else if (doc.kecs.impaired && recent.length === 0) {
    doc.kecs.impaired = false
  }
}

/** A steady-state episode (shared with the task set step): its message and SERVICE_STEADY_STATE once, when it begins. */
export function trackSteady(doc: ServiceDoc, name: string, steady: boolean, out: StepResult): void {
  if (steady && !doc.kecs.steady) {
    out.messages.push(messages.steady(name))
    out.notes.push({ kind: 'action', name: 'SERVICE_STEADY_STATE', extra: { desiredCount: doc.desiredCount } })
  }
  doc.kecs.steady = steady
}

const runs = (t: TaskView) => t.lastStatus === 'RUNNING' && t.desiredStatus === 'RUNNING'
const pends = (t: TaskView) => PENDING.has(t.lastStatus) && t.desiredStatus === 'RUNNING'
const live = (t: TaskView) => t.lastStatus !== 'STOPPED'

export function step(input: StepInput): StepResult {
  const { doc, nowMs } = input
  // Only tasks of this service's deployments: a service deleted and created again under the same name
  // shares the task group with its predecessor's tasks.
  const known = new Set([...doc.deployments, ...doc.kecs.pastDeployments].map((d) => d.id))
  const ours = (t: TaskView) => t.deploymentId !== undefined && known.has(t.deploymentId)
  const tasks = input.tasks.filter(ours)
  const obs: Observations = {
    started: input.obs.started.filter(ours),
    stopped: input.obs.stopped.filter(ours),
    healthy: input.obs.healthy.filter(ours),
    unhealthy: input.obs.unhealthy.filter(ours),
  }
  const out: StepResult = { messages: [], notes: [], applyWorkload: false, stopTasks: [] }
  const name = doc.serviceName
  const external = doc.deploymentController?.type === 'EXTERNAL'

  if (doc.schedulingStrategy === 'DAEMON' && input.daemonDesired !== undefined && doc.status === 'ACTIVE' && doc.desiredCount !== input.daemonDesired) {
    doc.desiredCount = input.daemonDesired
    out.notes.push({ kind: 'action', name: 'SERVICE_DESIRED_COUNT_UPDATED', extra: { desiredCount: input.daemonDesired } })
  }

  // --- what happened to tasks ---
  if (obs.started.length) {
    const replaced = Math.min(obs.started.length, doc.kecs.unhealthyReplaced ?? 0)
    out.messages.push(messages.started(name, obs.started.map((t) => t.id)) + (replaced ? ` ${messages.replacedUnhealthy(replaced)}` : ''))
    if (replaced) doc.kecs.unhealthyReplaced = doc.kecs.unhealthyReplaced! - replaced
  }
  const byScheduler = obs.stopped.filter((t) => t.stopCode === 'ServiceSchedulerInitiated')
  if (byScheduler.length) out.messages.push(messages.stopped(name, byScheduler.map((t) => t.id)))
  for (const t of obs.unhealthy) {
    if (t.desiredStatus !== 'RUNNING' || doc.status !== 'ACTIVE') continue
    out.messages.push(messages.unhealthy(name, t.id))
    out.stopTasks.push({ id: t.id, reason: HEALTH_CHECK_STOP_REASON })
    doc.kecs.unhealthyReplaced = (doc.kecs.unhealthyReplaced ?? 0) + 1
    // A task replaced for failed health checks is a failure of a deployment in progress.
    const d = doc.deployments.find((x) => x.id === t.deploymentId)
    if (d && d.rolloutState === 'IN_PROGRESS') {
      d.failedTasks++
      d.updatedAt = epochSeconds(nowMs)
    }
  }
  const breaker = doc.deploymentConfiguration?.deploymentCircuitBreaker as
    | { enable?: boolean; rollback?: boolean; resetOnHealthyTask?: boolean; thresholdConfiguration?: { type?: string; value?: number } }
    | undefined
  if (breaker?.resetOnHealthyTask !== false) {
    for (const t of obs.healthy) {
      const d = doc.deployments.find((x) => x.id === t.deploymentId)
      if (d && d.failedTasks !== 0) {
        d.failedTasks = 0
        d.updatedAt = epochSeconds(nowMs)
      }
    }
  }
  const failed = obs.stopped.filter((t) => FAILURE_CODES.has(t.stopCode ?? ''))
  for (const t of failed) {
    const d = doc.deployments.find((x) => x.id === t.deploymentId)
    // The breaker evaluates a deployment only while it is in progress: once COMPLETED (or FAILED) its count stays.
    if (d && d.rolloutState === 'IN_PROGRESS') {
      d.failedTasks++
      d.updatedAt = epochSeconds(nowMs)
    }
  }
  trackImpaired(doc, name, failed.length, nowMs, out)

  // --- circuit breaker ---
  const primary = primaryOf(doc)
  if (!external && breaker?.enable && primary?.rolloutState === 'IN_PROGRESS' && doc.status === 'ACTIVE') {
    if (primary.failedTasks >= failedTaskThreshold(doc.desiredCount, breaker.thresholdConfiguration)) {
      primary.rolloutState = 'FAILED'
      primary.rolloutStateReason = reasons.failed
      primary.updatedAt = epochSeconds(nowMs)
      primary.kecs.endedAt = nowMs
      out.messages.push(messages.deploymentFailed(name, primary.id))
      out.notes.push({ kind: 'deployment', name: 'SERVICE_DEPLOYMENT_FAILED', deploymentId: primary.id, reason: reasons.failedEvent })
      const target = doc.kecs.lastCompleted
      if (breaker.rollback && target && !primary.kecs.rollbackTo) {
        const back = newDeployment(revisionOf(target), doc.desiredCount, nowMs, { rollbackTo: target.id, rollbackOf: primary.id })
        startDeployment(doc, back)
        doc.taskDefinition = back.taskDefinition
        out.messages.push(messages.rollingBack(name, target.id))
        out.notes.push({ kind: 'deployment', name: 'SERVICE_DEPLOYMENT_IN_PROGRESS', deploymentId: back.id, reason: reasons.rollingBack(target.id) })
        out.applyWorkload = true
      }
    }
  }

  // --- counts, drained deployments ---
  const byDeployment = new Map<string, TaskView[]>()
  for (const t of tasks) {
    const list = byDeployment.get(t.deploymentId ?? '')
    if (list) list.push(t)
    else byDeployment.set(t.deploymentId ?? '', [t])
  }
  const kept: DeploymentDoc[] = []
  for (const d of doc.deployments) {
    const mine = byDeployment.get(d.id) ?? []
    const counts = {
      runningCount: mine.filter(runs).length,
      pendingCount: mine.filter(pends).length,
      desiredCount: d.status === 'PRIMARY' ? doc.desiredCount : mine.filter((t) => t.desiredStatus === 'RUNNING' && live(t)).length,
    }
    if (counts.runningCount !== d.runningCount || counts.pendingCount !== d.pendingCount || counts.desiredCount !== d.desiredCount) {
      Object.assign(d, counts)
      d.updatedAt = epochSeconds(nowMs)
    }
    if (d.status !== 'PRIMARY' && !mine.some(live)) {
      doc.kecs.pastDeployments = [
        { ...d, status: 'INACTIVE' as const, kecs: { ...d.kecs, finishedAt: nowMs } },
        ...doc.kecs.pastDeployments,
      ].slice(0, MAX_PAST_DEPLOYMENTS)
      continue
    }
    kept.push(d)
  }
  doc.deployments = kept
  doc.runningCount = tasks.filter(runs).length
  doc.pendingCount = tasks.filter(pends).length

  // --- completion and steady state ---
  const p = primaryOf(doc)
  // ECS waits for tasks with a health check to be HEALTHY before a deployment completes.
  const unhealthyYet = tasks.some((t) => t.deploymentId === p?.id && runs(t) && t.healthChecked && t.healthStatus !== 'HEALTHY')
  const counted = !!p && doc.deployments.length === 1 && p.runningCount === doc.desiredCount && p.pendingCount === 0 && !unhealthyYet
  // The PRIMARY's tasks must also have stayed RUNNING for stableMs; until then, step again when they have.
  const stableAt = counted ? Math.max(0, ...tasks.filter((t) => t.deploymentId === p!.id && runs(t)).map((t) => (t.runningSinceMs ?? -Infinity) + (input.stableMs ?? 0))) : 0
  const settled = counted && stableAt <= nowMs
  if (counted && !settled && doc.status === 'ACTIVE') out.recheckAfterMs = stableAt - nowMs
  if (doc.status === 'ACTIVE' && !external && p && settled && p.rolloutState === 'IN_PROGRESS') {
    p.rolloutState = 'COMPLETED'
    p.rolloutStateReason = reasons.completed(p.id)
    p.updatedAt = epochSeconds(nowMs)
    p.kecs.endedAt = nowMs
    doc.kecs.lastCompleted = structuredClone(p)
    out.messages.push(messages.deploymentCompleted(name, p.id))
    out.notes.push({ kind: 'deployment', name: 'SERVICE_DEPLOYMENT_COMPLETED', deploymentId: p.id, reason: reasons.completed(p.id) })
  }
  const steady = doc.status === 'ACTIVE' && !external && settled
  trackSteady(doc, name, steady, out)

  if (doc.status === 'DRAINING' && !tasks.some(live)) {
    doc.status = 'INACTIVE'
    doc.kecs.inactiveAt = nowMs
  }
  return out
}
