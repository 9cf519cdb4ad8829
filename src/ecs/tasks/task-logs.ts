import { taskKeyOf } from './task-keys.js'
import { DEFAULT_STOPPED_RETENTION_MS, isExpired } from './runtime.js'
import type { TaskDoc } from './task-doc.js'
import type { EcsCore } from '../types.js'
import { DocTable } from '../../store/doc-table.js'
import { every, toTimers, type Timers } from '../../lib/timers.js'
import { PodLogError, type PodLogSource } from './log-source.js'
import { LogForwarder } from './log-forwarder.js'
import type { TaskLogSink } from './log-sink.js'

/**
 * Container logs of tasks: live from the cluster while the pod exists, the last KEPT_LINES lines kept
 * in the `task_logs` table once the task stops (captured from the moment the stop begins, so what a
 * container prints while it shuts down is kept too). One per instance, built by src/instance; it
 * learns of stops from the typed task-change signal. Details: docs/architecture.md ("Task logs").
 */
export const KEPT_LINES = 1000
/** How long beforePodDelete waits for the log streams to open before letting the pod go anyway. */
const OPEN_WAIT_MS = 2_000
/** A capture still open this long after the stop timeout is cut (and what it has is kept). */
const CAPTURE_SLACK_MS = 120_000

export interface KeptLog {
  taskArn: string
  container: string
  /** Epoch ms. */
  capturedAt: number
  /** Each line as the API returned it with timestamps: `<RFC3339Nano> <text>`. */
  lines: string[]
}

export interface ReadTaskLogsOptions {
  task: TaskDoc
  container: string
  follow?: boolean
  /** The last N lines (before following); all when undefined. */
  tail?: number
  /** Only lines at or after this time (epoch ms). */
  since?: number
  /** Prefix each line with its RFC3339Nano timestamp. */
  timestamps?: boolean
  signal?: AbortSignal
}

type Deps = Pick<EcsCore, 'repos' | 'signals' | 'clock'>

interface Capture {
  /** Settles when the stream opened or failed (beforePodDelete waits for this). */
  opened: Promise<void>
  /** Settles when the lines are stored (or there was nothing to keep). */
  done: Promise<void>
  abort(): void
}

export const keptLogKey = (taskArn: string, container: string) => `${taskArn}/${container}`

export class TaskLogs {
  private readonly table: DocTable<KeptLog>
  private readonly loaded: Promise<unknown>
  private source: PodLogSource | undefined
  private readonly captures = new Map<string, Capture>()
  private unsubscribe: (() => void) | undefined
  private stopSweeping = () => {}
  private forwarder: LogForwarder | undefined

  constructor(
    private readonly deps: Deps,
    /** How long STOPPED tasks (and so their kept logs) stay. */
    private readonly retentionMs = DEFAULT_STOPPED_RETENTION_MS,
    private readonly timers: Timers = toTimers(),
  ) {
    this.table = new DocTable<KeptLog>(deps.repos.store, 'task_logs')
    this.loaded = this.table.load()
    this.loaded.catch(() => {})
  }

  /**
   * Attaches the cluster's logs: captures start, reads go live. With a sink, the lines of the containers
   * it wants are also handed to it as they are printed (a log driver: awslogs). Returns `stop`.
   */
  start(source: PodLogSource, opts: { sweepIntervalMs?: number; sink?: TaskLogSink; log?: (line: string) => void } = {}): () => Promise<void> {
    this.source = source
    this.unsubscribe?.()
    const forwarder = opts.sink ? new LogForwarder(source, opts.sink, opts.log) : undefined
    this.forwarder = forwarder
    this.unsubscribe = this.deps.signals.taskChanged.on(({ task }) => {
      forwarder?.taskChanged(task)
      const stopping = task.desiredStatus === 'STOPPED'
      const stopped = (task.containers ?? []).filter((c) => c.lastStatus === 'STOPPED').map((c) => c.name ?? '')
      if (!stopping && stopped.length === 0) return
      this.capture(task, stopping ? undefined : stopped)
    })
    this.stopSweeping()
    this.stopSweeping = every(this.timers, opts.sweepIntervalMs ?? 60_000, () => void this.sweep())
    void this.sweep()
    forwarder?.adopt(this.deps.repos)
    return () => this.stop()
  }

