import { k8sTime } from '../controllers/objects.js'
import { containerSpec, initFailed, restartPolicy, type ContainerRuntime, type PodRuntime, type Termination } from './runtime.js'

/** Renders a pod's status (phase, conditions, container statuses) from the kubelet's runtime state. */

const ALIVE = new Set(['running', 'stopping'])

function terminatedOf(t: Termination): any {
  return {
    exitCode: t.exitCode,
    reason: t.reason,
    ...(t.message ? { message: t.message } : {}),
    startedAt: k8sTime(t.startedAt),
    finishedAt: k8sTime(t.finishedAt),
    ...(t.containerID ? { containerID: t.containerID } : {}),
  }
}

export function waitingOf(rt: PodRuntime, c: ContainerRuntime): { reason: string; message?: string } {
  const image = containerSpec(rt, c).image ?? ''
  if (c.step === 'stopped' && c.frozenWaiting) return c.frozenWaiting
  switch (c.step) {
    case 'crash-backoff':
      return {
        reason: 'CrashLoopBackOff',
        message: `back-off ${goDuration(c.backoffMs)} restarting failed container=${c.name} pod=${rt.name}_${rt.namespace}(${rt.uid})`,
      }
    case 'pull-failed':
      return { reason: 'ErrImagePull', message: c.pullError }
    case 'pull-backoff':
      return { reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}": ErrImagePull: ${c.pullError ?? ''}` }
    default: {
      const hasInit = (rt.pod.spec?.initContainers ?? []).length > 0
      return { reason: hasInit && !rt.initialized ? 'PodInitializing' : 'ContainerCreating' }
    }
  }
}

function stateOf(rt: PodRuntime, c: ContainerRuntime): any {
  if (ALIVE.has(c.step)) return { running: { startedAt: k8sTime(c.startedAt ?? 0) } }
  if ((c.step === 'exited' || c.step === 'stopped') && c.terminated) return { terminated: terminatedOf(c.terminated) }
  const w = waitingOf(rt, c)
  return { waiting: { reason: w.reason, ...(w.message ? { message: w.message } : {}) } }
}

export function containerStatus(rt: PodRuntime, c: ContainerRuntime): any {
  const spec = containerSpec(rt, c)
  const alive = ALIVE.has(c.step)
  return {
    name: c.name,
    state: stateOf(rt, c),
    lastState: c.lastTerminated ? { terminated: terminatedOf(c.lastTerminated) } : {},
    ready: alive && c.ready,
    restartCount: c.restartCount,
    image: spec.image ?? '',
    imageID: c.imageID ?? '',
    ...(c.containerID ? { containerID: c.containerID } : {}),
    started: alive && c.started,
  }
}

/** kubelet getPhase: Pending until initialized and every main container started; Succeeded/Failed when all are done for good. */
export function computePhase(rt: PodRuntime, terminal: boolean): string {
  if (rt.terminalPhase) return rt.terminalPhase
  if (!rt.sandboxed) return terminal ? 'Failed' : 'Pending'
  const policy = restartPolicy(rt)
  if (initFailed(rt) && policy === 'Never') return rt.containers.some((c) => c.kind === 'sidecar' && ALIVE.has(c.step)) ? 'Pending' : 'Failed'
  if (!rt.initialized) return terminal ? 'Failed' : 'Pending'
  let running = 0
  let waiting = 0
  let stopped = 0
  let succeeded = 0
  for (const c of rt.containers) {
    if (c.kind !== 'main') continue
    if (ALIVE.has(c.step)) running++
    else if ((c.step === 'exited' || c.step === 'stopped') && c.terminated) {
      stopped++
      if (c.terminated.exitCode === 0) succeeded++
    } else if (c.lastTerminated) {
      stopped++
      if (c.lastTerminated.exitCode === 0) succeeded++
    } else waiting++
  }
  if (terminal) return running === 0 && waiting === 0 && stopped > 0 && stopped === succeeded ? 'Succeeded' : 'Failed'
  if (waiting > 0) return 'Pending'
  if (running > 0) return 'Running'
  if (stopped > 0) {
    if (policy === 'Always') return 'Running'
    // done, once the sidecars have stopped too
    const sidecarsAlive = rt.containers.some((c) => c.kind === 'sidecar' && ALIVE.has(c.step))
    if (stopped === succeeded) return sidecarsAlive ? 'Running' : 'Succeeded'
    if (policy === 'Never') return sidecarsAlive ? 'Running' : 'Failed'
    return 'Running'
  }
  return 'Pending'
}

type Cond = { type: string; status: string; reason?: string; message?: string }

