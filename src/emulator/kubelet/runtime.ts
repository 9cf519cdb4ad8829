import type { KubeObject } from '../types.js'
import { parseTime } from '../controllers/objects.js'
import type { ContainerFacts, ContainerKind, PodFacts, Step } from './stages.js'
import { normalizeImage, pullPolicy, simulation, type Simulation } from './simulate.js'

/** The simulated kubelet's working state for one pod; the pod's status is rendered from it. */

export interface Termination {
  exitCode: number
  reason: string
  message?: string
  startedAt: number
  finishedAt: number
  containerID?: string
}

export interface ContainerRuntime {
  name: string
  kind: ContainerKind
  /** position in spec.initContainers or spec.containers */
  index: number
  step: Step
  since: number
  restartCount: number
  /** has left `waiting` once: later init state no longer holds it back */
  everTurn: boolean
  startedAt?: number
  containerID?: string
  imageID?: string
  started: boolean
  ready: boolean
  terminated?: Termination
  lastTerminated?: Termination
  /** waiting reason/message frozen when it was abandoned without running */
  frozenWaiting?: { reason: string; message?: string }
  pullStartedAt?: number
  pullFailures: number
  pullError?: string
  backoffMs: number
  /** how long its current shutdown takes (after SIGTERM) */
  stopMs: number
  killed: boolean
  failures: { startup: number; readiness: number; liveness: number }
}

export interface PodRuntime {
  uid: string
  namespace: string
  name: string
  /** the latest pod object seen */
  pod: KubeObject
  nodeName?: string
  hostIP?: string
  unschedulable?: string
  sandboxed: boolean
  podIP?: string
  startTime?: number
  initialized: boolean
  deleting: boolean
  /** when the grace period ends (clock ms) */
  graceDeadline?: number
  /** terminal phase once reached (pods never leave Succeeded/Failed) */
  terminalPhase?: 'Succeeded' | 'Failed'
  containers: ContainerRuntime[]
  timers: Map<string, { stage: unknown; cancel: () => void }>
  removing: boolean
  gone: boolean
}

export function containerSpec(rt: PodRuntime, c: Pick<ContainerRuntime, 'kind' | 'index'>): any {
  const spec = rt.pod.spec ?? {}
  return (c.kind === 'main' ? spec.containers : spec.initContainers)?.[c.index] ?? {}
}

export const restartPolicy = (rt: PodRuntime): string => rt.pod.spec?.restartPolicy ?? 'Always'

export const sim = (rt: PodRuntime, c: ContainerRuntime): Simulation =>
  simulation(rt.pod, c.name, containerSpec(rt, c).image ?? '')

const newContainer = (name: string, kind: ContainerKind, index: number, now: number): ContainerRuntime => ({
  name,
  kind,
  index,
  step: 'waiting',
  since: now,
  restartCount: 0,
  everTurn: false,
  started: false,
  ready: false,
  pullFailures: 0,
  backoffMs: 0,
  stopMs: 0,
  killed: false,
  failures: { startup: 0, readiness: 0, liveness: 0 },
})

function termination(t: any): Termination | undefined {
  if (!t) return undefined
  return {
    exitCode: Number(t.exitCode ?? 0),
    reason: t.reason ?? (Number(t.exitCode ?? 0) === 0 ? 'Completed' : 'Error'),
    message: t.message,
    startedAt: parseTime(t.startedAt) ?? 0,
    finishedAt: parseTime(t.finishedAt) ?? 0,
    containerID: t.containerID,
  }
}

/**
 * Builds the runtime of a pod from its stored status: a new pod starts from scratch, a pod the
 * kubelet ran before an emulator restart carries on (running stays running; a container caught
 * mid-pull or mid-create starts that step again).
 */
export function runtimeFromPod(pod: KubeObject, now: number): PodRuntime {
  const spec = pod.spec ?? {}
  const status = pod.status ?? {}
  const rt: PodRuntime = {
    uid: pod.metadata.uid ?? '',
    namespace: pod.metadata.namespace ?? 'default',
    name: pod.metadata.name ?? '',
    pod,
    nodeName: spec.nodeName || undefined,
    hostIP: status.hostIP,
    sandboxed: !!(spec.nodeName && (status.startTime || status.podIP)),
    podIP: status.podIP,
    startTime: parseTime(status.startTime),
    initialized: (status.conditions ?? []).some((c: any) => c.type === 'Initialized' && c.status === 'True'),
    deleting: false,
    terminalPhase: status.phase === 'Succeeded' || status.phase === 'Failed' ? status.phase : undefined,
    containers: [],
    timers: new Map(),
    removing: false,
    gone: false,
  }
  const byName = new Map<string, any>()
  for (const s of [...(status.initContainerStatuses ?? []), ...(status.containerStatuses ?? [])]) byName.set(s.name, s)
  const add = (c: any, kind: ContainerKind, index: number) => {
    const cr = newContainer(c.name, kind, index, now)
    const s = rt.sandboxed ? byName.get(c.name) : undefined
    if (s) {
      cr.restartCount = Number(s.restartCount ?? 0)
      cr.containerID = s.containerID
      cr.imageID = s.imageID || undefined
      cr.lastTerminated = termination(s.lastState?.terminated)
      const st = s.state ?? {}
      if (st.running) {
        cr.step = 'running'
        cr.everTurn = true
        cr.startedAt = parseTime(st.running.startedAt) ?? now
        cr.since = cr.startedAt
        cr.started = s.started ?? true
        cr.ready = !!s.ready
      } else if (st.terminated) {
        cr.step = 'exited'
        cr.everTurn = true
        cr.terminated = termination(st.terminated)
      } else if (st.waiting?.reason === 'CrashLoopBackOff') {
        cr.step = 'crash-backoff'
        cr.everTurn = true
      } else if (st.waiting?.reason === 'ErrImagePull' || st.waiting?.reason === 'ImagePullBackOff') {
        cr.step = 'pull-backoff'
        cr.everTurn = true
        cr.pullFailures = 1
        cr.pullError = st.waiting.message
      } else if (cr.restartCount > 0 || (kind === 'main' && rt.initialized)) {
        cr.everTurn = true
      }
    }
    rt.containers.push(cr)
  }
  ;(spec.initContainers ?? []).forEach((c: any, i: number) => add(c, c.restartPolicy === 'Always' ? 'sidecar' : 'init', i))
  ;(spec.containers ?? []).forEach((c: any, i: number) => add(c, 'main', i))
  return rt
}

