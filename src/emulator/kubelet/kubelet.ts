import { createHash, randomBytes } from 'node:crypto'
import type { KubeObject, ObjectStore, WatchEvent } from '../types.js'
import type { EventRecorder } from '../controllers/event-recorder.js'
import { patchObject } from '../controllers/objects.js'
import { nodeInternalIP, POD_CIDR } from '../controllers/node.js'
import { pickNode } from '../controllers/scheduler.js'
import { IpAllocator } from './ip-allocator.js'
import type { LogBuffers } from './logs.js'
import {
  containerFacts,
  containerSpec,
  podFacts,
  refresh,
  runtimeFromPod,
  sim,
  type ContainerRuntime,
  type PodRuntime,
  type Termination,
} from './runtime.js'
import { normalizeImage } from './simulate.js'
import {
  defaultLifecycle,
  defaultTimings,
  selectorMatches,
  TRACKS,
  type ContainerEffect,
  type ContainerStage,
  type Delay,
  type Lifecycle,
  type PodEffect,
  type PodStage,
  type Step,
  type Timings,
} from './stages.js'
import { goDuration, renderPodStatus, waitingOf } from './status.js'
import type { Timers } from '../../lib/timers.js'

export interface KubeletOptions {
  store: ObjectStore
  timers: Timers
  /** simulated time runs this many times faster than the clock (delays are divided by it) */
  speed: number
  recorder: EventRecorder
  logs: LogBuffers
  lifecycle?: Lifecycle
  timings?: Partial<Timings>
  onError: (where: string, err: unknown) => void
}

type Vars = Record<string, string | number>
/** false: the transition does not happen (no step change, events or log lines); a step: go there instead. */
type EffectResult = void | false | { step: Step }

const fill = (t: string, vars: Vars) => t.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m))

/**
 * The simulated kubelet (and scheduler): runs every pod in the store through the lifecycle
 * stages (stages.ts), keeps the pod's status in step, records events and writes container logs.
 * State lives in memory and is rebuilt from pod statuses after a restart.
 */
export class Kubelet {
  private readonly pods = new Map<string, PodRuntime>()
  private readonly ipam = new IpAllocator(POD_CIDR)
  private readonly images = new Set<string>()
  private readonly timings: Timings
  private readonly lifecycle: Lifecycle
  private readonly inflight = new Set<Promise<unknown>>()
  private stopped = false

  constructor(private readonly o: KubeletOptions) {
    this.timings = { ...defaultTimings, ...(o.timings ?? {}) }
    this.lifecycle = o.lifecycle ?? defaultLifecycle
  }

  /** Takes over every pod in the store (after a restart: carries on where their status says they are). */
  start(): void {
    for (const pod of this.o.store.list('pods').items) this.upsert(pod)
  }

  handle(resource: string, e: WatchEvent): void {
    if (this.stopped) return
    if (resource === 'pods') {
      const uid = e.object.metadata.uid ?? ''
      if (e.type === 'DELETED') {
        const rt = this.pods.get(uid)
        if (rt) this.forget(rt)
      } else if (e.type === 'ADDED' || e.type === 'MODIFIED') this.upsert(e.object)
    } else if (resource === 'nodes' && (e.type === 'ADDED' || e.type === 'MODIFIED')) {
      // a node appeared or changed: unschedulable pods try again now
      for (const rt of this.pods.values()) {
        if (rt.unschedulable && !rt.nodeName) {
          rt.unschedulable = undefined
          this.evaluate(rt)
        }
      }
    }
  }

  /** The runtime state of a pod (tests). */
  runtime(uid: string): PodRuntime | undefined {
    return this.pods.get(uid)
  }

  async stop(): Promise<void> {
    this.stopped = true
    for (const rt of this.pods.values()) for (const t of rt.timers.values()) t.cancel()
    while (this.inflight.size) await Promise.allSettled([...this.inflight])
  }

  private track<T>(p: Promise<T>): void {
    this.inflight.add(p)
    void p.finally(() => this.inflight.delete(p))
  }

