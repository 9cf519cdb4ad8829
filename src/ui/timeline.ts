/** One step of a task's life: a status and when it was reached (epoch ms). */
export interface Step {
  status: string
  at: number
}

interface TaskTimes {
  taskArn?: string
  createdAt?: number
  pullStartedAt?: number
  startedAt?: number
  stoppingAt?: number
  stoppedAt?: number
  lastStatus?: string
}

interface TaskEvent {
  'detail-type': string
  time: string
  detail: { taskArn?: string; lastStatus?: string; updatedAt?: string }
}

/**
 * A task's status changes with their times: from its `ECS Task State Change` events where the feed
 * still has them (each status once, the first time it was seen), else from the task's own timestamps.
 */
export function timeline(task: TaskTimes, events: TaskEvent[]): Step[] {
  const seen = new Map<string, number>()
  for (const e of events) {
    if (e['detail-type'] !== 'ECS Task State Change' || e.detail?.taskArn !== task.taskArn || !e.detail.lastStatus) continue
    const at = Date.parse(e.detail.updatedAt ?? e.time)
    const prev = seen.get(e.detail.lastStatus)
    if (prev === undefined || at < prev) seen.set(e.detail.lastStatus, at)
  }
  const fromTask: [string, number | undefined][] = [
    ['PROVISIONING', task.createdAt],
    ['PENDING', task.pullStartedAt],
    ['RUNNING', task.startedAt],
    ['STOPPING', task.stoppingAt],
    ['STOPPED', task.stoppedAt],
  ]
  for (const [status, at] of fromTask) if (at !== undefined && !seen.has(status)) seen.set(status, at * 1000)
  return [...seen].map(([status, at]) => ({ status, at })).sort((a, b) => a.at - b.at || rank(a.status) - rank(b.status))
}

const ORDER = ['PROVISIONING', 'PENDING', 'ACTIVATING', 'RUNNING', 'DEACTIVATING', 'STOPPING', 'DEPROVISIONING', 'STOPPED']
const rank = (s: string) => ORDER.indexOf(s)
