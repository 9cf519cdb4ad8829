/**
 * `npm run bench`: runs the suites of src/bench/suites/ against an in-process KECS instance and,
 * when moto_server is installed, against moto too; prints a table per suite (and --json FILE).
 */
import { writeFileSync } from 'node:fs'
import { arch, cpus, platform } from 'node:os'
import { parseBenchArgs, selectSuites, USAGE } from './args.js'
import { CLIENT_DESCRIPTION } from './client.js'
import { killPeersNow, peers } from './peers.js'
import { metOf, ratioOf, renderFigures, targetText } from './figures.js'
import { renderSuite } from './report.js'
import { availablePeers, removeTempDirsNow, runSuite } from './runner.js'
import { suites } from './suites/index.js'
import type { SuiteReport } from './types.js'

async function main(): Promise<number> {
  let args
  let selected
  try {
    args = parseBenchArgs(process.argv.slice(2))
    selected = selectSuites(suites, args.only, args.all)
  } catch (e) {
    process.stderr.write(`kecs bench: ${e instanceof Error ? e.message : String(e)}\n${USAGE}\n`)
    return 2
  }
  if (args.help) {
    process.stdout.write(USAGE + '\n')
    return 0
  }
  if (args.list) {
    for (const s of suites) process.stdout.write(`${s.name.padEnd(28)} ${s.extra ? '(extra) ' : ''}${s.description}\n`)
    return 0
  }

  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      killPeersNow()
      removeTempDirsNow()
      process.exit(130)
    })
  }
  process.once('exit', killPeersNow)

  const cpu = cpus()
  // With the JSON on stdout, the tables go to stderr.
  const jsonToStdout = args.json === '-'
  const say = (line: string) => (jsonToStdout ? process.stderr : process.stdout).write(line + '\n')
  say(`KECS bench · node ${process.version} · ${platform()} ${arch()} · ${cpu.length} CPU(s) ${cpu[0]?.model ?? ''}`.trimEnd())
  say(`client: ${CLIENT_DESCRIPTION}; KECS runs in this process (DuckDB store in a temp dir), peers in their own process`)
  const found = args.compare ? availablePeers(peers, say) : []
  if (!args.compare) say('comparison off (--no-compare)')
  for (const p of found) say(`compare with: ${p.peer.name} (${p.executable})`)
  if (args.scale !== 1) say(`scale: ${args.scale} (call counts multiplied)`)
  say('')

  const started = new Date()
  const reports: SuiteReport[] = []
  for (const suite of selected) {
    const report = await runSuite(suite, found, {
      scale: args.scale,
      compareOff: args.compare ? undefined : 'comparison off (--no-compare)',
    })
    reports.push(report)
    say(renderSuite(report) + '\n')
  }

  const figures = reports.flatMap((r) => r.figures)
  if (figures.length) say(renderFigures(figures, found[0]?.peer.name ?? 'moto') + '\n')

  if (args.json) {
    const doc = {
      tool: 'kecs-bench',
      schemaVersion: 1,
      startedAt: started.toISOString(),
      durationMs: Date.now() - started.getTime(),
      environment: { node: process.version, platform: platform(), arch: arch(), cpus: cpu.length, cpuModel: cpu[0]?.model },
      client: CLIENT_DESCRIPTION,
      kecsInProcess: true,
      scale: args.scale,
      compare: { enabled: args.compare, peers: found.map((p) => ({ name: p.peer.name, executable: p.executable })) },
      summary: figures.map((f) => ({ ...f, peer: f.peer ?? null, ratio: ratioOf(f) ?? null, targetText: targetText(f), met: metOf(f) ?? null })),
      suites: reports,
    }
    const text = JSON.stringify(doc, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2) + '\n'
    if (jsonToStdout) process.stdout.write(text)
    else {
      writeFileSync(args.json, text)
      say(`results written to ${args.json}`)
    }
  }

  const crashed = reports.filter((r) => r.error)
  const failedCalls = reports.reduce((a, r) => a + r.results.reduce((b, m) => b + m.errors, 0), 0)
  if (crashed.length) process.stderr.write(`kecs bench: ${crashed.length} suite(s) failed: ${crashed.map((r) => r.name).join(', ')}\n`)
  if (failedCalls) process.stderr.write(`kecs bench: ${failedCalls} measured call(s) failed (see the footnotes)\n`)
  return crashed.length || (args.strict && failedCalls) ? 1 : 0
}

main().then(
  (code) => {
    process.exitCode = code
  },
  (e) => {
    killPeersNow()
    process.stderr.write(`kecs bench: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`)
    process.exitCode = 1
  },
)