function qosClass(spec: any): string {
  const all = [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])]
  let any = false
  let guaranteed = all.length > 0
  for (const c of all) {
    const req = c.resources?.requests ?? {}
    const lim = c.resources?.limits ?? {}
    if (Object.keys(req).length || Object.keys(lim).length) any = true
    for (const r of ['cpu', 'memory']) {
      const l = lim[r]
      const q = req[r] ?? l
      if (l === undefined || String(q) !== String(l)) guaranteed = false
    }
  }
  return !any ? 'BestEffort' : guaranteed ? 'Guaranteed' : 'Burstable'
}

/** The pod status to write: the previous one with the kubelet-owned fields replaced. */
export function renderPodStatus(rt: PodRuntime, prev: any, now: number, terminal: boolean): any {
  const status: any = { ...(prev ?? {}) }
  const phase = computePhase(rt, terminal)
  if (phase === 'Succeeded' || phase === 'Failed') rt.terminalPhase = phase
  status.phase = phase
  const done = phase === 'Succeeded' || phase === 'Failed'

  const conds: Cond[] = []
  if (rt.sandboxed) {
    conds.push({ type: 'PodReadyToStartContainers', status: done && terminal ? 'False' : 'True' })
    const pendingInit = rt.containers.filter((c) => c.kind !== 'main' && !rt.initialized).map((c) => c.name)
    conds.push(
      rt.initialized || done
        ? { type: 'Initialized', status: 'True', ...(done && !rt.initialized ? { reason: 'PodCompleted' } : {}) }
        : { type: 'Initialized', status: 'False', reason: 'ContainersNotInitialized', message: `containers with incomplete status: [${pendingInit.join(' ')}]` },
    )
    const unready = rt.containers
      .filter((c) => c.kind !== 'init' && !(ALIVE.has(c.step) && c.ready && c.started))
      .map((c) => c.name)
    let ready: Cond = done
      ? { type: 'ContainersReady', status: 'False', reason: 'PodCompleted' }
      : unready.length === 0
        ? { type: 'ContainersReady', status: 'True' }
        : { type: 'ContainersReady', status: 'False', reason: 'ContainersNotReady', message: `containers with unready status: [${unready.join(' ')}]` }
    const gates: string[] = (rt.pod.spec?.readinessGates ?? []).map((g: any) => g.conditionType)
    const missingGate = gates.find((g) => !(prev?.conditions ?? []).some((c: any) => c.type === g && c.status === 'True'))
    const podReady: Cond =
      ready.status === 'True' && missingGate
        ? { type: 'Ready', status: 'False', reason: 'ReadinessGatesNotReady', message: `corresponding condition of pod readiness gate "${missingGate}" does not exist.` }
        : { ...ready, type: 'Ready' }
    conds.push(podReady, ready)
  }
  if (rt.nodeName) conds.push({ type: 'PodScheduled', status: 'True' })
  else if (rt.unschedulable) conds.push({ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: rt.unschedulable })

  const mine = new Set(['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'])
  const before = new Map<string, any>((prev?.conditions ?? []).map((c: any) => [c.type, c]))
  status.conditions = [
    ...conds.map((c) => {
      const p = before.get(c.type)
      return {
        type: c.type,
        status: c.status,
        lastProbeTime: null,
        lastTransitionTime: p && p.status === c.status ? p.lastTransitionTime : k8sTime(now),
        ...(c.reason ? { reason: c.reason } : {}),
        ...(c.message ? { message: c.message } : {}),
      }
    }),
    ...(prev?.conditions ?? []).filter((c: any) => !mine.has(c.type)),
  ]

  if (rt.sandboxed) {
    if (rt.hostIP) {
      status.hostIP = rt.hostIP
      status.hostIPs = [{ ip: rt.hostIP }]
    }
    if (rt.podIP) {
      status.podIP = rt.podIP
      status.podIPs = [{ ip: rt.podIP }]
    }
    if (rt.startTime) status.startTime = k8sTime(rt.startTime)
    const inits = rt.containers.filter((c) => c.kind !== 'main')
    if (inits.length) status.initContainerStatuses = inits.map((c) => containerStatus(rt, c))
    status.containerStatuses = rt.containers.filter((c) => c.kind === 'main').map((c) => containerStatus(rt, c))
  }
  status.qosClass = prev?.qosClass ?? qosClass(rt.pod.spec)
  return status
}

/** Go's time.Duration formatting for whole milliseconds: 10s, 1m20s, 5m0s, 812ms. */
export function goDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`
  const totalS = ms / 1000
  const h = Math.floor(totalS / 3600)
  const m = Math.floor((totalS % 3600) / 60)
  const s = totalS % 60
  const sStr = `${Number.isInteger(s) ? s : s.toFixed(3).replace(/0+$/, '')}s`
  if (h) return `${h}h${m}m${sStr}`
  if (m) return `${m}m${sStr}`
  return sStr
}
