import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node'
import { advanceVolumeAttachments } from '../ecs/tasks/managed-volumes.js'
import { epochSeconds } from '../ecs/clock.js'
import { markStopping, type StopReason } from '../ecs/tasks/stopping.js'
import { statusRank, type TaskDoc } from '../ecs/tasks/task-doc.js'
import { containerRuntimeId } from '../ecs/tasks/container-ids.js'
import { ANNOTATIONS } from './convert/labels.js'

/**
 * Pod status → ECS task state: the one place that decides a task's lastStatus, containers[], health,
 * timestamps and why it stopped. Pure; the reconciler bumps the version.
 * docs/ecs-on-kubernetes.md#pod-status-to-task-status
 */
export interface TaskStateInput {
  /** The pod as last seen (for a deleted pod: its final state), or undefined when it was never seen. */
  pod: V1Pod | undefined
  /** The pod no longer exists. */
  gone: boolean
  task: TaskDoc
  nowMs: number
  /** stopCode/stoppedReason when the pod is deleted or vanishes without KECS having asked. */
  lost?: StopReason
}

const ESSENTIAL_EXITED: StopReason = { stopCode: 'EssentialContainerExited', stoppedReason: 'Essential container in task exited' }
export const POD_DELETED: StopReason = {
  stopCode: 'InfrastructureHealth',
  stoppedReason: 'Task stopped because its pod was deleted outside KECS',
}

const PULL_ERRORS = new Set([
  'ErrImagePull',
  'ImagePullBackOff',
  'InvalidImageName',
  'ErrImageNeverPull',
  'RegistryUnavailable',
  'SignatureValidationFailed',
])
const CONFIG_ERRORS = new Set(['CreateContainerConfigError', 'CreateContainerError'])
const START_ERRORS = new Set(['RunContainerError', 'PreCreateHookError', 'PostStartHookError', 'ContainerCannotRun', 'StartError'])

type Container = NonNullable<TaskDoc['containers']>[number]

/** Kubernetes timestamps arrive as ISO strings (watch) or Dates (typed list results). */
const timeMs = (t: Date | string | undefined | null): number | undefined => {
  if (t === undefined || t === null) return undefined
  const ms = t instanceof Date ? t.getTime() : Date.parse(t)
  return Number.isNaN(ms) ? undefined : ms
}

/** Pod times older than this (relative to the observation) are used as they are. */
const LIVE_WINDOW_MS = 1_500

const CONTAINER_RANK = { PENDING: 0, RUNNING: 1, STOPPED: 2 } as Record<string, number>

