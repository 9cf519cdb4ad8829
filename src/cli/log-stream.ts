import { CliError } from '../lib/errors.js'
import { CLIENT_KEY_HEADER } from '../server/auth.js'
import { splitLogTimestamp, type LogLine } from './log-format.js'

/**
 * Reads container logs from an instance's `GET /kecs/v1/logs` (src/server/logs-app.ts): live from the
 * cluster while the pod exists, the kept tail after. Lines are always asked with timestamps, so
 * streams can be merged in time order; the printer shows them only with `--timestamps`.
 */
export interface LogQuery {
  /** ECS endpoint of the instance. */
  endpoint: string
  /** With --auth sigv4: the instance's client key (sent as X-Kecs-Client-Key). */
  clientKey?: string
  region?: string
  cluster: string
  taskArn: string
  container: string
  follow?: boolean
  /** The last N lines (all when undefined). */
  tail?: number
  /** A duration (30s, 5m) or an RFC 3339 time. */
  since?: string
}

export class LogRequestError extends Error {
  override name = 'LogRequestError'
  constructor(
    readonly status: number,
    readonly type: string | undefined,
    message: string,
  ) {
    super(message)
  }
}

export function logsUrl(q: LogQuery): string {
  const u = new URL('/kecs/v1/logs', q.endpoint)
  u.searchParams.set('cluster', q.cluster)
  u.searchParams.set('task', q.taskArn)
  u.searchParams.set('container', q.container)
  u.searchParams.set('timestamps', 'true')
  if (q.follow) u.searchParams.set('follow', 'true')
  if (q.tail !== undefined) u.searchParams.set('tail', String(q.tail))
  if (q.since) u.searchParams.set('since', q.since)
  if (q.region) u.searchParams.set('region', q.region)
  return u.toString()
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((r) => {
    const t = setTimeout(done, ms)
    signal.addEventListener('abort', done, { once: true })
    function done() {
      clearTimeout(t)
      signal.removeEventListener('abort', done)
      r()
    }
  })

const taskIdOf = (arn: string) => arn.slice(arn.lastIndexOf('/') + 1)

/** The lines of one container; ends with the log (with follow: when the container stops) or on abort. */
export async function* containerLog(q: LogQuery, signal?: AbortSignal): AsyncGenerator<LogLine> {
  const taskId = taskIdOf(q.taskArn)
  let res: Response
  try {
    res = await fetch(logsUrl(q), { signal, headers: q.clientKey ? { [CLIENT_KEY_HEADER]: q.clientKey } : {} })
  } catch (e) {
    if (signal?.aborted) return
    throw e
  }
  if (res.status !== 200) {
    const text = await res.text().catch(() => '')
    let body: { __type?: string; message?: string } = {}
    try {
      body = JSON.parse(text) as typeof body
    } catch {
      /* not JSON */
    }
    if (res.status === 404 && !body.__type) {
      throw new CliError(`${q.endpoint} has no log endpoint`, 'Is it a KECS instance of this version? Check --endpoint / --name.')
    }
    throw new LogRequestError(res.status, body.__type, body.message ?? (text || `HTTP ${res.status}`))
  }
  if (!res.body) return
  const decoder = new TextDecoder()
  let carry = ''
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      const parts = (carry + decoder.decode(chunk, { stream: true })).split('\n')
      carry = parts.pop()!
      for (const p of parts) yield { taskId, container: q.container, ...splitLogTimestamp(p) }
    }
    carry += decoder.decode()
  } catch (e) {
    // Aborted by us, or the instance went away mid-stream: what arrived is all there is.
    if (signal?.aborted) return
    if (!(e instanceof Error) || !/terminated|aborted|socket|ECONNRESET/i.test(`${e.message} ${String((e as { cause?: unknown }).cause)}`)) throw e
  }
  if (carry) yield { taskId, container: q.container, ...splitLogTimestamp(carry) }
}

/** Everything one container printed (no follow), for merging in time order. */
export async function collectLog(q: LogQuery, signal?: AbortSignal): Promise<LogLine[]> {
  const out: LogLine[] = []
  for await (const l of containerLog({ ...q, follow: false }, signal)) out.push(l)
  return out
}

/**
 * Follows several containers at once (a task's, a service's tasks', `kecs run`'s), handing each line
 * to `onLine` as it comes. New streams may be added while it runs (a service's new tasks); `idle()`
 * resolves when no stream is open.
 */
export class LogFollower {
  private readonly open = new Map<string, Promise<void>>()
  private readonly seen = new Set<string>()
  private readonly ac = new AbortController()
  private idleWaiters: (() => void)[] = []

  constructor(
    private readonly base: Omit<LogQuery, 'taskArn' | 'container' | 'follow'>,
    private readonly onLine: (l: LogLine) => void,
    private readonly onError: (key: string, e: unknown) => void,
    signal?: AbortSignal,
    /**
     * Whether a container may still print (its task is not STOPPED). A follow stream that ends before
     * its first line while this says yes is opened again: the endpoint ends such a stream when the
     * task's pod is not created yet (a task followed right after RunTask).
     */
    private readonly mayStillPrint?: (taskArn: string, container: string) => Promise<boolean>,
  ) {
    if (signal?.aborted) this.ac.abort()
    else signal?.addEventListener('abort', () => this.ac.abort(), { once: true })
  }

  /** Starts following a container, once (adding the same one again does nothing). */
  add(taskArn: string, container: string): boolean {
    const key = `${taskArn}/${container}`
    if (this.seen.has(key) || this.ac.signal.aborted) return false
    this.seen.add(key)
    const run = (async () => {
      try {
        for (let attempt = 0; ; attempt++) {
          let lines = 0
          for await (const l of containerLog({ ...this.base, taskArn, container, follow: true }, this.ac.signal)) {
            lines++
            this.onLine(l)
          }
          if (lines > 0 || this.ac.signal.aborted || !this.mayStillPrint) break
          const running = await this.mayStillPrint(taskArn, container)
          if (this.ac.signal.aborted) break
          // Stopped meanwhile: one more read returns what was kept of it, then ends.
          if (!running && attempt > 0) break
          if (running) await sleep(Math.min(1_000, 100 * 2 ** Math.min(attempt, 4)), this.ac.signal)
        }
      } catch (e) {
        if (!this.ac.signal.aborted) this.onError(key, e)
      } finally {
        this.open.delete(key)
        if (this.open.size === 0) for (const w of this.idleWaiters.splice(0)) w()
      }
    })()
    this.open.set(key, run)
    return true
  }

  has(taskArn: string): boolean {
    for (const k of this.seen) if (k.startsWith(`${taskArn}/`)) return true
    return false
  }

  get size(): number {
    return this.open.size
  }

  /** Resolves when every stream added so far has ended. */
  idle(): Promise<void> {
    if (this.open.size === 0) return Promise.resolve()
    return new Promise((r) => this.idleWaiters.push(r))
  }

  /** Ends every stream. */
  stop(): void {
    this.ac.abort()
  }
}