  private upsert(pod: KubeObject): void {
    const uid = pod.metadata.uid
    if (!uid) return
    const now = this.o.timers.now()
    let rt = this.pods.get(uid)
    if (!rt) {
      rt = runtimeFromPod(pod, now)
      this.pods.set(uid, rt)
      if (rt.podIP && rt.podIP !== rt.hostIP) this.ipam.reserve(rt.podIP)
      for (const c of rt.containers) {
        if (c.step !== 'running' && c.step !== 'exited') continue
        // resumed after an emulator restart: earlier lines were in memory only
        this.o.logs.begin(uid, c.name, c.restartCount)
        this.o.logs.write(uid, c.name, '(earlier log lines were lost when the KECS emulator restarted)')
        if (c.step === 'exited') this.o.logs.end(uid, c.name)
      }
    }
    rt.pod = pod
    if (!rt.nodeName && pod.spec?.nodeName) {
      rt.nodeName = pod.spec.nodeName
      rt.unschedulable = undefined
    }
    if (pod.metadata.deletionTimestamp && !rt.deleting) {
      rt.deleting = true
      const grace = Number(pod.metadata.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30)
      rt.graceDeadline = now + (Math.max(0, grace) * 1000) / this.o.speed
    }
    this.evaluate(rt)
  }

  private forget(rt: PodRuntime): void {
    if (rt.gone) return
    rt.gone = true
    for (const t of rt.timers.values()) t.cancel()
    rt.timers.clear()
    if (this.pods.get(rt.uid) === rt) this.pods.delete(rt.uid)
    if (rt.podIP && rt.podIP !== rt.hostIP) this.ipam.release(rt.podIP)
    this.o.logs.podGone(rt.uid)
    this.o.recorder.forget(rt.uid)
  }

  // ---- the stage machine ----

  private evaluate(rt: PodRuntime): void {
    if (rt.gone || rt.removing || this.stopped) return
    refresh(rt)
    const pf = podFacts(rt)
    this.arm(rt, 'pod', this.lifecycle.pod.find((s) => selectorMatches(s.selector, pf)), undefined)
    for (const c of rt.containers) {
      const cf = containerFacts(rt, c, this.images)
      for (const track of TRACKS) {
        const stage = this.lifecycle.container.find((s) => s.track === track && selectorMatches(s.selector, cf))
        this.arm(rt, `${c.name}/${track}`, stage, c)
      }
    }
  }

  /** Keeps the timer of a track when its stage still applies; otherwise replaces it. */
  private arm(rt: PodRuntime, key: string, stage: PodStage | ContainerStage | undefined, c: ContainerRuntime | undefined): void {
    const cur = rt.timers.get(key)
    if (cur && cur.stage === stage) return
    cur?.cancel()
    rt.timers.delete(key)
    if (!stage) return
    const now = this.o.timers.now()
    const { ms, from } = this.delay(stage.delay, rt, c)
    let wait = (from ?? now) + ms / this.o.speed - now
    if (stage.delay === 'heartbeat') wait = Math.max(wait, 20)
    let live = true
    const fire = () => {
      if (!live) return
      live = false
      rt.timers.delete(key)
      this.fire(rt, stage, c)
    }
    let cancelTimer: (() => void) | undefined
    if (wait <= 0) queueMicrotask(fire)
    else cancelTimer = this.o.timers.setTimeout(fire, wait)
    rt.timers.set(key, {
      stage,
      cancel: () => {
        live = false
        cancelTimer?.()
      },
    })
  }

