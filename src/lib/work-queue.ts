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
    /**
     * At most `maxActive` keys run at once, taken round-robin across lanes (`laneOf(key)`): a burst in
     * one lane waits its turn instead of delaying every other lane behind it. Unset: all at once.
     */
    private readonly limit?: { maxActive: number; laneOf: (key: string) => string },
  ) {}

  /** Pending keys by lane, in turn order (a lane served goes to the back): only with a limit. */
  private readonly lanes = new Map<string, Set<string>>()

  add(key: string): void {
    if (this.stopped) return
    if (this.active.has(key)) {
      this.dirty.add(key)
      return
    }
    this.pending.add(key)
    if (this.limit) {
      const lane = this.limit.laneOf(key)
      const keys = this.lanes.get(lane)
      if (keys) keys.add(key)
      else this.lanes.set(lane, new Set([key]))
    }
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
    if (this.limit) {
      while (this.active.size < this.limit.maxActive) {
        const key = this.nextFair()
        if (key === undefined) break
        this.run(key)
      }
      return
    }
    for (const key of [...this.pending]) {
      if (this.active.has(key)) continue
      this.run(key)
    }
  }

  /** The first runnable key of the lane whose turn it is; that lane goes to the back. */
  private nextFair(): string | undefined {
    for (let i = this.lanes.size; i > 0; i--) {
      const [lane, keys] = this.lanes.entries().next().value as [string, Set<string>]
      this.lanes.delete(lane)
      let picked: string | undefined
      for (const k of keys) {
        if (!this.pending.has(k)) keys.delete(k)
        else if (!this.active.has(k)) {
          picked = k
          keys.delete(k)
          break
        }
      }
      if (keys.size) this.lanes.set(lane, keys)
      if (picked !== undefined) return picked
    }
    return undefined
  }

  private run(key: string): void {
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
        if (this.limit && !this.stopped) this.drain()
      })
    this.inflight.add(p)
  }

  async stop(): Promise<void> {
    this.stopped = true
    for (const d of this.delayed.values()) d.cancel()
    this.delayed.clear()
    this.pending.clear()
    this.lanes.clear()
    while (this.inflight.size) await Promise.allSettled([...this.inflight])
  }
}