export function taskStateFromPod(input: TaskStateInput): TaskDoc {
  const t: TaskDoc = structuredClone(input.task)
  if (t.lastStatus === 'STOPPED') return t
  const pod = input.pod
  const now = input.nowMs
  const createdMs = (t.createdAt ?? 0) * 1000
  // Kubernetes times have second precision: watching live, the moment KECS sees a change is closer to
  // it; catching up (after a restart), the pod's own time is. Never before the task was created.
  const at = (ms: number | undefined) =>
    epochSeconds(ms !== undefined && now - ms > LIVE_WINDOW_MS ? Math.max(ms, createdMs) : now)

  const annotations = pod?.metadata?.annotations ?? {}
  const essential = new Set(
    annotations[ANNOTATIONS.essentialContainers]?.split(',').filter(Boolean) ?? t.kecs.essential,
  )
  const initNames = new Set((pod?.spec?.initContainers ?? []).map((c) => c.name))
  const probed = new Set(
    [...(pod?.spec?.initContainers ?? []), ...(pod?.spec?.containers ?? [])].filter((c) => c.readinessProbe).map((c) => c.name),
  )
  const statuses = new Map<string, V1ContainerStatus>()
  for (const s of [...(pod?.status?.initContainerStatuses ?? []), ...(pod?.status?.containerStatuses ?? [])]) statuses.set(s.name, s)

  const deleting = !!pod?.metadata?.deletionTimestamp
  const phase = pod?.status?.phase
  const terminal = input.gone || phase === 'Succeeded' || phase === 'Failed'
  const scheduled =
    !!pod?.spec?.nodeName || (pod?.status?.conditions ?? []).some((c) => c.type === 'PodScheduled' && c.status === 'True')
  const podIP = pod?.status?.podIP
  const eni = (t.attachments ?? []).find((a) => a.type === 'ElasticNetworkInterface')
  const hostPorts = parseHostPorts(annotations[ANNOTATIONS.hostPorts])

  // --- containers ---
  let failure: StopReason | undefined
  let essentialExit = false
  let anyStarted = false
  let earliestStart: number | undefined
  let latestFinish: number | undefined
  for (const c of t.containers ?? []) {
    const name = c.name ?? ''
    const st = statuses.get(name)
    const state = st?.state
    // A container that restarted (restartPolicy Always: service pods) exited in between, even when no
    // status showed it terminated (kubelets report status in batches): its last termination is its exit.
    const exited = state?.terminated ?? ((st?.restartCount ?? 0) > 0 ? st?.lastState?.terminated : undefined)
    let next = 'PENDING'
    if (exited) {
      next = 'STOPPED'
      // The first exit stands (a restarted container stopped again by the pod's deletion is not its exit).
      const term = c.lastStatus === 'STOPPED' && c.exitCode !== undefined ? { ...exited, exitCode: c.exitCode } : exited
      c.exitCode = term.exitCode
      const reason = terminatedReason(term.reason, term.message)
      if (reason && c.reason === undefined) c.reason = reason
      latestFinish = Math.max(latestFinish ?? 0, timeMs(term.finishedAt) ?? now)
      if (essential.has(name)) essentialExit = true
    } else if (state?.running) {
      next = 'RUNNING'
      c.exitCode = undefined
    } else if (state?.waiting?.reason) {
      const w = state.waiting
      const msg = w.message || w.reason
      if (PULL_ERRORS.has(w.reason!)) {
        c.reason = `CannotPullContainerError: ${msg}`
        failure ??= { stopCode: 'TaskFailedToStart', stoppedReason: c.reason }
      } else if (CONFIG_ERRORS.has(w.reason!)) {
        c.reason = `ResourceInitializationError: ${msg}`
        failure ??= { stopCode: 'TaskFailedToStart', stoppedReason: c.reason }
      } else if (START_ERRORS.has(w.reason!)) {
        c.reason = `CannotStartContainerError: ${msg}`
        failure ??= { stopCode: 'TaskFailedToStart', stoppedReason: c.reason }
      }
    }
    const started = timeMs(exited ? exited.startedAt : state?.running?.startedAt)
    if (state?.running || exited) anyStarted = true
    if (started !== undefined) earliestStart = Math.min(earliestStart ?? Infinity, started)
    if ((CONTAINER_RANK[next] ?? 0) > (CONTAINER_RANK[c.lastStatus ?? 'PENDING'] ?? 0)) c.lastStatus = next
    // `<task id>-<10 digits>`, Fargate's shape (a RunTask pod is named after its task id; a service pod's id is its UID without dashes)
    if ((state?.running || state?.terminated) && pod && t.kecs.taskId) c.runtimeId = containerRuntimeId(t.kecs.taskId, name)
    const digest = st?.imageID?.match(/@(sha256:[0-9a-f]+)/)?.[1]
    if (digest) c.imageDigest = digest
    c.healthStatus = probed.has(name) ? healthOf(c, st) : 'UNKNOWN'
    if (c.lastStatus === 'RUNNING') {
      const bindings = hostPorts.filter((h) => h.container === name && h.hostPort > 0)
      if (bindings.length) {
        c.networkBindings = bindings.map((h) => ({ bindIP: '0.0.0.0', containerPort: h.containerPort, hostPort: h.hostPort, protocol: h.protocol as 'tcp' }))
      } else if (eni) {
        // an awsvpc container publishes no host ports: ECS shows the empty list
        c.networkBindings ??= []
      }
    }
    if (eni && podIP) c.networkInterfaces = [{ attachmentId: eni.id, privateIpv4Address: podIP }]
    for (const a of c.managedAgents ?? []) {
      if (c.lastStatus !== 'PENDING' && a.lastStatus !== c.lastStatus) {
        a.lastStatus = c.lastStatus
        if (c.lastStatus === 'RUNNING') a.lastStartedAt = epochSeconds(now)
      }
    }
    if (c.exitCode === undefined) delete c.exitCode
  }
  const containers = t.containers ?? []
  const essentialRunning =
    !essentialExit &&
    essential.size > 0 && containers.filter((c) => essential.has(c.name ?? '')).every((c) => statuses.get(c.name ?? '')?.state?.running)
  const initStarted = [...initNames].some((n) => {
    const s = statuses.get(n)?.state
    return !!(s?.running || s?.terminated)
  })

  // --- why it stops ---
  if (!failure && phase === 'Failed' && !essentialExit) failure = podFailure(pod!, t, statuses, initNames)
  let stop: StopReason | undefined
  if (essentialExit && !deleting) stop = ESSENTIAL_EXITED
  else if (failure) stop = failure
  else if (deleting || input.gone) stop = input.lost ?? POD_DELETED
  if (stop) markStopping(t, stop, now)

  // --- lastStatus ---
  let derived: string
  if (terminal) derived = 'STOPPED'
  else if (deleting) derived = containers.some((c) => statuses.get(c.name ?? '')?.state?.running) ? 'STOPPING' : 'DEPROVISIONING'
  else if (!pod || !scheduled) derived = 'PROVISIONING'
  else if (essentialRunning) derived = 'RUNNING'
  else if (initStarted) derived = 'ACTIVATING'
  else derived = 'PENDING'
  const before = t.lastStatus
  if (statusRank(derived) > statusRank(t.lastStatus)) t.lastStatus = derived

  // --- timestamps and connectivity ---
  if (scheduled && t.pullStartedAt === undefined) {
    const cond = (pod?.status?.conditions ?? []).find((c) => c.type === 'PodScheduled' && c.status === 'True')
    t.pullStartedAt = at(timeMs(cond?.lastTransitionTime))
  }
  if (t.pullStartedAt !== undefined && t.pullStoppedAt === undefined && (anyStarted || failure)) {
    t.pullStoppedAt = anyStarted ? at(earliestStart) : epochSeconds(now)
  }
  if (podIP && t.connectivity === undefined) {
    t.connectivity = 'CONNECTED'
    t.connectivityAt = epochSeconds(now)
  }
  if (eni && podIP && eni.status !== 'ATTACHED' && t.lastStatus !== 'STOPPED') attachEni(eni, t, podIP)
  if (t.lastStatus === 'RUNNING' && before !== 'RUNNING' && t.startedAt === undefined) {
    const starts = containers
      .filter((c) => essential.has(c.name ?? ''))
      .map((c) => timeMs(statuses.get(c.name ?? '')?.state?.running?.startedAt))
      .filter((x): x is number => x !== undefined)
    t.startedAt = at(starts.length ? Math.max(...starts) : undefined)
  }
  const allDone = containers.length > 0 && containers.every((c) => c.lastStatus === 'STOPPED' || !statuses.get(c.name ?? '')?.state?.running)
  if (t.executionStoppedAt === undefined && (terminal || (deleting && allDone && anyStarted))) {
    t.executionStoppedAt = at(latestFinish)
  }
  if (t.lastStatus === 'STOPPED') {
    for (const c of containers) c.lastStatus = 'STOPPED'
    if (eni) eni.status = 'DELETED'
    t.executionStoppedAt ??= epochSeconds(now)
    t.stoppedAt = Math.max(epochSeconds(now), t.executionStoppedAt)
    if (t.stoppingAt === undefined) t.stoppingAt = t.stoppedAt
  }
  // a managed volume is attached before the containers start, and goes with the task
  advanceVolumeAttachments(t, anyStarted)
  t.healthStatus = taskHealth(containers, essential, probed)
  return t
}