  private fire(rt: PodRuntime, stage: PodStage | ContainerStage, c: ContainerRuntime | undefined): void {
    if (rt.gone || rt.removing || this.stopped) return
    refresh(rt)
    const facts = c ? containerFacts(rt, c, this.images) : podFacts(rt)
    if (!selectorMatches(stage.selector as Record<string, unknown>, facts as unknown as Record<string, unknown>)) {
      this.evaluate(rt)
      return
    }
    const vars = this.vars(rt, c)
    let result: EffectResult
    try {
      result = stage.next.effect ? this.effect(stage.next.effect, rt, c, vars) : undefined
    } catch (err) {
      this.o.onError(`kubelet ${stage.name} ${rt.namespace}/${rt.name}`, err)
      result = false
    }
    const next = stage.next as ContainerStage['next']
    if (result !== false) {
      const before = c?.step
      const step = (result && result.step) || next.step
      if (c && step) {
        c.step = step
        c.since = this.o.timers.now()
      }
      for (const ev of next.events ?? []) this.event(rt, c, ev.type ?? 'Normal', ev.reason, fill(ev.message, vars), ev.component)
      if (c) {
        for (const line of next.log ?? []) this.o.logs.write(rt.uid, c.name, fill(line, vars))
        if ((c.step === 'exited' || c.step === 'stopped') && (before === 'running' || before === 'stopping')) this.o.logs.end(rt.uid, c.name)
      }
    }
    if (stage.next.effect !== 'remove' && (stage.next.effect || next.step)) this.requestWrite(rt)
    this.evaluate(rt)
  }

  private delay(d: Delay, rt: PodRuntime, c: ContainerRuntime | undefined): { ms: number; from?: number } {
    if (typeof d === 'number') return { ms: d }
    const t = this.timings
    const spec = c ? containerSpec(rt, c) : {}
    const probeDelay = (probe: any, failures: number) =>
      !probe ? 0 : failures === 0 ? Number(probe.initialDelaySeconds ?? 0) * 1000 + t.probe : Number(probe.periodSeconds ?? 10) * 1000
    switch (d) {
      case 'schedule':
        return { ms: t.schedule }
      case 'schedule-retry':
        return { ms: t.scheduleRetry }
      case 'sandbox':
        return { ms: t.sandbox }
      case 'pull':
        return { ms: t.pull }
      case 'pull-error-gap':
        return { ms: t.pullErrorGap }
      case 'pull-backoff':
        return { ms: Math.min(t.pullBackoffInitial * 2 ** Math.max(0, (c?.pullFailures ?? 1) - 1), t.pullBackoffMax) }
      case 'create':
        return { ms: t.create }
      case 'start':
        return { ms: t.start }
      case 'run': {
        const s = sim(rt, c!)
        const ms = s.runSeconds !== undefined ? s.runSeconds * 1000 : s.exitCode !== undefined ? t.exitSoon : t.initRun
        return { ms, from: c!.startedAt }
      }
      case 'crash-backoff':
        return { ms: c!.backoffMs }
      case 'stop':
        return { ms: c!.stopMs }
      case 'startup':
        return { ms: probeDelay(spec.startupProbe, 0) }
      case 'readiness':
        return { ms: probeDelay(spec.readinessProbe, 0) }
      case 'startup-period':
        return { ms: probeDelay(spec.startupProbe, c!.failures.startup) }
      case 'readiness-period':
        return { ms: probeDelay(spec.readinessProbe, c!.failures.readiness) }
      case 'liveness-period':
        return { ms: probeDelay(spec.livenessProbe, c!.failures.liveness) }
      case 'heartbeat':
        return { ms: t.heartbeat }
    }
  }

  private vars(rt: PodRuntime, c: ContainerRuntime | undefined): Vars {
    const spec = c ? containerSpec(rt, c) : {}
    const now = this.o.timers.now()
    return {
      pod: rt.name,
      namespace: rt.namespace,
      node: rt.nodeName ?? '',
      container: c?.name ?? '',
      image: spec.image ?? '',
      pullError: c ? (sim(rt, c).imagePullError ?? c.pullError ?? '') : '',
      uptime: c?.startedAt ? goDuration(Math.floor(((now - c.startedAt) * this.o.speed) / 1000) * 1000 || 0) : '0s',
    }
  }

