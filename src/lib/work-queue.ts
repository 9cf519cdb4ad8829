import type { Timers } from './timers.js'

/**
 * A controller work queue: keys are deduplicated, one key is never reconciled twice at once
 * (a change during a run re-queues it), failures retry with backoff.
 */
export class WorkQueue {
  private readonly pending = new Set<string>()
  private readonly active = new Set<string>()
  private readonly dirty = new Set<string>()
  private readonly delayed = new Map<string, { at: number; cancel: () => void }>()
  private readonly retries = new Map<string, number>()
  private readonly inflight = new Set<Promise<void>>()
  private kicked = false
  private stopped = false

  constructor(
    readonly name: string,
    private readonly handler: (key: string) => Promise<void>,
    private readonly timers: Timers,
    private readonly onError: (where: string, err: unknown) => void,
    /** Retry delays after a failure: base·2^n, capped. */
    private readonly backoff: { baseMs: number; maxMs: number } = { baseMs: 25, maxMs: 5000 },
  ) {}

  add(key: string): void {
    if (this.stopped) return
    if (this.active.has(key)) {
      this.dirty.add(key)
      return
    }
    this.pending.add(key)
    if (!this.kicked) {
      this.kicked = true
      queueMicrotask(() => {
        this.kicked = false
        this.drain()
      })
    }
  }

  /** Queues key after ms (the earliest request wins). */
  addAfter(key: string, ms: number): void {
    if (this.stopped) return
    if (ms <= 0) return this.add(key)
    const at = this.timers.now() + ms
    const existing = this.delayed.get(key)
    if (existing && existing.at <= at) return
    existing?.cancel()
    const cancel = this.timers.setTimeout(() => {
      this.delayed.delete(key)
      this.add(key)
    }, ms)
    this.delayed.set(key, { at, cancel })
  }

  /** True when nothing is queued or running (tests). */
  get idle(): boolean {
    return this.pending.size === 0 && this.active.size === 0
  }

  private drain(): void {
    for (const key of [...this.pending]) {
      if (this.active.has(key)) continue
      this.pending.delete(key)
      this.active.add(key)
      const p: Promise<void> = this.handler(key)
        .then(
          () => void this.retries.delete(key),
          (err) => {
            if (this.stopped) return
            this.onError(`${this.name} ${key}`, err)
            const n = (this.retries.get(key) ?? 0) + 1
            this.retries.set(key, n)
            this.addAfter(key, Math.min(this.backoff.maxMs, this.backoff.baseMs * 2 ** n))
          },
        )
        .finally(() => {
          this.active.delete(key)
          this.inflight.delete(p)
          if (this.dirty.delete(key)) this.add(key)
        })
      this.inflight.add(p)
    }
  }

  async stop(): Promise<void> {
    this.stopped = true
    for (const d of this.delayed.values()) d.cancel()
    this.delayed.clear()
    this.pending.clear()
    while (this.inflight.size) await Promise.allSettled([...this.inflight])
  }
}
