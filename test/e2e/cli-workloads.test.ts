/**
 * End-to-end: the BUILT CLI (`node bin/run.js`, after `npm run build`) driving workloads on an
 * instance started with `kecs start -d --cluster emulated` in a temporary KECS_HOME on free ports:
 * `kecs run`, `kecs logs`, `kecs events --json`, `kecs deploy` and the listing shortcuts.
 */
import {
  CreateClusterCommand,
  DescribeTasksCommand,
  ECSClient,
  ListServicesCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  type ContainerDefinition,
  type RegisterTaskDefinitionCommandInput,
} from '@aws-sdk/client-ecs'
import { spawn } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BIN, BUILT, cliHome, until, type CliHome } from '../helpers/cli.js'

const TIMEOUT = 90_000
const CLUSTER = 'e2e-cli'

let cli: CliHome
let endpoint = ''
let ecs: ECSClient

const kecs = (args: string[]) => cli.kecs(args)

async function register(family: string, containers: ContainerDefinition[], extra: Partial<RegisterTaskDefinitionCommandInput> = {}) {
  await ecs.send(new RegisterTaskDefinitionCommand({ family, containerDefinitions: containers, ...extra }))
}

const describeTask = async (arn: string) => (await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [arn] }))).tasks![0]!

/** A CLI process whose output is read while it runs. */
function start(args: string[]) {
  const child = spawn(process.execPath, [BIN, ...args], { env: cli.env(), stdio: ['ignore', 'pipe', 'pipe'] })
  const io = { out: '', err: '' }
  child.stdout.on('data', (d) => (io.out += d))
  child.stderr.on('data', (d) => (io.err += d))
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)))
  return { child, io, exited }
}

const servicesSupported = async () => {
  try {
    await ecs.send(new ListServicesCommand({ cluster: CLUSTER }))
    return true
  } catch (e) {
    return !/not supported by KECS yet/.test((e as Error).message)
  }
}

beforeAll(async () => {
  if (!BUILT) throw new Error('dist/ is missing: run `npm run build` first (`npm test` does)')
  // Simulated containers live 5x faster (a heartbeat line every second instead of every five).
  cli = cliHome('kecs-e2e-cli-', { env: () => ({ KECS_EMULATOR_SPEED: '5' }) })
  endpoint = (await cli.startDetached('default', { args: ['--cluster', 'emulated'] })).endpoint
  ecs = new ECSClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 })
  await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }))
}, TIMEOUT)

afterAll(async () => {
  ecs?.destroy()
  await cli?.cleanup()
})

