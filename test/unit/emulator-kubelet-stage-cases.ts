import { createHash } from 'node:crypto'
import type { KubeObject } from '../../src/emulator/types.js'
import type { ContainerRuntime, PodRuntime } from '../../src/emulator/kubelet/runtime.js'

/**
 * The facts in of the golden stage cases (emulator-kubelet-stages.test.ts): a pod as the store
 * holds it (spec, status, kecs.simulate.* annotations), what the kubelet knows beyond its status
 * (a step the status does not show, backoffs, probe failures), the images on the node and the
 * time. Every stage of the default table has at least one case; `name` is its golden file.
 */
export interface StageCase {
  name: string
  stage: string
  /** the container whose track the stage runs on (container stages) */
  container?: string
  /** ISO time the facts are read at */
  now: string
  pod: KubeObject
  runtime?: { pod?: Timed<PodRuntime>; containers?: Record<string, Timed<ContainerRuntime>> }
  /** images already on the node (normalized references) */
  images?: string[]
}

/** Runtime fields to set; times (startedAt, pullStartedAt, graceDeadline, ...) as ISO strings. */
export type Timed<T> = { [K in keyof T]?: T[K] extends number | undefined ? T[K] | string : T[K] }

/** Runtime fields that hold clock times (ms); the golden files show them as ISO strings. */
export const TIME_KEYS = new Set(['since', 'startedAt', 'finishedAt', 'pullStartedAt', 'graceDeadline', 'startTime'])

const T0 = Date.parse('2025-01-01T00:00:00Z')
/** A time this many seconds after T0, as Kubernetes writes it. */
export const at = (s: number) => new Date(T0 + s * 1000).toISOString().replace('.000Z', 'Z')
const NOW = at(60)
const NODE = 'kecs-node'
const POD_IP = '10.244.0.5'

const web = (extra: Record<string, unknown> = {}) => ({
  name: 'web',
  image: 'nginx:1.27',
  command: ['nginx'],
  args: ['-g', 'daemon off;'],
  env: [{ name: 'DB_PASSWORD', value: 's3cret-value' }],
  ...extra,
})

interface PodOptions {
  annotations?: Record<string, string>
  /** the container's spec beyond the defaults */
  container?: Record<string, unknown>
  spec?: Record<string, unknown>
  /** bound to the node (default true) */
  bound?: boolean
  /** deletion requested at 50 s with this grace period */
  deleting?: number
  status?: unknown
}

function pod(o: PodOptions = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'web-1',
      namespace: 'default',
      uid: '6b1f8c2e-0d7a-4c51-9a3e-2f4b5c6d7e80',
      creationTimestamp: at(0),
      ...(o.annotations ? { annotations: o.annotations } : {}),
      ...(o.deleting !== undefined ? { deletionTimestamp: at(50 + o.deleting), deletionGracePeriodSeconds: o.deleting } : {}),
    },
    spec: {
      containers: [web(o.container)],
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      ...(o.bound === false ? {} : { nodeName: NODE }),
      ...(o.spec ?? {}),
    },
    ...(o.status ? { status: o.status } : {}),
  }
}

const condition = (type: string, status: string, extra: Record<string, string> = {}) => ({
  type,
  status,
  lastProbeTime: null,
  lastTransitionTime: at(2),
  ...extra,
})