/** ECS container `reason` for a terminated container: only for abnormal ends (a plain exit has none). */
function terminatedReason(reason: string | undefined, message: string | undefined): string | undefined {
  if (reason === 'OOMKilled') return 'OutOfMemoryError: Container killed due to memory usage'
  if (reason && START_ERRORS.has(reason)) return `CannotStartContainerError: ${message || reason}`
  return undefined
}

function healthOf(c: Container, st: V1ContainerStatus | undefined): 'HEALTHY' | 'UNHEALTHY' | 'UNKNOWN' {
  if (!st?.state?.running) return (c.healthStatus as 'HEALTHY' | 'UNHEALTHY' | 'UNKNOWN' | undefined) ?? 'UNKNOWN'
  if (st.ready) return 'HEALTHY'
  return c.healthStatus === 'HEALTHY' || c.healthStatus === 'UNHEALTHY' ? 'UNHEALTHY' : 'UNKNOWN'
}

/** Task health: UNHEALTHY if an essential container with a health check is, HEALTHY if all of them are. */
function taskHealth(containers: Container[], essential: Set<string>, probed: Set<string>): 'HEALTHY' | 'UNHEALTHY' | 'UNKNOWN' {
  const checked = containers.filter((c) => essential.has(c.name ?? '') && probed.has(c.name ?? ''))
  if (checked.length === 0) return 'UNKNOWN'
  if (checked.some((c) => c.healthStatus === 'UNHEALTHY')) return 'UNHEALTHY'
  return checked.every((c) => c.healthStatus === 'HEALTHY') ? 'HEALTHY' : 'UNKNOWN'
}

