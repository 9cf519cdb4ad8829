/**
 * End-to-end: tasks on the emulated cluster through the BUILT CLI (`kecs start -d --cluster emulated`
 * with a temporary KECS_HOME, `kecs stop`, `kecs start` again), driven with the real `aws` CLI and its
 * waiters, `kubectl` against the instance's kubeconfig, plain HTTP for the task metadata endpoint and
 * the `/ws` feed for `ECS Task State Change` events.
 */
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BUILT, cliHome, freePort, hasCommand, until, type CliHome } from '../helpers/cli.js'
import type { EcsEvent } from '../../src/events/bus.js'
import { FeedClient } from '../helpers/feed-client.js'

const hasAws = await hasCommand('aws', ['--version'])
const hasKubectl = await hasCommand('kubectl', ['version', '--client'])
if (!hasAws) console.warn('[e2e] the `aws` CLI is not installed: the task e2e tests are SKIPPED')
if (hasAws && !hasKubectl) console.warn('[e2e] kubectl is not installed: the kubectl checks of the task e2e tests are SKIPPED')

const CLUSTER = 'e2e-tasks'
const TIMEOUT = 120_000
const ECS_ENV = ['AWS_REGION', 'AWS_DEFAULT_REGION', 'ECS_CONTAINER_METADATA_URI_V4', 'ECS_CONTAINER_METADATA_URI', 'AWS_ENDPOINT_URL_ECS']
const RANK = ['PROVISIONING', 'PENDING', 'ACTIVATING', 'RUNNING', 'DEACTIVATING', 'STOPPING', 'DEPROVISIONING', 'STOPPED']

let cli: CliHome | undefined
let endpoint = ''
let ports = { api: 0, admin: 0 }
let feed: FeedClient | undefined
/** `ECS Task State Change` events seen on /ws, across restarts. */
const events: EcsEvent[] = []

const kubeconfig = () => join(cli!.instanceDir('default'), 'kubeconfig')

async function startKecs() {
  endpoint = (await cli!.startDetached('default', { args: ['--cluster', 'emulated'], port: ports.api, adminPort: ports.admin })).endpoint
  feed = await FeedClient.open(endpoint, `detail-type=${encodeURIComponent('ECS Task State Change')}`)
  feed.ws.on('message', (data) => {
    const f = JSON.parse(String(data))
    if (f.type === 'event') events.push(f.event)
  })
}

async function stopKecs() {
  feed?.ws.close()
  feed = undefined
  const r = await cli!.kecs(['stop'])
  expect(r.exitCode, `kecs stop: ${r.stderr}${r.stdout}`).toBe(0)
}

/** `aws ecs <args>` against the instance; JSON out. */
const ecs = (args: string[], opts: { ok?: boolean } = {}) => cli!.awsEcs(endpoint, args, opts)

async function kubectl(args: string[]) {
  const r = await cli!.run('kubectl', ['--kubeconfig', kubeconfig(), ...args])
  return { ...r, json: r.exitCode === 0 && r.stdout.trim().startsWith('{') ? JSON.parse(r.stdout) : undefined }
}

/**
 * The same API over plain HTTP (AWS JSON 1.1), for the checks around the aws CLI calls: each `aws`
 * run costs about half a second of Python start-up, which would dominate this test's time.
 */
async function api(operation: string, body: object): Promise<any> {
  const r = await fetch(endpoint, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': `AmazonEC2ContainerServiceV20141113.${operation}` },
    body: JSON.stringify(body),
  })
  const json = await r.json()
  expect(r.status, `${operation}: ${JSON.stringify(json)}`).toBe(200)
  return json
}

const describeTask = async (arn: string, cluster = CLUSTER) => (await api('DescribeTasks', { cluster, tasks: [arn] })).tasks[0]
const counts = async (cluster = CLUSTER) => {
  const c = (await api('DescribeClusters', { clusters: [cluster] })).clusters[0]
  return { running: c.runningTasksCount, pending: c.pendingTasksCount }
}

const register = (family: string, containerDefinitions: object[]) => api('RegisterTaskDefinition', { family, containerDefinitions })

async function runTask(family: string, extra: string[] = [], cluster = CLUSTER): Promise<string[]> {
  const r = await ecs(['run-task', '--cluster', cluster, '--task-definition', family, ...extra])
  expect(r.json.failures).toEqual([])
  return r.json.tasks.map((t: { taskArn: string }) => t.taskArn)
}

