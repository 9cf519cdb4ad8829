import { ECSClient } from '@aws-sdk/client-ecs'
import { mkdtempSync, rmSync } from 'node:fs'
import { Agent } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { emulatedProvider } from '../cluster/emulated.js'
import { startInstance, type Instance } from '../instance/instance.js'
import { createRawClient } from './client.js'
import { measure as runMeasure, type MeasureResult } from './measure.js'
import type { Peer, RunningPeer } from './peers.js'
import type { Figure } from './figures.js'
import { fmtInt, fmtMs, fmtRps } from './report.js'
import type { BenchContext, BenchSuite, SuiteReport, TargetContext } from './types.js'

export const KECS_TARGET = 'KECS'

export interface RunOptions {
  /** Multiplies every suite's counts (ctx.n); default 1. */
  scale?: number
  /** Progress lines (default: stderr). */
  log?: (line: string) => void
  /** Set (to the reason shown) to run KECS only. */
  compareOff?: string
}

function sdkClient(endpoint: string): ECSClient {
  return new ECSClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    maxAttempts: 1,
    requestHandler: { httpAgent: new Agent({ keepAlive: true, maxSockets: 64 }) },
  })
}

interface TargetHandle {
  ctx: TargetContext
  close(): void
}

function targetContext(target: string, endpoint: string, report: SuiteReport, log: (l: string) => void, proc: { pid?: number; executable?: string } = {}): TargetHandle {
  const raw = createRawClient(endpoint)
  // Built on first use: most workloads only need `call`, and the SDK client costs set-up (and a warning on Node 20).
  let ecs: ECSClient | undefined
  const ctx: TargetContext = {
    target,
    endpoint,
    ...proc,
    call: raw.call,
    get ecs() {
      return (ecs ??= sdkClient(endpoint))
    },
    log,
    note: (text) => report.notes.push({ target, text }),
    async measure(label, n, concurrency, fn, opts) {
      log(`  [${target}] ${label}: ${fmtInt(n)} calls, concurrency ${concurrency}...`)
      const r: MeasureResult = await runMeasure(target, label, n, concurrency, fn, opts)
      report.results.push(r)
      const errs = r.errors ? `, ${fmtInt(r.errors)} errors (first: ${r.firstError})` : ''
      log(
        `  [${target}] ${label}: ${fmtRps(r.rps)} req/s, p50 ${fmtMs(r.latency.p50Ms)} ms, p99 ${fmtMs(r.latency.p99Ms)} ms` +
          ` (${fmtInt(r.completed)} calls in ${(r.wallMs / 1000).toFixed(1)} s${errs})`,
      )
      return r
    },
  }
  return {
    ctx,
    close() {
      raw.close()
      ecs?.destroy()
    },
  }
}

/** Throughput, p50 and p99 of one measure label, KECS beside the first peer that ran it. */
export function throughputFigures(report: SuiteReport, label: string, o: { name?: string; ratioAtLeast?: number; p99Below?: number }): Figure[] {
  const of = (target: string) => report.results.find((r) => r.target === target && r.label === label)
  const kecs = of(KECS_TARGET)
  const peerName = report.targets.find((t) => t !== KECS_TARGET)
  const peer = peerName ? of(peerName) : undefined
  const name = o.name ?? label
  const value = (r: MeasureResult | undefined, pick: (r: MeasureResult) => number): number | string | undefined =>
    r === undefined ? undefined : r.ok === 0 ? `failed (${r.firstError?.split(':')[0] ?? 'error'})` : pick(r)
  return [
    { figure: `${name}: throughput`, unit: 'req/s', better: 'higher', kecs: value(kecs, (r) => r.rps) ?? 'not run', peer: value(peer, (r) => r.rps), target: { ratioAtLeast: o.ratioAtLeast ?? 10 } },
    { figure: `${name}: p50`, unit: 'ms', better: 'lower', kecs: value(kecs, (r) => r.latency.p50Ms) ?? 'not run', peer: value(peer, (r) => r.latency.p50Ms) },
    {
      figure: `${name}: p99`,
      unit: 'ms',
      better: 'lower',
      kecs: value(kecs, (r) => r.latency.p99Ms) ?? 'not run',
      peer: value(peer, (r) => r.latency.p99Ms),
      ...(o.p99Below !== undefined ? { target: { below: o.p99Below } } : {}),
    },
  ]
}

/** Store directories of suites still running, so an interrupted bench can remove them (removeTempDirsNow). */
const liveDirs = new Set<string>()

/** Synchronous clean-up for SIGINT/SIGTERM: removes the temp dirs of unfinished suites. */
export function removeTempDirsNow(): void {
  for (const dir of liveDirs) rmSync(dir, { recursive: true, force: true })
  liveDirs.clear()
}

