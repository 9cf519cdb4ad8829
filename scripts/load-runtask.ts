/**
 * A small RunTask load (issue 14): an in-process instance on the emulated cluster, N concurrent
 * clients calling RunTask (FARGATE, count 1 or 10) for a few seconds, then StopTask for every task.
 * Prints throughput and time to RUNNING (RunTask sent → the task's RUNNING event), idle and under load.
 *
 *   npx tsx scripts/load-runtask.ts [--seconds 10] [--clients 8] [--count 1]
 *
 * Measurements only: nothing here asserts a timing.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { emulatedProvider } from '../src/cluster/emulated.js'
import { startInstance } from '../src/instance/instance.js'

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    clients: { type: 'string', default: '8' },
    count: { type: 'string', default: '1' },
  },
})
const SECONDS = Number(values.seconds)
const CLIENTS = Number(values.clients)
const COUNT = Number(values.count)

const dir = mkdtempSync(join(tmpdir(), 'kecs-load-'))
const instance = await startInstance({ port: 0, adminPort: 0, dir, cluster: { provider: emulatedProvider }, log: () => {} })
const endpoint = instance.endpoint

// Store records written during the load, by kind (a record = one upserted or deleted row).
const records = new Map<string, number>()
let jobs = 0
const store = instance.repos.store
const write = store.write.bind(store)
store.write = (ops) => {
  jobs++
  for (const op of ops) {
    const what = op.op === 'sql' ? 'sql' : op.op === 'upsert' ? String(op.row[0]) : op.pk
    const kind = op.op === 'sql' ? 'sql' : `${op.table}:${what.startsWith('v1/') || what.startsWith('apps/') ? what.split('/').slice(0, 2).join('/') : what.startsWith('_meta') ? 'rv' : ''}`
    records.set(kind, (records.get(kind) ?? 0) + 1)
  }
  return write(ops)
}
// Commit durations and batch sizes of the write queue (group commit).
const commits: { ms: number; ops: number }[] = []
const commit = (store as any).commit.bind(store)
;(store as any).commit = async (ops: unknown[], seq: number) => {
  const t0 = performance.now()
  try {
    return await commit(ops, seq)
  } finally {
    commits.push({ ms: performance.now() - t0, ops: ops.length })
  }
}

async function call<T = any>(op: string, body: unknown): Promise<T> {
  const res = await fetch(endpoint + '/', {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': `AmazonEC2ContainerServiceV20141113.${op}` },
    body: JSON.stringify(body),
  })
  const json = (await res.json()) as T
  if (res.status !== 200) throw new Error(`${op}: ${res.status} ${JSON.stringify(json)}`)
  return json
}

const sentAt = new Map<string, number>()
const runningAt = new Map<string, number>()
instance.bus.subscribe((e) => {
  if (e['detail-type'] !== 'ECS Task State Change') return
  const arn = e.resources[0]!
  if (e.detail.lastStatus === 'RUNNING' && !runningAt.has(arn)) runningAt.set(arn, performance.now())
})

await call('CreateCluster', { clusterName: 'load' })
await call('RegisterTaskDefinition', {
  family: 'load',
  networkMode: 'awsvpc',
  requiresCompatibilities: ['FARGATE'],
  cpu: '256',
  memory: '512',
  containerDefinitions: [{ name: 'app', image: 'busybox:1.36', command: ['sleep', '3600'] }],
})
const runInput = {
  cluster: 'load',
  taskDefinition: 'load',
  launchType: 'FARGATE',
  count: COUNT,
  networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'] } },
}
async function runOne(): Promise<string[]> {
  const t0 = performance.now()
  const out = await call<{ tasks: { taskArn: string }[] }>('RunTask', runInput)
  for (const t of out.tasks) sentAt.set(t.taskArn, t0)
  return out.tasks.map((t) => t.taskArn)
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! : NaN
}
const waitRunning = async (arns: string[], ms = 30_000) => {
  const until = performance.now() + ms
  while (arns.some((a) => !runningAt.has(a)) && performance.now() < until) await new Promise((r) => setTimeout(r, 20))
}
const ttr = (arns: string[]) => arns.filter((a) => runningAt.has(a)).map((a) => runningAt.get(a)! - sentAt.get(a)!)

// warm-up (image pull, JIT) and idle time to RUNNING, one at a time
const idle: string[] = []
for (let i = 0; i < 10; i++) {
  const arns = await runOne()
  await waitRunning(arns)
  if (i >= 2) idle.push(...arns)
}

// load
const loaded: string[] = []
let calls = 0
const end = performance.now() + SECONDS * 1000
const started = performance.now()
await Promise.all(
  Array.from({ length: CLIENTS }, async () => {
    while (performance.now() < end) {
      loaded.push(...(await runOne()))
      calls++
    }
  }),
)
const elapsed = (performance.now() - started) / 1000
await waitRunning(loaded)

// StopTask for every task of the load
const toStop = [...loaded]
const stopStart = performance.now()
await Promise.all(
  Array.from({ length: CLIENTS }, async () => {
    for (let arn = toStop.pop(); arn; arn = toStop.pop()) await call('StopTask', { cluster: 'load', task: arn })
  }),
)
const stopElapsed = (performance.now() - stopStart) / 1000
await new Promise((r) => setTimeout(r, 2000)) // the stops' own writes

const under = ttr(loaded)
console.log(
  JSON.stringify({
    clients: CLIENTS,
    count: COUNT,
    runTaskPerSec: +(calls / elapsed).toFixed(1),
    tasksPerSec: +(loaded.length / elapsed).toFixed(1),
    stopTaskPerSec: +(loaded.length / stopElapsed).toFixed(1),
    tasks: loaded.length,
    reachedRunning: under.length,
    idleRunningP50ms: +pct(ttr(idle), 50).toFixed(1),
    loadRunningP50ms: +pct(under, 50).toFixed(1),
    loadRunningP99ms: +pct(under, 99).toFixed(1),
    storeJobs: jobs,
    commits: commits.length,
    commitP50ms: +pct(commits.map((c) => c.ms), 50).toFixed(1),
    commitP90ms: +pct(commits.map((c) => c.ms), 90).toFixed(1),
    opsPerCommitP50: pct(commits.map((c) => c.ops), 50),
    recordsPerTask: Object.fromEntries([...records].map(([k, v]) => [k, +(v / (loaded.length + 10)).toFixed(2)])),
  }),
)
await instance.close()
rmSync(dir, { recursive: true, force: true })
process.exit(0)
