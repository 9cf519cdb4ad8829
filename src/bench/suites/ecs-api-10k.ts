import { newTaskId } from '../../ecs/arns.js'
import { buildTask } from '../../ecs/tasks/build-task.js'
import { taskKeyOf } from '../../ecs/tasks/task-keys.js'
import type { TaskDoc } from '../../ecs/tasks/task-doc.js'
import { withEmulatedCluster } from '../emulated.js'
import { defaultAwsvpc, ensureLogGroup, type AwsvpcConfiguration } from '../network.js'
import { KECS_TARGET } from '../runner.js'
import type { BenchContext, BenchSuite, TargetContext } from '../types.js'
import { prng, taskDefinitionInput } from '../workloads.js'

const STORED = 10_000
/** The load: 8 concurrent clients. */
const CLIENTS = 8
/** Per measured workload: keeps the slow peer's share of the bench bounded (its figure is its rate so far). */
const MAX_MS = 20_000
const CLUSTER = 'bench'
const FAMILY = 'bench-app'
const STARTED_BY = 20

/** Reads whose p99 has a target (< 10 ms at 10,000 stored tasks). */
const READS = ['DescribeTasks (10 ARNs)', 'ListTasks (maxResults 100)', 'DescribeServices (10)']

/**
 * The ECS calls of issue 14 at 8 concurrent clients with 10,000 stored tasks, KECS (on the emulated
 * cluster, as `kecs start --cluster emulated`) beside moto. KECS's 10,000 tasks go straight into its
 * store (RUNNING, no pod: 10,000 pods would measure the emulator, see the memory suite); moto's come
 * from RunTask (count 10) with FARGATE on its default VPC's subnets and security group. Every RunTask
 * here is FARGATE with a network configuration; the awslogs group of the task definition is created
 * first (KECS stops a task whose group is missing, as ECS does).
 */
export default {
  name: 'ecs-api-10k',
  cluster: 'emulated',
  description: 'RunTask, StopTask, DescribeTasks, ListTasks, DescribeServices, RegisterTaskDefinition, CreateService at 8 clients with 10,000 stored tasks',
  async run(ctx) {
    await withEmulatedCluster(ctx, async () => {
      await ctx.compare((t) => workload(ctx, t))
    })
    for (const label of LABELS) ctx.throughputFigures(label, { name: `${label}, ${CLIENTS} clients, ${fmt(ctx.n(STORED))} tasks`, ...(READS.includes(label) ? { p99Below: 10 } : {}) })
  },
} satisfies BenchSuite

const fmt = (v: number) => v.toLocaleString('en-US')

const LABELS = [
  'RunTask (FARGATE, count 1)',
  'RunTask (FARGATE, count 10)',
  'StopTask',
  'DescribeTasks (10 ARNs)',
  'ListTasks (maxResults 100)',
  'DescribeServices (10)',
  'RegisterTaskDefinition',
  'CreateService',
] as const

type RunOut = { tasks?: { taskArn: string }[]; failures?: { reason?: string }[] }