/** The status of a pod whose sandbox exists, with the web container in this state. */
function sandboxed(state: Record<string, unknown>, o: { ready?: boolean; started?: boolean; restartCount?: number; lastState?: unknown; phase?: string } = {}) {
  const ready = !!o.ready
  const running = 'running' in state
  return {
    phase: o.phase ?? (running || o.restartCount ? 'Running' : 'Pending'),
    conditions: [
      condition('PodReadyToStartContainers', 'True'),
      condition('Initialized', 'True'),
      condition('Ready', ready ? 'True' : 'False', ready ? {} : { reason: 'ContainersNotReady', message: 'containers with unready status: [web]' }),
      condition('ContainersReady', ready ? 'True' : 'False', ready ? {} : { reason: 'ContainersNotReady', message: 'containers with unready status: [web]' }),
      condition('PodScheduled', 'True'),
    ],
    hostIP: '127.0.0.1',
    hostIPs: [{ ip: '127.0.0.1' }],
    podIP: POD_IP,
    podIPs: [{ ip: POD_IP }],
    startTime: at(1),
    containerStatuses: [
      {
        name: 'web',
        state,
        lastState: o.lastState ?? {},
        ready: running && ready,
        restartCount: o.restartCount ?? 0,
        image: 'nginx:1.27',
        imageID: 'docker.io/library/nginx@sha256:3f0b5c0d4b6e0a8e4d9a2c1b7f6e5d4c3b2a1f0e9d8c7b6a5f4e3d2c1b0a9f8e',
        ...(running || 'terminated' in state ? { containerID: 'containerd://0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d' } : {}),
        started: running && o.started !== false,
      },
    ],
    qosClass: 'BestEffort',
  }
}

/** One container's status, for pods with init containers or sidecars. */
const containerStatus = (name: string, image: string, state: Record<string, unknown>, ready = false) => ({
  name,
  state,
  lastState: {},
  ready,
  restartCount: 0,
  image,
  imageID: '',
  ...('waiting' in state ? {} : { containerID: `containerd://${createHash('sha256').update(name).digest('hex')}` }),
  started: 'running' in state,
})

/** A sandboxed pod with init containers (or sidecars) and the web container. */
function withInit(inits: unknown[], main: unknown, o: { initialized: boolean; phase: string }) {
  const base = sandboxed(creating)
  return {
    ...base,
    phase: o.phase,
    conditions: base.conditions.map((c) =>
      c.type === 'Initialized' && !o.initialized
        ? condition('Initialized', 'False', { reason: 'ContainersNotInitialized', message: 'containers with incomplete status: [migrate]' })
        : c,
    ),
    initContainerStatuses: inits,
    containerStatuses: [main],
  }
}

const creating = { waiting: { reason: 'ContainerCreating' } }
const runningSince = (s: number) => ({ running: { startedAt: at(s) } })
const terminated = (exitCode: number, from: number, to: number) => ({
  terminated: { exitCode, reason: exitCode === 0 ? 'Completed' : 'Error', startedAt: at(from), finishedAt: at(to) },
})

const UNHEALTHY = { 'kecs.simulate.unhealthy': 'true' }
const pulling = { step: 'pulling' as const, everTurn: true, pullStartedAt: NOW }

