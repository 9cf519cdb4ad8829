import type { KubeObject, ObjectStore } from '../types.js'
import type { EventSpec } from '../controllers/event-recorder.js'
import { nodeInternalIP } from '../controllers/node.js'
import { pickNode } from '../controllers/scheduler.js'
import { commandLine, envNames, imageID, imageSize, probeFailure } from './container-info.js'
import type { IpAllocator } from './ip-allocator.js'
import type { LogBuffers } from './logs.js'
import { containerSpec, sim, type ContainerRuntime, type PodRuntime, type Termination } from './runtime.js'
import { normalizeImage } from './simulate.js'
import type { ContainerEffect, PodEffect, Step, Timings } from './stages.js'
import { goDuration, waitingOf } from './status.js'

/**
 * What each named effect of the stage table does beyond the step change: one entry per effect,
 * keyed by the name the stages use (stages.ts). An effect updates the runtime, may add template
 * variables for the stage's events and log lines, and may veto or redirect the transition.
 */

/** What effects may use of the kubelet around them. */
export interface KubeletEnv {
  readonly store: ObjectStore
  readonly timings: Timings
  /** simulated time runs this many times faster than the clock */
  readonly speed: number
  /** images present on the node (normalized references) */
  readonly images: Set<string>
  readonly ipam: IpAllocator
  readonly logs: Pick<LogBuffers, 'begin' | 'write' | 'end'>
  now(): number
  /** every pod this kubelet runs (the scheduler counts them per node) */
  pods(): Iterable<PodRuntime>
  event(rt: PodRuntime, c: ContainerRuntime | undefined, type: 'Normal' | 'Warning', reason: string, message: string, component?: string): void
  /** every container is done: post the final status, then remove the pod from the store */
  remove(rt: PodRuntime): void
  newContainerID(): string
  onError(where: string, err: unknown): void
}

/** An event about a pod (and one of its containers), as the kubelet or the scheduler reports it. */
export function kubeletEvent(
  rt: PodRuntime,
  c: ContainerRuntime | undefined,
  type: 'Normal' | 'Warning',
  reason: string,
  message: string,
  component = 'kubelet',
): EventSpec {
  return {
    type,
    reason,
    message,
    component,
    ...(component === 'kubelet' && rt.nodeName ? { host: rt.nodeName } : {}),
    ...(c ? { fieldPath: `spec.${c.kind === 'main' ? 'containers' : 'initContainers'}{${c.name}}` } : {}),
  }
}

/** Template variables of a stage's events and log lines ({image}, {container}, ...). */
export type Vars = Record<string, string | number>
/** false: the transition does not happen (no step change, events or log lines); a step: go there instead. */
export type EffectResult = void | false | { step: Step }

export type PodEffectFn = (env: KubeletEnv, rt: PodRuntime, vars: Vars) => EffectResult
export type ContainerEffectFn = (env: KubeletEnv, rt: PodRuntime, c: ContainerRuntime, vars: Vars) => EffectResult

export const podEffects: Record<PodEffect, PodEffectFn> = {
  schedule(env, rt, vars) {
    const counts = new Map<string, number>()
    const placed: { pod: KubeObject; nodeName: string }[] = []
    for (const p of env.pods()) {
      if (!p.nodeName || p.terminalPhase) continue
      counts.set(p.nodeName, (counts.get(p.nodeName) ?? 0) + 1)
      placed.push({ pod: p.pod, nodeName: p.nodeName })
    }
    const r = pickNode(rt.pod, env.store.list('nodes').items, counts, placed)
    if ('node' in r) {
      rt.nodeName = r.node.metadata.name
      rt.hostIP = nodeInternalIP(r.node)
      rt.unschedulable = undefined
      vars.node = rt.nodeName ?? ''
      return
    }
    rt.unschedulable = r.message
    env.event(rt, undefined, 'Warning', 'FailedScheduling', r.message, 'default-scheduler')
    return false
  },
  sandbox(env, rt) {
    rt.sandboxed = true
    rt.startTime = env.now()
    const node = rt.nodeName ? env.store.get('nodes', undefined, rt.nodeName) : undefined
    rt.hostIP = nodeInternalIP(node)
    rt.podIP = rt.pod.spec?.hostNetwork ? rt.hostIP : env.ipam.allocate()
  },
  remove(env, rt) {
    env.remove(rt)
  },
}