async function workload(ctx: BenchContext, t: TargetContext) {
  const total = ctx.n(STORED)
  await t.call('CreateCluster', { clusterName: CLUSTER })
  await ensureLogGroup(t, `/ecs/${FAMILY}`)
  await t.call('RegisterTaskDefinition', taskDefinitionInput(FAMILY, 0))
  const awsvpcConfiguration = await defaultAwsvpc(t)
  const networkConfiguration = { awsvpcConfiguration }

  const stored = t.target === KECS_TARGET ? await seedStore(ctx, total) : await seedByRunTask(t, total, networkConfiguration)
  t.note(`${fmt(stored.arns.length)} tasks stored in cluster ${CLUSTER} in ${(stored.ms / 1000).toFixed(1)} s (${stored.how})`)

  const runTask = (count: number) => async () => {
    const out = await t.call<RunOut>('RunTask', { cluster: CLUSTER, taskDefinition: FAMILY, launchType: 'FARGATE', count, networkConfiguration })
    if ((out.tasks?.length ?? 0) !== count) throw new Error(`RunTask answered ${out.tasks?.length ?? 0} of ${count} tasks: ${JSON.stringify(out.failures)}`)
    return out.tasks!
  }

  await t.measure('RegisterTaskDefinition', ctx.n(2_000), CLIENTS, (i) => t.call('RegisterTaskDefinition', taskDefinitionInput(`bench-reg-${i % 10}`, i)), {
    maxMs: MAX_MS,
    warmup: 16,
  })

  const services: string[] = []
  await t.measure(
    'CreateService',
    ctx.n(500),
    CLIENTS,
    async (i) => {
      // desiredCount 0: the call itself, not the tasks the scheduler would start after it (see the services suite).
      await t.call('CreateService', { cluster: CLUSTER, serviceName: `svc-${i}`, taskDefinition: FAMILY, desiredCount: 0, launchType: 'FARGATE', networkConfiguration })
      services.push(`svc-${i}`)
    },
    { maxMs: MAX_MS },
  )
  const rnd = prng(11)
  const pick = <T>(from: T[], k: number) => Array.from({ length: k }, () => from[Math.floor(rnd() * from.length)]!)
  const serviceBatches = Array.from({ length: ctx.n(2_000) }, () => pick(services.length ? services : ['svc-0'], 10))
  await t.measure('DescribeServices (10)', serviceBatches.length, CLIENTS, (i) => t.call('DescribeServices', { cluster: CLUSTER, services: serviceBatches[i] }), {
    maxMs: MAX_MS,
  })

  const toStop: string[] = []
  const one = runTask(1)
  await t.measure('RunTask (FARGATE, count 1)', ctx.n(1_000), CLIENTS, async () => toStop.push((await one())[0]!.taskArn), { maxMs: MAX_MS })
  await t.measure('RunTask (FARGATE, count 10)', ctx.n(200), CLIENTS, runTask(10), { maxMs: MAX_MS })
  await t.measure('StopTask', toStop.length, CLIENTS, (i) => t.call('StopTask', { cluster: CLUSTER, task: toStop[i], reason: 'bench' }), { maxMs: MAX_MS })

  const taskBatches = Array.from({ length: ctx.n(3_000) }, () => pick(stored.arns, 10))
  await t.measure('DescribeTasks (10 ARNs)', taskBatches.length, CLIENTS, (i) => t.call('DescribeTasks', { cluster: CLUSTER, tasks: taskBatches[i] }), {
    maxMs: MAX_MS,
  })
  await t.measure('ListTasks (maxResults 100)', ctx.n(1_000), CLIENTS, () => t.call('ListTasks', { cluster: CLUSTER, maxResults: 100 }), { maxMs: MAX_MS })
  await t.measure(
    'ListTasks startedBy, all pages (maxResults 100)',
    ctx.n(100),
    CLIENTS,
    async (i) => {
      let token: string | undefined
      let count = 0
      do {
        const out: { taskArns?: string[]; nextToken?: string } = await t.call('ListTasks', {
          cluster: CLUSTER,
          startedBy: `batch-${i % STARTED_BY}`,
          maxResults: 100,
          ...(token ? { nextToken: token } : {}),
        })
        count += out.taskArns?.length ?? 0
        token = out.nextToken
      } while (token)
      if (count === 0) throw new Error('no tasks listed')
    },
    { maxMs: MAX_MS },
  )
}

interface Seeded {
  arns: string[]
  ms: number
  how: string
}

/** KECS: RUNNING FARGATE tasks written straight into the store, 1,000 a write. */
async function seedStore(ctx: BenchContext, total: number): Promise<Seeded> {
  const repos = ctx.instance.repos
  const scope = { account: '000000000000', region: 'us-east-1' }
  const td = [...repos.taskDefinitions.values()].find((d) => d.family === FAMILY)
  if (!td) throw new Error(`task definition ${FAMILY} was not registered`)
  const clusterArn = `arn:aws:ecs:${scope.region}:${scope.account}:cluster/${CLUSTER}`
  const arns: string[] = []
  const started = performance.now()
  for (let i = 0; i < total; i += 1_000) {
    const ops = []
    for (let j = i; j < Math.min(total, i + 1_000); j++) {
      const doc: TaskDoc = buildTask({
        scope,
        clusterName: CLUSTER,
        clusterArn,
        taskDefinition: td,
        taskId: newTaskId(),
        nowMs: Date.now(),
        launchType: 'FARGATE',
        networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-0123456789abcdef0'] } },
        startedBy: `batch-${j % STARTED_BY}`,
      })
      // RUNNING without a pod: the reconciler leaves tasks without one alone.
      doc.lastStatus = 'RUNNING'
      arns.push(doc.taskArn)
      ops.push(repos.tasks.stagePut(taskKeyOf(doc), doc))
    }
    await repos.store.write(ops)
  }
  return { arns, ms: performance.now() - started, how: 'straight into the store' }
}

/** A peer: RunTask count 10 at 8 clients until `total` tasks run. */
async function seedByRunTask(t: TargetContext, total: number, networkConfiguration: { awsvpcConfiguration: AwsvpcConfiguration }): Promise<Seeded> {
  const arns: string[] = []
  const calls = Math.ceil(total / 10)
  const r = await t.measure(
    `seed: RunTask (FARGATE, count 10) ×${fmt(calls)}`,
    calls,
    CLIENTS,
    async (i) => {
      const count = Math.min(10, total - i * 10)
      const out = await t.call<RunOut>('RunTask', {
        cluster: CLUSTER,
        taskDefinition: FAMILY,
        launchType: 'FARGATE',
        count,
        startedBy: `batch-${i % STARTED_BY}`,
        networkConfiguration,
      })
      for (const task of out.tasks ?? []) arns.push(task.taskArn)
      if (!out.tasks?.length) throw new Error(`RunTask answered no task: ${JSON.stringify(out.failures)}`)
    },
    { maxMs: 240_000 },
  )
  if (arns.length < total) t.note(`only ${fmt(arns.length)} of ${fmt(total)} tasks could be seeded (${r.errors} failed calls)`)
  return { arns, ms: r.wallMs, how: `RunTask count 10 at ${CLIENTS} clients` }
}
