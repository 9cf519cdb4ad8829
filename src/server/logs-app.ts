import type { Context, Hono } from 'hono'
import { clusterNameOf, isArn } from '../ecs/arns.js'
import { buildContext } from '../ecs/context.js'
import { isExpired, stoppedRetentionMs } from '../ecs/tasks/runtime.js'
import { findTask, type TaskDoc } from '../ecs/tasks/task-doc.js'
import { parseTaskArn } from '../ecs/tasks/task-keys.js'
import type { EcsDeps } from '../ecs/types.js'
import type { TaskLogs } from '../ecs/tasks/task-logs.js'

/**
 * `GET /kecs/v1/logs?cluster=&task=&container=&follow=&tail=&since=&timestamps=` on the API port: the
 * stable interface `kecs logs` and the UI read container logs through (src/kube/task-logs.ts).
 *
 *   task        task id or ARN (required); cluster defaults to the ARN's, else `default`
 *   container   required when the task has more than one container
 *   follow      `true`/`1`: keep the response open, streaming new lines, until the container stops
 *   tail        the last N lines (default all; -1 = all)
 *   since       a duration (`30s`, `5m`, `1h30m`) or an RFC 3339 time
 *   timestamps  `true`/`1`: prefix each line with its RFC3339Nano timestamp
 *   region      when `task` is an id and the caller sends no SigV4 Authorization header
 *
 * 200 `text/plain` (chunked) with the lines; errors as JSON `{__type, message}` (400 bad parameter,
 * 404 unknown task).
 */
export interface LogsEndpoint {
  /** Ends every open log stream (so the server can close). */
  close(): void
}

const truthy = (v: string | undefined) => v !== undefined && /^(|1|true|yes|on)$/i.test(v)

class BadParameter extends Error {}

export function mountLogs(app: Hono, deps: EcsDeps, logs: TaskLogs): LogsEndpoint {
  const open = new Set<AbortController>()

  app.get('/kecs/v1/logs', (c) => {
    let args
    try {
      args = parseArgs(c, deps)
    } catch (e) {
      if (e instanceof BadParameter) return c.json({ __type: 'InvalidParameterException', message: e.message }, 400)
      throw e
    }
    if ('notFound' in args) return c.json({ __type: 'ResourceNotFoundException', message: args.notFound }, 404)

    const ac = new AbortController()
    open.add(ac)
    const cleanup = () => open.delete(ac)
    c.req.raw.signal.addEventListener('abort', () => ac.abort(), { once: true })
    const it = logs.read({ ...args, signal: ac.signal })[Symbol.asyncIterator]()
    const enc = new TextEncoder()
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        try {
          const next = await it.next()
          if (next.done || ac.signal.aborted) {
            cleanup()
            controller.close()
            return
          }
          controller.enqueue(enc.encode(next.value))
        } catch {
          cleanup()
          controller.close()
        }
      },
      cancel() {
        ac.abort()
        cleanup()
        void it.return?.(undefined)
      },
    })
    return new Response(body, {
      status: 200,
      headers: {
        'Content-Type': 'text/plain; charset=utf-8',
        'Cache-Control': 'no-cache',
        'X-Content-Type-Options': 'nosniff',
        // A follow stream may be what holds the server open at shutdown: its socket closes with it.
        ...(args.follow ? { Connection: 'close' } : {}),
      },
    })
  })

  return {
    close() {
      for (const ac of open) ac.abort()
      open.clear()
    },
  }
}

type Args =
  | { notFound: string }
  | { task: TaskDoc; container: string; follow: boolean; tail?: number; since?: number; timestamps: boolean }

function parseArgs(c: Context, deps: EcsDeps): Args {
  const q = (k: string) => c.req.query(k)
  const ref = q('task')
  if (!ref) throw new BadParameter('task is required (a task id or ARN).')
  const arn = isArn(ref) ? parseTaskArn(ref) : undefined
  if (isArn(ref) && !arn) throw new BadParameter(`${ref} is not a task ARN.`)
  const ctx = buildContext({
    operation: 'Logs',
    authorization: c.req.header('authorization'),
    region: arn?.region ?? q('region'),
    account: arn?.account,
  })
  if (arn) ctx.region = arn.region
  const clusterName = clusterNameOf(q('cluster') || arn?.clusterName)
  const task = findTask(ctx, deps.repos, clusterName, ref)
  if (!task || isExpired(task, deps.clock.now(), stoppedRetentionMs(deps))) return { notFound: 'The referenced task was not found.' }

  const names = (task.containers ?? []).map((x) => x.name ?? '')
  let container = q('container')
  if (!container) {
    if (names.length !== 1) {
      throw new BadParameter(`a container name must be specified for task ${task.kecs.taskId}, choose one of: [${names.join(' ')}]`)
    }
    container = names[0]!
  } else if (!names.includes(container)) {
    throw new BadParameter(`container ${container} is not valid for task ${task.kecs.taskId}`)
  }

  let tail: number | undefined
  const rawTail = q('tail')
  if (rawTail !== undefined && rawTail !== '') {
    if (!/^-?\d+$/.test(rawTail) || Number(rawTail) < -1) throw new BadParameter('tail must be a number of lines (-1 for all).')
    tail = Number(rawTail) === -1 ? undefined : Number(rawTail)
  }
  const rawSince = q('since')
  const since = rawSince ? parseSince(rawSince, deps.clock.now()) : undefined
  return { task, container, follow: truthy(q('follow')), tail, since, timestamps: truthy(q('timestamps')) }
}

/** `since`: a duration back from now (`90s`, `5m`, `1h30m`, `500ms`) or an RFC 3339 time → epoch ms. */
export function parseSince(raw: string, nowMs: number): number {
  const parts = raw.match(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)
  if (parts && parts.join('') === raw) {
    const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const
    const ms = parts.reduce((acc, p) => {
      const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(p)!
      return acc + Number(m[1]) * unit[m[2] as keyof typeof unit]
    }, 0)
    return nowMs - ms
  }
  if (/^\d{4}-\d\d-\d\dT/.test(raw)) {
    const t = Date.parse(raw)
    if (!Number.isNaN(t)) return t
  }
  throw new BadParameter(`since must be a duration (30s, 5m, 1h) or an RFC 3339 time, got ${raw}`)
}