/** Peers that are not installed are reported once, then left out. */
export function availablePeers(peers: Peer[], say: (line: string) => void): { peer: Peer; executable: string }[] {
  const found: { peer: Peer; executable: string }[] = []
  for (const peer of peers) {
    const executable = peer.locate()
    if (executable) found.push({ peer, executable })
    else say(peer.name === 'moto' ? 'moto_server not installed: no comparison' : `${peer.name} not installed: no comparison`)
  }
  return found
}

/** Runs one suite against a fresh KECS instance (temp dir, free ports) and, through ctx.compare, its peers. */
export async function runSuite(
  suite: BenchSuite,
  peers: { peer: Peer; executable: string }[],
  opts: RunOptions = {},
): Promise<SuiteReport> {
  const log = opts.log ?? ((l: string) => process.stderr.write(l + '\n'))
  const scale = opts.scale ?? 1
  const report: SuiteReport = { name: suite.name, description: suite.description, durationMs: 0, results: [], figures: [], notes: [], targets: [KECS_TARGET] }
  const started = performance.now()
  const dir = mkdtempSync(join(tmpdir(), 'kecs-bench-'))
  liveDirs.add(dir)
  const handles: TargetHandle[] = []
  const running: { name: string; peer: RunningPeer; ctx: TargetContext }[] = []
  const failedPeers = new Set<string>()
  let instance: Instance | undefined
  let serverErrors = 0

  log(`${suite.name}: starting`)
  try {
    instance = await startInstance({
      dir,
      host: '127.0.0.1',
      port: 0,
      adminPort: 0,
      cluster: suite.cluster === 'emulated' ? { provider: emulatedProvider } : undefined,
      onError: (err) => {
        // A 500 is a KECS bug: show the first one with its stack, count the rest.
        if (serverErrors++ === 0) log(`  [KECS] first internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`)
      },
    })
    const kecs = targetContext(KECS_TARGET, instance.endpoint, report, log)
    handles.push(kecs)
    if (opts.compareOff) report.compareSkipped = opts.compareOff

    const peerContext = async (p: { peer: Peer; executable: string }) => {
      const existing = running.find((r) => r.name === p.peer.name)
      if (existing) return existing.ctx
      if (failedPeers.has(p.peer.name)) return undefined
      try {
        log(`  starting ${p.peer.name} (${p.executable})...`)
        const peer = await p.peer.start(p.executable)
        const h = targetContext(p.peer.name, peer.endpoint, report, log, { pid: peer.pid, executable: p.executable })
        handles.push(h)
        running.push({ name: p.peer.name, peer, ctx: h.ctx })
        if (!report.targets.includes(p.peer.name)) report.targets.push(p.peer.name)
        return h.ctx
      } catch (e) {
        failedPeers.add(p.peer.name)
        const why = `${p.peer.name} failed to start, no comparison: ${e instanceof Error ? e.message : String(e)}`
        report.compareSkipped = why
        log(`  ${why}`)
        return undefined
      }
    }

    // The KECS target context is the prototype, so its lazy `ecs` getter stays lazy.
    const extras: Omit<BenchContext, keyof TargetContext> = {
      instance,
      scale,
      n: (count) => Math.max(1, Math.round(count * scale)),
      async compare(workload) {
        await workload(kecs.ctx)
        for (const p of opts.compareOff ? [] : peers) {
          const pctx = await peerContext(p)
          if (pctx) await workload(pctx)
        }
      },
      figure: (f) => report.figures.push(f),
      throughputFigures: (label, o = {}) => report.figures.push(...throughputFigures(report, label, o)),
    }
    const ctx: BenchContext = Object.assign(Object.create(kecs.ctx) as TargetContext, extras)
    await suite.run(ctx)
  } catch (e) {
    report.error = e instanceof Error ? e.message : String(e)
    log(`  ${suite.name} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`)
  } finally {
    for (const h of handles) h.close()
    for (const r of running) await r.peer.stop().catch((e) => log(`  could not stop ${r.name}: ${String(e)}`))
    await instance?.close().catch((e) => log(`  could not close KECS: ${String(e)}`))
    rmSync(dir, { recursive: true, force: true })
    liveDirs.delete(dir)
  }
  if (serverErrors > 0) report.notes.push({ target: KECS_TARGET, text: `${fmtInt(serverErrors)} internal errors (ServerException); the first is on stderr` })
  report.durationMs = performance.now() - started
  log(`${suite.name}: done in ${(report.durationMs / 1000).toFixed(1)} s`)
  return report
}
