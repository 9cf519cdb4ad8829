import type { ServiceEvent } from '@aws-sdk/client-ecs'
import { newUuid, parseArn } from '../arns.js'
import { epochSeconds } from '../clock.js'
import type { EventBus } from '../../events/bus.js'
import type { Wire } from '../types.js'
import type { ServiceDoc } from './service-doc.js'

/**
 * Service `events[]` and the bus events of services (docs/ecs-facts.md#service-events,
 * docs/ecs-facts.md#events: "ECS Service Action" / "ECS Deployment State Change").
 */

export const MAX_EVENTS = 100
/** ECS suppresses a repeated message until its cause clears or this long passes. */
export const DUPLICATE_WINDOW_MS = 6 * 60 * 60 * 1000

const TROUBLESHOOTING = 'For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.'

/** The messages, worded as AWS's (`(service S) ...`). */
export const messages = {
  started: (s: string, taskIds: string[]) =>
    `(service ${s}) has started ${taskIds.length} tasks: ${taskIds.map((t) => `(task ${t})`).join(' ')}.`,
  stopped: (s: string, taskIds: string[]) =>
    `(service ${s}) has stopped ${taskIds.length} running tasks: ${taskIds.map((t) => `(task ${t})`).join(' ')}.`,
  steady: (s: string) => `(service ${s}) has reached a steady state.`,
  deploymentCompleted: (s: string, id: string) => `(service ${s}) (deployment ${id}) deployment completed.`,
  deploymentFailed: (s: string, id: string) => `(service ${s}) (deployment ${id}) deployment failed: tasks failed to start.`,
  rollingBack: (s: string, toId: string) => `(service ${s}) rolling back to deployment ${toId}.`,
  unhealthy: (s: string, taskId: string) => `(service ${s}) (task ${taskId}) failed container health checks.`,
  /** Appended to "has started" when the new tasks replace ones stopped for failed health checks. */
  replacedUnhealthy: (n: number) => `Amazon ECS replaced ${n} tasks due to an unhealthy status.`,
  unableToPlace: (s: string, reason: string) => `(service ${s}) was unable to place a task. Reason: ${reason}`,
  noInstanceMet: (s: string, instanceId: string, reason: string) =>
    `(service ${s}) was unable to place a task because no container instance met all of its requirements. The closest matching container-instance ${instanceId} encountered error "${reason}". ${TROUBLESHOOTING}`,
  impaired: (s: string) => `(service ${s}) is unable to consistently start tasks successfully. ${TROUBLESHOOTING}`,
  /** Task sets (EXTERNAL controller): the task set is named with the service. */
  taskSetStarted: (s: string, ts: string, taskIds: string[]) =>
    `(service ${s}, taskSet ${ts}) has started ${taskIds.length} tasks: ${taskIds.map((t) => `(task ${t})`).join(' ')}.`,
  taskSetStopped: (s: string, ts: string, taskIds: string[]) =>
    `(service ${s}, taskSet ${ts}) has stopped ${taskIds.length} running tasks: ${taskIds.map((t) => `(task ${t})`).join(' ')}.`,
}

/** `rolloutStateReason` texts (deployments[]) and `reason` of ECS Deployment State Change events. */
export const reasons = {
  inProgress: (id: string) => `ECS deployment ${id} in progress.`,
  completed: (id: string) => `ECS deployment ${id} completed.`,
  failed: 'ECS deployment circuit breaker: tasks failed to start.',
  /** the bus event's wording (docs/ecs-facts.md#events) */
  failedEvent: 'ECS deployment circuit breaker: task failed to start.',
  rollingBack: (toId: string) => `ECS deployment circuit breaker: rolling back to deploymentId ${toId}.`,
}

/**
 * Adds messages (in the order they happened) to a service's events, newest first, capped at
 * MAX_EVENTS. A message identical to the newest event, less than DUPLICATE_WINDOW_MS old, is
 * suppressed (its cause has not cleared); callers report steady state and start trouble once per
 * episode themselves. Returns the events added.
 */
export function addEvents(doc: Pick<ServiceDoc, 'events'>, msgs: string[], nowMs: number, uuid: () => string = newUuid): Wire<ServiceEvent>[] {
  const added: Wire<ServiceEvent>[] = []
  for (const message of msgs) {
    const newest = added[added.length - 1] ?? doc.events[0]
    if (newest?.message === message && nowMs - (newest.createdAt ?? 0) * 1000 < DUPLICATE_WINDOW_MS) continue
    added.push({ id: uuid(), createdAt: epochSeconds(nowMs), message })
  }
  if (added.length) doc.events = [...added.reverse(), ...doc.events].slice(0, MAX_EVENTS)
  return added
}

export type ServiceActionName =
  | 'SERVICE_STEADY_STATE'
  | 'SERVICE_TASK_START_IMPAIRED'
  | 'SERVICE_DESIRED_COUNT_UPDATED'
  | 'SERVICE_TASK_PLACEMENT_FAILURE'
  | 'TASKS_STOPPED'
  | 'TASKSET_STEADY_STATE'

const ACTION_TYPE: Record<ServiceActionName, 'INFO' | 'WARN' | 'ERROR'> = {
  SERVICE_STEADY_STATE: 'INFO',
  SERVICE_DESIRED_COUNT_UPDATED: 'INFO',
  TASKS_STOPPED: 'INFO',
  TASKSET_STEADY_STATE: 'INFO',
  SERVICE_TASK_START_IMPAIRED: 'WARN',
  SERVICE_TASK_PLACEMENT_FAILURE: 'ERROR',
}

export type DeploymentEventName = 'SERVICE_DEPLOYMENT_IN_PROGRESS' | 'SERVICE_DEPLOYMENT_COMPLETED' | 'SERVICE_DEPLOYMENT_FAILED'

/** What the scheduler and handlers publish, collected first and published after the doc is stored. */
export type BusNote =
  | { kind: 'action'; name: ServiceActionName; extra?: Record<string, unknown> }
  | { kind: 'deployment'; name: DeploymentEventName; deploymentId: string; reason: string }

const scopeOf = (arn: string) => {
  const p = parseArn(arn)
  return { account: p?.account ?? '', region: p?.region ?? '' }
}

/** `ECS Service Action` / `ECS Deployment State Change` for one service (resources: [serviceArn]). */
export function publishServiceNotes(bus: EventBus, doc: Pick<ServiceDoc, 'serviceArn' | 'clusterArn'>, notes: BusNote[], nowMs: number): void {
  const time = new Date(nowMs)
  for (const n of notes) {
    if (n.kind === 'action') {
      bus.publish({
        detailType: 'ECS Service Action',
        ...scopeOf(doc.serviceArn),
        resources: [doc.serviceArn],
        detail: {
          eventType: ACTION_TYPE[n.name],
          eventName: n.name,
          clusterArn: doc.clusterArn,
          createdAt: time.toISOString(),
          ...(n.extra ?? {}),
        },
        time,
      })
    } else {
      bus.publish({
        detailType: 'ECS Deployment State Change',
        ...scopeOf(doc.serviceArn),
        resources: [doc.serviceArn],
        detail: {
          eventType: n.name === 'SERVICE_DEPLOYMENT_FAILED' ? 'ERROR' : 'INFO',
          eventName: n.name,
          clusterArn: doc.clusterArn,
          deploymentId: n.deploymentId,
          updatedAt: time.toISOString().replace(/\.\d{3}Z$/, 'Z'),
          reason: n.reason,
        },
        time,
      })
    }
  }
}