  /** Detaches: open captures are cut and what they have is stored. */
  async stop(): Promise<void> {
    this.unsubscribe?.()
    this.unsubscribe = undefined
    this.stopSweeping()
    const pending = [...this.captures.values()]
    for (const c of pending) c.abort()
    await Promise.all(pending.map((c) => c.done))
    await this.forwarder?.stop()
    this.forwarder = undefined
    this.source = undefined
  }

  /**
   * For the reconciler's `beforePodDelete`: starts keeping every container's log and resolves once
   * the streams are open (or failed, or OPEN_WAIT_MS passed), so deleting the pod loses nothing.
   */
  async beforePodDelete(task: TaskDoc): Promise<void> {
    const started = this.capture(task)
    let cancel = () => {}
    const wait = new Promise<void>((r) => (cancel = this.timers.setTimeout(r, OPEN_WAIT_MS)))
    await Promise.race([Promise.all(started.map((c) => c.opened)), wait])
    cancel()
  }

  /** Starts keeping the log of the given containers (default: all) unless kept or being kept. */
  capture(task: TaskDoc, containers?: string[]): Capture[] {
    const source = this.source
    const ns = task.kecs?.namespace
    const pod = task.kecs?.podName
    if (!source || !ns || !pod) return []
    const out: Capture[] = []
    for (const c of task.containers ?? []) {
      const name = c.name ?? ''
      if (!name || (containers && !containers.includes(name))) continue
      const key = keptLogKey(task.taskArn, name)
      const running = this.captures.get(key)
      if (running) {
        out.push(running)
        continue
      }
      if (this.table.has(key)) continue
      const capture = this.follow(source, task, ns, pod, name, key)
      this.captures.set(key, capture)
      void capture.done.finally(() => {
        if (this.captures.get(key) === capture) this.captures.delete(key)
      })
      out.push(capture)
    }
    return out
  }

  private follow(source: PodLogSource, task: TaskDoc, ns: string, pod: string, container: string, key: string): Capture {
    const ac = new AbortController()
    let markOpened!: () => void
    const opened = new Promise<void>((r) => (markOpened = r))
    const limitMs = (task.kecs?.stopTimeoutSeconds ?? 30) * 1000 + CAPTURE_SLACK_MS
    const run = async () => {
      const lines: string[] = []
      let carry = ''
      let streamOpened = false
      const timer = setTimeout(() => ac.abort(), limitMs)
      timer.unref?.()
      try {
        const it = await source.open({ namespace: ns, pod, container, follow: true, tailLines: KEPT_LINES, timestamps: true }, ac.signal)
        streamOpened = true
        markOpened()
        for await (const chunk of it) {
          const parts = (carry + chunk).split('\n')
          carry = parts.pop()!
          lines.push(...parts)
          if (lines.length > KEPT_LINES * 2) lines.splice(0, lines.length - KEPT_LINES)
          if (ac.signal.aborted) break
        }
      } catch (err) {
        // 400 (never started) or 404 (pod already gone): nothing to keep from here.
        if (!(err instanceof PodLogError)) throw err
      } finally {
        clearTimeout(timer)
        markOpened()
      }
      if (carry) lines.push(carry)
      if (!streamOpened) return
      await this.loaded
      // The task may have been forgotten meanwhile: keep nothing for it.
      if (!this.taskOf(task.taskArn)) return
      const doc: KeptLog = { taskArn: task.taskArn, container, capturedAt: this.deps.clock.now(), lines: lines.slice(-KEPT_LINES) }
      await this.table.put(key, doc)
    }
    const done = run().catch(() => {})
    return { opened, done, abort: () => ac.abort() }
  }

  /** The kept tail of one container, once any capture of it has finished. */
  async kept(taskArn: string, container: string): Promise<KeptLog | undefined> {
    const key = keptLogKey(taskArn, container)
    await this.captures.get(key)?.done
    await this.loaded
    return this.table.get(key)
  }

  /** The writes that forget a task's kept logs (for a caller deleting the task in the same job). */
  stageForget(taskArn: string) {
    const prefix = `${taskArn}/`
    return [...this.table.entries()].filter(([k]) => k.startsWith(prefix)).map(([k]) => this.table.stageDelete(k))
  }

  /** Forgets the kept logs of tasks that are gone from the store or past their retention. */
  async sweep(): Promise<void> {
    await this.loaded.catch(() => {})
    const ops = []
    for (const [key, doc] of [...this.table.entries()]) {
      if (!this.taskOf(doc.taskArn) && !this.captures.has(key)) ops.push(this.table.stageDelete(key))
    }
    if (ops.length) await this.deps.repos.store.write(ops).catch(() => {})
  }

