/**
 * The simulated kubelet's lifecycle, as data (modelled on kwok's Stage objects): each stage is a
 * selector on the pod's or one container's simulated state, a delay, and what comes next (a step,
 * a named effect, events, log lines). Named delays are computed in delays.ts, named effects done
 * in effects.ts; the engine (kubelet.ts, transition.ts) arms per track the first matching stage,
 * waits its delay and fires it. Golden cases per stage: test/fixtures/stages.
 *
 * Tracks run side by side for one container: `lifecycle` (pull, create, start, exit, restart,
 * stop), `readiness` (startup and readiness probes), `liveness` and `heartbeat` (log lines).
 */

/** Where one container is in its life. */
export type Step =
  | 'waiting' // not started yet: waiting for its turn (init order) or for its image
  | 'pulling' // image pull in progress
  | 'pull-failed' // ErrImagePull
  | 'pull-backoff' // ImagePullBackOff, will retry
  | 'pulled' // image present
  | 'created' // container created, not started
  | 'running'
  | 'stopping' // SIGTERM sent, inside the grace period
  | 'exited' // terminated on its own (may restart)
  | 'crash-backoff' // CrashLoopBackOff, will restart
  | 'stopped' // done for good (pod deleted or finished)

export type ContainerKind = 'init' | 'sidecar' | 'main'
export type Track = 'lifecycle' | 'readiness' | 'liveness' | 'heartbeat'
export const TRACKS: Track[] = ['lifecycle', 'readiness', 'liveness', 'heartbeat']

/** The pod-level state stages select on. */
export interface PodFacts {
  scheduled: boolean
  unschedulable: boolean
  sandboxed: boolean
  deleting: boolean
  /** every container is done (stopped, or exited without restarting) */
  allStopped: boolean
}

/** One container's state stages select on. */
export interface ContainerFacts {
  step: Step
  kind: ContainerKind
  /** its turn to start: the pod sandbox exists and earlier init containers are done (sidecars: started) */
  turn: boolean
  /** it must stop: the pod is being deleted (or, for sidecars, the pod's main containers are done) */
  stopping: boolean
  /** it may stop now: main containers first, then sidecars in reverse order */
  stopTurn: boolean
  imagePresent: boolean
  pullError: boolean
  /** it exits on its own (kecs.simulate.exit-code / run-seconds; init containers complete by default) */
  exitPlanned: boolean
  /** after exiting it restarts (restart policy, exit code) */
  restarts: boolean
  started: boolean
  ready: boolean
  hasReadinessProbe: boolean
  startupFails: boolean
  readinessFails: boolean
  livenessFails: boolean
}

export type Selector<F> = { [K in keyof F]?: F[K] | F[K][] }

/** Named durations are computed per pod (annotations, probes, backoff); numbers are milliseconds at speed 1. */
export type DurationName =
  | 'schedule'
  | 'schedule-retry'
  | 'sandbox'
  | 'pull'
  | 'pull-error-gap'
  | 'pull-backoff'
  | 'create'
  | 'start'
  | 'run'
  | 'crash-backoff'
  | 'stop'
  | 'startup'
  | 'startup-period'
  | 'readiness'
  | 'readiness-period'
  | 'liveness-period'
  | 'heartbeat'
export type Delay = number | DurationName

export interface EventTemplate {
  reason: string
  type?: 'Normal' | 'Warning'
  /** {image} {container} {pod} {namespace} {node} {pullDuration} {imageSize} {pullError} {exitCode} ... */
  message: string
  component?: 'kubelet' | 'default-scheduler'
}

export type PodEffect = 'schedule' | 'sandbox' | 'remove'
export type ContainerEffect =
  | 'image-present'
  | 'pull-start'
  | 'pulled'
  | 'pull-failed'
  | 'pull-backoff'
  | 'create'
  | 'start'
  | 'exit'
  | 'back-off'
  | 'restart'
  | 'sigterm'
  | 'stopped'
  | 'abandon'
  | 'started'
  | 'ready'
  | 'startup-failure'
  | 'readiness-failure'
  | 'liveness-failure'

export interface PodStage {
  name: string
  selector: Selector<PodFacts>
  delay: Delay
  next: { effect?: PodEffect; events?: EventTemplate[] }
}

