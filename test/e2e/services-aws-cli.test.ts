/**
 * End-to-end: services with the real `aws` CLI (and the services-stable / services-inactive waiters)
 * against a KECS instance attached to the emulated cluster, in-process as in tasks-aws-cli.test.ts
 * (test/helpers/cluster-instance.ts wires it the way `kecs start --cluster emulated` does); the
 * clients are the real binaries, over HTTP.
 *
 * The CLI's waiters poll every 15 s and take no delay flag, so the first `wait services-stable` is
 * the CLI's own; later waits use the same botocore waiter through boto3 with a 1 s delay when python3
 * has boto3 (else the CLI's).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cliHome, hasCommand, type CliHome } from '../helpers/cli.js'
import { startClusterInstance, type ClusterInstance } from '../helpers/cluster-instance.js'

const hasAws = await hasCommand('aws', ['--version'])
const hasBoto3 = await hasCommand('python3', ['-c', 'import boto3'])
if (!hasAws) console.warn('[e2e] the `aws` CLI is not installed: the service e2e tests are SKIPPED')

const CLUSTER = 'e2e-services'
const TIMEOUT = 180_000
let k: ClusterInstance
let cli: CliHome
const dirs = { instance: '', emulator: '' }

/** `aws ecs <args>` against the instance; JSON out. */
const ecs = (args: string[], opts: { ok?: boolean } = {}) => cli.awsEcs(k.endpoint, args, { ...opts, timeout: 170_000 })

/** The services-stable waiter with a 1 s delay (boto3), else the CLI's. */
async function waitStable(service: string) {
  if (!hasBoto3) return ecs(['wait', 'services-stable', '--cluster', CLUSTER, '--services', service])
  const script = [
    'import boto3, sys',
    "c = boto3.client('ecs', endpoint_url=sys.argv[1])",
    "c.get_waiter('services_stable').wait(cluster=sys.argv[2], services=[sys.argv[3]], WaiterConfig={'Delay': 1, 'MaxAttempts': 150})",
  ].join('\n')
  const r = await cli.run('python3', ['-c', script, k.endpoint, CLUSTER, service], { timeout: 170_000 })
  expect(r.exitCode, `services_stable waiter: ${r.stderr}`).toBe(0)
}

const describeService = async (name: string) => (await ecs(['describe-services', '--cluster', CLUSTER, '--services', name])).json.services[0]

async function serviceTasks(name: string, desired = 'RUNNING') {
  const l = await ecs(['list-tasks', '--cluster', CLUSTER, '--service-name', name, '--desired-status', desired])
  if (!l.json.taskArns.length) return []
  return (await ecs(['describe-tasks', '--cluster', CLUSTER, '--tasks', ...l.json.taskArns])).json.tasks
}

async function register(family: string, containers: object[]) {
  return (await ecs(['register-task-definition', '--family', family, '--container-definitions', JSON.stringify(containers)])).json.taskDefinition
    .taskDefinitionArn as string
}

const taskId = (arn: string) => arn.slice(arn.lastIndexOf('/') + 1)

beforeAll(async () => {
  if (!hasAws) return
  cli = cliHome('kecs-e2e-services-', { env: (home) => ({ HOME: home }) })
  dirs.instance = mkdtempSync(join(tmpdir(), 'kecs-e2e-services-instance-'))
  dirs.emulator = mkdtempSync(join(tmpdir(), 'kecs-e2e-services-emulator-'))
  k = await startClusterInstance({ dir: dirs.instance, speed: 5 })
  await ecs(['create-cluster', '--cluster-name', CLUSTER])
  await register('web', [{ name: 'app', image: 'nginx:1.27', memory: 64, portMappings: [{ containerPort: 80 }] }])
  await register('web', [{ name: 'app', image: 'nginx:1.28', memory: 64, portMappings: [{ containerPort: 80 }] }])
  await register('web', [{ name: 'app', image: 'nginx:1.29', memory: 64, dockerLabels: { 'kecs.simulate.exit-code': '1' } }])
}, TIMEOUT)

afterAll(async () => {
  await k?.stopAll()
  await cli?.cleanup()
  for (const d of [dirs.instance, dirs.emulator]) if (d) rmSync(d, { recursive: true, force: true })
})