/** Takes in the latest pod object: a node the scheduler (or the user) chose, a deletion with its grace period. */
export function observePod(rt: PodRuntime, pod: KubeObject, now: number, speed: number): void {
  rt.pod = pod
  if (!rt.nodeName && pod.spec?.nodeName) {
    rt.nodeName = pod.spec.nodeName
    rt.unschedulable = undefined
  }
  if (pod.metadata.deletionTimestamp && !rt.deleting) {
    rt.deleting = true
    const grace = Number(pod.metadata.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30)
    rt.graceDeadline = now + (Math.max(0, grace) * 1000) / speed
  }
}

const ALIVE: Step[] = ['running', 'stopping']

/** A regular init container has completed; a sidecar has started (its startup probe passed). */
function initDone(c: ContainerRuntime): boolean {
  if (c.kind === 'sidecar') return ALIVE.includes(c.step) && c.started
  return c.step === 'exited' && c.terminated?.exitCode === 0
}

/** Whether a container restarts after exiting, before considering pod termination. */
function restartsByPolicy(rt: PodRuntime, c: ContainerRuntime): boolean {
  const code = c.terminated?.exitCode ?? 0
  if (c.kind === 'sidecar') return true
  const policy = restartPolicy(rt)
  if (c.kind === 'init') return policy !== 'Never' && code !== 0
  return policy === 'Always' || (policy === 'OnFailure' && code !== 0)
}

export function initFailed(rt: PodRuntime): boolean {
  return rt.containers.some((c) => c.kind === 'init' && c.step === 'exited' && (c.terminated?.exitCode ?? 0) !== 0 && !restartsByPolicy(rt, c))
}

/** The main containers are all done and none will restart: the pod is finishing. */
export function mainsDone(rt: PodRuntime): boolean {
  if (initFailed(rt)) return true
  const mains = rt.containers.filter((c) => c.kind === 'main')
  return mains.length > 0 && mains.every((c) => (c.step === 'exited' && !restartsByPolicy(rt, c)) || c.step === 'stopped')
}

/** Sticky bookkeeping before facts are read. */
export function refresh(rt: PodRuntime): void {
  if (!rt.initialized && rt.sandboxed && rt.containers.filter((c) => c.kind !== 'main').every(initDone)) rt.initialized = true
}

export function stopping(rt: PodRuntime, c: ContainerRuntime): boolean {
  if (rt.deleting || initFailed(rt)) return true
  return c.kind === 'sidecar' && mainsDone(rt)
}

export function restarts(rt: PodRuntime, c: ContainerRuntime): boolean {
  return !stopping(rt, c) && restartsByPolicy(rt, c)
}

function turn(rt: PodRuntime, c: ContainerRuntime): boolean {
  if (!rt.sandboxed || rt.deleting) return false
  if (c.everTurn) return true
  if (c.kind === 'main') return rt.initialized
  return rt.containers.filter((o) => o.kind !== 'main' && o.index < c.index).every(initDone)
}

function stopTurn(rt: PodRuntime, c: ContainerRuntime): boolean {
  if (c.kind !== 'sidecar') return true
  return rt.containers.every(
    (o) => !ALIVE.includes(o.step) || o === c || (o.kind === 'sidecar' && o.index < c.index),
  )
}

export const isFinal = (rt: PodRuntime, c: ContainerRuntime) =>
  c.step === 'stopped' || (c.step === 'exited' && !restarts(rt, c))

export function podFacts(rt: PodRuntime): PodFacts {
  return {
    scheduled: !!rt.nodeName,
    unschedulable: !!rt.unschedulable,
    sandboxed: rt.sandboxed,
    deleting: rt.deleting,
    allStopped: rt.containers.every((c) => isFinal(rt, c)),
  }
}

export function containerFacts(rt: PodRuntime, c: ContainerRuntime, images: Set<string>): ContainerFacts {
  const spec = containerSpec(rt, c)
  const s = simulation(rt.pod, c.name, spec.image ?? '')
  const policy = pullPolicy(spec)
  return {
    step: c.step,
    kind: c.kind,
    turn: turn(rt, c),
    stopping: stopping(rt, c),
    stopTurn: stopTurn(rt, c),
    imagePresent: policy === 'Never' || (policy !== 'Always' && images.has(normalizeImage(spec.image ?? ''))),
    pullError: s.imagePullError !== undefined,
    exitPlanned: s.exitCode !== undefined || s.runSeconds !== undefined || c.kind === 'init',
    restarts: restarts(rt, c),
    started: c.started,
    ready: c.ready,
    hasReadinessProbe: !!spec.readinessProbe,
    startupFails: s.unhealthy && !!spec.startupProbe,
    readinessFails: s.unhealthy && !!spec.readinessProbe,
    livenessFails: s.unhealthy && !!spec.livenessProbe,
  }
}
