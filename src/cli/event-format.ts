import chalk, { Chalk, type ChalkInstance } from 'chalk'
import type { EcsEvent } from '../events/bus.js'
import type { StreamNotice } from './event-stream.js'

/**
 * How `kecs events` prints: one coloured, timestamped line per event for people
 * (`12:01:03 task 1a2b3c4d web RUNNING`), or the event's JSON on one line (`--json`).
 */
export interface FormatOptions {
  /** Colours (default: chalk's detection for stdout). Pass `new Chalk({ level: 0 })` for none. */
  chalk?: ChalkInstance
  /** Print times in UTC instead of local time (tests). */
  utc?: boolean
}

type Detail = Record<string, unknown>

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined)
const lastSegment = (arn: string) => arn.slice(arn.lastIndexOf('/') + 1)

/** HH:MM:SS of an ISO time. */
export function clockTime(isoTime: string, utc = false): string {
  const d = new Date(isoTime)
  if (Number.isNaN(d.getTime())) return '--:--:--'
  return utc ? d.toISOString().slice(11, 19) : d.toTimeString().slice(0, 8)
}

/** `web` from `arn:...:task-definition/web:3`. */
function familyOf(taskDefinitionArn: string | undefined): string | undefined {
  if (!taskDefinitionArn) return undefined
  return lastSegment(taskDefinitionArn).replace(/:\d+$/, '')
}

/** A short task id, like short git hashes: enough to tell tasks apart on one screen. */
export const shortId = (id: string) => id.slice(0, 8)

const STARTING = new Set(['PROVISIONING', 'PENDING', 'ACTIVATING'])
const STOPPING = new Set(['DEACTIVATING', 'STOPPING', 'DEPROVISIONING'])

function taskLine(d: Detail, e: EcsEvent, c: ChalkInstance): string {
  const arn = str(d.taskArn) ?? e.resources[0] ?? ''
  const group = str(d.group)
  const name = familyOf(str(d.taskDefinitionArn)) ?? (group ? group.replace(/^(family|service):/, '') : '?')
  const last = str(d.lastStatus) ?? '?'
  const desired = str(d.desiredStatus)
  const containers = Array.isArray(d.containers) ? (d.containers as Detail[]) : []
  const exits = containers.filter((k) => typeof k.exitCode === 'number')
  const failed = last === 'STOPPED' && (d.stopCode === 'TaskFailedToStart' || exits.some((k) => k.exitCode !== 0))
  const colour =
    last === 'RUNNING' ? c.green : last === 'STOPPED' ? (failed ? c.red : c.gray) : STARTING.has(last) ? c.cyan : STOPPING.has(last) ? c.yellow : (s: string) => s

  let line = `${c.bold('task')} ${shortId(lastSegment(arn))} ${name} ${colour(last)}`
  // Only the interesting direction: a task on its way up always wants RUNNING.
  if (desired === 'STOPPED' && last !== 'STOPPED') line += c.dim(' (desired STOPPED)')
  // Containers that are not where the task is (a sidecar still starting, one that exited).
  const odd = containers.filter((k) => str(k.lastStatus) && k.lastStatus !== last)
  if (odd.length > 0 && last !== 'STOPPED') line += c.dim(` [${odd.map((k) => `${k.name} ${k.lastStatus}`).join(', ')}]`)
  if (last === 'STOPPED') {
    const why = [str(d.stopCode), str(d.stoppedReason)].filter(Boolean).join(': ')
    if (why) line += ` ${why}`
    if (exits.length > 0) line += ` ${c.dim('(')}${exits.map((k) => `${k.name} exit ${k.exitCode}`).join(', ')}${c.dim(')')}`
  }
  return line
}

const SERVICE_ACTIONS: Record<string, string> = {
  SERVICE_STEADY_STATE: 'reached a steady state',
  TASKSET_STEADY_STATE: 'task set reached a steady state',
  CAPACITY_PROVIDER_STEADY_STATE: 'capacity provider reached a steady state',
  SERVICE_DESIRED_COUNT_UPDATED: 'desired count updated',
  SERVICE_TASK_START_IMPAIRED: 'is unable to consistently start tasks',
  SERVICE_TASK_PLACEMENT_FAILURE: 'could not place a task',
  SERVICE_TASK_CONFIGURATION_FAILURE: 'has a task configuration failure',
  SERVICE_DISCOVERY_INSTANCE_UNHEALTHY: 'has an unhealthy service discovery instance',
  SERVICE_DAEMON_PLACEMENT_CONSTRAINT_VIOLATED: 'daemon placement constraint violated',
  ECS_OPERATION_THROTTLED: 'is being throttled',
  SERVICE_DISCOVERY_OPERATION_THROTTLED: 'service discovery is being throttled',
  TASKS_STOPPED: 'stopped tasks',
}

