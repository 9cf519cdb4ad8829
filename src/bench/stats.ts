/** Latency summaries for the bench harness: pure math, unit-tested (test/unit/bench-stats.test.ts). */

export interface LatencySummary {
  count: number
  minMs: number
  meanMs: number
  p50Ms: number
  p90Ms: number
  p99Ms: number
  maxMs: number
}

/**
 * Nearest-rank percentile of an ascending-sorted array: the smallest value such that at least p% of
 * the samples are <= it. p=0 gives the minimum, p=100 the maximum; NaN for no samples.
 */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be within 0..100, got ${p}`)
  const rank = Math.ceil((p / 100) * sorted.length)
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!
}

/** Summarizes latencies (ms, any order). Every field is NaN when there are no samples. */
export function summarize(latenciesMs: readonly number[]): LatencySummary {
  const sorted = Float64Array.from(latenciesMs).sort()
  const arr = Array.from(sorted)
  let sum = 0
  for (const v of arr) sum += v
  return {
    count: arr.length,
    minMs: arr.length ? arr[0]! : NaN,
    meanMs: arr.length ? sum / arr.length : NaN,
    p50Ms: percentile(arr, 50),
    p90Ms: percentile(arr, 90),
    p99Ms: percentile(arr, 99),
    maxMs: arr.length ? arr[arr.length - 1]! : NaN,
  }
}

/** Requests per second for `count` calls over `wallMs` milliseconds (0 when nothing ran). */
export function throughput(count: number, wallMs: number): number {
  return wallMs > 0 ? (count * 1000) / wallMs : 0
}

/** The median of a few samples (the lower middle one for an even count); NaN for none. */
export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b)
  return s.length ? s[Math.floor((s.length - 1) / 2)]! : NaN
}