describe('kecs run', { timeout: TIMEOUT }, () => {
  it("exits with the essential container's exit code (kecs.simulate.exit-code)", async () => {
    await register('exit3', [{ name: 'app', image: 'busybox:1.36', memory: 64, dockerLabels: { 'kecs.simulate.exit-code': '3' } }])
    const r = await kecs(['run', 'exit3', '--cluster', CLUSTER])
    expect(r.exitCode, r.stderr).toBe(3)
    expect(r.stderr).toMatch(/^Started 1 task of exit3:1 in cluster e2e-cli: [0-9a-f]{32}$/m)
    // A container that exits right after it starts may be seen RUNNING or go straight to STOPPED.
    expect(r.stderr).toMatch(/task [0-9a-f]{8} exit3 (RUNNING|STOPPED)/)
    expect(r.stderr).toContain('Error: task ')
    expect(r.stderr).toContain('essential container app exited with code 3')
    expect(r.stdout).toBe('')
  })

  it('exits 0 when the essential containers exit 0; --follow prints the logs, --env reaches the container', async () => {
    await register('job', [
      { name: 'app', image: 'busybox:1.36', memory: 64, command: ['sh', '-c', 'echo done'], dockerLabels: { 'kecs.simulate.run-seconds': '2' } },
      { name: 'side', image: 'busybox:1.36', memory: 64, essential: false, dockerLabels: { 'kecs.simulate.exit-code': '7' } },
    ])
    const r = await kecs(['run', 'job', '--cluster', CLUSTER, '--follow', '--env', 'GREETING=hi', '--container', 'app'])
    expect(r.exitCode, r.stderr).toBe(0)
    // Two containers: lines carry the <task>/<container> prefix.
    expect(r.stdout).toMatch(/^[0-9a-f]{8}\/app \| starting container app/m)
    expect(r.stdout).toMatch(/^[0-9a-f]{8}\/app \| environment: .*GREETING/m)
    expect(r.stdout).toMatch(/^[0-9a-f]{8}\/app \| app exited with code 0$/m)
    expect(r.stdout).toMatch(/^[0-9a-f]{8}\/side \| /m)
  })

  it('with --count 2, ends with the first non-zero code; --env without --container is refused for two containers', async () => {
    await register('exit4', [{ name: 'app', image: 'busybox:1.36', memory: 64, dockerLabels: { 'kecs.simulate.exit-code': '4' } }])
    const r = await kecs(['run', 'exit4', '--cluster', CLUSTER, '--count', '2'])
    expect(r.exitCode, r.stderr).toBe(4)
    expect(r.stderr).toMatch(/^Started 2 tasks of exit4:1/m)
    await register('pair', [
      { name: 'a', image: 'busybox:1.36', memory: 64 },
      { name: 'b', image: 'busybox:1.36', memory: 64 },
    ])
    const refused = await kecs(['run', 'pair', '--cluster', CLUSTER, '--env', 'A=1'])
    expect(refused.exitCode).toBe(1)
    expect(refused.stderr).toContain('Error: the task definition has 2 containers: say which one --env is for')
    expect(refused.stderr).toContain('Hint: Add --container NAME')
  })

  it('exits 1 with the reason when the task fails to start', async () => {
    await register('badimage', [{ name: 'app', image: 'no-such/image:1', memory: 64, dockerLabels: { 'kecs.simulate.image-pull-error': 'true' } }])
    const r = await kecs(['run', 'badimage', '--cluster', CLUSTER])
    expect(r.exitCode, r.stderr).toBe(1)
    expect(r.stderr).toMatch(/^Error: task [0-9a-f]{32} failed to start: CannotPullContainerError: /m)
  })

  it('fails in one line for an unknown task definition', async () => {
    const r = await kecs(['run', 'no-such-family', '--cluster', CLUSTER])
    expect(r.exitCode).toBe(1)
    expect(r.stderr).toContain('Error: task definition "no-such-family" not found')
  })
})

describe('kecs logs', { timeout: TIMEOUT }, () => {
  it("-f prints a running task's lines and ends when the task stops", async () => {
    await register('ticker', [{ name: 'app', image: 'busybox:1.36', memory: 64, dockerLabels: { 'kecs.simulate.run-seconds': '20' } }])
    const run = await ecs.send(new RunTaskCommand({ cluster: CLUSTER, taskDefinition: 'ticker' }))
    const arn = run.tasks![0]!.taskArn!
    await until('the task to run', async () => (await describeTask(arn)).lastStatus === 'RUNNING')
    const id = arn.split('/').pop()!
    const r = await kecs(['logs', id.slice(0, 8), '--cluster', CLUSTER, '-f'])
    expect(r.exitCode, r.stderr).toBe(0)
    const lines = r.stdout.split('\n')
    // One container: no prefix.
    expect(lines[0]).toMatch(/^starting container app/)
    expect(lines.some((l) => /^app is running \(uptime/.test(l))).toBe(true)
    expect(lines.at(-1)).toBe('app exited with code 0')
    expect((await describeTask(arn)).containers![0]!.lastStatus).toBe('STOPPED')

    // After the task stopped: the kept tail, --tail and --timestamps.
    const kept = await kecs(['logs', arn, '--tail', '1', '--timestamps'])
    expect(kept.exitCode, kept.stderr).toBe(0)
    expect(kept.stdout).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z app exited with code 0$/)
  })

  it('says plainly when the task or the container does not exist', async () => {
    let r = await kecs(['logs', 'nothing-here', '--cluster', CLUSTER])
    expect(r.exitCode).toBe(1)
    expect(r.stderr).toContain(`Error: no task or service "nothing-here" in cluster ${CLUSTER}`)
    await register('one-container', [{ name: 'app', image: 'busybox:1.36', memory: 64 }])
    const run = await ecs.send(new RunTaskCommand({ cluster: CLUSTER, taskDefinition: 'one-container' }))
    r = await kecs(['logs', run.tasks![0]!.taskArn!, '--container', 'nope'])
    expect(r.exitCode).toBe(1)
    expect(r.stderr).toMatch(/Error: task [0-9a-f]{32} has no container "nope"/)
  })
})

