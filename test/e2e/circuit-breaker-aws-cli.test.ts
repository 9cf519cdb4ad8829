/**
 * End-to-end: the deployment circuit breaker with the real `aws` CLI against an instance on the
 * emulated cluster (wired as `kecs start --cluster emulated` wires it, in-process as in
 * services-aws-cli.test.ts). A revision whose image cannot be pulled and one whose container fails its
 * health check both trip the breaker and roll back to the last COMPLETED revision; a revision whose
 * container exits soon after a deployment COMPLETED does not (the breaker stops evaluating it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EcsEvent } from '../../src/events/bus.js'
import { cliHome, hasCommand, type CliHome } from '../helpers/cli.js'
import { startClusterInstance, type ClusterInstance } from '../helpers/cluster-instance.js'
import { eventually } from '../helpers/emulator.js'

const hasAws = await hasCommand('aws', ['--version'])
if (!hasAws) console.warn('[e2e] the `aws` CLI is not installed: the circuit breaker e2e tests are SKIPPED')

const CLUSTER = 'e2e-breaker'
const TIMEOUT = 180_000
const BREAKER = 'deploymentCircuitBreaker={enable=true,rollback=true}'
let k: ClusterInstance
let cli: CliHome
const bus: EcsEvent[] = []

const ecs = (args: string[]) => cli.awsEcs(k.endpoint, args, { timeout: 170_000 })
const describeService = async (name: string) => (await ecs(['describe-services', '--cluster', CLUSTER, '--services', name])).json.services[0]
const messages = (s: { events: { message: string }[] }) => s.events.map((e) => e.message)
const deploymentNotes = (service: string) =>
  bus.filter((e) => e['detail-type'] === 'ECS Deployment State Change' && e.resources[0]!.endsWith(`/${service}`)).map((e) => e.detail as Record<string, any>)

async function register(family: string, container: object) {
  await ecs(['register-task-definition', '--family', family, '--container-definitions', JSON.stringify([{ name: 'app', memory: 64, ...container }])])
}

/** Direct calls for polling (each `aws` run costs half a second of Python start-up). */
async function api(operation: string, body: object): Promise<any> {
  const r = await fetch(k.endpoint, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': `AmazonEC2ContainerServiceV20141113.${operation}` },
    body: JSON.stringify(body),
  })
  return r.json()
}
const waitService = (name: string, ok: (s: any) => boolean, what: string) =>
  eventually(async () => {
    const s = (await api('DescribeServices', { cluster: CLUSTER, services: [name] })).services[0]
    return ok(s) ? s : undefined
  }, what, 150_000)
const completed = (s: any) => s.deployments.length === 1 && s.deployments[0].rolloutState === 'COMPLETED' && s.runningCount === s.desiredCount

/** A service on a good revision, COMPLETED; then an update to `bad` with the breaker on; the rollback COMPLETED. */
async function tripAndRollBack(service: string, good: string, bad: string) {
  await ecs(['create-service', '--cluster', CLUSTER, '--service-name', service, '--task-definition', good, '--desired-count', '1'])
  const first = await waitService(service, completed, `${service} COMPLETED`)
  const goodId = first.deployments[0].id
  await ecs(['update-service', '--cluster', CLUSTER, '--service', service, '--task-definition', bad, '--deployment-configuration', BREAKER])
  const failedNote = await eventually(() => deploymentNotes(service).find((d) => d.eventName === 'SERVICE_DEPLOYMENT_FAILED'), `${service}: SERVICE_DEPLOYMENT_FAILED`, 150_000)
  const s = await waitService(service, (x) => completed(x) && x.deployments[0].id !== goodId && x.taskDefinition === first.taskDefinition, `${service} rolled back`)
  const failedId = failedNote.deploymentId as string
  const msgs = messages(s)
  // events[] newest first: the rollback right above the failure.
  const failedAt = msgs.indexOf(`(service ${service}) (deployment ${failedId}) deployment failed: tasks failed to start.`)
  const rollingAt = msgs.indexOf(`(service ${service}) rolling back to deployment ${goodId}.`)
  expect(failedAt, msgs.join('\n')).toBeGreaterThan(0)
  expect(rollingAt).toBeGreaterThanOrEqual(0)
  expect(rollingAt).toBeLessThan(failedAt)
  // EventBridge: FAILED (ERROR) with the docs' reason, the rollback as IN_PROGRESS naming the target.
  expect(failedNote).toMatchObject({ eventType: 'ERROR', reason: 'ECS deployment circuit breaker: task failed to start.' })
  const rollback = deploymentNotes(service).find((d) => d.eventName === 'SERVICE_DEPLOYMENT_IN_PROGRESS' && String(d.reason).includes('rolling back'))
  expect(rollback).toMatchObject({ eventType: 'INFO', reason: `ECS deployment circuit breaker: rolling back to deploymentId ${goodId}.` })
  expect(s.deployments[0]).toMatchObject({ id: rollback!.deploymentId, status: 'PRIMARY', rolloutState: 'COMPLETED' })
  // The failed deployment in the service deployments API.
  const list = (await ecs(['list-service-deployments', '--cluster', CLUSTER, '--service', service])).json.serviceDeployments
  expect(list.map((d: { status: string }) => d.status)).toContain('ROLLBACK_SUCCESSFUL')
  return { s, failedId, goodId }
}