  private event(rt: PodRuntime, c: ContainerRuntime | undefined, type: 'Normal' | 'Warning', reason: string, message: string, component = 'kubelet'): void {
    this.o.recorder.record(rt.pod, {
      type,
      reason,
      message,
      component,
      ...(component === 'kubelet' && rt.nodeName ? { host: rt.nodeName } : {}),
      ...(c ? { fieldPath: `spec.${c.kind === 'main' ? 'containers' : 'initContainers'}{${c.name}}` } : {}),
    })
  }

  // ---- effects: what a named transition does beyond the step change ----

  private effect(name: PodEffect | ContainerEffect, rt: PodRuntime, c: ContainerRuntime | undefined, vars: Vars): EffectResult {
    const now = this.o.timers.now()
    switch (name) {
      case 'schedule':
        return this.schedule(rt, vars)
      case 'sandbox': {
        rt.sandboxed = true
        rt.startTime = now
        const node = rt.nodeName ? this.o.store.get('nodes', undefined, rt.nodeName) : undefined
        rt.hostIP = nodeInternalIP(node)
        rt.podIP = rt.pod.spec?.hostNetwork ? rt.hostIP : this.ipam.allocate()
        return
      }
      case 'remove':
        this.track(this.remove(rt))
        return
    }
    const ct = c!
    const spec = containerSpec(rt, ct)
    const s = sim(rt, ct)
    switch (name) {
      case 'image-present':
        ct.everTurn = true
        ct.imageID = imageID(spec.image ?? '')
        return
      case 'pull-start':
        ct.everTurn = true
        ct.pullStartedAt = now
        return
      case 'pulled':
        this.images.add(normalizeImage(spec.image ?? ''))
        ct.imageID = imageID(spec.image ?? '')
        vars.pullDuration = goDuration(Math.max(1, Math.round((now - (ct.pullStartedAt ?? now)) * this.o.speed)))
        vars.imageSize = imageSize(spec.image ?? '')
        return
      case 'pull-failed':
        ct.pullFailures++
        ct.pullError = String(vars.pullError)
        return
      case 'pull-backoff':
        return
      case 'create':
        ct.containerID = `containerd://${randomBytes(32).toString('hex')}`
        return
      case 'start':
        ct.startedAt = now
        ct.terminated = undefined
        ct.killed = false
        ct.started = !spec.startupProbe
        ct.ready = ct.started && !spec.readinessProbe
        ct.failures = { startup: 0, readiness: 0, liveness: 0 }
        this.o.logs.begin(rt.uid, ct.name, ct.restartCount)
        vars.command = commandLine(spec)
        vars.envNames = this.envNames(rt, spec)
        return
      case 'exit': {
        const code = s.exitCode ?? 0
        ct.terminated = this.termination(ct, code, code === 0 ? 'Completed' : 'Error')
        ct.ready = ct.started = false
        vars.exitCode = code
        return
      }
      case 'back-off': {
        ct.lastTerminated = ct.terminated ?? ct.lastTerminated
        ct.terminated = undefined
        ct.ready = ct.started = false
        const t = this.timings
        ct.backoffMs = ct.restartCount === 0 ? 0 : Math.min(t.crashBackoffInitial * 2 ** (ct.restartCount - 1), t.crashBackoffMax)
        if (ct.backoffMs === 0) {
          // the first restart is immediate, as the kubelet does it
          this.restart(ct)
          return { step: 'waiting' }
        }
        this.event(rt, ct, 'Warning', 'BackOff', `Back-off restarting failed container ${ct.name} in pod ${rt.name}_${rt.namespace}(${rt.uid})`)
        return
      }
      case 'restart':
        this.restart(ct)
        return
      case 'sigterm': {
        if (!rt.graceDeadline) {
          const grace = Number(rt.pod.spec?.terminationGracePeriodSeconds ?? 30)
          rt.graceDeadline = now + (grace * 1000) / this.o.speed
        }
        const wanted = s.stopSeconds !== undefined ? s.stopSeconds * 1000 : this.timings.stop
        const remaining = Math.max(0, (rt.graceDeadline - now) * this.o.speed)
        ct.killed = wanted > remaining
        ct.stopMs = Math.min(wanted, remaining)
        return
      }
      case 'stopped': {
        const code = ct.killed ? 137 : (s.stopExitCode ?? 0)
        ct.terminated = this.termination(ct, code, code === 0 ? 'Completed' : 'Error')
        ct.ready = ct.started = false
        vars.exitCode = code
        if (ct.killed) this.o.logs.write(rt.uid, ct.name, `${ct.name} did not stop within the grace period: killed (SIGKILL)`)
        return
      }
      case 'abandon':
        if (!ct.terminated) ct.frozenWaiting = waitingOf(rt, ct)
        ct.ready = ct.started = false
        return
      case 'started':
        ct.started = true
        ct.ready = !spec.readinessProbe
        ct.failures.startup = 0
        return
      case 'ready':
        ct.ready = true
        ct.failures.readiness = 0
        return
      case 'readiness-failure':
        ct.failures.readiness++
        ct.ready = false
        this.event(rt, ct, 'Warning', 'Unhealthy', `Readiness probe failed: ${probeFailure(spec.readinessProbe, rt)}`)
        return
      case 'liveness-failure':
        return this.probeKill(rt, ct, 'liveness', spec.livenessProbe)
      case 'startup-failure':
        return this.probeKill(rt, ct, 'startup', spec.startupProbe)
    }
  }