describe('kecs events --json', { timeout: TIMEOUT }, () => {
  it("sees a task's PROVISIONING -> RUNNING -> STOPPED in order", async () => {
    await register(
      'fargate-job',
      [{ name: 'app', image: 'busybox:1.36', dockerLabels: { 'kecs.simulate.run-seconds': '1' } }],
      { requiresCompatibilities: ['FARGATE'], networkMode: 'awsvpc', cpu: '256', memory: '512' },
    )
    const p = start(['events', '--json', '--cluster', CLUSTER])
    try {
      await until('the event stream to connect', () => p.io.err.includes('connected to'))
      const run = await ecs.send(
        new RunTaskCommand({
          cluster: CLUSTER,
          taskDefinition: 'fargate-job',
          launchType: 'FARGATE',
          networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'] } },
        }),
      )
      const arn = run.tasks![0]!.taskArn!
      const mine = () =>
        p.io.out
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l))
          .filter((e) => e['detail-type'] === 'ECS Task State Change' && e.detail.taskArn === arn)
      await until('the STOPPED event', () => mine().some((e) => e.detail.lastStatus === 'STOPPED'))
      const events = mine()
      for (const e of events) expect(e).toMatchObject({ version: '0', source: 'aws.ecs', resources: [arn] })
      const statuses = events.map((e) => e.detail.lastStatus as string)
      const first = (s: string) => statuses.indexOf(s)
      expect(first('PROVISIONING')).toBe(0)
      expect(first('RUNNING')).toBeGreaterThan(first('PROVISIONING'))
      expect(first('STOPPED')).toBeGreaterThan(first('RUNNING'))
      const versions = events.map((e) => e.detail.version as number)
      expect([...versions].sort((a, b) => a - b)).toEqual(versions)
    } finally {
      p.child.kill('SIGINT')
      await p.exited
    }
  })
})