export interface ContainerStage {
  name: string
  track: Track
  selector: Selector<ContainerFacts>
  delay: Delay
  next: { step?: Step; effect?: ContainerEffect; events?: EventTemplate[]; log?: string[] }
}

export interface Lifecycle {
  pod: PodStage[]
  container: ContainerStage[]
}

/** Base durations in milliseconds at speed 1 (a pod is Running about 0.2 s after creation). */
export interface Timings {
  schedule: number
  scheduleRetry: number
  sandbox: number
  pull: number
  pullErrorGap: number
  create: number
  start: number
  /** run time of a container given only kecs.simulate.exit-code */
  exitSoon: number
  /** run time of a plain init container */
  initRun: number
  /** a probe's first success after initialDelaySeconds */
  probe: number
  /** a container's shutdown after SIGTERM (kecs.simulate.stop-seconds overrides) */
  stop: number
  heartbeat: number
  crashBackoffInitial: number
  crashBackoffMax: number
  pullBackoffInitial: number
  pullBackoffMax: number
}

export const defaultTimings: Timings = {
  schedule: 5,
  scheduleRetry: 10_000,
  sandbox: 20,
  pull: 100,
  pullErrorGap: 50,
  create: 10,
  start: 10,
  exitSoon: 100,
  initRun: 100,
  probe: 50,
  stop: 100,
  heartbeat: 5_000,
  crashBackoffInitial: 10_000,
  crashBackoffMax: 300_000,
  pullBackoffInitial: 10_000,
  pullBackoffMax: 300_000,
}

const PRE_RUN: Step[] = ['waiting', 'pulling', 'pull-failed', 'pull-backoff', 'pulled', 'created']