const byLevel = (c: ChalkInstance, level: unknown) => (level === 'ERROR' ? c.red : level === 'WARN' ? c.yellow : (s: string) => s)

function serviceOf(e: EcsEvent, d: Detail): string {
  const arn = e.resources.find((r) => r.includes(':service/')) ?? str(d.serviceArn)
  return arn ? lastSegment(arn) : '?'
}

function serviceActionLine(d: Detail, e: EcsEvent, c: ChalkInstance): string {
  const name = str(d.eventName) ?? '?'
  let what = SERVICE_ACTIONS[name] ?? name
  if (name === 'SERVICE_DESIRED_COUNT_UPDATED' && typeof d.desiredCount === 'number') what += ` to ${d.desiredCount}`
  const reason = str(d.reason)
  return `${c.bold('service')} ${serviceOf(e, d)} ${byLevel(c, d.eventType)(what + (reason ? `: ${reason}` : ''))}`
}

function deploymentLine(d: Detail, e: EcsEvent, c: ChalkInstance): string {
  const name = str(d.eventName) ?? '?'
  const state = name.replace(/^SERVICE_DEPLOYMENT_/, '')
  const colour = state === 'COMPLETED' ? c.green : state === 'FAILED' ? c.red : state === 'IN_PROGRESS' ? c.cyan : byLevel(c, d.eventType)
  const reason = str(d.reason)
  // "ECS deployment <id> in progress." / "... completed." only repeat the line; rollbacks and failures say more.
  const says = reason && !/^ECS deployment \S+ (in progress|completed)\.?$/i.test(reason) ? `: ${reason}` : ''
  return `${c.bold('deployment')} ${str(d.deploymentId) ?? '?'} ${colour(state)}${says} ${c.dim(`(service ${serviceOf(e, d)})`)}`
}

function instanceLine(d: Detail, e: EcsEvent, c: ChalkInstance): string {
  const arn = str(d.containerInstanceArn) ?? e.resources[0] ?? ''
  const status = str(d.status) ?? '?'
  const parts = [
    d.agentConnected === false ? 'agent disconnected' : undefined,
    typeof d.runningTasksCount === 'number' ? `${d.runningTasksCount} running` : undefined,
    typeof d.pendingTasksCount === 'number' ? `${d.pendingTasksCount} pending` : undefined,
  ].filter(Boolean)
  const colour = status === 'ACTIVE' ? c.green : status === 'INACTIVE' || status === 'DEREGISTERING' ? c.gray : c.yellow
  return `${c.bold('instance')} ${shortId(lastSegment(arn))} ${colour(status)}${parts.length ? c.dim(` (${parts.join(', ')})`) : ''}`
}

/** One line for people. */
export function formatEvent(e: EcsEvent, o: FormatOptions = {}): string {
  const c = o.chalk ?? chalk
  return `${c.dim(clockTime(e.time, o.utc))} ${eventBody(e, c)}`
}

/** The line of an event without its time. */
function eventBody(e: EcsEvent, c: ChalkInstance): string {
  const d = (e.detail ?? {}) as Detail
  let body: string
  switch (e['detail-type']) {
    case 'ECS Task State Change':
      body = taskLine(d, e, c)
      break
    case 'ECS Service Action':
      body = serviceActionLine(d, e, c)
      break
    case 'ECS Deployment State Change':
      body = deploymentLine(d, e, c)
      break
    case 'ECS Container Instance State Change':
      body = instanceLine(d, e, c)
      break
    default:
      body = `${c.bold(e['detail-type'])} ${e.resources.join(' ')}`
  }
  return body
}

const plain = new Chalk({ level: 0 })

/**
 * Drops an event whose line would show again what the last line of the same resource showed (a
 * task's `PENDING`, `PENDING` when only a field the line leaves out changed).
 */
export class RepeatFilter {
  private readonly last = new Map<string, string>()

  /** True when the event's line shows something new for its resource (and remembers it). */
  fresh(e: EcsEvent): boolean {
    const key = e.resources?.length ? e.resources.join(' ') : e.id
    const body = eventBody(e, plain)
    if (this.last.get(key) === body) return false
    this.last.set(key, body)
    if (this.last.size > 10_000) this.last.delete(this.last.keys().next().value!)
    return true
  }
}

/** `--json`: the event exactly as the bus has it (EventBridge shape), one per line. */
export const formatEventJson = (e: EcsEvent): string => JSON.stringify(e)

/** Notices go to stderr, so `--json` output stays events only. */
export function formatNotice(n: StreamNotice, o: FormatOptions & { now?: Date } = {}): string {
  const c = o.chalk ?? chalk
  const time = c.dim(clockTime((o.now ?? new Date()).toISOString(), o.utc))
  const warn = n.code === 'dropped' || n.code === 'replay-gap' || n.code === 'error' || n.code === 'disconnected'
  return `${time} ${warn ? c.yellow(`! ${n.message}`) : c.dim(`· ${n.message}`)}`
}