describe.skipIf(!hasAws)('services with the aws CLI on the emulated cluster', { timeout: TIMEOUT }, () => {
  let firstDeployment = ''
  let firstTasks: string[] = []

  it('create-service with desiredCount 3, then `aws ecs wait services-stable`', async () => {
    const created = await ecs(['create-service', '--cluster', CLUSTER, '--service-name', 'web', '--task-definition', 'web:1', '--desired-count', '3'])
    expect(created.json.service).toMatchObject({ status: 'ACTIVE', desiredCount: 3, runningCount: 0, events: [] })
    firstDeployment = created.json.service.deployments[0].id
    await ecs(['wait', 'services-stable', '--cluster', CLUSTER, '--services', 'web'])
    const s = await describeService('web')
    expect(s).toMatchObject({ runningCount: 3, pendingCount: 0 })
    expect(s.deployments).toHaveLength(1)
    expect(s.deployments[0]).toMatchObject({ id: firstDeployment, rolloutState: 'COMPLETED', rolloutStateReason: `ECS deployment ${firstDeployment} completed.` })
    const tasks = await serviceTasks('web')
    expect(tasks).toHaveLength(3)
    for (const t of tasks) expect(t).toMatchObject({ group: 'service:web', startedBy: firstDeployment, lastStatus: 'RUNNING' })
    firstTasks = tasks.map((t: { taskArn: string }) => t.taskArn)
    const msgs = s.events.map((e: { message: string }) => e.message)
    expect(msgs[0]).toBe('(service web) has reached a steady state.')
    expect(msgs[1]).toBe(`(service web) (deployment ${firstDeployment}) deployment completed.`)
    expect(msgs[2]).toMatch(/^\(service web\) has started 3 tasks: (\(task [^)]+\) ?){3}\.$/)
    for (const arn of firstTasks) expect(msgs[2]).toContain(`(task ${taskId(arn)})`)
    expect(typeof s.events[0].createdAt).toBe('number')
  })

  it('update-service to a new revision: the rollout completes and the old tasks stop', async () => {
    const u = await ecs(['update-service', '--cluster', CLUSTER, '--service', 'web', '--task-definition', 'web:2'])
    const [primary, active] = u.json.service.deployments
    expect(primary).toMatchObject({ status: 'PRIMARY', rolloutState: 'IN_PROGRESS' })
    expect(active).toMatchObject({ id: firstDeployment, status: 'ACTIVE' })
    await waitStable('web')
    const s = await describeService('web')
    expect(s.deployments).toHaveLength(1)
    expect(s.deployments[0]).toMatchObject({ id: primary.id, rolloutState: 'COMPLETED' })
    expect(s.taskDefinition).toMatch(/:task-definition\/web:2$/)
    const old = (await ecs(['describe-tasks', '--cluster', CLUSTER, '--tasks', ...firstTasks])).json.tasks
    for (const t of old) {
      expect(t.desiredStatus).toBe('STOPPED')
      expect(t).toMatchObject({ stopCode: 'ServiceSchedulerInitiated', stoppedReason: `Scaling activity initiated by (deployment ${firstDeployment})` })
    }
    const msgs: string[] = s.events.map((e: { message: string }) => e.message)
    expect(msgs[1]).toBe(`(service web) (deployment ${primary.id}) deployment completed.`)
    expect(msgs.some((m) => /^\(service web\) has stopped \d+ running tasks: /.test(m))).toBe(true)
  })

  it('a revision whose essential container exits, circuit breaker on: FAILED and a rollback to the last good revision', async () => {
    const good = await describeService('web')
    const goodId = good.deployments[0].id
    await ecs([
      'update-service',
      '--cluster',
      CLUSTER,
      '--service',
      'web',
      '--task-definition',
      'web:3',
      '--deployment-configuration',
      'deploymentCircuitBreaker={enable=true,rollback=true}',
    ])
    // The rollback deployment becomes PRIMARY and the service stabilises on the last good revision.
    let s = await describeService('web')
    for (let i = 0; i < 600 && !s.events.some((e: { message: string }) => e.message.includes('rolling back to deployment')); i++) {
      await new Promise((r) => setTimeout(r, 100))
      s = await describeService('web')
    }
    await waitStable('web')
    s = await describeService('web')
    const msgs: string[] = s.events.map((e: { message: string }) => e.message)
    const failed = msgs.find((m) => /deployment failed: tasks failed to start\.$/.test(m))
    expect(failed).toMatch(/^\(service web\) \(deployment ecs-svc\/\d{19}\) deployment failed: tasks failed to start\.$/)
    expect(msgs).toContain(`(service web) rolling back to deployment ${goodId}.`)
    expect(s.taskDefinition).toBe(good.taskDefinition)
    expect(s.deployments).toHaveLength(1)
    expect(s.deployments[0]).toMatchObject({ taskDefinition: good.taskDefinition, rolloutState: 'COMPLETED' })
    const crashed = (await serviceTasks('web', 'STOPPED')).filter((t: { stopCode?: string }) => t.stopCode === 'EssentialContainerExited')
    expect(crashed.length).toBeGreaterThanOrEqual(3)
  })

  it('delete-cluster is refused while the service is active', async () => {
    const r = await ecs(['delete-cluster', '--cluster', CLUSTER], { ok: false })
    expect(r.exitCode).not.toBe(0)
    expect(r.stderr).toContain('ClusterContainsServicesException')
  })

  it('scale to 0 and delete: INACTIVE, still describable', async () => {
    const refused = await ecs(['delete-service', '--cluster', CLUSTER, '--service', 'web'], { ok: false })
    expect(refused.stderr).toContain('The service cannot be stopped while it is scaled above 0.')
    await ecs(['update-service', '--cluster', CLUSTER, '--service', 'web', '--desired-count', '0'])
    await waitStable('web')
    const del = await ecs(['delete-service', '--cluster', CLUSTER, '--service', 'web'])
    expect(del.json.service.status).toBe('DRAINING')
    await ecs(['wait', 'services-inactive', '--cluster', CLUSTER, '--services', 'web'])
    expect((await describeService('web')).status).toBe('INACTIVE')
    const listed = await ecs(['list-services', '--cluster', CLUSTER])
    expect(listed.json.serviceArns).toEqual([])
  })
})
