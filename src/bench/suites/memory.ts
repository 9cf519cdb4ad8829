import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { createRawClient } from '../client.js'
import { cliMissing, rssMb, startForeground } from '../cli-process.js'
import { defaultAwsvpc } from '../network.js'
import { freePort } from '../peers.js'
import { KECS_TARGET } from '../runner.js'
import type { BenchContext, BenchSuite, TargetContext } from '../types.js'

const SIZES = [1_000, 5_000, 10_000]
const CLIENTS = 8
const CLUSTER = 'bench-mem'
const FAMILY = 'bench-mem'

interface Point {
  tasks: number
  rssMb: number | undefined
  /** From the first RunTask of this step to every task of the size RUNNING. */
  reachMs: number
}

/**
 * Memory: resident set size (Linux /proc/<pid>/status VmRSS) of a `kecs start --cluster emulated`
 * process of its own (the built CLI in the foreground, not the bench process), idle, then with 1k,
 * 5k and 10k tasks RUNNING with their pods on its emulated cluster (RunTask count 10 at 8 clients;
 * DescribeClusters runningTasksCount tells when a size is reached), beside moto_server's with the
 * same numbers of FARGATE tasks stored; plus the time to reach each size.
 */
export default {
  name: 'memory',
  description: 'RSS idle and with 1k / 5k / 10k tasks RUNNING (pods on the emulated cluster) vs moto; time to reach each size',
  async run(ctx) {
    const missing = cliMissing()
    if (missing) {
      ctx.note(`not measured: ${missing}`)
      return
    }
    const sizes = SIZES.map((s) => ctx.n(s))
    const points = new Map<string, { idle: number | undefined; points: Point[] }>()
    await ctx.compare(async (t) => {
      if (t.target === KECS_TARGET) points.set(t.target, await kecsMemory(ctx, sizes))
      else if (t.pid) points.set(t.target, await grow(ctx, t, t.pid, sizes))
    })
    const kecs = points.get(KECS_TARGET)
    const peer = [...points.entries()].find(([k]) => k !== KECS_TARGET)?.[1]
    const fmt = (v: number) => v.toLocaleString('en-US')
    ctx.figure({ figure: 'RSS idle', unit: 'MB', better: 'lower', kecs: kecs?.idle ?? 'failed', peer: peer?.idle })
    sizes.forEach((size, i) => {
      const k = kecs?.points[i]
      const p = peer?.points[i]
      const last = i === sizes.length - 1
      ctx.figure({
        figure: `RSS with ${fmt(size)} tasks (KECS: RUNNING, pods on the emulated cluster)`,
        unit: 'MB',
        better: 'lower',
        kecs: k?.rssMb ?? 'not reached',
        peer: p?.rssMb,
        ...(last ? { target: { below: 200 } } : {}),
      })
      ctx.figure({ figure: `time to reach ${fmt(size)} tasks`, unit: 'ms', better: 'lower', kecs: k?.reachMs ?? 'not reached', peer: p?.reachMs })
    })
    for (const [who, r] of points) {
      const a = r.points[0]
      const b = r.points.at(-1)
      if (a?.rssMb !== undefined && b?.rssMb !== undefined && b.tasks > a.tasks) {
        const per1k = ((b.rssMb - a.rssMb) / (b.tasks - a.tasks)) * 1_000
        const line = r.points.map((p) => `${fmt(p.tasks)}: ${p.rssMb?.toFixed(0) ?? '?'} MB`).join(', ')
        ctx.note(`${who} RSS growth: idle ${r.idle?.toFixed(0) ?? '?'} MB, ${line}; ${per1k.toFixed(1)} MB per 1,000 tasks between ${fmt(a.tasks)} and ${fmt(b.tasks)}`)
      }
    }
  },
} satisfies BenchSuite

