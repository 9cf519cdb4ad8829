import type { Repos } from '../repos.js'
import { PodLogError, type PodLogSource } from './log-source.js'
import type { LogLine, TaskLogSink } from './log-sink.js'
import type { TaskDoc } from './task-doc.js'

/**
 * Follows the log of every container a sink wants, from the moment it is seen running (or stopped,
 * for one that printed and exited before KECS looked) until its stream ends, and hands the lines on.
 * One follow per container at a time; a follow that ends while the container still runs is opened
 * again on its next change, skipping what was already handed on.
 */
const MAX_REMEMBERED = 10_000

export class LogForwarder {
  private readonly follows = new Map<string, AbortController>()
  /** Containers whose log was read to its end after they stopped. */
  private readonly finished = new Set<string>()
  /** The last timestamp handed on per container, and how many lines carried it. */
  private readonly last = new Map<string, { ts: number; count: number }>()
  private readonly running = new Set<Promise<void>>()

  constructor(
    private readonly source: PodLogSource,
    private readonly sink: TaskLogSink,
    private readonly log: (line: string) => void = () => {},
  ) {}

  /** At start: containers already running get followed. */
  adopt(repos: Pick<Repos, 'tasks'>): void {
    for (const task of repos.tasks.values()) if (task.lastStatus !== 'STOPPED') this.taskChanged(task)
  }

  taskChanged(task: TaskDoc): void {
    const ns = task.kecs?.namespace
    const pod = task.kecs?.podName
    if (!ns || !pod) return
    for (const c of task.containers ?? []) {
      const name = c.name ?? ''
      const key = `${task.taskArn}/${name}`
      if (!name || this.follows.has(key) || this.finished.has(key)) continue
      if (c.lastStatus !== 'RUNNING' && c.lastStatus !== 'STOPPED') continue
      let wanted = false
      try {
        wanted = this.sink.wants(task, name)
      } catch {
        wanted = false
      }
      if (!wanted) continue
      this.follow(task, ns, pod, name, key, c.lastStatus === 'STOPPED')
    }
  }

  private follow(task: TaskDoc, ns: string, pod: string, container: string, key: string, stopped: boolean): void {
    const ac = new AbortController()
    this.follows.set(key, ac)
    const run = async () => {
      let seen = this.last.get(key)
      if (!seen) {
        const after = this.sink.resumeAfter?.(task, container)
        if (after !== undefined) seen = { ts: after, count: Infinity }
      }
      let skipAtTs = seen?.count ?? 0
      let carry = ''
      try {
        const it = await this.source.open({ namespace: ns, pod, container, follow: true, timestamps: true }, ac.signal)
        for await (const chunk of it) {
          const parts = (carry + chunk).split('\n')
          carry = parts.pop()!
          const lines: LogLine[] = []
          for (const part of parts) {
            const line = parseLine(part)
            if (seen && line.timestamp < seen.ts) continue
            if (seen && line.timestamp === seen.ts && skipAtTs > 0) {
              skipAtTs--
              continue
            }
            lines.push(line)
          }
          if (lines.length) {
            await this.hand(task, container, lines)
            const ts = lines.at(-1)!.timestamp
            const prev = this.last.get(key)
            const count = lines.filter((l) => l.timestamp === ts).length + (prev && prev.ts === ts ? prev.count : 0)
            this.last.set(key, { ts, count })
            seen = this.last.get(key)
            skipAtTs = 0
          }
          if (ac.signal.aborted) break
        }
        if (carry) await this.hand(task, container, [parseLine(carry)])
        if (stopped) this.finish(key)
      } catch (err) {
        // 400 (not started, or gone) / 404 (pod gone): nothing to forward from here.
        if (!(err instanceof PodLogError) && !ac.signal.aborted) this.log(`forwarding the log of ${key}: ${(err as Error).message}`)
        if (err instanceof PodLogError && err.status === 404) this.finish(key)
      } finally {
        if (this.follows.get(key) === ac) this.follows.delete(key)
      }
    }
    const p = run()
    this.running.add(p)
    void p.finally(() => this.running.delete(p))
  }

  /** Done with a container for good: what is remembered of it is bounded (oldest forgotten first). */
  private finish(key: string): void {
    this.finished.add(key)
    this.last.delete(key)
    for (const k of this.finished) {
      if (this.finished.size <= MAX_REMEMBERED) break
      this.finished.delete(k)
    }
    for (const k of this.last.keys()) {
      if (this.last.size <= MAX_REMEMBERED) break
      this.last.delete(k)
    }
  }

  /** A sink that fails loses those lines, not the follow. */
  private async hand(task: TaskDoc, container: string, lines: LogLine[]): Promise<void> {
    try {
      await this.sink.onLines(task, container, lines)
    } catch (err) {
      this.log(`forwarding the log of ${task.taskArn}/${container}: ${(err as Error).message}`)
    }
  }

  /** Cuts every follow and waits for the lines in flight. */
  async stop(): Promise<void> {
    for (const ac of this.follows.values()) ac.abort()
    await Promise.allSettled([...this.running])
  }
}

/** `<RFC3339Nano> <text>` → its parts; a line without a timestamp is stamped now. */
export function parseLine(line: string): LogLine {
  const sp = line.indexOf(' ')
  const head = sp < 0 ? line : line.slice(0, sp)
  if (/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(head)) {
    const ms = Date.parse(head.replace(/(\.\d{3})\d+/, '$1'))
    if (!Number.isNaN(ms)) return { timestamp: ms, message: sp < 0 ? '' : line.slice(sp + 1) }
  }
  return { timestamp: Date.now(), message: line }
}
