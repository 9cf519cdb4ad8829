/**
 * End-to-end: tasks with the real `aws` CLI (and its waiters) and `kubectl`, against a KECS instance
 * attached to the emulated cluster. `kecs start` does not wire the emulated provider yet, so the
 * instance runs in-process (test/helpers/cluster-instance.ts wires it the way `kecs start --cluster
 * emulated` will); the clients are the real binaries, over HTTP.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execa } from 'execa'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startClusterInstance, type ClusterInstance } from '../helpers/cluster-instance.js'

const hasAws = (await execa('aws', ['--version'], { reject: false }).catch(() => ({ exitCode: 1 }))).exitCode === 0
const hasKubectl = (await execa('kubectl', ['version', '--client'], { reject: false }).catch(() => ({ exitCode: 1 }))).exitCode === 0
if (!hasAws) console.warn('[e2e] the `aws` CLI is not installed: the task e2e tests are SKIPPED')

const CLUSTER = 'e2e-tasks'
const TIMEOUT = 120_000
let k: ClusterInstance
let home: string
const dirs = { instance: '', emulator: '' }

function env(): Record<string, string> {
  const keep = Object.entries(process.env).filter(([key]) => !key.startsWith('AWS_') && !key.startsWith('KECS_'))
  return {
    ...(Object.fromEntries(keep) as Record<string, string>),
    HOME: home,
    KUBECACHEDIR: join(home, 'kube-cache'),
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_REGION: 'us-east-1',
    AWS_CONFIG_FILE: join(home, 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'no-aws-credentials'),
    AWS_PAGER: '',
  }
}

/** `aws ecs <args>` against the instance; JSON out. */
async function ecs(args: string[], opts: { ok?: boolean } = {}) {
  const r = await execa('aws', ['--endpoint-url', k.endpoint, '--output', 'json', 'ecs', ...args], {
    env: env(),
    extendEnv: false,
    reject: false,
    timeout: 100_000,
  })
  if (opts.ok !== false) expect(r.exitCode, `aws ecs ${args.join(' ')}: ${r.stderr}`).toBe(0)
  return { ...r, json: r.stdout.trim() ? JSON.parse(r.stdout) : undefined }
}

const describeTask = async (arn: string) => (await ecs(['describe-tasks', '--cluster', CLUSTER, '--tasks', arn])).json.tasks[0]

async function register(family: string, containers: object[]) {
  await ecs(['register-task-definition', '--family', family, '--container-definitions', JSON.stringify(containers)])
}

async function runTask(family: string, extra: string[] = []): Promise<string[]> {
  const r = await ecs(['run-task', '--cluster', CLUSTER, '--task-definition', family, ...extra])
  expect(r.json.failures).toEqual([])
  return r.json.tasks.map((t: { taskArn: string }) => t.taskArn)
}

async function startKecs() {
  k = await startClusterInstance({ dir: dirs.instance, emulatorDir: dirs.emulator, speed: 5 })
}

beforeAll(async () => {
  if (!hasAws) return
  home = mkdtempSync(join(tmpdir(), 'kecs-e2e-tasks-'))
  dirs.instance = mkdtempSync(join(tmpdir(), 'kecs-e2e-tasks-instance-'))
  dirs.emulator = mkdtempSync(join(tmpdir(), 'kecs-e2e-tasks-emulator-'))
  await startKecs()
  await ecs(['create-cluster', '--cluster-name', CLUSTER])
  await register('long', [{ name: 'app', image: 'busybox:1.36', memory: 64, command: ['sleep', '3600'] }])
}, TIMEOUT)

afterAll(async () => {
  await k?.stopAll()
  for (const d of [home, dirs.instance, dirs.emulator]) if (d) rmSync(d, { recursive: true, force: true })
})

