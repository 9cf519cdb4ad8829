import { epochSeconds } from '../clock.js'
import { messages } from './events.js'
import {
  HEALTH_CHECK_STOP_REASON,
  trackImpaired,
  trackSteady,
  type Observations,
  type StepResult,
  type TaskView,
} from './scheduler-state.js'
import type { ServiceDoc } from './service-doc.js'
import { wantedCount, type TaskSetDoc } from './task-set-doc.js'

/**
 * The scheduler's step for a service with the EXTERNAL deployment controller, pure: its tasks belong to
 * its task sets by `startedBy` (the task set id). docs/architecture.md#the-service-state-step
 */

export interface TaskSetStepInput {
  /** Mutated in place (pass a copy). */
  doc: ServiceDoc
  /** The service's task sets; mutated in place (pass copies). */
  taskSets: TaskSetDoc[]
  tasks: TaskView[]
  obs: Observations
  nowMs: number
}

export interface TaskSetStepResult extends StepResult {
  /** task sets whose document changed */
  changed: TaskSetDoc[]
  /** drained task sets, to delete */
  removed: TaskSetDoc[]
}

const PENDING = new Set(['PROVISIONING', 'PENDING', 'ACTIVATING'])
const FAILURE_CODES = new Set(['EssentialContainerExited', 'TaskFailedToStart'])
const runs = (t: TaskView) => t.lastStatus === 'RUNNING' && t.desiredStatus === 'RUNNING'
const pends = (t: TaskView) => PENDING.has(t.lastStatus) && t.desiredStatus === 'RUNNING'
const live = (t: TaskView) => t.lastStatus !== 'STOPPED'

export function stepTaskSets(input: TaskSetStepInput): TaskSetStepResult {
  const { doc, nowMs } = input
  const now = epochSeconds(nowMs)
  const ids = new Set(input.taskSets.map((ts) => ts.id))
  const ours = (t: TaskView) => t.deploymentId !== undefined && ids.has(t.deploymentId)
  const tasks = input.tasks.filter(ours)
  const out: TaskSetStepResult = { messages: [], notes: [], applyWorkload: false, stopTasks: [], changed: [], removed: [] }
  const name = doc.serviceName

  // --- what happened to tasks ---
  const byTaskSet = (list: TaskView[]) => {
    const m = new Map<string, string[]>()
    for (const t of list.filter(ours)) m.set(t.deploymentId!, [...(m.get(t.deploymentId!) ?? []), t.id])
    return m
  }
  for (const [ts, taskIds] of byTaskSet(input.obs.started)) out.messages.push(messages.taskSetStarted(name, ts, taskIds))
  const stoppedByScheduler = input.obs.stopped.filter((t) => t.stopCode === 'ServiceSchedulerInitiated')
  for (const [ts, taskIds] of byTaskSet(stoppedByScheduler)) out.messages.push(messages.taskSetStopped(name, ts, taskIds))
  for (const t of input.obs.unhealthy.filter(ours)) {
    if (t.desiredStatus !== 'RUNNING' || doc.status !== 'ACTIVE') continue
    out.messages.push(messages.unhealthy(name, t.id))
    out.stopTasks.push({ id: t.id, reason: HEALTH_CHECK_STOP_REASON })
  }
  const failed = input.obs.stopped.filter((t) => ours(t) && FAILURE_CODES.has(t.stopCode ?? ''))
  trackImpaired(doc, name, failed.length, nowMs, out)

  // --- counts, stability, drained task sets ---
  const kept: TaskSetDoc[] = []
  for (const ts of input.taskSets) {
    const mine = tasks.filter((t) => t.deploymentId === ts.id)
    const before = JSON.stringify(ts)
    if (doc.status !== 'ACTIVE' && ts.status !== 'DRAINING') ts.status = 'DRAINING'
    const computed = wantedCount(doc, ts)
    if (computed !== ts.computedDesiredCount) out.applyWorkload = true
    ts.computedDesiredCount = computed
    ts.runningCount = mine.filter(runs).length
    ts.pendingCount = mine.filter(pends).length
    const stopping = mine.some((t) => live(t) && t.desiredStatus !== 'RUNNING')
    const stability = ts.runningCount === computed && ts.pendingCount === 0 && !stopping ? 'STEADY_STATE' : 'STABILIZING'
    if (stability !== ts.stabilityStatus) {
      ts.stabilityStatus = stability
      ts.stabilityStatusAt = now
      if (stability === 'STEADY_STATE' && ts.status !== 'DRAINING') {
        out.notes.push({ kind: 'action', name: 'TASKSET_STEADY_STATE', extra: { taskSetArns: [ts.taskSetArn] } })
      }
    }
    if (ts.status === 'DRAINING' && !mine.some(live)) {
      out.removed.push(ts)
      out.applyWorkload = true
      continue
    }
    if (JSON.stringify(ts) !== before) {
      ts.updatedAt = now
      out.changed.push(ts)
    }
    kept.push(ts)
  }
  doc.runningCount = tasks.filter(runs).length
  doc.pendingCount = tasks.filter(pends).length

  // --- steady state, deletion ---
  const steady =
    doc.status === 'ACTIVE' && kept.length > 0 && kept.every((ts) => ts.status !== 'DRAINING' && ts.stabilityStatus === 'STEADY_STATE')
  trackSteady(doc, name, steady, out)
  if (doc.status === 'DRAINING' && !tasks.some(live)) {
    doc.status = 'INACTIVE'
    doc.kecs.inactiveAt = nowMs
    for (const ts of kept) out.removed.push(ts)
    out.changed = []
  }
  return out
}
