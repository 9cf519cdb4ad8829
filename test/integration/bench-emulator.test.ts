import { describe, expect, it } from 'vitest'
import { runSuite } from '../../src/bench/runner.js'
import emulator from '../../src/bench/suites/emulator.js'
import { suites } from '../../src/bench/suites/index.js'

/** The emulator bench suite, at a tiny scale: it runs to the end and reports what the issue asks for. */
describe('bench suite: emulator', () => {
  it('is registered, and reports pods → Running (time, pods/s, memory) and watch latency p50/p99 without errors', async () => {
    expect(suites).toContain(emulator)
    const report = await runSuite(emulator, [], { scale: 0.02, compareOff: 'test', log: () => {} })
    expect(report.error).toBeUndefined()
    expect(report.results.map((r) => r.label)).toEqual([
      'create pod (client-node createNamespacedPod) ×20',
      'list pods (client-node, all in the namespace)',
      'write → watch event (create ConfigMap, 1 writer)',
      'write → watch event (create ConfigMap, 8 writers)',
    ])
    for (const r of report.results) expect(r.errors, `${r.label}: ${r.firstError}`).toBe(0)
    const notes = report.notes.map((n) => n.text)
    expect(notes).toContainEqual(expect.stringMatching(/^20 pods Running [\d.]+ s after the first create: \d+ pods\/s; create → Running p50 [\d.]+ ms, p99 [\d.]+ ms$/))
    expect(notes).toContainEqual(expect.stringMatching(/^process memory before → after: rss \d+ MB → \d+ MB, heap used \d+ MB → \d+ MB$/))
    expect(notes.filter((n) => /^watch event latency, \d writers? .*: p50 [\d.]+ ms, p99 [\d.]+ ms over 20 writes$/.test(n))).toHaveLength(2)
  })
})