export const stageCases: StageCase[] = [
  // the scheduler and the sandbox
  { name: 'schedule', stage: 'schedule', now: NOW, pod: pod({ bound: false }) },
  {
    name: 'schedule--no-node-fits',
    stage: 'schedule',
    now: NOW,
    pod: pod({ bound: false, spec: { nodeSelector: { disktype: 'ssd' } } }),
  },
  {
    name: 'schedule-retry',
    stage: 'schedule-retry',
    now: NOW,
    pod: pod({
      bound: false,
      status: {
        phase: 'Pending',
        conditions: [condition('PodScheduled', 'False', { reason: 'Unschedulable', message: "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector." })],
        qosClass: 'BestEffort',
      },
    }),
    runtime: { pod: { unschedulable: "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector." } },
  },
  {
    name: 'create-sandbox',
    stage: 'create-sandbox',
    now: NOW,
    pod: pod({ status: { phase: 'Pending', conditions: [condition('PodScheduled', 'True')], qosClass: 'BestEffort' } }),
  },
  { name: 'remove', stage: 'remove', now: NOW, pod: pod({ deleting: 30, status: sandboxed(terminated(0, 5, 52), { phase: 'Running' }) }) },

  // the image
  {
    name: 'image-present',
    stage: 'image-present',
    container: 'web',
    now: NOW,
    pod: pod({ status: sandboxed(creating) }),
    images: ['docker.io/library/nginx:1.27'],
  },
  { name: 'pull-image', stage: 'pull-image', container: 'web', now: NOW, pod: pod({ status: sandboxed(creating) }) },
  {
    name: 'pull-fails',
    stage: 'pull-fails',
    container: 'web',
    now: NOW,
    pod: pod({ annotations: { 'kecs.simulate.image-pull-error': 'true' }, status: sandboxed(creating) }),
    runtime: { containers: { web: pulling } },
  },
  { name: 'pull-succeeds', stage: 'pull-succeeds', container: 'web', now: NOW, pod: pod({ status: sandboxed(creating) }), runtime: { containers: { web: pulling } } },
  {
    name: 'pull-back-off',
    stage: 'pull-back-off',
    container: 'web',
    now: NOW,
    pod: pod({
      annotations: { 'kecs.simulate.image-pull-error': 'manifest unknown' },
      status: sandboxed({ waiting: { reason: 'ErrImagePull', message: 'manifest unknown' } }),
    }),
    runtime: { containers: { web: { step: 'pull-failed', pullFailures: 1 } } },
  },
  {
    name: 'pull-retry',
    stage: 'pull-retry',
    container: 'web',
    now: NOW,
    pod: pod({
      annotations: { 'kecs.simulate.image-pull-error': 'manifest unknown' },
      status: sandboxed({ waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "nginx:1.27": ErrImagePull: manifest unknown' } }),
    }),
    runtime: { containers: { web: { pullFailures: 2 } } },
  },

  // create and start
  {
    name: 'create',
    stage: 'create',
    container: 'web',
    now: NOW,
    pod: pod({ status: sandboxed(creating) }),
    runtime: { containers: { web: { step: 'pulled', everTurn: true } } },
  },
  {
    name: 'start',
    stage: 'start',
    container: 'web',
    now: NOW,
    pod: pod({ status: sandboxed(creating) }),
    runtime: { containers: { web: { step: 'created', everTurn: true, containerID: 'containerd://0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d' } } },
  },

  // exit on its own, restart
  {
    name: 'exit',
    stage: 'exit',
    container: 'web',
    now: NOW,
    pod: pod({ annotations: { 'kecs.simulate.exit-code': '3', 'kecs.simulate.run-seconds': '90' }, status: sandboxed(runningSince(20), { ready: true }) }),
  },
  {
    name: 'exit--init-container',
    stage: 'exit',
    container: 'migrate',
    now: NOW,
    pod: pod({
      spec: { initContainers: [{ name: 'migrate', image: 'migrate:1', command: ['migrate', 'up'] }] },
      status: withInit(
        [containerStatus('migrate', 'migrate:1', runningSince(60))],
        containerStatus('web', 'nginx:1.27', { waiting: { reason: 'PodInitializing' } }),
        { initialized: false, phase: 'Pending' },
      ),
    }),
  },
  { name: 'crash-loop', stage: 'crash-loop', container: 'web', now: NOW, pod: pod({ status: sandboxed(terminated(1, 5, 30)) }) },
  {
    name: 'crash-loop--back-off',
    stage: 'crash-loop',
    container: 'web',
    now: NOW,
    pod: pod({ status: sandboxed(terminated(1, 40, 50), { restartCount: 2, lastState: terminated(1, 20, 30) }) }),
  },
  {
    name: 'restart',
    stage: 'restart',
    container: 'web',
    now: NOW,
    pod: pod({
      status: sandboxed(
        { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 20s restarting failed container=web pod=web-1_default(6b1f8c2e-0d7a-4c51-9a3e-2f4b5c6d7e80)' } },
        { restartCount: 2, lastState: terminated(1, 40, 50) },
      ),
    }),
    runtime: { containers: { web: { backoffMs: 20_000 } } },
  },

  // stop: the pod is deleted
  { name: 'sigterm', stage: 'sigterm', container: 'web', now: NOW, pod: pod({ deleting: 30, status: sandboxed(runningSince(20), { ready: true }) }) },
  {
    name: 'sigterm--sidecar-after-main',
    stage: 'sigterm',
    container: 'proxy',
    now: NOW,
    pod: pod({
      spec: { restartPolicy: 'Never', initContainers: [{ name: 'proxy', image: 'envoy:1', restartPolicy: 'Always' }] },
      status: withInit(
        [containerStatus('proxy', 'envoy:1', runningSince(10), true)],
        containerStatus('web', 'nginx:1.27', terminated(0, 12, 58)),
        { initialized: true, phase: 'Running' },
      ),
    }),
  },
  {
    name: 'stop',
    stage: 'stop',
    container: 'web',
    now: NOW,
    pod: pod({ deleting: 30, annotations: { 'kecs.simulate.stop-exit-code': '143' }, status: sandboxed(runningSince(20), { ready: true }) }),
    runtime: { containers: { web: { step: 'stopping', stopMs: 2_000 } } },
  },
  {
    name: 'stop--killed',
    stage: 'stop',
    container: 'web',
    now: NOW,
    pod: pod({ deleting: 5, annotations: { 'kecs.simulate.stop-seconds': '60' }, status: sandboxed(runningSince(20), { ready: true }) }),
    runtime: { containers: { web: { step: 'stopping', stopMs: 5_000, killed: true } } },
  },
  {
    name: 'abandon',
    stage: 'abandon',
    container: 'web',
    now: NOW,
    pod: pod({ deleting: 30, status: sandboxed(creating) }),
    // a pull under way finishes first (pull-succeeds has no stopping in its selector)
    runtime: { containers: { web: { step: 'pulled', everTurn: true } } },
  },

  // probes
  {
    name: 'startup-probe-succeeds',
    stage: 'startup-probe-succeeds',
    container: 'web',
    now: NOW,
    pod: pod({ container: { startupProbe: { exec: { command: ['true'] }, initialDelaySeconds: 2 } }, status: sandboxed(runningSince(59), { started: false }) }),
  },
  {
    name: 'startup-probe-fails',
    stage: 'startup-probe-fails',
    container: 'web',
    now: NOW,
    pod: pod({
      annotations: UNHEALTHY,
      container: { startupProbe: { exec: { command: ['pg_isready'] }, periodSeconds: 5, failureThreshold: 3 } },
      status: sandboxed(runningSince(40), { started: false }),
    }),
    runtime: { containers: { web: { failures: { startup: 2, readiness: 0, liveness: 0 } } } },
  },
  {
    name: 'readiness-probe-succeeds',
    stage: 'readiness-probe-succeeds',
    container: 'web',
    now: NOW,
    pod: pod({ container: { readinessProbe: { httpGet: { path: '/healthz', port: 80 } } }, status: sandboxed(runningSince(59)) }),
  },
  {
    name: 'readiness-probe-fails',
    stage: 'readiness-probe-fails',
    container: 'web',
    now: NOW,
    pod: pod({ annotations: UNHEALTHY, container: { readinessProbe: { tcpSocket: { port: 80 }, periodSeconds: 5 } }, status: sandboxed(runningSince(40)) }),
    runtime: { containers: { web: { failures: { startup: 0, readiness: 1, liveness: 0 } } } },
  },
  {
    name: 'liveness-probe-fails',
    stage: 'liveness-probe-fails',
    container: 'web',
    now: NOW,
    pod: pod({ annotations: UNHEALTHY, container: { livenessProbe: { httpGet: { path: '/healthz', port: 80 }, initialDelaySeconds: 10 } }, status: sandboxed(runningSince(55), { ready: true }) }),
  },
  {
    name: 'liveness-probe-fails--kill',
    stage: 'liveness-probe-fails',
    container: 'web',
    now: NOW,
    pod: pod({
      annotations: { 'kecs.simulate.unhealthy.web': 'true' },
      container: { livenessProbe: { grpc: { port: 9090 }, periodSeconds: 10, failureThreshold: 3 } },
      status: sandboxed(runningSince(20), { ready: true }),
    }),
    runtime: { containers: { web: { failures: { startup: 0, readiness: 0, liveness: 2 } } } },
  },

  // a line now and then
  { name: 'heartbeat', stage: 'heartbeat', container: 'web', now: NOW, pod: pod({ status: sandboxed(runningSince(0), { ready: true }) }) },
]