/** The task's events in the order the feed delivered them. */
const eventsOf = (arn: string) => events.filter((e) => e.resources[0] === arn).map((e) => e.detail as Record<string, any>)

/** Versions strictly increase and lastStatus never moves backwards. */
function expectOrdered(arn: string) {
  const mine = eventsOf(arn)
  const versions = mine.map((d) => d.version as number)
  expect(versions, `versions of ${arn}`).toEqual([...new Set(versions)].sort((a, b) => a - b))
  const ranks = mine.map((d) => RANK.indexOf(d.lastStatus))
  expect(ranks, `lastStatus order of ${arn}: ${mine.map((d) => d.lastStatus).join(' → ')}`).toEqual([...ranks].sort((a, b) => a - b))
  return mine
}

beforeAll(async () => {
  if (!hasAws) return
  if (!BUILT) throw new Error('dist/ is missing: run `npm run build` first (`npm test` does)')
  // HOME and the kubectl cache in the temporary home too.
  cli = cliHome('kecs-e2e-tasks-', { env: (home) => ({ HOME: home, KECS_EMULATOR_SPEED: '5', KUBECACHEDIR: join(home, 'kube-cache') }) })
  ports = { api: await freePort(), admin: await freePort() }
  await startKecs()
  await api('CreateCluster', { clusterName: CLUSTER })
  await register('long', [{ name: 'app', image: 'busybox:1.36', memory: 64, command: ['sleep', '3600'] }])
}, TIMEOUT)

afterAll(async () => {
  feed?.ws.close()
  await cli?.cleanup()
})

