import { withEmulatedCluster } from '../emulated.js'
import { runTaskLoad } from '../load.js'
import type { MeasureResult } from '../measure.js'
import type { BenchContext, BenchSuite } from '../types.js'

const RUN = 1_000
/** Tasks timed one at a time to RUNNING, alone and under load. */
const TIMED = 200
const LOAD_CLIENTS = 8

/**
 * Tasks on the emulated cluster at its default speed (KECS only: moto's tasks are RUNNING in the
 * RunTask answer, there is no start to time). The instance is attached to an emulator on its own
 * store, as `kecs start --cluster emulated` does.
 *   - RunTask throughput, then RunTask → RUNNING (the task's `ECS Task State Change` with lastStatus
 *     RUNNING): time to RUNNING p50/p99 over 1,000 tasks at 32 clients; StopTask for all of them.
 *   - Time to RUNNING one task at a time, alone, then while 8 other clients run RunTask at full speed.
 * The reads with 10,000 stored tasks are in the ecs-api-10k suite, beside moto.
 */
export default {
  name: 'tasks',
  cluster: 'emulated',
  description: 'RunTask throughput and time to RUNNING on the emulated cluster, alone and while 8 clients run RunTask at full speed',
  async run(ctx) {
    await withEmulatedCluster(ctx, () => runAndStop(ctx))
  },
} satisfies BenchSuite

async function runAndStop(ctx: BenchContext) {
  const n = ctx.n(RUN)
  await ctx.call('CreateCluster', { clusterName: 'bench-run' })
  await ctx.call('CreateCluster', { clusterName: 'bench-load' })
  await ctx.call('RegisterTaskDefinition', {
    family: 'bench-sleep',
    containerDefinitions: [{ name: 'app', image: 'busybox:1.36', memory: 64, command: ['sleep', '3600'] }],
  })

  // Every task's first RUNNING (or STOPPED) event, whenever it arrives relative to the RunTask answer.
  const seen = new Map<string, string>()
  const waiters = new Map<string, (status: string) => void>()
  const unsubscribe = ctx.instance.bus.subscribe((e) => {
    if (e['detail-type'] !== 'ECS Task State Change') return
    const status = e.detail.lastStatus as string
    if (status !== 'RUNNING' && status !== 'STOPPED') return
    const arn = e.resources[0]!
    if (seen.has(arn)) return
    seen.set(arn, status)
    waiters.get(arn)?.(status)
  })
  const reached = (arn: string) =>
    new Promise<string>((resolve) => {
      const s = seen.get(arn)
      if (s) return resolve(s)
      waiters.set(arn, resolve)
    })

  const arns: string[] = []
  const run = async () => {
    const out = await ctx.call<{ tasks?: { taskArn: string }[]; failures?: unknown[] }>('RunTask', { cluster: 'bench-run', taskDefinition: 'bench-sleep' })
    const arn = out.tasks?.[0]?.taskArn
    if (!arn) throw new Error(`RunTask answered no task: ${JSON.stringify(out.failures)}`)
    arns.push(arn)
    return arn
  }
  try {
    await ctx.measure('RunTask (1 task, EC2)', n, 16, run, { maxMs: 120_000 })
    const toRunning = async () => {
      const status = await reached(await run())
      if (status !== 'RUNNING') throw new Error(`task ended ${status} before RUNNING`)
    }
    await ctx.measure('RunTask → RUNNING (time to RUNNING), 32 clients', n, 32, toRunning, { maxMs: 180_000 })
    const timed = ctx.n(TIMED)
    const alone = await ctx.measure('RunTask → RUNNING, one task at a time, alone', timed, 1, toRunning, { maxMs: 120_000 })
    const load = runTaskLoad(ctx, 'bench-load', 'bench-sleep', LOAD_CLIENTS)
    let loaded: MeasureResult
    try {
      loaded = await ctx.measure(`RunTask → RUNNING, one task at a time, while ${LOAD_CLIENTS} clients run RunTask`, timed, 1, toRunning, { maxMs: 120_000 })
    } finally {
      const bg = await load.stop()
      ctx.note(
        `background load: ${LOAD_CLIENTS} clients ran ${bg.runTasks.toLocaleString('en-US')} RunTask (${bg.rps.toFixed(0)}/s) in cluster bench-load` +
          `${bg.stopTasks ? `, and ${bg.stopTasks.toLocaleString('en-US')} StopTask to keep at most 2,000 of its tasks alive` : ''}${bg.errors ? `; ${bg.errors} failed` : ''}`,
      )
    }
    for (const [r, how] of [
      [alone, 'alone'],
      [loaded, `while ${LOAD_CLIENTS} clients run RunTask at full speed`],
    ] as const) {
      const v = (x: number) => (r.ok ? x : 'failed')
      ctx.figure({ figure: `time to RUNNING (emulated cluster, default speed), ${how}: p50`, unit: 'ms', better: 'lower', kecs: v(r.latency.p50Ms), target: { below: 250 } })
      ctx.figure({ figure: `time to RUNNING (emulated cluster, default speed), ${how}: p99`, unit: 'ms', better: 'lower', kecs: v(r.latency.p99Ms) })
    }
  } finally {
    unsubscribe()
  }
  await ctx.measure('StopTask', arns.length, 16, (i) => ctx.call('StopTask', { cluster: 'bench-run', task: arns[i] }), { maxMs: 120_000 })
}
