import type { ECSClient } from '@aws-sdk/client-ecs'
import type { Instance } from '../instance/instance.js'
import type { EcsCall } from './client.js'
import type { Figure } from './figures.js'
import type { MeasureFn, MeasureResult } from './measure.js'

/** What a workload sees of one target (KECS, or a peer emulator such as moto). */
export interface TargetContext {
  /** 'KECS' or the peer's name ('moto'). */
  target: string
  endpoint: string
  /** A peer's process id (KECS runs in the bench's own process: undefined). */
  pid?: number
  /** A peer's executable (e.g. to time its start). */
  executable?: string
  /** Raw JSON 1.1 call (what measure() workloads should use); rejects with CallError. */
  call: EcsCall
  /** SDK client on the same endpoint (keep-alive, maxAttempts 1), for set-up and checks, not for timing. */
  ecs: ECSClient
  /** Runs fn n times with `concurrency` workers, records latencies under this target, prints progress. */
  measure: MeasureFn
  /** A line shown under the suite's table (seeding time, page sizes, ...). */
  note(text: string): void
  /** Like console.log, to stderr, so stdout keeps only the tables. */
  log(text: string): void
}

/** What a suite's run() gets: the KECS target plus the instance, scaling and the compare hook. */
export interface BenchContext extends TargetContext {
  /** The started in-process KECS instance (deps, repos, bus...), for suites that look inside. */
  instance: Instance
  /** --scale factor (default 1). */
  scale: number
  /** A count scaled by --scale (at least 1). Use it for every n, so `--scale 0.1` gives a quick run. */
  n(count: number): number
  /**
   * Runs the workload against KECS, then, when comparison is on and the peer (moto_server) is
   * installed, against the peer (started once per suite, on a free loopback port, stopped after
   * the suite). Results line up by measure label in the table. Call it several times if a suite
   * has phases; each target keeps its state between calls.
   */
  compare(workload: (t: TargetContext) => Promise<void>): Promise<void>
  /** A headline figure for the summary table at the end of the bench. */
  figure(f: Figure): void
  /**
   * The summary's figures for a measure label run on every target (through compare): throughput
   * (target ≥ ratioAtLeast× the peer, default 10), p50 and p99 (target: p99 below p99Below, when given).
   */
  throughputFigures(label: string, opts?: { name?: string; ratioAtLeast?: number; p99Below?: number }): void
}

/** A benchmark: one module in src/bench/suites/, listed in src/bench/suites/index.ts. */
export interface BenchSuite {
  /** Used by --only; lower-case-with-dashes. */
  name: string
  description: string
  /** The instance runs on the emulated cluster, as `kecs start --cluster emulated` (default: no cluster). */
  cluster?: 'emulated'
  /** Not in the default run (kept to about 10 minutes): `--all` or `--only NAME` runs it. */
  extra?: boolean
  run(ctx: BenchContext): Promise<void>
}

/** What a suite produced, for the table and --json. */
export interface SuiteReport {
  name: string
  description: string
  durationMs: number
  results: MeasureResult[]
  /** Headline figures for the summary table. */
  figures: Figure[]
  notes: { target: string; text: string }[]
  /** Targets in column order (KECS first). */
  targets: string[]
  /** Set when run() threw: the suite stopped there. */
  error?: string
  /** Why the peer comparison did not happen, when it did not. */
  compareSkipped?: string
}