export const containerEffects: Record<ContainerEffect, ContainerEffectFn> = {
  'image-present'(env, rt, c) {
    c.everTurn = true
    c.imageID = imageID(containerSpec(rt, c).image ?? '')
  },
  'pull-start'(env, _rt, c) {
    c.everTurn = true
    c.pullStartedAt = env.now()
  },
  pulled(env, rt, c, vars) {
    const image = containerSpec(rt, c).image ?? ''
    const now = env.now()
    env.images.add(normalizeImage(image))
    c.imageID = imageID(image)
    vars.pullDuration = goDuration(Math.max(1, Math.round((now - (c.pullStartedAt ?? now)) * env.speed)))
    vars.imageSize = imageSize(image)
  },
  'pull-failed'(_env, _rt, c, vars) {
    c.pullFailures++
    c.pullError = String(vars.pullError)
  },
  'pull-backoff'() {},
  create(env, _rt, c) {
    c.containerID = env.newContainerID()
  },
  start(env, rt, c, vars) {
    const spec = containerSpec(rt, c)
    c.startedAt = env.now()
    c.terminated = undefined
    c.killed = false
    c.started = !spec.startupProbe
    c.ready = c.started && !spec.readinessProbe
    c.failures = { startup: 0, readiness: 0, liveness: 0 }
    env.logs.begin(rt.uid, c.name, c.restartCount)
    vars.command = commandLine(spec)
    vars.envNames = envNames(env.store, rt, spec)
  },
  exit(env, rt, c, vars) {
    const code = sim(rt, c).exitCode ?? 0
    c.terminated = termination(env, c, code, code === 0 ? 'Completed' : 'Error')
    c.ready = c.started = false
    vars.exitCode = code
  },
  'back-off'(env, rt, c) {
    c.lastTerminated = c.terminated ?? c.lastTerminated
    c.terminated = undefined
    c.ready = c.started = false
    const t = env.timings
    c.backoffMs = c.restartCount === 0 ? 0 : Math.min(t.crashBackoffInitial * 2 ** (c.restartCount - 1), t.crashBackoffMax)
    if (c.backoffMs === 0) {
      // the first restart is immediate, as the kubelet does it
      restart(c)
      return { step: 'waiting' }
    }
    env.event(rt, c, 'Warning', 'BackOff', `Back-off restarting failed container ${c.name} in pod ${rt.name}_${rt.namespace}(${rt.uid})`)
  },
  restart(_env, _rt, c) {
    restart(c)
  },
  sigterm(env, rt, c) {
    const now = env.now()
    if (!rt.graceDeadline) {
      const grace = Number(rt.pod.spec?.terminationGracePeriodSeconds ?? 30)
      rt.graceDeadline = now + (grace * 1000) / env.speed
    }
    const s = sim(rt, c)
    const wanted = s.stopSeconds !== undefined ? s.stopSeconds * 1000 : env.timings.stop
    const remaining = Math.max(0, (rt.graceDeadline - now) * env.speed)
    c.killed = wanted > remaining
    c.stopMs = Math.min(wanted, remaining)
  },
  stopped(env, rt, c, vars) {
    const code = c.killed ? 137 : (sim(rt, c).stopExitCode ?? 0)
    c.terminated = termination(env, c, code, code === 0 ? 'Completed' : 'Error')
    c.ready = c.started = false
    vars.exitCode = code
    if (c.killed) env.logs.write(rt.uid, c.name, `${c.name} did not stop within the grace period: killed (SIGKILL)`)
  },
  abandon(_env, rt, c) {
    if (!c.terminated) c.frozenWaiting = waitingOf(rt, c)
    c.ready = c.started = false
  },
  started(_env, rt, c) {
    c.started = true
    c.ready = !containerSpec(rt, c).readinessProbe
    c.failures.startup = 0
  },
  ready(_env, _rt, c) {
    c.ready = true
    c.failures.readiness = 0
  },
  'readiness-failure'(env, rt, c) {
    c.failures.readiness++
    c.ready = false
    env.event(rt, c, 'Warning', 'Unhealthy', `Readiness probe failed: ${probeFailure(containerSpec(rt, c).readinessProbe, rt)}`)
  },
  'liveness-failure': (env, rt, c) => probeKill(env, rt, c, 'liveness', containerSpec(rt, c).livenessProbe),
  'startup-failure': (env, rt, c) => probeKill(env, rt, c, 'startup', containerSpec(rt, c).startupProbe),
}

function restart(c: ContainerRuntime): void {
  c.restartCount++
  c.containerID = undefined
  c.started = c.ready = false
}

function termination(env: KubeletEnv, c: ContainerRuntime, exitCode: number, reason: string): Termination {
  const now = env.now()
  return { exitCode, reason, startedAt: c.startedAt ?? now, finishedAt: now, containerID: c.containerID }
}

/** A failed liveness or startup probe; at its failure threshold the container is killed and exits 137. */
function probeKill(env: KubeletEnv, rt: PodRuntime, c: ContainerRuntime, kind: 'liveness' | 'startup', probe: any): EffectResult {
  c.failures[kind]++
  const label = kind === 'liveness' ? 'Liveness' : 'Startup'
  env.event(rt, c, 'Warning', 'Unhealthy', `${label} probe failed: ${probeFailure(probe, rt)}`)
  if (c.failures[kind] < Number(probe?.failureThreshold ?? 3)) return
  env.event(rt, c, 'Normal', 'Killing', `Container ${c.name} failed ${kind} probe, will be restarted`)
  c.terminated = termination(env, c, 137, 'Error')
  c.ready = c.started = false
  env.logs.write(rt.uid, c.name, `${c.name} killed: ${kind} probe failed (exit code 137)`)
  return { step: 'exited' }
}