  /** The stored task of an ARN, unless it was forgotten (or is due to be). */
  private taskOf(taskArn: string): TaskDoc | undefined {
    let key: string
    try {
      key = taskKeyOf({ taskArn })
    } catch {
      return undefined
    }
    const doc = this.deps.repos.tasks.get(key) as TaskDoc | undefined
    if (!doc || isExpired(doc, this.deps.clock.now(), this.retentionMs)) return undefined
    return doc
  }

  /**
   * Log lines of one container (each ending in "\n"): live from the pod while it exists, else the kept
   * tail. With `follow`, waits for a container that has not started and ends when the log ends.
   */
  async *read(o: ReadTaskLogsOptions): AsyncGenerator<string> {
    const signal = o.signal
    if (o.tail !== undefined && o.tail <= 0 && !o.follow) return
    for (;;) {
      if (signal?.aborted) return
      const doc = this.taskOf(o.task.taskArn) ?? o.task
      const keptAlready = doc.lastStatus === 'STOPPED' && (this.captures.has(keptLogKey(doc.taskArn, o.container)) || this.table.has(keptLogKey(doc.taskArn, o.container)))
      const source = this.source
      if (source && doc.kecs?.namespace && doc.kecs.podName && !keptAlready) {
        let it: AsyncIterable<string> | undefined
        try {
          it = await source.open(
            {
              namespace: doc.kecs.namespace,
              pod: doc.kecs.podName,
              container: o.container,
              follow: o.follow,
              tailLines: o.tail,
              sinceSeconds: o.since === undefined ? undefined : (this.deps.clock.now() - o.since) / 1000,
              timestamps: o.timestamps,
            },
            signal,
          )
        } catch (err) {
          if (!(err instanceof PodLogError)) throw err
          if (err.status === 400 && doc.lastStatus !== 'STOPPED' && doc.desiredStatus !== 'STOPPED') {
            // Not started yet: with follow, wait for the task to change and try again.
            if (!o.follow) return
            await this.nextChange(doc.taskArn, signal)
            continue
          }
          if (err.status !== 404 && err.status !== 400) throw err
        }
        if (it) {
          for await (const chunk of it) {
            if (signal?.aborted) return
            yield chunk
          }
          return
        }
      } else if (!doc.kecs?.podName && doc.lastStatus !== 'STOPPED' && o.follow && source) {
        // No pod yet (being created): wait for it.
        await this.nextChange(doc.taskArn, signal)
        continue
      }
      yield* this.keptLines(doc.taskArn, o)
      return
    }
  }

  private async *keptLines(taskArn: string, o: ReadTaskLogsOptions): AsyncGenerator<string> {
    const kept = await this.kept(taskArn, o.container)
    if (!kept) return
    let lines = kept.lines.map(splitTimestamp)
    if (o.since !== undefined) lines = lines.filter((l) => l.ms === undefined || l.ms >= o.since!)
    if (o.tail !== undefined) lines = o.tail <= 0 ? [] : lines.slice(-o.tail)
    for (const l of lines) {
      if (o.signal?.aborted) return
      yield `${o.timestamps && l.ts ? `${l.ts} ` : ''}${l.text}\n`
    }
  }

  /** Resolves on the task's next state change (or after a while, or when aborted). */
  private nextChange(taskArn: string, signal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        unsubscribe()
        clearTimeout(timer)
        signal?.removeEventListener('abort', done)
        resolve()
      }
      const unsubscribe = this.deps.signals.taskChanged.on(({ task }) => {
        if (task.taskArn === taskArn) done()
      })
      const timer = setTimeout(done, 2_000)
      timer.unref?.()
      signal?.addEventListener('abort', done, { once: true })
    })
  }
}

/** `2024-01-02T03:04:05.123456789Z text` → its parts (lines without a timestamp keep ms undefined). */
function splitTimestamp(line: string): { ts?: string; ms?: number; text: string } {
  const sp = line.indexOf(' ')
  const head = sp < 0 ? line : line.slice(0, sp)
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(head)) return { text: line }
  const ms = Date.parse(head.replace(/(\.\d{3})\d+/, '$1'))
  return { ts: head, ms: Number.isNaN(ms) ? undefined : ms, text: sp < 0 ? '' : line.slice(sp + 1) }
}
