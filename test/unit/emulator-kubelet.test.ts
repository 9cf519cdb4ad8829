import { afterEach, describe, expect, it } from 'vitest'
import { startControllers, type ControllerOptions, type RunningControllers } from '../../src/emulator/controllers/index.js'
import { ManualClock } from '../../src/lib/timers.js'
import { defaultLifecycle } from '../../src/emulator/kubelet/stages.js'
import { KubeStatusError, type KubeObject } from '../../src/emulator/types.js'
import { FakeObjectStore } from '../helpers/fake-object-store.js'

/**
 * The simulated kubelet's stage machine against the fake store, on a manual clock: each test
 * advances simulated time until a state is reached and checks the states and events on the way.
 */
let running: RunningControllers[] = []
afterEach(async () => {
  for (const c of running) await c.stop()
  running = []
})

async function setup(opts: ControllerOptions = {}, shared?: { clock: ManualClock; store: FakeObjectStore }) {
  const clock = shared?.clock ?? new ManualClock()
  const store = shared?.store ?? new FakeObjectStore(clock)
  const errors: string[] = []
  const controllers = startControllers(store, { clock, onError: (w, e) => errors.push(`${w}: ${String(e)}`), ...opts })
  running.push(controllers)
  await clock.settle()
  await controllers.ready
  const pod = (name: string) => store.get('pods', 'default', name)
  const until = async (what: string, check: () => unknown, maxMs = 120_000, step = 50) => {
    if (!(await clock.until(() => !!check(), maxMs, step))) throw new Error(`never reached: ${what}`)
  }
  return { clock, store, controllers, errors, pod, until }
}

const cond = (p: KubeObject | undefined, type: string) => p?.status?.conditions?.find((c: any) => c.type === type)
const cs = (p: KubeObject | undefined, name?: string) =>
  [...(p?.status?.initContainerStatuses ?? []), ...(p?.status?.containerStatuses ?? [])].find((s: any) => !name || s.name === name)
const reasons = (store: FakeObjectStore, name: string) => store.eventsFor(name).map((e) => e.reason)

function makePod(name: string, extra: { annotations?: Record<string, string>; spec?: any } = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', ...(extra.annotations ? { annotations: extra.annotations } : {}) },
    spec: {
      containers: [{ name: 'web', image: 'nginx:1.27', command: ['nginx'], args: ['-g', 'daemon off;'], env: [{ name: 'DB_PASSWORD', value: 's3cret-value' }] }],
      ...(extra.spec ?? {}),
    },
  }
}

async function collect(it: AsyncIterable<string>): Promise<string> {
  let out = ''
  for await (const chunk of it) out += chunk
  return out
}

describe('node', () => {
  it('registers one Ready node with capacity, addresses and node info', async () => {
    const { store } = await setup()
    const node = store.get('nodes', undefined, 'kecs-node')!
    expect(node.metadata.labels).toMatchObject({ 'kubernetes.io/hostname': 'kecs-node', 'kubernetes.io/os': 'linux', 'node-role.kubernetes.io/control-plane': '' })
    expect(node.status.nodeInfo).toMatchObject({ kubeletVersion: 'v1.32.0', operatingSystem: 'linux' })
    expect(node.status.addresses).toContainEqual({ type: 'InternalIP', address: '127.0.0.1' })
    expect(Number(node.status.capacity.cpu)).toBeGreaterThan(0)
    expect(node.status.allocatable.pods).toBe('110')
    expect(cond(node, 'Ready')).toMatchObject({ status: 'True', reason: 'KubeletReady' })
  })

  it('uses the node name it is given', async () => {
    const { store } = await setup({ nodeName: 'worker-1' })
    expect(store.get('nodes', undefined, 'worker-1')).toBeDefined()
  })
})