async function kecsMemory(ctx: BenchContext, sizes: number[]) {
  const home = mkdtempSync(join(tmpdir(), 'kecs-bench-mem-'))
  const port = await freePort()
  const adminPort = await freePort()
  const kecs = await startForeground(
    ['--name', 'benchmem', '--cluster', 'emulated', '--port', String(port), '--admin-port', String(adminPort)],
    adminPort,
    { ...process.env, KECS_HOME: home, CI: 'true' },
  )
  const raw = createRawClient(`http://127.0.0.1:${port}`)
  try {
    // A target context on the child, for the shared growth loop (the in-process instance is not measured here).
    const t: TargetContext = Object.assign(Object.create(ctx) as TargetContext, { endpoint: `http://127.0.0.1:${port}`, call: raw.call })
    return await grow(ctx, t, kecs.pid, sizes)
  } finally {
    raw.close()
    await kecs.stop()
    rmSync(home, { recursive: true, force: true })
  }
}

/** Idle RSS, then RunTask until each size is RUNNING, the RSS at each. */
async function grow(ctx: BenchContext, t: TargetContext, pid: number, sizes: number[]): Promise<{ idle: number | undefined; points: Point[] }> {
  await sleep(2_000) // settle after start
  const idle = rssMb(pid)
  await t.call('CreateCluster', { clusterName: CLUSTER })
  await t.call('RegisterTaskDefinition', {
    family: FAMILY,
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    cpu: '256',
    memory: '512',
    // A container-level memory too: moto answers 500 to a FARGATE RunTask without one.
    containerDefinitions: [{ name: 'app', image: 'busybox:1.36', essential: true, memory: 512, command: ['sleep', '3600'] }],
  })
  const networkConfiguration = { awsvpcConfiguration: await defaultAwsvpc(t) }
  const points: Point[] = []
  let launched = 0
  let okTasks = 0
  for (const size of sizes) {
    const started = performance.now()
    const calls = Math.ceil((size - launched) / 10)
    const base = launched
    const r = await t.measure(
      `RunTask (FARGATE, count 10) up to ${size.toLocaleString('en-US')} tasks`,
      calls,
      CLIENTS,
      async (i) => {
        const count = Math.min(10, size - base - i * 10)
        const out = await t.call<{ tasks?: unknown[]; failures?: unknown[] }>('RunTask', { cluster: CLUSTER, taskDefinition: FAMILY, launchType: 'FARGATE', count, networkConfiguration })
        okTasks += out.tasks?.length ?? 0
        if ((out.tasks?.length ?? 0) !== count) throw new Error(`RunTask answered ${out.tasks?.length ?? 0} of ${count}: ${JSON.stringify(out.failures)}`)
      },
      { maxMs: 300_000 },
    )
    launched = size
    if (r.errors) t.note(`${r.errors} RunTask calls failed on the way to ${size}`)
    // A peer's tasks are RUNNING in the RunTask answer (moto starts nothing); KECS's pods take their time.
    const deadline = Date.now() + 300_000
    let running = t.target === KECS_TARGET ? 0 : okTasks
    while (t.target === KECS_TARGET && Date.now() < deadline) {
      const d = await t.call<{ clusters?: { runningTasksCount?: number }[] }>('DescribeClusters', { clusters: [CLUSTER] })
      running = d.clusters?.[0]?.runningTasksCount ?? 0
      if (running >= okTasks) break
      await sleep(200)
    }
    const reachMs = performance.now() - started
    await sleep(1_000) // let the write-behind and GC settle before reading the RSS
    const rss = rssMb(pid)
    t.note(`${running.toLocaleString('en-US')} tasks RUNNING after ${(reachMs / 1000).toFixed(1)} s; RSS ${rss?.toFixed(0) ?? '?'} MB`)
    if (running < size) {
      t.note(`only ${running.toLocaleString('en-US')} of ${size.toLocaleString('en-US')} tasks RUNNING: stopped growing`)
      break
    }
    points.push({ tasks: size, rssMb: rss, reachMs })
  }
  return { idle, points }
}
