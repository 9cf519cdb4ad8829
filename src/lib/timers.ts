/** The injectable clock (docs/architecture.md#injected-clock-timers-and-process-runner): milliseconds since the epoch. */
export interface Clock {
  now(): number
}

export const systemClock: Clock = { now: () => Date.now() }

/**
 * The clock the controllers and the simulated kubelet run on (docs/architecture.md#injected-clock-timers-and-process-runner): `now()` for
 * timestamps, `setTimeout` for delays. Tests inject a ManualClock so nothing sleeps.
 */
export interface Timers extends Clock {
  /** Runs fn after ms milliseconds; returns a function that cancels it. */
  setTimeout(fn: () => void, ms: number): () => void
}

/** Runs fn every ms on the given timers until the returned function is called. */
export function every(timers: Timers, ms: number, fn: () => void): () => void {
  let cancel = () => {}
  let stopped = false
  const tick = () => {
    if (stopped) return
    fn()
    cancel = timers.setTimeout(tick, ms)
  }
  cancel = timers.setTimeout(tick, ms)
  return () => {
    stopped = true
    cancel()
  }
}

/** Resolves after ms on the given timers. */
export const sleep = (timers: Timers, ms: number) => new Promise<void>((resolve) => timers.setTimeout(resolve, ms))

export function isTimers(c: unknown): c is Timers {
  return !!c && typeof (c as Timers).setTimeout === 'function' && typeof (c as Timers).now === 'function'
}

/** Real timers (unref'd: the emulator's timers never keep a process alive), optionally with another clock for now(). */
export function toTimers(clock?: Clock | Timers): Timers {
  if (isTimers(clock)) return clock
  const now = clock ? () => clock.now() : () => Date.now()
  return {
    now,
    setTimeout(fn, ms) {
      const t = setTimeout(fn, Math.max(0, ms))
      t.unref?.()
      return () => clearTimeout(t)
    },
  }
}

interface Pending {
  at: number
  seq: number
  fn: () => void
}

const settle = () => new Promise<void>((resolve) => setImmediate(resolve))

/** A clock that only moves when told to: advance() fires due timers in order, letting async work settle between them. */
export class ManualClock implements Timers {
  private t: number
  private seq = 0
  private queue: Pending[] = []

  constructor(start = Date.parse('2025-01-01T00:00:00.000Z')) {
    this.t = start
  }

  now(): number {
    return this.t
  }

  setTimeout(fn: () => void, ms: number): () => void {
    const p: Pending = { at: this.t + Math.max(0, ms), seq: this.seq++, fn }
    this.queue.push(p)
    return () => {
      const i = this.queue.indexOf(p)
      if (i >= 0) this.queue.splice(i, 1)
    }
  }

  /** Number of timers waiting. */
  get pending(): number {
    return this.queue.length
  }

  /** Lets promises and setImmediate callbacks run (store writes, queued work). */
  async settle(rounds = 5): Promise<void> {
    for (let i = 0; i < rounds; i++) await settle()
  }

  /** Moves time forward by ms, firing every timer that falls due (including ones they schedule) in order. */
  async advance(ms: number): Promise<void> {
    const end = this.t + Math.max(0, ms)
    await this.settle()
    for (;;) {
      this.queue.sort((a, b) => a.at - b.at || a.seq - b.seq)
      const next = this.queue[0]
      if (!next || next.at > end) break
      this.queue.shift()
      this.t = Math.max(this.t, next.at)
      next.fn()
      await this.settle()
    }
    this.t = end
    await this.settle()
  }

  /** Advances in steps until check() holds (or maxMs of clock time passed); returns whether it held. */
  async until(check: () => boolean, maxMs = 600_000, stepMs = 50): Promise<boolean> {
    for (let waited = 0; waited <= maxMs; waited += stepMs) {
      await this.settle()
      if (check()) return true
      await this.advance(stepMs)
    }
    return check()
  }
}
