import { newTaskId } from '../../ecs/arns.js'
import { buildTask } from '../../ecs/tasks/build-task.js'
import { taskKeyOf } from '../../ecs/tasks/task-keys.js'
import type { TaskDoc } from '../../ecs/tasks/task-doc.js'
import type { TaskDefinitionDoc } from '../../ecs/task-definitions/task-definition-doc.js'
import { withEmulatedCluster } from '../emulated.js'
import type { BenchContext, BenchSuite } from '../types.js'
import { prng } from '../workloads.js'

const RUN = 1_000
const STORED = 10_000

/**
 * Tasks on the emulated cluster (KECS only: the peers run no tasks). The instance is attached to an
 * emulator on its own store, as `kecs start --cluster emulated` does.
 *   - RunTask throughput, then RunTask → RUNNING (the task's `ECS Task State Change` with lastStatus
 *     RUNNING): time-to-RUNNING p50/p99 over 1,000 tasks; StopTask for all of them.
 *   - DescribeTasks (10 ARNs) and ListTasks with 10,000 stored tasks in another cluster (seeded straight
 *     into the store: 10,000 pods would measure the emulator, not these reads).
 */
export default {
  name: 'tasks',
  cluster: 'emulated',
  description: 'RunTask throughput and time to RUNNING on the emulated cluster; DescribeTasks / ListTasks with 10,000 stored tasks',
  async run(ctx) {
    await withEmulatedCluster(ctx, async () => {
      await runAndStop(ctx)
      await readsWithStoredTasks(ctx)
    })
  },
} satisfies BenchSuite

async function runAndStop(ctx: BenchContext) {
  const n = ctx.n(RUN)
  await ctx.call('CreateCluster', { clusterName: 'bench-run' })
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
    await ctx.measure(
      'RunTask → RUNNING (time to RUNNING)',
      n,
      32,
      async () => {
        const status = await reached(await run())
        if (status !== 'RUNNING') throw new Error(`task ended ${status} before RUNNING`)
      },
      { maxMs: 180_000 },
    )
  } finally {
    unsubscribe()
  }
  await ctx.measure('StopTask', arns.length, 16, (i) => ctx.call('StopTask', { cluster: 'bench-run', task: arns[i] }), { maxMs: 120_000 })
}

async function readsWithStoredTasks(ctx: BenchContext) {
  const total = ctx.n(STORED)
  await ctx.call('CreateCluster', { clusterName: 'bench-read' })
  const families = 10
  for (let f = 0; f < families; f++) {
    await ctx.call('RegisterTaskDefinition', { family: `bench-read-${f}`, containerDefinitions: [{ name: 'app', image: 'busybox', memory: 64 }] })
  }
  const repos = ctx.instance.repos
  const scope = { account: '000000000000', region: 'us-east-1' }
  const tds: TaskDefinitionDoc[] = []
  for (const td of repos.taskDefinitions.values()) {
    if (td.family?.startsWith('bench-read-')) tds.push(td)
  }
  const clusterArn = `arn:aws:ecs:${scope.region}:${scope.account}:cluster/bench-read`
  const arns: string[] = []
  const started = performance.now()
  for (let i = 0; i < total; i += 1_000) {
    const ops = []
    for (let j = i; j < Math.min(total, i + 1_000); j++) {
      const doc: TaskDoc = buildTask({
        scope,
        clusterName: 'bench-read',
        clusterArn,
        taskDefinition: tds[j % tds.length]!,
        taskId: newTaskId(),
        nowMs: Date.now(),
        launchType: 'EC2',
        startedBy: `batch-${j % 20}`,
      })
      // Half running, half stopped; no pod (the reconciler leaves tasks without one alone).
      if (j % 2 === 0) {
        doc.lastStatus = 'RUNNING'
      } else {
        doc.lastStatus = 'STOPPED'
        doc.desiredStatus = 'STOPPED'
        doc.stoppedAt = doc.createdAt
      }
      arns.push(doc.taskArn)
      ops.push(repos.tasks.stagePut(taskKeyOf(doc), doc))
    }
    await repos.store.write(ops)
  }
  ctx.note(`seeded ${total.toLocaleString('en-US')} tasks in cluster bench-read in ${((performance.now() - started) / 1000).toFixed(1)} s (straight into the store)`)

  const rnd = prng(11)
  const pick10 = () => Array.from({ length: 10 }, () => arns[Math.floor(rnd() * arns.length)]!)
  const batches = Array.from({ length: ctx.n(3_000) }, pick10)
  await ctx.measure('DescribeTasks (10 ARNs, include TAGS)', batches.length, 16, (i) =>
    ctx.call('DescribeTasks', { cluster: 'bench-read', tasks: batches[i], include: ['TAGS'] }),
  )
  const n = ctx.n(1_000)
  await ctx.measure('ListTasks first page (maxResults 100)', n, 16, () => ctx.call('ListTasks', { cluster: 'bench-read', maxResults: 100 }))
  await ctx.measure('ListTasks family + desiredStatus STOPPED', n, 16, (i) =>
    ctx.call('ListTasks', { cluster: 'bench-read', family: `bench-read-${i % families}`, desiredStatus: 'STOPPED' }),
  )
  const iterations = ctx.n(100)
  await ctx.measure('ListTasks startedBy, all pages (maxResults 100)', iterations, 8, async (i) => {
    let token: string | undefined
    let count = 0
    do {
      const out: { taskArns?: string[]; nextToken?: string } = await ctx.call('ListTasks', {
        cluster: 'bench-read',
        startedBy: `batch-${(i * 2) % 20}`,
        maxResults: 100,
        ...(token ? { nextToken: token } : {}),
      })
      count += out.taskArns?.length ?? 0
      token = out.nextToken
    } while (token)
    if (count === 0) throw new Error('no tasks listed')
  })
}