describe.skipIf(!hasAws)('tasks with the aws CLI on the emulated cluster', { timeout: TIMEOUT }, () => {
  let longRunning: string

  it('run-task, wait tasks-running; kubectl shows the pod with the mapping labels', async () => {
    ;[longRunning] = (await runTask('long', ['--started-by', 'e2e'])) as [string]
    await ecs(['wait', 'tasks-running', '--cluster', CLUSTER, '--tasks', longRunning])
    const t = await describeTask(longRunning)
    expect(t).toMatchObject({ lastStatus: 'RUNNING', desiredStatus: 'RUNNING', startedBy: 'e2e', group: 'family:long' })
    if (!hasKubectl) return console.warn('[e2e] kubectl missing: skipped the kubectl check')
    const id = longRunning.split('/').pop()!
    const r = await execa(
      'kubectl',
      ['--kubeconfig', k.emu.kubeconfigPath, 'get', 'pods', '-n', `kecs-${CLUSTER}`, '-l', 'kecs.dev/managed-by=kecs', '-o', 'json'],
      { env: env(), extendEnv: false, reject: false, timeout: 60_000 },
    )
    expect(r.exitCode, r.stderr).toBe(0)
    const pod = JSON.parse(r.stdout).items.find((p: any) => p.metadata.name === id)
    expect(pod.metadata.labels).toMatchObject({
      'kecs.dev/managed-by': 'kecs',
      'kecs.dev/cluster': CLUSTER,
      'kecs.dev/task-id': id,
      'kecs.dev/task-definition': 'long.1',
      'kecs.dev/task-definition-family': 'long',
    })
    expect(pod.status.phase).toBe('Running')
  })

  it('stop-task, wait tasks-stopped: stopCode UserInitiated with the reason', async () => {
    const [arn] = (await runTask('long')) as [string]
    await ecs(['wait', 'tasks-running', '--cluster', CLUSTER, '--tasks', arn])
    const stop = await ecs(['stop-task', '--cluster', CLUSTER, '--task', arn, '--reason', 'e2e says stop'])
    expect(stop.json.task).toMatchObject({ desiredStatus: 'STOPPED', stopCode: 'UserInitiated' })
    await ecs(['wait', 'tasks-stopped', '--cluster', CLUSTER, '--tasks', arn])
    const t = await describeTask(arn)
    expect(t).toMatchObject({ lastStatus: 'STOPPED', stopCode: 'UserInitiated', stoppedReason: 'e2e says stop' })
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
    let t = await describeTask(arn)
    for (let i = 0; i < 200 && t.containers.find((c: any) => c.name === 'side').lastStatus !== 'STOPPED'; i++) {
      await new Promise((r) => setTimeout(r, 100))
      t = await describeTask(arn)
    }
    expect(t.containers.find((c: any) => c.name === 'side')).toMatchObject({ lastStatus: 'STOPPED', exitCode: 1 })
    expect(t).toMatchObject({ lastStatus: 'RUNNING', desiredStatus: 'RUNNING' })
    await ecs(['stop-task', '--cluster', CLUSTER, '--task', arn])
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
    const family = await ecs(['list-tasks', '--cluster', CLUSTER, '--family', 'long'])
    expect(family.json.taskArns).toEqual(expect.arrayContaining([...arns, longRunning]))
    const stopped = await ecs(['list-tasks', '--cluster', CLUSTER, '--desired-status', 'STOPPED'])
    expect(stopped.json.taskArns.length).toBeGreaterThanOrEqual(3)
    expect(stopped.json.taskArns).not.toContain(longRunning)
    const conflict = await ecs(['list-tasks', '--cluster', CLUSTER, '--started-by', 'x', '--family', 'long'], { ok: false })
    expect(conflict.exitCode).not.toBe(0)
    expect(conflict.stderr).toContain('InvalidParameterException')
    for (const arn of arns) await ecs(['stop-task', '--cluster', CLUSTER, '--task', arn])
  })

  it('after a restart the states hold', async () => {
    const before = await describeTask(longRunning)
    await k.stopAll({ keepDirs: true })
    await startKecs()
    const after = await describeTask(longRunning)
    expect(after).toMatchObject({ lastStatus: 'RUNNING', desiredStatus: 'RUNNING', version: before.version })
    const stopped = await ecs(['list-tasks', '--cluster', CLUSTER, '--desired-status', 'STOPPED'])
    expect(stopped.json.taskArns.length).toBeGreaterThanOrEqual(6)
    const c = (await ecs(['describe-clusters', '--clusters', CLUSTER])).json.clusters[0]
    expect(c).toMatchObject({ runningTasksCount: 1, pendingTasksCount: 0 })
    await ecs(['stop-task', '--cluster', CLUSTER, '--task', longRunning])
    await ecs(['wait', 'tasks-stopped', '--cluster', CLUSTER, '--tasks', longRunning])
  })
})
