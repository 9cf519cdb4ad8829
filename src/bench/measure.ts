import { CallError } from './client.js'
import { summarize, throughput, type LatencySummary } from './stats.js'

export interface MeasureOptions {
  /** Stop starting new calls after this long (calls in flight finish); default 60 s. */
  maxMs?: number
  /** Unrecorded calls before measuring (JIT, connection set-up); they get indices n..n+warmup-1. */
  warmup?: number
}

/** One measured workload on one target. Latency percentiles cover successful calls only. */
export interface MeasureResult {
  label: string
  target: string
  /** Calls asked for. */
  n: number
  concurrency: number
  /** Calls made: less than n when maxMs stopped the loop. */
  completed: number
  ok: number
  errors: number
  /** Error count per error type (ECS __type, or NetworkError / Timeout). */
  errorTypes: Record<string, number>
  /** The first error seen, `Type: message`. */
  firstError?: string
  wallMs: number
  /** Successful calls per second of wall time. */
  rps: number
  latency: LatencySummary
  stoppedEarly: boolean
}

export type MeasureFn = (label: string, n: number, concurrency: number, fn: (i: number) => Promise<unknown>, opts?: MeasureOptions) => Promise<MeasureResult>

export const DEFAULT_MAX_MS = 60_000

const describeError = (e: unknown): { type: string; text: string } => {
  if (e instanceof CallError) return { type: e.type, text: e.message }
  if (e instanceof Error) return { type: e.name || 'Error', text: `${e.name}: ${e.message}` }
  return { type: 'Error', text: String(e) }
}

/**
 * Runs fn(0..n-1) with `concurrency` workers and records each call's latency. Errors are counted
 * (never thrown), so a missing handler shows up as a number and a first message, not a crash.
 * Bounded in count (n) and time (maxMs).
 */
export async function measure(
  target: string,
  label: string,
  n: number,
  concurrency: number,
  fn: (i: number) => Promise<unknown>,
  opts: MeasureOptions = {},
): Promise<MeasureResult> {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`measure ${label}: n must be a non-negative integer`)
  const workers = Math.max(1, Math.min(Math.floor(concurrency), Math.max(n, 1)))
  const maxMs = opts.maxMs ?? DEFAULT_MAX_MS

  const warmup = Math.max(0, Math.floor(opts.warmup ?? 0))
  for (let k = 0; k < warmup; k += workers) {
    const batch = Array.from({ length: Math.min(workers, warmup - k) }, (_, j) => fn(n + k + j).catch(() => undefined))
    await Promise.all(batch)
  }

  const latencies: number[] = []
  const errorTypes: Record<string, number> = {}
  let firstError: string | undefined
  let errors = 0
  let next = 0
  let stoppedEarly = false
  const started = performance.now()
  const deadline = started + maxMs

  const worker = async () => {
    for (;;) {
      if (next >= n) return
      if (performance.now() > deadline) {
        stoppedEarly = true
        return
      }
      const i = next++
      const t0 = performance.now()
      try {
        await fn(i)
        latencies.push(performance.now() - t0)
      } catch (e) {
        errors++
        const { type, text } = describeError(e)
        errorTypes[type] = (errorTypes[type] ?? 0) + 1
        firstError ??= text
      }
    }
  }
  await Promise.all(Array.from({ length: workers }, worker))
  const wallMs = performance.now() - started

  return {
    label,
    target,
    n,
    concurrency: workers,
    completed: latencies.length + errors,
    ok: latencies.length,
    errors,
    errorTypes,
    firstError,
    wallMs,
    rps: throughput(latencies.length, wallMs),
    latency: summarize(latencies),
    stoppedEarly,
  }
}