beforeAll(async () => {
  if (!hasAws) return
  cli = cliHome('kecs-e2e-breaker-', { env: (home) => ({ HOME: home }) })
  k = await startClusterInstance({ speed: 10 })
  k.instance.bus.subscribe((e) => bus.push(e))
  await ecs(['create-cluster', '--cluster-name', CLUSTER])
  const check = { command: ['CMD-SHELL', 'true'], interval: 5, retries: 2, timeout: 2 }
  await register('good', { image: 'nginx:1.27' })
  await register('nopull', { image: 'nginx:9.99', dockerLabels: { 'kecs.simulate.image-pull-error': 'true' } })
  await register('checked', { image: 'nginx:1.27', healthCheck: check })
  await register('sick', { image: 'nginx:1.28', healthCheck: check, dockerLabels: { 'kecs.simulate.unhealthy': 'true' } })
  await register('flaky', { image: 'busybox:1.36', dockerLabels: { 'kecs.simulate.exit-code': '1', 'kecs.simulate.run-seconds': '5' } })
}, TIMEOUT)

afterAll(async () => {
  await k?.stopAll()
  await cli?.cleanup()
})

describe.skipIf(!hasAws)('the deployment circuit breaker with the aws CLI', { timeout: TIMEOUT }, () => {
  it('a revision whose image cannot be pulled trips the breaker and rolls back', async () => {
    const { failedId } = await tripAndRollBack('pull', 'good', 'nopull')
    const stopped = (await api('ListTasks', { cluster: CLUSTER, serviceName: 'pull', desiredStatus: 'STOPPED' })).taskArns
    const tasks = (await api('DescribeTasks', { cluster: CLUSTER, tasks: stopped })).tasks.filter((t: any) => t.startedBy === failedId)
    expect(tasks.length).toBeGreaterThanOrEqual(3)
    expect(tasks[0]).toMatchObject({ stopCode: 'TaskFailedToStart' })
    expect(tasks[0].stoppedReason).toMatch(/^CannotPullContainerError/)
  })

  it('a revision whose container fails its health check trips the breaker and rolls back', async () => {
    const { s, failedId } = await tripAndRollBack('health', 'checked', 'sick')
    const stopped = (await api('ListTasks', { cluster: CLUSTER, serviceName: 'health', desiredStatus: 'STOPPED' })).taskArns
    const tasks = (await api('DescribeTasks', { cluster: CLUSTER, tasks: stopped })).tasks.filter((t: any) => t.startedBy === failedId)
    // A check that never passes: the liveness probe replaces the container (exit 137) before ECS's UNHEALTHY would show.
    const killed = tasks.filter((t: any) => t.stopCode === 'EssentialContainerExited')
    expect(killed.length, JSON.stringify(tasks.map((t: any) => [t.stopCode, t.stoppedReason]))).toBeGreaterThanOrEqual(3)
    expect(killed[0].containers[0].exitCode).toBe(137)
    expect(messages(s)).toContain(`(service health) (deployment ${failedId}) deployment failed: tasks failed to start.`)
    const past = (await api('DescribeServiceDeployments', {
      serviceDeploymentArns: (await api('ListServiceDeployments', { cluster: CLUSTER, service: 'health' })).serviceDeployments.map((d: any) => d.serviceDeploymentArn),
    })).serviceDeployments
    expect(past.some((d: any) => d.status === 'ROLLBACK_SUCCESSFUL')).toBe(true)
  })

  it('a deployment that reached COMPLETED stops counting failedTasks for a container that exits after RUNNING', async () => {
    await ecs(['create-service', '--cluster', CLUSTER, '--service-name', 'flaky', '--task-definition', 'flaky', '--desired-count', '1', '--deployment-configuration', BREAKER])
    const done = await waitService('flaky', (x) => x.deployments[0].rolloutState === 'COMPLETED', 'flaky COMPLETED')
    const atCompletion = done.deployments[0].failedTasks
    // Several crashes later: still COMPLETED, the count unchanged, no FAILED event.
    await eventually(async () => (await api('ListTasks', { cluster: CLUSTER, serviceName: 'flaky', desiredStatus: 'STOPPED' })).taskArns.length >= 3, 'three crashes', 150_000)
    const s = await describeService('flaky')
    expect(s.deployments).toHaveLength(1)
    expect(s.deployments[0]).toMatchObject({ rolloutState: 'COMPLETED', failedTasks: atCompletion })
    expect(deploymentNotes('flaky').some((d) => d.eventName === 'SERVICE_DEPLOYMENT_FAILED')).toBe(false)
    await ecs(['delete-service', '--cluster', CLUSTER, '--service', 'flaky', '--force'])
  })
})