describe('pod lifecycle stages', () => {
  it('schedules, pulls, creates, starts and readies a pod, with events', async () => {
    const { store, pod, until } = await setup()
    await store.create('pods', makePod('web-1'))
    await until('ready', () => cond(pod('web-1'), 'Ready')?.status === 'True')

    const history = store.history('pods', 'web-1')
    const scheduled = history.find((p) => p.spec?.nodeName)!
    expect(cond(scheduled, 'PodScheduled')?.status).toBe('True')
    expect(history.some((p) => cs(p)?.state?.waiting?.reason === 'ContainerCreating')).toBe(true)
    const firstRunning = history.findIndex((p) => cs(p)?.state?.running)
    const firstCreating = history.findIndex((p) => cs(p)?.state?.waiting?.reason === 'ContainerCreating')
    expect(firstCreating).toBeLessThan(firstRunning)

    const p = pod('web-1')!
    expect(p.spec.nodeName).toBe('kecs-node')
    expect(p.status.phase).toBe('Running')
    expect(p.status.podIP).toMatch(/^10\.244\.\d+\.\d+$/)
    expect(p.status.podIPs).toEqual([{ ip: p.status.podIP }])
    expect(p.status.hostIP).toBe('127.0.0.1')
    expect(p.status.startTime).toBeTruthy()
    const c = cs(p, 'web')
    expect(c.state.running.startedAt).toBeTruthy()
    expect(c).toMatchObject({ ready: true, started: true, restartCount: 0, image: 'nginx:1.27' })
    expect(c.imageID).toMatch(/^docker\.io\/library\/nginx@sha256:[0-9a-f]{64}$/)
    expect(c.containerID).toMatch(/^containerd:\/\/[0-9a-f]{64}$/)
    for (const t of ['PodReadyToStartContainers', 'Initialized', 'ContainersReady', 'Ready', 'PodScheduled']) expect(cond(p, t)?.status).toBe('True')

    expect(reasons(store, 'web-1')).toEqual(['Scheduled', 'Pulling', 'Pulled', 'Created', 'Started'])
    const [sched, pulling, , , started] = store.eventsFor('web-1')
    expect(sched).toMatchObject({ type: 'Normal', source: { component: 'default-scheduler' }, message: 'Successfully assigned default/web-1 to kecs-node' })
    expect(pulling).toMatchObject({ message: 'Pulling image "nginx:1.27"', source: { component: 'kubelet', host: 'kecs-node' } })
    expect(started.involvedObject).toMatchObject({ kind: 'Pod', name: 'web-1', namespace: 'default', uid: p.metadata.uid, fieldPath: 'spec.containers{web}' })
    expect(started).toMatchObject({ count: 1, type: 'Normal' })
    expect(started.firstTimestamp).toBeTruthy()
  })

  it('does not pull an IfNotPresent image twice', async () => {
    const { store, pod, until } = await setup()
    await store.create('pods', makePod('a'))
    await until('a ready', () => cond(pod('a'), 'Ready')?.status === 'True')
    await store.create('pods', makePod('b'))
    await until('b ready', () => cond(pod('b'), 'Ready')?.status === 'True')
    expect(reasons(store, 'b')).toEqual(['Scheduled', 'Pulled', 'Created', 'Started'])
    expect(store.eventsFor('b')[1]!.message).toBe('Container image "nginx:1.27" already present on machine')
    expect(pod('a')!.status.podIP).not.toBe(pod('b')!.status.podIP)
  })

  it('runs init containers in order; a native sidecar keeps running and unblocks the next once started', async () => {
    const { store, pod, until } = await setup()
    await store.create(
      'pods',
      makePod('ordered', {
        spec: {
          initContainers: [
            { name: 'proxy', image: 'envoy:1', restartPolicy: 'Always', startupProbe: { exec: { command: ['true'] }, initialDelaySeconds: 2 } },
            { name: 'migrate', image: 'migrate:1' },
          ],
        },
      }),
    )
    await until('ready', () => cond(pod('ordered'), 'Ready')?.status === 'True')
    const history = store.history('pods', 'ordered')
    const firstPulledMigrate = history.findIndex((p) => cs(p, 'migrate')?.state && !cs(p, 'migrate').state.waiting)
    // migrate left waiting only after the sidecar's startup probe passed
    expect(cs(history[firstPulledMigrate], 'proxy')).toMatchObject({ started: true, state: { running: {} } })
    expect(history.some((p) => cond(p, 'Initialized')?.status === 'False')).toBe(true)
    const firstAppRunning = history.findIndex((p) => cs(p, 'web')?.state?.running)
    expect(cs(history[firstAppRunning], 'migrate').state.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' })

    const p = pod('ordered')!
    expect(p.status.initContainerStatuses.map((s: any) => s.name)).toEqual(['proxy', 'migrate'])
    expect(cs(p, 'proxy')).toMatchObject({ ready: true, started: true, state: { running: {} } })
    expect(cs(p, 'migrate').state.terminated.reason).toBe('Completed')
    expect(cond(p, 'Initialized')?.status).toBe('True')
    const started = store.eventsFor('ordered').filter((e) => e.reason === 'Started').map((e) => e.message)
    expect(started).toEqual(['Started container proxy', 'Started container migrate', 'Started container web'])
  })

  it('ends a restartPolicy Never pod Failed with the exit code from kecs.simulate.exit-code', async () => {
    const { store, pod, until, controllers } = await setup()
    await store.create('pods', makePod('job', { annotations: { 'kecs.simulate.exit-code': '3' }, spec: { restartPolicy: 'Never' } }))
    await until('failed', () => pod('job')?.status?.phase === 'Failed')
    const p = pod('job')!
    expect(cs(p).state.terminated).toMatchObject({ exitCode: 3, reason: 'Error' })
    expect(cs(p).restartCount).toBe(0)
    expect(cond(p, 'Ready')).toMatchObject({ status: 'False', reason: 'PodCompleted' })
    const log = await collect(controllers.logs.read('default', 'job', 'web', {}, new AbortController().signal))
    expect(log).toContain('web exited with code 3')
  })

  it('runs kecs.simulate.run-seconds, then exits 0: Succeeded', async () => {
    const { store, pod, until } = await setup()
    await store.create('pods', makePod('batch', { annotations: { 'kecs.simulate.run-seconds': '30' }, spec: { restartPolicy: 'Never' } }))
    await until('running', () => pod('batch')?.status?.phase === 'Running')
    await until('succeeded', () => pod('batch')?.status?.phase === 'Succeeded')
    expect(cs(pod('batch')).state.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' })
  })

  it('lets a per-container key win over the plain one', async () => {
    const { store, pod, until } = await setup()
    await store.create(
      'pods',
      makePod('two', {
        annotations: { 'kecs.simulate.exit-code': '1', 'kecs.simulate.exit-code.b': '0' },
        spec: { restartPolicy: 'Never', containers: [{ name: 'a', image: 'busybox:1' }, { name: 'b', image: 'busybox:1' }] },
      }),
    )
    await until('failed', () => pod('two')?.status?.phase === 'Failed')
    expect(cs(pod('two'), 'a').state.terminated.exitCode).toBe(1)
    expect(cs(pod('two'), 'b').state.terminated.exitCode).toBe(0)
  })

  it('restarts an exiting container under restartPolicy Always, with CrashLoopBackOff and BackOff events', async () => {
    const { store, pod, until } = await setup({ speed: 10 })
    await store.create('pods', makePod('crash', { annotations: { 'kecs.simulate.exit-code': '1' } }))
    await until('restarted twice', () => cs(pod('crash'))?.restartCount >= 2)
    const history = store.history('pods', 'crash')
    const looping = history.find((p) => cs(p)?.state?.waiting?.reason === 'CrashLoopBackOff')!
    expect(cs(looping).state.waiting.message).toMatch(/^back-off 10s restarting failed container=web pod=crash_default\(/)
    expect(cs(looping).lastState.terminated).toMatchObject({ exitCode: 1, reason: 'Error' })
    expect(history.every((p) => p.status.phase !== 'Failed')).toBe(true)
    expect(pod('crash')!.status.phase).toBe('Running')
    expect(reasons(store, 'crash')).toContain('BackOff')
    expect(store.eventsFor('crash').find((e) => e.reason === 'Started')!.count).toBeGreaterThanOrEqual(2)
  })

  it('restarts under OnFailure only on a non-zero exit', async () => {
    const { store, pod, until } = await setup({ speed: 10 })
    await store.create('pods', makePod('ok', { annotations: { 'kecs.simulate.exit-code': '0' }, spec: { restartPolicy: 'OnFailure' } }))
    await store.create('pods', makePod('bad', { annotations: { 'kecs.simulate.exit-code': '2' }, spec: { restartPolicy: 'OnFailure' } }))
    await until('ok succeeded', () => pod('ok')?.status?.phase === 'Succeeded')
    await until('bad restarted', () => cs(pod('bad'))?.restartCount >= 1)
    expect(cs(pod('ok')).restartCount).toBe(0)
    expect(pod('bad')!.status.phase).toBe('Running')
  })

  it('never starts a container whose image pull fails: ErrImagePull, ImagePullBackOff, Failed events, retries', async () => {
    const { store, pod, until, controllers } = await setup({ speed: 10 })
    await store.create('pods', makePod('nope', { annotations: { 'kecs.simulate.image-pull-error': 'true' } }))
    await until('back-off', () => cs(pod('nope'))?.state?.waiting?.reason === 'ImagePullBackOff')
    const history = store.history('pods', 'nope')
    const err = history.find((p) => cs(p)?.state?.waiting?.reason === 'ErrImagePull')!
    expect(cs(err).state.waiting.message).toContain('failed to pull and unpack image "docker.io/library/nginx:1.27"')
    expect(cs(pod('nope')).state.waiting.message).toMatch(/^Back-off pulling image "nginx:1.27": ErrImagePull: /)
    const failed = store.eventsFor('nope').filter((e) => e.reason === 'Failed')
    expect(failed.map((e) => e.message)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^Failed to pull image "nginx:1.27": rpc error/), 'Error: ErrImagePull', 'Error: ImagePullBackOff']),
    )
    expect(failed.every((e) => e.type === 'Warning')).toBe(true)
    await until('pulled again', () => (store.eventsFor('nope').find((e) => e.reason === 'Pulling')?.count ?? 0) >= 2)
    expect(reasons(store, 'nope')).not.toContain('Started')
    expect(pod('nope')!.status.phase).toBe('Pending')
    expect(() => controllers.logs.read('default', 'nope', 'web', {}, new AbortController().signal)).toThrow(
      'container "web" in pod "nope" is waiting to start: ImagePullBackOff',
    )
  })

  it('takes a custom pull error message', async () => {
    const { store, pod, until } = await setup()
    await store.create('pods', makePod('denied', { annotations: { 'kecs.simulate.image-pull-error.web': 'pull access denied' } }))
    await until('err', () => cs(pod('denied'))?.state?.waiting?.reason === 'ErrImagePull')
    expect(cs(pod('denied')).state.waiting.message).toBe('pull access denied')
  })

  it('fails probes when unhealthy: never ready, Unhealthy events, liveness kills and restarts', async () => {
    const { store, pod, until } = await setup({ speed: 10 })
    await store.create(
      'pods',
      makePod('sick', {
        annotations: { 'kecs.simulate.unhealthy': 'true' },
        spec: {
          containers: [
            {
              name: 'web',
              image: 'nginx:1.27',
              readinessProbe: { httpGet: { path: '/', port: 80 }, periodSeconds: 5 },
              livenessProbe: { exec: { command: ['sh', '-c', 'curl -f localhost'] }, periodSeconds: 5, failureThreshold: 2 },
            },
          ],
        },
      }),
    )
    await until('restarted', () => cs(pod('sick'))?.restartCount >= 1)
    expect(store.history('pods', 'sick').some((p) => cond(p, 'Ready')?.status === 'True')).toBe(false)
    const events = store.eventsFor('sick')
    expect(events.find((e) => e.message.startsWith('Readiness probe failed: HTTP probe failed'))).toMatchObject({ reason: 'Unhealthy', type: 'Warning' })
    expect(events.find((e) => e.message.startsWith('Liveness probe failed: '))?.reason).toBe('Unhealthy')
    expect(events.find((e) => e.message === 'Container web failed liveness probe, will be restarted')?.reason).toBe('Killing')
    expect(cs(pod('sick')).lastState.terminated.exitCode).toBe(137)
  })

  it('kills a container whose startup probe keeps failing, and never starts it', async () => {
    const { store, pod, until } = await setup({ speed: 10 })
    await store.create(
      'pods',
      makePod('boot', {
        annotations: { 'kecs.simulate.unhealthy.web': 'true' },
        spec: { containers: [{ name: 'web', image: 'nginx:1.27', startupProbe: { tcpSocket: { port: 80 }, periodSeconds: 2, failureThreshold: 3 } }] },
      }),
    )
    await until('restarted', () => cs(pod('boot'))?.restartCount >= 1)
    expect(store.history('pods', 'boot').some((p) => cs(p)?.started)).toBe(false)
    const events = store.eventsFor('boot')
    expect(events.find((e) => e.message.startsWith('Startup probe failed: dial tcp 10.244.'))?.count).toBeGreaterThanOrEqual(3)
    expect(events.some((e) => e.message === 'Container web failed startup probe, will be restarted')).toBe(true)
  })

  it('fails the pod when an init container fails under restartPolicy Never, and retries it otherwise', async () => {
    const { store, pod, until } = await setup({ speed: 10 })
    const spec = (restartPolicy: string) => ({ restartPolicy, initContainers: [{ name: 'migrate', image: 'migrate:1' }] })
    await store.create('pods', makePod('init-never', { annotations: { 'kecs.simulate.exit-code.migrate': '5' }, spec: spec('Never') }))
    await store.create('pods', makePod('init-always', { annotations: { 'kecs.simulate.exit-code.migrate': '5' }, spec: spec('Always') }))
    await until('never failed', () => pod('init-never')?.status?.phase === 'Failed')
    expect(cs(pod('init-never'), 'migrate').state.terminated).toMatchObject({ exitCode: 5, reason: 'Error' })
    expect(cs(pod('init-never'), 'web').state.waiting.reason).toBe('PodInitializing')
    expect(reasons(store, 'init-never').filter((r) => r === 'Started')).toHaveLength(1)
    await until('always retried', () => cs(pod('init-always'), 'migrate')?.restartCount >= 2)
    expect(pod('init-always')!.status.phase).toBe('Pending')
    expect(cond(pod('init-always'), 'Initialized')).toMatchObject({ status: 'False', message: 'containers with incomplete status: [migrate]' })
  })

  it('becomes ready when a readiness probe passes (after initialDelaySeconds)', async () => {
    const { store, pod, until } = await setup()
    await store.create('pods', makePod('slow', { spec: { containers: [{ name: 'web', image: 'nginx:1.27', readinessProbe: { tcpSocket: { port: 80 }, initialDelaySeconds: 5 } }] } }))
    await until('ready', () => cond(pod('slow'), 'Ready')?.status === 'True')
    const history = store.history('pods', 'slow')
    const runningNotReady = history.find((p) => cs(p)?.state?.running && !cs(p).ready)
    expect(cond(runningNotReady, 'ContainersReady')).toMatchObject({ status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status: [web]' })
  })
})

describe('deletion', () => {
  it('stops containers gracefully (Killing, exit 0), posts the final status, then removes the pod', async () => {
    const { store, pod, until } = await setup()
    await store.create('pods', makePod('bye'))
    await until('ready', () => cond(pod('bye'), 'Ready')?.status === 'True')
    const uid = pod('bye')!.metadata.uid
    await store.delete('pods', 'default', 'bye')
    expect(pod('bye')!.metadata.deletionTimestamp).toBeTruthy()
    await until('gone', () => !pod('bye'))
    const history = store.history('pods', 'bye')
    const last = history.at(-1)!
    expect(last.metadata.uid).toBe(uid)
    expect(cs(last).state.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' })
    expect(last.status.phase).toBe('Succeeded')
    expect(store.log.at(-1)).toBeDefined()
    expect(store.log.some((x) => x.resource === 'pods' && x.event.type === 'DELETED' && x.event.object.metadata.uid === uid)).toBe(true)
    expect(store.eventsFor('bye').find((e) => e.reason === 'Killing')?.message).toBe('Stopping container web')
  })

  it('kills a container that outlives the grace period (exit 137)', async () => {
    const { store, pod, until } = await setup()
    await store.create('pods', makePod('stubborn', { annotations: { 'kecs.simulate.stop-seconds': '60' }, spec: { terminationGracePeriodSeconds: 5 } }))
    await until('running', () => cs(pod('stubborn'))?.state?.running)
    await store.delete('pods', 'default', 'stubborn')
    await until('gone', () => !pod('stubborn'))
    const last = store.history('pods', 'stubborn').at(-1)!
    expect(cs(last).state.terminated).toMatchObject({ exitCode: 137, reason: 'Error' })
    expect(last.status.phase).toBe('Failed')
  })

  it('removes a pod stuck pulling, and stops main containers before sidecars', async () => {
    const { store, pod, until } = await setup()
    await store.create('pods', makePod('stuck', { annotations: { 'kecs.simulate.image-pull-error': '1' } }))
    await until('err', () => cs(pod('stuck'))?.state?.waiting?.reason === 'ErrImagePull')
    await store.delete('pods', 'default', 'stuck')
    await until('stuck gone', () => !pod('stuck'))
    expect(cs(store.history('pods', 'stuck').at(-1)).state.waiting.reason).toMatch(/ErrImagePull|ImagePullBackOff/)

    await store.create('pods', makePod('side', { spec: { initContainers: [{ name: 'proxy', image: 'envoy:1', restartPolicy: 'Always' }] } }))
    await until('ready', () => cond(pod('side'), 'Ready')?.status === 'True')
    await store.delete('pods', 'default', 'side')
    await until('side gone', () => !pod('side'))
    const killing = store.eventsFor('side').filter((e) => e.reason === 'Killing').map((e) => e.message)
    expect(killing).toEqual(['Stopping container web', 'Stopping container proxy'])
  })

  it('stops the sidecar when the main container completes', async () => {
    const { store, pod, until } = await setup()
    await store.create(
      'pods',
      makePod('task', {
        annotations: { 'kecs.simulate.run-seconds.web': '2' },
        spec: { restartPolicy: 'Never', initContainers: [{ name: 'proxy', image: 'envoy:1', restartPolicy: 'Always' }] },
      }),
    )
    await until('succeeded', () => pod('task')?.status?.phase === 'Succeeded')
    expect(cs(pod('task'), 'proxy').state.terminated).toMatchObject({ exitCode: 0 })
  })
})

describe('scheduling', () => {
  it('reports Unschedulable until a node fits, then schedules there', async () => {
    const { store, pod, until } = await setup()
    await store.create('pods', makePod('picky', { spec: { nodeSelector: { disk: 'ssd' } } }))
    await until('unschedulable', () => cond(pod('picky'), 'PodScheduled')?.status === 'False')
    expect(cond(pod('picky'), 'PodScheduled')).toMatchObject({ reason: 'Unschedulable' })
    expect(cond(pod('picky'), 'PodScheduled').message).toContain("didn't match Pod's node affinity/selector")
    expect(store.eventsFor('picky')[0]).toMatchObject({ reason: 'FailedScheduling', type: 'Warning' })
    const node = store.get('nodes', undefined, 'kecs-node')!
    await store.create('nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'fast', labels: { disk: 'ssd' } }, status: node.status })
    await until('running', () => pod('picky')?.status?.phase === 'Running')
    expect(pod('picky')!.spec.nodeName).toBe('fast')
  })
})

describe('restart of the emulator', () => {
  it('carries on: running stays running, pods mid-way continue, run-seconds counts from startedAt', async () => {
    const first = await setup({ speed: 1 })
    const { store, clock } = first
    await store.create('pods', makePod('steady'))
    await store.create('pods', makePod('timed', { annotations: { 'kecs.simulate.run-seconds': '30' }, spec: { restartPolicy: 'Never' } }))
    await first.until('both running', () => cs(first.pod('steady'))?.state?.running && cs(first.pod('timed'))?.state?.running)
    const startedAt = cs(first.pod('steady')).state.running.startedAt
    await first.controllers.stop()
    running = []

    await store.create('pods', makePod('late'))
    await clock.advance(10_000)
    const second = await setup({ speed: 1 }, { clock, store })
    await second.until('late running', () => cs(second.pod('late'))?.state?.running)
    await second.until('timed done', () => second.pod('timed')?.status?.phase === 'Succeeded', 30_000, 500)
    const steady = second.pod('steady')!
    expect(steady.status.phase).toBe('Running')
    expect(cs(steady).state.running.startedAt).toBe(startedAt)
    expect(store.eventsFor('steady').filter((e) => e.reason === 'Started')).toHaveLength(1)
    // the logs of a resumed container can be read (earlier lines were in memory)
    const text = await collect(second.controllers.logs.read('default', 'steady', undefined, {}, new AbortController().signal))
    expect(text).toContain('emulator restarted')
    await store.delete('pods', 'default', 'steady')
    await second.until('steady gone', () => !second.pod('steady'))
  })
})

describe('logs', () => {
  it('writes start lines with the command and env names (never values), heartbeats and the exit', async () => {
    const { store, pod, until, controllers, clock } = await setup()
    await store.create('pods', makePod('talk', { annotations: { 'kecs.simulate.run-seconds': '12' }, spec: { restartPolicy: 'Never' } }))
    await until('done', () => pod('talk')?.status?.phase === 'Succeeded')
    const signal = new AbortController().signal
    const text = await collect(controllers.logs.read('default', 'talk', 'web', {}, signal))
    expect(text).toContain('starting container web (image nginx:1.27')
    expect(text).toContain('exec: nginx -g "daemon off;"')
    expect(text).toContain('environment: DB_PASSWORD')
    expect(text).not.toContain('s3cret-value')
    // Each heartbeat replaces the one before it: the buffer keeps the latest (issue 14: memory).
    expect(text).toMatch(/web is running \(uptime 10s\)\n/)
    expect(text.match(/is running/g)).toHaveLength(1)
    expect(text.endsWith('web exited with code 0\n')).toBe(true)

    const tail = await collect(controllers.logs.read('default', 'talk', 'web', { tailLines: 1, timestamps: true }, signal))
    expect(tail).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z web exited with code 0\n$/)
    expect(await collect(controllers.logs.read('default', 'talk', 'web', { sinceSeconds: 0 }, signal))).toBe('')
    void clock
  })

  it('validates like the kubelet: missing pod 404, container choice, previous', async () => {
    const { store, pod, until, controllers } = await setup({ speed: 10 })
    const signal = new AbortController().signal
    expect(() => controllers.logs.read('default', 'ghost', undefined, {}, signal)).toThrow(KubeStatusError)
    await store.create('pods', makePod('pair', { spec: { containers: [{ name: 'a', image: 'x:1' }, { name: 'b', image: 'x:1' }] } }))
    expect(() => controllers.logs.read('default', 'pair', undefined, {}, signal)).toThrow('a container name must be specified for pod pair, choose one of: [a b]')
    expect(() => controllers.logs.read('default', 'pair', 'zzz', {}, signal)).toThrow('container zzz is not valid for pod pair')

    await store.create('pods', makePod('again', { annotations: { 'kecs.simulate.exit-code': '4', 'kecs.simulate.run-seconds': '1' } }))
    await until('running after restart', () => cs(pod('again'))?.restartCount >= 1 && cs(pod('again')).state.running)
    const previous = await collect(controllers.logs.read('default', 'again', 'web', { previous: true }, signal))
    expect(previous).toContain('web exited with code 4')
    const current = await collect(controllers.logs.read('default', 'again', 'web', {}, signal))
    expect(current).toContain('starting container web')
    expect(current).not.toContain('exited')
    expect(() => controllers.logs.read('default', 'pair', 'a', { previous: true }, signal)).toThrow('previous terminated container "a" in pod "pair" not found')
  })

  it('follows until the container exits, or until aborted', async () => {
    const { store, pod, until, controllers, clock } = await setup()
    await store.create('pods', makePod('f', { annotations: { 'kecs.simulate.run-seconds': '20' }, spec: { restartPolicy: 'Never' } }))
    await until('running', () => cs(pod('f'))?.state?.running)
    const chunks: string[] = []
    let ended = false
    const done = (async () => {
      for await (const c of controllers.logs.read('default', 'f', 'web', { follow: true }, new AbortController().signal)) chunks.push(c)
      ended = true
    })()
    await clock.advance(6_000)
    expect(ended).toBe(false)
    expect(chunks.join('')).toContain('is running')
    await until('ended', () => ended)
    await done
    expect(chunks.at(-1)).toBe('web exited with code 0\n')

    await store.create('pods', makePod('g'))
    await until('g running', () => cs(pod('g'))?.state?.running)
    const ac = new AbortController()
    let gEnded = false
    const g = (async () => {
      for await (const _ of controllers.logs.read('default', 'g', 'web', { follow: true }, ac.signal)) void _
      gEnded = true
    })()
    await clock.advance(100)
    expect(gEnded).toBe(false)
    ac.abort()
    await g
    expect(gEnded).toBe(true)
  })
})

describe('lifecycle as data', () => {
  it('names every stage once and follows a custom stage table', async () => {
    const names = [...defaultLifecycle.pod, ...defaultLifecycle.container].map((s) => s.name)
    expect(new Set(names).size).toBe(names.length)
    const lifecycle = {
      pod: defaultLifecycle.pod,
      container: defaultLifecycle.container.map((s) =>
        s.name === 'create' ? { ...s, next: { ...s.next, events: [...(s.next.events ?? []), { reason: 'Customized', message: 'made {container} from {image}' }] } } : s,
      ),
    }
    const { store, pod, until } = await setup({ lifecycle })
    await store.create('pods', makePod('custom'))
    await until('running', () => cs(pod('custom'))?.state?.running)
    expect(store.eventsFor('custom').find((e) => e.reason === 'Customized')?.message).toBe('made web from nginx:1.27')
  })
})