export const defaultLifecycle: Lifecycle = {
  pod: [
    {
      name: 'schedule',
      selector: { scheduled: false, unschedulable: false, deleting: false },
      delay: 'schedule',
      next: {
        effect: 'schedule',
        events: [{ reason: 'Scheduled', message: 'Successfully assigned {namespace}/{pod} to {node}', component: 'default-scheduler' }],
      },
    },
    {
      name: 'schedule-retry',
      selector: { scheduled: false, unschedulable: true, deleting: false },
      delay: 'schedule-retry',
      next: {
        effect: 'schedule',
        events: [{ reason: 'Scheduled', message: 'Successfully assigned {namespace}/{pod} to {node}', component: 'default-scheduler' }],
      },
    },
    { name: 'create-sandbox', selector: { scheduled: true, sandboxed: false, deleting: false }, delay: 'sandbox', next: { effect: 'sandbox' } },
    { name: 'remove', selector: { deleting: true, allStopped: true }, delay: 0, next: { effect: 'remove' } },
  ],
  container: [
    // image
    {
      name: 'image-present',
      track: 'lifecycle',
      selector: { step: 'waiting', turn: true, stopping: false, imagePresent: true, pullError: false },
      delay: 0,
      next: { step: 'pulled', effect: 'image-present', events: [{ reason: 'Pulled', message: 'Container image "{image}" already present on machine' }] },
    },
    {
      name: 'pull-image',
      track: 'lifecycle',
      selector: { step: 'waiting', turn: true, stopping: false },
      delay: 0,
      next: { step: 'pulling', effect: 'pull-start', events: [{ reason: 'Pulling', message: 'Pulling image "{image}"' }] },
    },
    {
      name: 'pull-fails',
      track: 'lifecycle',
      selector: { step: 'pulling', pullError: true },
      delay: 'pull',
      next: {
        step: 'pull-failed',
        effect: 'pull-failed',
        events: [
          { reason: 'Failed', type: 'Warning', message: 'Failed to pull image "{image}": {pullError}' },
          { reason: 'Failed', type: 'Warning', message: 'Error: ErrImagePull' },
        ],
      },
    },
    {
      name: 'pull-succeeds',
      track: 'lifecycle',
      selector: { step: 'pulling' },
      delay: 'pull',
      next: {
        step: 'pulled',
        effect: 'pulled',
        events: [
          {
            reason: 'Pulled',
            message: 'Successfully pulled image "{image}" in {pullDuration} ({pullDuration} including waiting). Image size: {imageSize} bytes.',
          },
        ],
      },
    },
    {
      name: 'pull-back-off',
      track: 'lifecycle',
      selector: { step: 'pull-failed', stopping: false },
      delay: 'pull-error-gap',
      next: {
        step: 'pull-backoff',
        effect: 'pull-backoff',
        events: [
          { reason: 'BackOff', message: 'Back-off pulling image "{image}"' },
          { reason: 'Failed', type: 'Warning', message: 'Error: ImagePullBackOff' },
        ],
      },
    },
    { name: 'pull-retry', track: 'lifecycle', selector: { step: 'pull-backoff', stopping: false }, delay: 'pull-backoff', next: { step: 'waiting' } },
    // create and start
    {
      name: 'create',
      track: 'lifecycle',
      selector: { step: 'pulled', stopping: false },
      delay: 'create',
      next: { step: 'created', effect: 'create', events: [{ reason: 'Created', message: 'Created container: {container}' }] },
    },
    {
      name: 'start',
      track: 'lifecycle',
      selector: { step: 'created', stopping: false },
      delay: 'start',
      next: {
        step: 'running',
        effect: 'start',
        events: [{ reason: 'Started', message: 'Started container {container}' }],
        log: ['starting container {container} (image {image}; simulated by the KECS emulator)', 'exec: {command}', 'environment: {envNames}'],
      },
    },
    // exit on its own, restart
    {
      name: 'exit',
      track: 'lifecycle',
      selector: { step: 'running', exitPlanned: true, stopping: false },
      delay: 'run',
      next: { step: 'exited', effect: 'exit', log: ['{container} exited with code {exitCode}'] },
    },
    { name: 'crash-loop', track: 'lifecycle', selector: { step: 'exited', restarts: true }, delay: 0, next: { step: 'crash-backoff', effect: 'back-off' } },
    { name: 'restart', track: 'lifecycle', selector: { step: 'crash-backoff', stopping: false }, delay: 'crash-backoff', next: { step: 'waiting', effect: 'restart' } },
    // stop (pod deleted; sidecars after the main containers are done)
    {
      name: 'sigterm',
      track: 'lifecycle',
      selector: { step: 'running', stopping: true, stopTurn: true },
      delay: 0,
      next: {
        step: 'stopping',
        effect: 'sigterm',
        events: [{ reason: 'Killing', message: 'Stopping container {container}' }],
        log: ['{container} received SIGTERM, shutting down'],
      },
    },
    {
      name: 'stop',
      track: 'lifecycle',
      selector: { step: 'stopping' },
      delay: 'stop',
      next: { step: 'stopped', effect: 'stopped', log: ['{container} exited with code {exitCode}'] },
    },
    {
      name: 'abandon',
      track: 'lifecycle',
      selector: { step: [...PRE_RUN, 'crash-backoff', 'exited'], stopping: true },
      delay: 0,
      next: { step: 'stopped', effect: 'abandon' },
    },
    // probes
    {
      name: 'startup-probe-succeeds',
      track: 'readiness',
      selector: { step: 'running', started: false, startupFails: false },
      delay: 'startup',
      next: { effect: 'started' },
    },
    {
      name: 'startup-probe-fails',
      track: 'readiness',
      selector: { step: 'running', started: false, startupFails: true },
      delay: 'startup-period',
      next: { effect: 'startup-failure' },
    },
    {
      name: 'readiness-probe-succeeds',
      track: 'readiness',
      selector: { step: ['running', 'stopping'], started: true, ready: false, hasReadinessProbe: true, readinessFails: false },
      delay: 'readiness',
      next: { effect: 'ready' },
    },
    {
      name: 'readiness-probe-fails',
      track: 'readiness',
      selector: { step: ['running', 'stopping'], started: true, readinessFails: true },
      delay: 'readiness-period',
      next: { effect: 'readiness-failure' },
    },
    {
      name: 'liveness-probe-fails',
      track: 'liveness',
      selector: { step: 'running', started: true, livenessFails: true, stopping: false },
      delay: 'liveness-period',
      next: { effect: 'liveness-failure' },
    },
    // a line now and then while it runs
    { name: 'heartbeat', track: 'heartbeat', selector: { step: 'running' }, delay: 'heartbeat', next: { log: ['{container} is running (uptime {uptime})'] } },
  ],
}

export function selectorMatches<F extends object>(sel: Selector<F>, facts: F): boolean {
  for (const k of Object.keys(sel) as (keyof F)[]) {
    const want = sel[k]
    const have = facts[k]
    if (Array.isArray(want) ? !(want as unknown[]).includes(have) : want !== have) return false
  }
  return true
}