describe('listing shortcuts', { timeout: TIMEOUT }, () => {
  it('tables for people, --json for scripts', async () => {
    await register('listed', [{ name: 'app', image: 'busybox:1.36', memory: 64, dockerLabels: { 'kecs.simulate.exit-code': '0' } }])
    const run = await ecs.send(new RunTaskCommand({ cluster: CLUSTER, taskDefinition: 'listed' }))
    await until('the task to stop', async () => (await describeTask(run.tasks![0]!.taskArn!)).lastStatus === 'STOPPED')
    let r = await kecs(['clusters'])
    expect(r.exitCode, r.stderr).toBe(0)
    expect(r.stdout.split('\n')[0]).toMatch(/^NAME\s+STATUS\s+SERVICES\s+RUNNING\s+PENDING\s+INSTANCES$/)
    expect(r.stdout).toMatch(new RegExp(`^${CLUSTER}\\s+ACTIVE\\s`, 'm'))
    r = await kecs(['clusters', '--json'])
    expect(JSON.parse(r.stdout).map((c: { clusterName: string }) => c.clusterName)).toContain(CLUSTER)

    r = await kecs(['task-definitions', '--json'])
    expect(r.exitCode, r.stderr).toBe(0)
    expect(JSON.parse(r.stdout)).toContainEqual(expect.objectContaining({ family: 'listed', latestRevision: 1, activeRevisions: 1 }))

    r = await kecs(['tasks', '--cluster', CLUSTER, '--status', 'stopped'])
    expect(r.exitCode, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/^[0-9a-f]{8}\s+listed:1\s+STOPPED\s+STOPPED\s+family:listed\s+EC2\s+\d+s\s+EssentialContainerExited \(app exit 0\)$/m)
    r = await kecs(['tasks', '--cluster', CLUSTER, '--json'])
    const tasks = JSON.parse(r.stdout)
    expect(tasks.length).toBeGreaterThan(0)
    expect(tasks[0].taskArn).toMatch(/:task\/e2e-cli\//)

    await ecs.send(new CreateClusterCommand({ clusterName: 'e2e-empty' }))
    r = await kecs(['tasks', '--cluster', 'e2e-empty', '--status', 'running'])
    expect(r.exitCode, r.stderr).toBe(0)
    expect(r.stdout.trim()).toBe('No running tasks in cluster e2e-empty.')
    r = await kecs(['services', '--cluster', 'no-such-cluster'])
    expect(r.exitCode).toBe(1)
    expect(r.stderr).toContain('Error: cluster not found')
    r = await kecs(['clusters', '--name', 'not-started'])
    expect(r.exitCode).toBe(1)
    expect(r.stderr).toContain('Error: KECS "not-started" is not running')
  })
})

describe('kecs deploy', { timeout: TIMEOUT }, () => {
  it('creates a service and follows the rollout to a steady state; updates it; fails non-zero when the circuit breaker trips', async (ctx) => {
    if (!(await servicesSupported())) ctx.skip()
    await register('web', [{ name: 'app', image: 'nginx:1.27', memory: 64 }])
    const file = join(cli.home, 'service.json')
    writeFileSync(
      file,
      JSON.stringify({
        cluster: CLUSTER,
        serviceName: 'web',
        taskDefinition: 'web',
        desiredCount: 2,
        deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true }, maximumPercent: 200, minimumHealthyPercent: 100 },
      }),
    )
    let r = await kecs(['deploy', file])
    expect(r.exitCode, r.stderr).toBe(0)
    expect(r.stderr).toMatch(/^Created service web in cluster e2e-cli: web:1, desired 2/m)
    expect(r.stdout).toMatch(/^service web reached a steady state: 2\/2 running/m)

    r = await kecs(['services', '--cluster', CLUSTER])
    expect(r.stdout).toMatch(/^web\s+ACTIVE\s+2\s+2\s+0\s+web:1\s+COMPLETED\s/m)

    // Service logs: every running task's lines, prefixed.
    r = await kecs(['logs', 'web', '--cluster', CLUSTER])
    expect(r.exitCode, r.stderr).toBe(0)
    const prefixes = new Set(r.stdout.split('\n').filter(Boolean).map((l) => l.split(' | ')[0]))
    expect(prefixes.size).toBe(2)
    for (const p of prefixes) expect(p).toMatch(/\/app$/)

    // An image that cannot be pulled: the circuit breaker trips and rolls back.
    await register('web', [{ name: 'app', image: 'nginx:broken', memory: 64, dockerLabels: { 'kecs.simulate.image-pull-error': 'true' } }])
    r = await kecs(['deploy', file, '--timeout', '60s'])
    expect(r.exitCode, r.stdout + r.stderr).not.toBe(0)
    expect(r.stderr).toMatch(/^Updated service web in cluster e2e-cli: web:2/m)
    expect(r.stderr).toMatch(/^Error: deployment \S+ of service web (failed|was replaced)/m)
    expect(r.stderr).toContain('Latest events of service web:')
    expect(r.stderr).toContain('circuit breaker')
  })
})

describe('shell completion', { timeout: TIMEOUT }, () => {
  it('kecs autocomplete builds bash completions that know the commands and their flags', async () => {
    const cache = join(cli.home, 'xdg-cache')
    const r = await cli.kecs(['autocomplete', 'bash'], { XDG_CACHE_HOME: cache })
    expect(r.exitCode, r.stderr).toBe(0)
    expect(r.stdout).toContain('kecs autocomplete script bash')
    const fn = readFileSync(join(cache, 'kecs', 'autocomplete', 'functions', 'bash', 'kecs.bash'), 'utf8')
    for (const cmd of ['logs', 'run', 'deploy', 'task-definitions', 'events']) expect(fn).toContain(cmd)
    expect(fn).toContain('--follow')
  })
})
