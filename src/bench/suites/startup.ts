import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startEmulator } from '../../emulator/index.js'
import { Store } from '../../store/store.js'
import { cliMissing, kecsCli } from '../cli-process.js'
import { fakeKindTools } from '../fake-kind.js'
import { freePort, motoStartMs } from '../peers.js'
import { fmtMs } from '../report.js'
import { KECS_TARGET } from '../runner.js'
import { median } from '../stats.js'
import type { BenchContext, BenchSuite } from '../types.js'

const RUNS = 5
const KIND_NAME = 'benchkind'

/**
 * Start times, median of 5 after one unmeasured warm-up run (warm cache: the same KECS home, the
 * built code already read once):
 *   - `kecs start -d --cluster emulated` until it returns (it returns once the admin /ready answers 200),
 *     beside moto_server from spawn to its first ECS answer;
 *   - `kecs start -d --cluster kind` reusing an existing Kind cluster, with fake kind and docker that
 *     answer at once (src/bench/fake-kind.ts; `kind get kubeconfig` hands over an in-process emulated
 *     cluster), so the time is KECS's own work on that path.
 * Uses the built CLI (dist/), as a user runs it.
 */
export default {
  name: 'startup',
  description: 'kecs start -d → /ready (emulated cluster; and reusing a Kind cluster, fake kind/docker) vs moto_server start → first answer, median of 5',
  async run(ctx) {
    const missing = cliMissing()
    if (missing) {
      ctx.note(`not measured: ${missing}`)
      return
    }
    const times = new Map<string, number>()
    await ctx.compare(async (t) => {
      if (t.target === KECS_TARGET) times.set(KECS_TARGET, await kecsStarts(ctx, 'emulated', ['--cluster', 'emulated']))
      else if (t.executable) times.set(t.target, await peerStarts(ctx, t.target, t.executable))
    })
    const peer = [...times.entries()].find(([k]) => k !== KECS_TARGET)?.[1]
    ctx.figure({
      figure: `start to ready: kecs start -d (emulated cluster, warm) vs moto_server to first answer, median of ${RUNS}`,
      unit: 'ms',
      better: 'lower',
      kecs: times.get(KECS_TARGET) ?? 'failed',
      peer,
      target: { below: 1_500, fasterThanPeer: true },
    })
    ctx.figure({
      figure: `kecs start -d reusing a Kind cluster (fake kind/docker answering at once), median of ${RUNS}`,
      unit: 'ms',
      better: 'lower',
      kecs: await kindReuse(ctx),
      target: { below: 5_000 },
    })
  },
} satisfies BenchSuite

async function samples(ctx: BenchContext, who: string, once: () => Promise<number>): Promise<number> {
  await once() // warm-up, not counted
  const ms: number[] = []
  for (let i = 0; i < RUNS; i++) ms.push(await once())
  ctx.note(`${who}: ${ms.map(fmtMs).join(', ')} ms (median ${fmtMs(median(ms))}; first run, not counted, was a warm-up)`)
  return median(ms)
}

/** Median `kecs start -d <extra>` time; `kecs stop` after each (not timed). */
async function kecsStarts(ctx: BenchContext, what: string, extra: string[], env?: Record<string, string>, name = 'benchstart'): Promise<number> {
  const home = env?.KECS_HOME ?? mkdtempSync(join(tmpdir(), 'kecs-bench-home-'))
  const childEnv = env ?? { ...process.env, KECS_HOME: home, CI: 'true' }
  try {
    return await samples(ctx, `kecs start -d (${what})`, async () => {
      const ports = ['--port', String(await freePort()), '--admin-port', String(await freePort())]
      const r = await kecsCli(['start', '-d', '--name', name, ...ports, ...extra], childEnv)
      const stop = await kecsCli(['stop', '--name', name], childEnv)
      if (r.code !== 0) throw new Error(`kecs start -d (${what}) exited ${r.code}: ${r.output.trim().split('\n').slice(-4).join(' | ')}`)
      if (stop.code !== 0) ctx.log(`  kecs stop exited ${stop.code}: ${stop.output.trim().split('\n').slice(-2).join(' | ')}`)
      return r.ms
    })
  } finally {
    if (!env) rmSync(home, { recursive: true, force: true })
  }
}

async function peerStarts(ctx: BenchContext, name: string, executable: string): Promise<number> {
  return samples(ctx, `${name}_server start → first answer`, () => motoStartMs(executable))
}

/** kecs start -d --cluster kind where `kind get clusters` already lists kecs-<name>: the reuse path. */
async function kindReuse(ctx: BenchContext): Promise<number | string> {
  const dir = mkdtempSync(join(tmpdir(), 'kecs-bench-kind-'))
  const store = await Store.open(join(dir, 'kecs.duckdb'))
  const emu = await startEmulator({ store, dir, port: 0 })
  const tools = fakeKindTools({ clusters: [`kecs-${KIND_NAME}`], kubeconfig: readFileSync(emu.kubeconfigPath!, 'utf8') })
  try {
    const home = join(dir, 'home')
    const env = { PATH: tools.bin, HOME: home, KECS_HOME: home, CI: 'true' }
    const ms = await kecsStarts(ctx, 'reusing Kind cluster kecs-benchkind', ['--cluster', 'kind'], env, KIND_NAME)
    if (tools.calls().some((c) => c.startsWith('kind create'))) ctx.note('kind create was called: the cluster was not reused')
    return ms
  } catch (e) {
    ctx.note(`Kind reuse failed: ${e instanceof Error ? e.message : String(e)}`)
    return 'failed'
  } finally {
    tools.cleanup()
    await emu.close()
    await store.close()
    rmSync(dir, { recursive: true, force: true })
  }
}
