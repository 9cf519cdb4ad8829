import { KubeStatusError, type LogSource, type ObjectStore } from '../types.js'
import { rfc3339Nano } from '../controllers/objects.js'
import type { Timers } from '../../lib/timers.js'

/**
 * What the simulated containers "print": one bounded in-memory buffer per container instance
 * (the current one and the one before it, for `previous`). read() validates like the kubelet's
 * log endpoint (errors are thrown at once, as KubeStatusError) and returns the lines, each
 * ending in "\n", so the API server can write them to the response as they come.
 */

interface Line {
  seq: number
  ts: number
  text: string
  /** A line written with a key is replaced by the next line of the same key that directly follows it. */
  key?: string
}

interface Instance {
  /** the container's restartCount when this instance started */
  index: number
  lines: Line[]
  nextSeq: number
  ended: boolean
  waiters: Set<() => void>
}

export interface ReadOptions {
  follow?: boolean
  tailLines?: number
  sinceSeconds?: number
  timestamps?: boolean
  previous?: boolean
}

export class LogBuffers implements LogSource {
  private readonly pods = new Map<string, Map<string, Instance[]>>()

  constructor(
    private readonly store: ObjectStore,
    private readonly timers: Timers,
    private readonly maxLines = 1000,
  ) {}

  /** A new instance of a container starts (its restart count). */
  begin(uid: string, container: string, index: number): void {
    let byName = this.pods.get(uid)
    if (!byName) this.pods.set(uid, (byName = new Map()))
    const list = byName.get(container) ?? []
    for (const old of list) this.finish(old)
    list.push({ index, lines: [], nextSeq: 0, ended: false, waiters: new Set() })
    while (list.length > 2) list.shift()
    byName.set(container, list)
  }

  /**
   * Appends a line. With a `key` (the kubelet's heartbeat), a line that directly follows one of the same
   * key replaces it: a follower still gets each one as it comes, but a container running for hours keeps
   * one such line, not a thousand per container across thousands of pods.
   */
  write(uid: string, container: string, text: string, key?: string): void {
    const inst = this.pods.get(uid)?.get(container)?.at(-1)
    if (!inst || inst.ended) return
    if (key !== undefined && inst.lines.at(-1)?.key === key) inst.lines.pop()
    for (const part of text.split('\n')) {
      const line: Line = { seq: inst.nextSeq++, ts: this.timers.now(), text: part }
      if (key !== undefined) line.key = key
      inst.lines.push(line)
    }
    if (inst.lines.length > this.maxLines) inst.lines.splice(0, inst.lines.length - this.maxLines)
    this.wake(inst)
  }

  /** The current instance terminated: followers finish once they have read everything. */
  end(uid: string, container: string): void {
    const inst = this.pods.get(uid)?.get(container)?.at(-1)
    if (inst) this.finish(inst)
  }

  /** The pod is gone: end every stream and drop its buffers. */
  podGone(uid: string): void {
    const byName = this.pods.get(uid)
    if (!byName) return
    for (const list of byName.values()) for (const inst of list) this.finish(inst)
    this.pods.delete(uid)
  }

  clear(): void {
    for (const uid of [...this.pods.keys()]) this.podGone(uid)
  }

  private finish(inst: Instance): void {
    inst.ended = true
    this.wake(inst)
  }

  private wake(inst: Instance): void {
    const ws = [...inst.waiters]
    inst.waiters.clear()
    for (const w of ws) w()
  }

  read(namespace: string, pod: string, container: string | undefined, opts: ReadOptions, signal: AbortSignal): AsyncIterable<string> {
    const p = this.store.get('pods', namespace, pod)
    if (!p) throw new KubeStatusError(404, 'NotFound', `pods "${pod}" not found`, { name: pod, kind: 'pods' })
    const mains: string[] = (p.spec?.containers ?? []).map((c: any) => c.name)
    const inits: string[] = (p.spec?.initContainers ?? []).map((c: any) => c.name)
    let name = container
    if (!name) {
      if (mains.length !== 1) {
        const initPart = inits.length ? ` or one of the init containers: [${inits.join(' ')}]` : ''
        throw new KubeStatusError(400, 'BadRequest', `a container name must be specified for pod ${pod}, choose one of: [${mains.join(' ')}]${initPart}`)
      }
      name = mains[0]!
    } else if (!mains.includes(name) && !inits.includes(name)) {
      throw new KubeStatusError(400, 'BadRequest', `container ${name} is not valid for pod ${pod}`)
    }
    const statuses: any[] = [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])]
    const cs = statuses.find((s) => s.name === name)
    const restartCount = Number(cs?.restartCount ?? 0)
    const state = cs?.state ?? {}
    const hasLast = !!cs?.lastState?.terminated
    let index: number
    if (opts.previous) {
      if (!hasLast) throw new KubeStatusError(400, 'BadRequest', `previous terminated container "${name}" in pod "${pod}" not found`)
      index = state.waiting ? restartCount : restartCount - 1
    } else if (state.running || state.terminated || hasLast) {
      // running or terminated: this instance; waiting after a crash: the crashed one (not yet restarted)
      index = restartCount
    } else {
      const reason = state.waiting?.reason ?? 'ContainerCreating'
      throw new KubeStatusError(400, 'BadRequest', `container "${name}" in pod "${pod}" is waiting to start: ${reason}`)
    }
    const list = this.pods.get(p.metadata.uid ?? '')?.get(name) ?? []
    // the instance at that restart count; else (buffers lost to an emulator restart) the latest one or nothing
    const inst = list.find((i) => i.index === index) ?? (opts.previous ? undefined : list.at(-1))
    return this.stream(inst, opts, signal)
  }

  private async *stream(inst: Instance | undefined, opts: ReadOptions, signal: AbortSignal): AsyncGenerator<string> {
    if (!inst) return
    const fmt = (l: Line) => `${opts.timestamps ? `${rfc3339Nano(l.ts)} ` : ''}${l.text}\n`
    let lines = inst.lines
    if (opts.sinceSeconds !== undefined && opts.sinceSeconds >= 0) {
      const from = this.timers.now() - opts.sinceSeconds * 1000
      lines = lines.filter((l) => l.ts >= from)
    }
    if (opts.tailLines !== undefined && opts.tailLines >= 0) lines = opts.tailLines === 0 ? [] : lines.slice(-opts.tailLines)
    let next = inst.nextSeq
    for (const l of lines) {
      if (signal.aborted) return
      yield fmt(l)
    }
    if (!opts.follow) return
    let wake: (() => void) | undefined
    const onAbort = () => wake?.()
    signal.addEventListener('abort', onAbort)
    try {
      while (!signal.aborted) {
        // Sequence numbers have gaps (replaced lines): find the first line not yet sent.
        for (let i = firstFrom(inst.lines, next); i < inst.lines.length; i++) {
          const l = inst.lines[i]!
          next = l.seq + 1
          yield fmt(l)
          if (signal.aborted) return
        }
        if (inst.ended) return
        await new Promise<void>((resolve) => {
          wake = resolve
          inst.waiters.add(resolve)
        })
        wake = undefined
      }
    } finally {
      signal.removeEventListener('abort', onAbort)
      if (wake) inst.waiters.delete(wake)
    }
  }
}

/** Index of the first line with seq >= `seq` (lines are in seq order). */
function firstFrom(lines: Line[], seq: number): number {
  let lo = 0
  let hi = lines.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (lines[mid]!.seq < seq) lo = mid + 1
    else hi = mid
  }
  return lo
}
