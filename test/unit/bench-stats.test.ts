import { describe, expect, it } from 'vitest'
import { percentile, summarize, throughput } from '../../src/bench/stats.js'

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i)

describe('bench percentile (nearest rank)', () => {
  it('picks the smallest sample with at least p% of samples at or below it', () => {
    const xs = range(1, 100)
    expect(percentile(xs, 50)).toBe(50)
    expect(percentile(xs, 90)).toBe(90)
    expect(percentile(xs, 99)).toBe(99)
    expect(percentile(xs, 99.5)).toBe(100)
    expect(percentile(xs, 100)).toBe(100)
    expect(percentile(xs, 0)).toBe(1)
  })

  it('handles small and odd sample counts without interpolating', () => {
    expect(percentile([7], 50)).toBe(7)
    expect(percentile([7], 99)).toBe(7)
    expect(percentile([1, 2, 3], 50)).toBe(2)
    expect(percentile([1, 2, 3, 4], 50)).toBe(2)
    expect(percentile([1, 2, 3, 4], 51)).toBe(3)
    // 10 samples: p99 is the largest, p90 the 9th.
    expect(percentile(range(1, 10), 99)).toBe(10)
    expect(percentile(range(1, 10), 90)).toBe(9)
  })

  it('is NaN without samples and rejects p outside 0..100', () => {
    expect(percentile([], 50)).toBeNaN()
    expect(() => percentile([1], 101)).toThrow(RangeError)
    expect(() => percentile([1], -1)).toThrow(RangeError)
    expect(() => percentile([1], NaN)).toThrow(RangeError)
  })
})

describe('bench summarize', () => {
  it('sorts numerically (not as strings) and reports min, mean, p50, p90, p99, max', () => {
    // As strings 10 < 9 < 100; numerically 9 < 10 < 100.
    const s = summarize([100, 9, 10, 2.5, 1000, 9.5])
    expect(s.count).toBe(6)
    expect(s.minMs).toBe(2.5)
    expect(s.maxMs).toBe(1000)
    expect(s.p50Ms).toBe(9.5)
    expect(s.p90Ms).toBe(1000)
    expect(s.meanMs).toBeCloseTo((100 + 9 + 10 + 2.5 + 1000 + 9.5) / 6, 10)
  })

  it('does not reorder the caller array', () => {
    const xs = [3, 1, 2]
    summarize(xs)
    expect(xs).toEqual([3, 1, 2])
  })

  it('matches percentile() on a shuffled large sample', () => {
    const xs = range(1, 1000).map((v) => v / 10)
    for (let i = xs.length - 1; i > 0; i--) {
      const j = (i * 7919) % (i + 1)
      ;[xs[i], xs[j]] = [xs[j]!, xs[i]!]
    }
    const s = summarize(xs)
    expect(s.p50Ms).toBe(50)
    expect(s.p99Ms).toBe(99)
    expect(s.minMs).toBe(0.1)
    expect(s.maxMs).toBe(100)
  })

  it('is all NaN for no samples, with count 0', () => {
    const s = summarize([])
    expect(s.count).toBe(0)
    for (const k of ['minMs', 'meanMs', 'p50Ms', 'p90Ms', 'p99Ms', 'maxMs'] as const) expect(s[k]).toBeNaN()
  })
})

describe('bench throughput', () => {
  it('is calls per second of wall time, 0 when no time passed', () => {
    expect(throughput(2000, 4000)).toBe(500)
    expect(throughput(1, 0.5)).toBe(2000)
    expect(throughput(10, 0)).toBe(0)
  })
})