  private restart(c: ContainerRuntime): void {
    c.restartCount++
    c.containerID = undefined
    c.started = c.ready = false
  }

  private termination(c: ContainerRuntime, exitCode: number, reason: string): Termination {
    return { exitCode, reason, startedAt: c.startedAt ?? this.o.timers.now(), finishedAt: this.o.timers.now(), containerID: c.containerID }
  }

  private probeKill(rt: PodRuntime, c: ContainerRuntime, kind: 'liveness' | 'startup', probe: any): EffectResult {
    c.failures[kind]++
    const label = kind === 'liveness' ? 'Liveness' : 'Startup'
    this.event(rt, c, 'Warning', 'Unhealthy', `${label} probe failed: ${probeFailure(probe, rt)}`)
    if (c.failures[kind] < Number(probe?.failureThreshold ?? 3)) return
    this.event(rt, c, 'Normal', 'Killing', `Container ${c.name} failed ${kind} probe, will be restarted`)
    c.terminated = this.termination(c, 137, 'Error')
    c.ready = c.started = false
    this.o.logs.write(rt.uid, c.name, `${c.name} killed: ${kind} probe failed (exit code 137)`)
    return { step: 'exited' }
  }

  private schedule(rt: PodRuntime, vars: Vars): EffectResult {
    const counts = new Map<string, number>()
    for (const p of this.pods.values()) if (p.nodeName && !p.terminalPhase) counts.set(p.nodeName, (counts.get(p.nodeName) ?? 0) + 1)
    const r = pickNode(rt.pod, this.o.store.list('nodes').items, counts)
    if ('node' in r) {
      rt.nodeName = r.node.metadata.name
      rt.hostIP = nodeInternalIP(r.node)
      rt.unschedulable = undefined
      vars.node = rt.nodeName ?? ''
      return
    }
    rt.unschedulable = r.message
    this.event(rt, undefined, 'Warning', 'FailedScheduling', r.message, 'default-scheduler')
    return false
  }

  /** Writes the pod's status from its runtime; writes are coalesced per pod. */
  private requestWrite(rt: PodRuntime): void {
    if (rt.gone) return
    if (rt.writing) {
      rt.writeAgain = true
      return
    }
    const run = async () => {
      do {
        rt.writeAgain = false
        const now = this.o.timers.now()
        const written = await patchObject(this.o.store, 'pods', rt.namespace, rt.name, (pod) => {
          if (pod.metadata.uid !== rt.uid) return false
          if (rt.nodeName && !pod.spec?.nodeName) pod.spec = { ...(pod.spec ?? {}), nodeName: rt.nodeName }
          pod.status = renderPodStatus(rt, pod.status, now, rt.removing)
        })
        if (!written || written.metadata.uid !== rt.uid) {
          if (!rt.removing) this.forget(rt)
          return
        }
        rt.pod = written
      } while (rt.writeAgain && !rt.gone)
    }
    const p: Promise<void> = run()
      .catch((err) => this.o.onError(`kubelet status ${rt.namespace}/${rt.name}`, err))
      .finally(() => {
        if (rt.writing === p) rt.writing = undefined
      })
    rt.writing = p
    this.track(p)
  }

