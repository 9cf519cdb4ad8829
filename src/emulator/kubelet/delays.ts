import { containerSpec, sim, type ContainerRuntime, type PodRuntime } from './runtime.js'
import type { Delay, DurationName, Timings } from './stages.js'

/**
 * The named delays of the stage table: each computes, for one pod and container, how long the
 * stage waits (ms at speed 1) and from when (default: now). Backoffs and probe periods depend on
 * the container's history; run and stop times on its simulate overrides.
 */
type DelayFn = (t: Timings, rt: PodRuntime, c: ContainerRuntime | undefined) => { ms: number; from?: number }

/** A probe's first check after initialDelaySeconds, then one every periodSeconds. */
function probeDelay(t: Timings, probe: any, failures: number): number {
  if (!probe) return 0
  return failures === 0 ? Number(probe.initialDelaySeconds ?? 0) * 1000 + t.probe : Number(probe.periodSeconds ?? 10) * 1000
}

const spec = (rt: PodRuntime, c: ContainerRuntime | undefined) => (c ? containerSpec(rt, c) : {})

export const delays: Record<DurationName, DelayFn> = {
  schedule: (t) => ({ ms: t.schedule }),
  'schedule-retry': (t) => ({ ms: t.scheduleRetry }),
  sandbox: (t) => ({ ms: t.sandbox }),
  pull: (t) => ({ ms: t.pull }),
  'pull-error-gap': (t) => ({ ms: t.pullErrorGap }),
  'pull-backoff': (t, _rt, c) => ({ ms: Math.min(t.pullBackoffInitial * 2 ** Math.max(0, (c?.pullFailures ?? 1) - 1), t.pullBackoffMax) }),
  create: (t) => ({ ms: t.create }),
  start: (t) => ({ ms: t.start }),
  run: (t, rt, c) => {
    const s = sim(rt, c!)
    const ms = s.runSeconds !== undefined ? s.runSeconds * 1000 : s.exitCode !== undefined ? t.exitSoon : t.initRun
    return { ms, from: c!.startedAt }
  },
  'crash-backoff': (_t, _rt, c) => ({ ms: c!.backoffMs }),
  stop: (_t, _rt, c) => ({ ms: c!.stopMs }),
  startup: (t, rt, c) => ({ ms: probeDelay(t, spec(rt, c).startupProbe, 0) }),
  readiness: (t, rt, c) => ({ ms: probeDelay(t, spec(rt, c).readinessProbe, 0) }),
  'startup-period': (t, rt, c) => ({ ms: probeDelay(t, spec(rt, c).startupProbe, c!.failures.startup) }),
  'readiness-period': (t, rt, c) => ({ ms: probeDelay(t, spec(rt, c).readinessProbe, c!.failures.readiness) }),
  'liveness-period': (t, rt, c) => ({ ms: probeDelay(t, spec(rt, c).livenessProbe, c!.failures.liveness) }),
  heartbeat: (t) => ({ ms: t.heartbeat }),
}

/** Milliseconds of clock time from now until a stage with this delay fires (simulated time runs `speed` times faster). */
export function waitFor(d: Delay, t: Timings, speed: number, now: number, rt: PodRuntime, c: ContainerRuntime | undefined): number {
  const { ms, from } = typeof d === 'number' ? { ms: d } : delays[d](t, rt, c)
  const wait = (from ?? now) + ms / speed - now
  // a heartbeat never spins, whatever the speed
  return d === 'heartbeat' ? Math.max(wait, 20) : wait
}