describe.skipIf(!hasAws)('tasks with the aws CLI on `kecs start --cluster emulated`', { timeout: TIMEOUT }, () => {
  let longRunning: string

  it('run-task, wait tasks-running: the pod (kubectl) has the mapping labels and the ECS env; metadata answers; counts and events follow', async () => {
    ;[longRunning] = (await runTask('long', ['--started-by', 'e2e'])) as [string]
    const now = await counts()
    expect(now.running + now.pending).toBe(1)
    await ecs(['wait', 'tasks-running', '--cluster', CLUSTER, '--tasks', longRunning])
    const t = await describeTask(longRunning)
    expect(t).toMatchObject({ lastStatus: 'RUNNING', desiredStatus: 'RUNNING', startedBy: 'e2e', group: 'family:long' })
    expect(await counts()).toEqual({ running: 1, pending: 0 })

    // Events: version 1 as RunTask answered (EC2 without awsvpc: PENDING), then on to RUNNING.
    await until('the RUNNING event', async () => eventsOf(longRunning).some((d) => d.lastStatus === 'RUNNING'))
    const seen = expectOrdered(longRunning)
    expect(seen[0]).toMatchObject({ lastStatus: 'PENDING', desiredStatus: 'RUNNING', version: 1 })

    if (!hasKubectl) return
    const id = longRunning.split('/').pop()!
    const pod = (await kubectl(['get', 'pod', '-n', `kecs-${CLUSTER}`, id, '-o', 'json'])).json
    expect(pod.metadata.labels).toMatchObject({
      'kecs.dev/managed-by': 'kecs',
      'kecs.dev/cluster': CLUSTER,
      'kecs.dev/task-id': id,
      'kecs.dev/task-definition': 'long.1',
      'kecs.dev/task-definition-family': 'long',
    })
    expect(pod.metadata.annotations['kecs.dev/task-arn']).toBe(longRunning)
    expect(pod.status.phase).toBe('Running')
    const vars = Object.fromEntries(pod.spec.containers[0].env.map((e: { name: string; value: string }) => [e.name, e.value]))
    for (const name of ECS_ENV) expect(vars[name], name).toBeTruthy()
    expect(vars).toMatchObject({ AWS_REGION: 'us-east-1', AWS_DEFAULT_REGION: 'us-east-1', AWS_ENDPOINT_URL_ECS: endpoint })

    // The metadata endpoints the container is given answer from the host.
    const container = await (await fetch(vars.ECS_CONTAINER_METADATA_URI_V4)).json()
    expect(container).toMatchObject({ Name: 'app', Image: 'busybox:1.36', KnownStatus: 'RUNNING' })
    const task = await (await fetch(`${vars.ECS_CONTAINER_METADATA_URI_V4}/task`)).json()
    expect(task).toMatchObject({ Cluster: CLUSTER, TaskARN: longRunning, Family: 'long', Revision: '1', KnownStatus: 'RUNNING' })
    const v3 = await fetch(`${vars.ECS_CONTAINER_METADATA_URI}/task`)
    expect(v3.status).toBe(200)
  })

  it('DeleteCluster refuses while a task runs; stop-task, wait tasks-stopped (UserInitiated); then it deletes the namespace and pods', async () => {
    const doomed = 'e2e-doomed'
    await api('CreateCluster', { clusterName: doomed })
    const [arn] = (await runTask('long', [], doomed)) as [string]
    await ecs(['wait', 'tasks-running', '--cluster', doomed, '--tasks', arn])
    const refused = await ecs(['delete-cluster', '--cluster', doomed], { ok: false })
    expect(refused.exitCode).not.toBe(0)
    expect(refused.stderr).toContain('ClusterContainsTasksException')

    const stop = await ecs(['stop-task', '--cluster', doomed, '--task', arn, '--reason', 'e2e says stop'])
    expect(stop.json.task).toMatchObject({ desiredStatus: 'STOPPED', stopCode: 'UserInitiated' })
    await ecs(['wait', 'tasks-stopped', '--cluster', doomed, '--tasks', arn])
    expect(await describeTask(arn, doomed)).toMatchObject({ lastStatus: 'STOPPED', stopCode: 'UserInitiated', stoppedReason: 'e2e says stop' })
    expect(await counts(doomed)).toEqual({ running: 0, pending: 0 })
    await until('the STOPPED event', async () => eventsOf(arn).some((d) => d.lastStatus === 'STOPPED'))
    const seen = expectOrdered(arn)
    expect(seen.map((d) => d.lastStatus)).toEqual(expect.arrayContaining(['PENDING', 'RUNNING', 'STOPPED']))
    expect(seen.at(-1)).toMatchObject({ lastStatus: 'STOPPED', stopCode: 'UserInitiated' })

    const del = await ecs(['delete-cluster', '--cluster', doomed])
    expect(del.json.cluster.status).toBe('INACTIVE')
    if (!hasKubectl) return
    await until('namespace kecs-e2e-doomed gone', async () => {
      const ns = await kubectl(['get', 'namespace', `kecs-${doomed}`, '-o', 'json'])
      return ns.exitCode !== 0 || !!ns.json?.metadata?.deletionTimestamp
    })
    const pods = await kubectl(['get', 'pods', '-n', `kecs-${doomed}`, '-o', 'json'])
    expect(pods.json?.items ?? []).toEqual([])
  })

  it('an essential container exiting 3 ends EssentialContainerExited with exitCode 3', async () => {
    await register('exit3', [
      { name: 'app', image: 'busybox', memory: 64, dockerLabels: { 'kecs.simulate.exit-code': '3', 'kecs.simulate.run-seconds': '2' } },
    ])
    const [arn] = (await runTask('exit3')) as [string]
    await ecs(['wait', 'tasks-stopped', '--cluster', CLUSTER, '--tasks', arn])
    const t = await describeTask(arn)
    expect(t).toMatchObject({ stopCode: 'EssentialContainerExited', stoppedReason: 'Essential container in task exited' })
    expect(t.containers[0].exitCode).toBe(3)
  })

  it('a non-essential container exiting does not stop its task', async () => {
    await register('side-exit', [
      { name: 'app', image: 'busybox', memory: 64 },
      { name: 'side', image: 'busybox', memory: 64, essential: false, dockerLabels: { 'kecs.simulate.exit-code': '1' } },
    ])
    const [arn] = (await runTask('side-exit')) as [string]
    await ecs(['wait', 'tasks-running', '--cluster', CLUSTER, '--tasks', arn])
    const t = await until('the side container STOPPED', async () => {
      const x = await describeTask(arn)
      return x.containers.find((c: any) => c.name === 'side').lastStatus === 'STOPPED' && x
    })
    expect(t.containers.find((c: any) => c.name === 'side')).toMatchObject({ lastStatus: 'STOPPED', exitCode: 1 })
    expect(t).toMatchObject({ lastStatus: 'RUNNING', desiredStatus: 'RUNNING' })
    await api('StopTask', { cluster: CLUSTER, task: arn })
  })

  it('an image pull error ends TaskFailedToStart (CannotPullContainerError)', async () => {
    await register('badimage', [{ name: 'app', image: 'example.invalid/nope:1', memory: 64, dockerLabels: { 'kecs.simulate.image-pull-error': 'true' } }])
    const [arn] = (await runTask('badimage')) as [string]
    await ecs(['wait', 'tasks-stopped', '--cluster', CLUSTER, '--tasks', arn])
    const t = await describeTask(arn)
    expect(t.stopCode).toBe('TaskFailedToStart')
    expect(t.stoppedReason).toMatch(/^CannotPullContainerError: /)
  })

  it('list-tasks filters and pages', async () => {
    const arns = (await runTask('long', ['--count', '3', '--started-by', 'e2e-batch'])).sort()
    const all = await ecs(['list-tasks', '--cluster', CLUSTER, '--started-by', 'e2e-batch', '--page-size', '1'])
    expect([...all.json.taskArns].sort()).toEqual(arns)
    const first = await ecs(['list-tasks', '--cluster', CLUSTER, '--started-by', 'e2e-batch', '--max-items', '2'])
    expect(first.json.taskArns).toHaveLength(2)
    const rest = await ecs(['list-tasks', '--cluster', CLUSTER, '--started-by', 'e2e-batch', '--max-items', '2', '--starting-token', first.json.NextToken])
    expect([...first.json.taskArns, ...rest.json.taskArns].sort()).toEqual(arns)
    const family = await api('ListTasks', { cluster: CLUSTER, family: 'long' })
    expect(family.taskArns).toEqual(expect.arrayContaining([...arns, longRunning]))
    const stopped = await api('ListTasks', { cluster: CLUSTER, desiredStatus: 'STOPPED' })
    expect(stopped.taskArns.length).toBeGreaterThanOrEqual(3)
    expect(stopped.taskArns).not.toContain(longRunning)
    const conflict = await ecs(['list-tasks', '--cluster', CLUSTER, '--started-by', 'x', '--family', 'long'], { ok: false })
    expect(conflict.exitCode).not.toBe(0)
    expect(conflict.stderr).toContain('InvalidParameterException')
    for (const arn of arns) await api('StopTask', { cluster: CLUSTER, task: arn })
    await ecs(['wait', 'tasks-stopped', '--cluster', CLUSTER, '--tasks', ...arns])
  })

  it('kecs stop + kecs start: the running task carries on (same version, pod kept), stopped ones stay, counts stay right', async () => {
    const before = await describeTask(longRunning)
    const stoppedBefore = (await api('ListTasks', { cluster: CLUSTER, desiredStatus: 'STOPPED' })).taskArns.sort()
    expect(await counts()).toEqual({ running: 1, pending: 0 })
    await stopKecs()
    await startKecs()

    const after = await describeTask(longRunning)
    expect(after).toMatchObject({ lastStatus: 'RUNNING', desiredStatus: 'RUNNING', version: before.version, startedAt: before.startedAt })
    const stopped = (await api('ListTasks', { cluster: CLUSTER, desiredStatus: 'STOPPED' })).taskArns.sort()
    expect(stopped).toEqual(stoppedBefore)
    expect(await counts()).toEqual({ running: 1, pending: 0 })
    if (hasKubectl) {
      const pod = (await kubectl(['get', 'pod', '-n', `kecs-${CLUSTER}`, longRunning.split('/').pop()!, '-o', 'json'])).json
      expect(pod.status.phase).toBe('Running')
    }

    // Still driven by its pod after the restart.
    await ecs(['stop-task', '--cluster', CLUSTER, '--task', longRunning])
    await ecs(['wait', 'tasks-stopped', '--cluster', CLUSTER, '--tasks', longRunning])
    expect(await describeTask(longRunning)).toMatchObject({ lastStatus: 'STOPPED', stopCode: 'UserInitiated' })
    expect(await counts()).toEqual({ running: 0, pending: 0 })
    await until('the STOPPED event after the restart', async () => eventsOf(longRunning).some((d) => d.lastStatus === 'STOPPED'))
    expectOrdered(longRunning)
  })
})
