import { randomUUID } from 'node:crypto'
import { EVENT_OVERHEAD_BYTES, MAX_BATCH_BYTES, MAX_EVENT_BYTES } from './events.js'
import { newGroup } from './groups.js'
import type { LogsState, Scope } from './state.js'
import { newStream } from './streams.js'

/**
 * The awslogs log driver's side in KECS (fact sheet 8.4): which group and stream a container's lines
 * go to, the check made when a task starts (the group must exist unless `awslogs-create-group` is
 * "true"), and the writer that appends the lines. Knows nothing of ECS types: src/instance adapts.
 */
export type AwsLogsOptions = Record<string, string | undefined>

export interface AwsLogsContainer {
  /** The task's account and region (awslogs-region overrides the region). */
  scope: Scope
  containerName: string
  /** The 32-hex task id. */
  taskId: string
  /** The container's runtime id (its Docker id): the stream name when there is no prefix. */
  runtimeId: string
}

export interface AwsLogsTarget {
  scope: Scope
  group: string
  stream: string
  createGroup: boolean
}

export const isCreateGroup = (options: AwsLogsOptions) => (options['awslogs-create-group'] ?? '').trim().toLowerCase() === 'true'

const regionOf = (scope: Scope, options: AwsLogsOptions): Scope => ({ account: scope.account, region: options['awslogs-region'] || scope.region })

/**
 * Stream `<prefix>/<container name>/<task id>`; without a prefix (EC2 only: Fargate requires one) the
 * container's Docker id, which in KECS is its runtime id.
 */
export function awslogsTarget(c: AwsLogsContainer, options: AwsLogsOptions): AwsLogsTarget | undefined {
  const group = options['awslogs-group']
  if (!group) return undefined
  const prefix = options['awslogs-stream-prefix']
  return {
    scope: regionOf(c.scope, options),
    group,
    stream: prefix ? `${prefix}/${c.containerName}/${c.taskId}` : c.runtimeId,
    createGroup: isCreateGroup(options),
  }
}

/**
 * Made before a task's containers start: the group exists, or is created when `awslogs-create-group`
 * is "true". `reason` is the CloudWatch Logs error the driver would get.
 */
export async function checkAwsLogsGroup(
  state: LogsState,
  scope: Scope,
  options: AwsLogsOptions,
  now: () => number = Date.now,
): Promise<{ ok: true } | { ok: false; reason: string }> {
  const group = options['awslogs-group']
  if (!group) return { ok: true } // RegisterTaskDefinition already requires it
  const s = regionOf(scope, options)
  if (state.group(s, group)) return { ok: true }
  if (!isCreateGroup(options)) return { ok: false, reason: 'ResourceNotFoundException: The specified log group does not exist.' }
  await state.putGroup(newGroup(s, group, now()))
  return { ok: true }
}

/**
 * The stoppedReason ECS gives when the driver cannot start, by launch type (fact sheet 8.4):
 * EC2, the Docker driver's error (H); Fargate, the platform's (M: second-hand report, wording of the
 * request id part unconfirmed).
 */
export function awslogsStoppedReason(launchType: string | undefined, reason: string, requestId: string = randomUUID()): string {
  if (launchType === 'FARGATE') {
    return (
      'ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: ' +
      `failed to create Cloudwatch log stream: operation error CloudWatch Logs: CreateLogStream, https response error StatusCode: 400, RequestID: ${requestId}, ${reason}`
    )
  }
  return `CannotStartContainerError: Error response from daemon: failed to initialize logging driver: failed to create Cloudwatch log stream: ${reason} status code: 400, request id: ${requestId}`
}

/**
 * Appends container lines to their stream as the driver does: the stream is created on first use, the
 * group too with create-group; lines of a group that is gone are dropped (the driver would fail them).
 * Batches follow PutLogEvents' limits; lines longer than an event may be are cut (the driver splits them).
 */
export class AwsLogsWriter {
  constructor(
    private readonly state: LogsState,
    private readonly now: () => number = Date.now,
  ) {}

  async write(t: AwsLogsTarget, lines: { timestamp: number; message: string }[]): Promise<number> {
    let group = this.state.group(t.scope, t.group)
    if (!group) {
      if (!t.createGroup) return 0
      group = newGroup(t.scope, t.group, this.now())
      await this.state.putGroup(group)
    }
    if (!this.state.stream(t.scope, t.group, t.stream)) await this.state.putStream(newStream(t.scope, t.group, t.stream, this.now()))
    // Events must be in time order; a container's lines are, but clocks may step back: keep them monotonic.
    let last = -Infinity
    const events = lines.map((l) => {
      last = Math.max(last, l.timestamp)
      const message = Buffer.byteLength(l.message, 'utf8') > MAX_EVENT_BYTES ? Buffer.from(l.message, 'utf8').subarray(0, MAX_EVENT_BYTES).toString('utf8') : l.message
      return { timestamp: last, message }
    })
    let written = 0
    let batch: typeof events = []
    let bytes = 0
    const flush = async () => {
      if (!batch.length) return
      const g = this.state.group(t.scope, t.group)
      const st = this.state.stream(t.scope, t.group, t.stream)
      if (!g || !st) return
      await this.state.append(t.scope, g, st, batch, this.now())
      written += batch.length
      batch = []
      bytes = 0
    }
    for (const e of events) {
      const size = Buffer.byteLength(e.message, 'utf8') + EVENT_OVERHEAD_BYTES
      if (batch.length >= 10_000 || bytes + size > MAX_BATCH_BYTES) await flush()
      batch.push(e)
      bytes += size
    }
    await flush()
    return written
  }

  /** The newest event timestamp of a stream (where a re-opened log resumes). */
  lastTimestamp(t: AwsLogsTarget): number | undefined {
    return this.state.stream(t.scope, t.group, t.stream)?.lastEventTimestamp
  }
}
