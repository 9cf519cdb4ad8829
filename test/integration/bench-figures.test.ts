import { describe, expect, it } from 'vitest'
import { runSuite } from '../../src/bench/runner.js'
import ecsApi10k from '../../src/bench/suites/ecs-api-10k.js'
import reset from '../../src/bench/suites/reset.js'
import tasks from '../../src/bench/suites/tasks.js'
import { suites } from '../../src/bench/suites/index.js'

/** The issue-14 suites at a tiny scale, KECS only: they run to the end and hand the summary its figures. */
describe('bench suites: summary figures', () => {
  it('ecs-api-10k runs every call without errors and gives throughput, p50 and p99 for each', async () => {
    expect(suites).toContain(ecsApi10k)
    const report = await runSuite(ecsApi10k, [], { scale: 0.005, compareOff: 'test', log: () => {} })
    expect(report.error).toBeUndefined()
    for (const r of report.results) expect(r.errors, `${r.label}: ${r.firstError}`).toBe(0)
    expect(report.notes.map((n) => n.text)).toContainEqual(expect.stringMatching(/^50 tasks stored in cluster bench in [\d.]+ s \(straight into the store\)$/))
    const names = report.figures.map((f) => f.figure)
    for (const call of ['RunTask (FARGATE, count 1)', 'RunTask (FARGATE, count 10)', 'StopTask', 'DescribeTasks (10 ARNs)', 'ListTasks (maxResults 100)', 'DescribeServices (10)', 'RegisterTaskDefinition', 'CreateService']) {
      for (const what of ['throughput', 'p50', 'p99']) expect(names).toContain(`${call}, 8 clients, 50 tasks: ${what}`)
    }
    expect(report.figures.every((f) => typeof f.kecs === 'number' && f.peer === undefined)).toBe(true)
    expect(report.figures.find((f) => f.figure === 'DescribeTasks (10 ARNs), 8 clients, 50 tasks: p99')?.target).toEqual({ below: 10 })
  })

  it('reset reports a time, or n/a when the admin endpoint has no /reset', async () => {
    const report = await runSuite(reset, [], { scale: 0.01, compareOff: 'test', log: () => {} })
    expect(report.error).toBeUndefined()
    const fig = report.figures.find((f) => f.figure.startsWith('reset with 10 resources'))
    expect(fig).toBeDefined()
    expect(typeof fig!.kecs === 'number' || fig!.kecs === 'n/a (no /reset)').toBe(true)
  })

  it('tasks gives time to RUNNING p50/p99, alone and under RunTask load', async () => {
    const report = await runSuite(tasks, [], { scale: 0.01, compareOff: 'test', log: () => {} })
    expect(report.error).toBeUndefined()
    for (const r of report.results) expect(r.errors, `${r.label}: ${r.firstError}`).toBe(0)
    const names = report.figures.map((f) => f.figure)
    expect(names.filter((n) => n.startsWith('time to RUNNING'))).toHaveLength(4)
    expect(report.notes.map((n) => n.text)).toContainEqual(expect.stringMatching(/^background load: 8 clients ran [\d,]+ RunTask/))
  })
}, 120_000)