/** A pod that failed without an essential container exiting: a dependency (init container) failed, or the pod was evicted. */
function podFailure(pod: V1Pod, t: TaskDoc, statuses: Map<string, V1ContainerStatus>, initNames: Set<string>): StopReason {
  for (const n of initNames) {
    const term = statuses.get(n)?.state?.terminated
    if (term && term.exitCode !== 0) {
      return {
        stopCode: 'TaskFailedToStart',
        stoppedReason: `CannotStartContainerError: dependency container ${n} exited with code ${term.exitCode}`,
      }
    }
  }
  const why = pod.status?.message || pod.status?.reason || 'the pod failed'
  const ran = statusRank(t.lastStatus) >= statusRank('RUNNING')
  return ran
    ? { stopCode: 'InfrastructureHealth', stoppedReason: `Task stopped: ${why}` }
    : { stopCode: 'TaskFailedToStart', stoppedReason: `ResourceInitializationError: ${why}` }
}

interface HostPort {
  container: string
  containerPort: number
  hostPort: number
  protocol: string
}

function parseHostPorts(raw: string | undefined): HostPort[] {
  if (!raw) return []
  try {
    const v = JSON.parse(raw)
    return Array.isArray(v) ? v : []
  } catch {
    return []
  }
}

/** The ENI is ATTACHED once the pod has an IP; its details then carry the pod IP, as ECS's do. */
function attachEni(eni: NonNullable<TaskDoc['attachments']>[number], t: TaskDoc, ip: string) {
  const region = t.taskArn.split(':')[3] ?? 'us-east-1'
  const hex = t.kecs.taskId.replace(/[^0-9a-f]/g, '').padEnd(17, '0')
  const mac = `02:${hex.slice(0, 10).match(/../g)!.join(':')}`
  const dnsZone = region === 'us-east-1' ? 'ec2.internal' : `${region}.compute.internal`
  const keep = (eni.details ?? []).filter((d) => d.name === 'subnetId')
  eni.status = 'ATTACHED'
  eni.details = [
    ...keep,
    { name: 'networkInterfaceId', value: `eni-${hex.slice(0, 17)}` },
    { name: 'macAddress', value: mac },
    { name: 'privateDnsName', value: `ip-${ip.replaceAll('.', '-')}.${dnsZone}` },
    { name: 'privateIPv4Address', value: ip },
  ]
}