  /** Every container is done: post the final status, then remove the pod from the store. */
  private async remove(rt: PodRuntime): Promise<void> {
    if (rt.removing || rt.gone) return
    rt.removing = true
    for (const t of rt.timers.values()) t.cancel()
    rt.timers.clear()
    try {
      while (rt.writing) await rt.writing
      this.requestWrite(rt)
      while (rt.writing) await rt.writing
      const cur = this.o.store.get('pods', rt.namespace, rt.name)
      if (cur && cur.metadata.uid === rt.uid) {
        // finalizers still hold it: delete with grace 0, so it goes once they are removed
        if (cur.metadata.finalizers?.length)
          await patchObject(this.o.store, 'pods', rt.namespace, rt.name, (o) => {
            if (o.metadata.uid !== rt.uid) return false
            o.metadata.deletionGracePeriodSeconds = 0
          })
        else await this.o.store.remove('pods', rt.namespace, rt.name)
      }
    } catch (err) {
      this.o.onError(`kubelet remove ${rt.namespace}/${rt.name}`, err)
    } finally {
      this.forget(rt)
    }
  }

  private envNames(rt: PodRuntime, spec: any): string {
    const names: string[] = (spec.env ?? []).map((e: any) => e.name)
    for (const from of spec.envFrom ?? []) {
      const ref = from.configMapRef ?? from.secretRef
      if (!ref?.name) continue
      const resource = from.configMapRef ? 'configmaps' : 'secrets'
      const obj = this.o.store.type(resource) ? this.o.store.get(resource, rt.namespace, ref.name) : undefined
      const keys = Object.keys({ ...(obj?.data ?? {}), ...(obj?.stringData ?? {}) })
      if (keys.length) names.push(...keys.map((k) => `${from.prefix ?? ''}${k}`))
      else names.push(`(all keys of ${resource === 'secrets' ? 'secret' : 'configmap'} ${ref.name})`)
    }
    return names.length ? names.join(', ') : '(none)'
  }
}

function commandLine(spec: any): string {
  const q = (a: string) => (a === '' || /[\s"'$`\\]/.test(a) ? JSON.stringify(a) : a)
  const args: string[] = (spec.args ?? []).map(String)
  if (!spec.command?.length) return ['(image entrypoint)', ...args.map(q)].join(' ')
  return [...spec.command.map(String), ...args].map(q).join(' ')
}

function probeFailure(probe: any, rt: PodRuntime): string {
  if (probe?.httpGet) return 'HTTP probe failed with statuscode: 503'
  if (probe?.tcpSocket) return `dial tcp ${rt.podIP ?? '127.0.0.1'}:${probe.tcpSocket.port}: connect: connection refused`
  if (probe?.grpc) return `timeout: failed to connect service ":${probe.grpc.port}" within 1s`
  const cmd: string[] = probe?.exec?.command ?? []
  return `command "${cmd.join(' ')}" exited with code 1 (simulated: kecs.simulate.unhealthy)`
}

function imageID(image: string): string {
  const ref = normalizeImage(image)
  const repo = ref.includes('@') ? ref.slice(0, ref.indexOf('@')) : ref.slice(0, ref.lastIndexOf(':'))
  return `${repo}@sha256:${createHash('sha256').update(ref).digest('hex')}`
}

const imageSize = (image: string) => 5_000_000 + (createHash('sha256').update(normalizeImage(image)).digest().readUInt32BE(0) % 200_000_000)
