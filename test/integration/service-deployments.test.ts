import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServiceDeploymentsCommand,
  DescribeServiceRevisionsCommand,
  DescribeServicesCommand,
  ListServiceDeploymentsCommand,
  ListTasksCommand,
  DescribeTasksCommand,
  RegisterTaskDefinitionCommand,
  StopServiceDeploymentCommand,
  UpdateServiceCommand,
  type ContainerDefinition,
  type Service,
  type ServiceDeployment,
} from '@aws-sdk/client-ecs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startClusterInstance, type ClusterInstance } from '../helpers/cluster-instance.js'
import { eventually } from '../helpers/emulator.js'

/**
 * The service deployments API on the emulated cluster: ListServiceDeployments,
 * DescribeServiceDeployments and DescribeServiceRevisions for a rolling update and a circuit-breaker
 * rollback, and StopServiceDeployment rolling an in-progress deployment back.
 */

const CLUSTER = 'sd-it'
let k: ClusterInstance
const tds: string[] = []

async function register(containers: ContainerDefinition[]) {
  const r = await k.ecs.send(new RegisterTaskDefinitionCommand({ family: 'web', containerDefinitions: containers }))
  tds.push(r.taskDefinition!.taskDefinitionArn!)
}

async function describeService(): Promise<Service> {
  return (await k.ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: ['web'] }))).services![0]!
}

const stable = (s: Service) => s.deployments!.length === 1 && s.runningCount === s.desiredCount && s.deployments![0]!.rolloutState === 'COMPLETED'
const waitStable = () => eventually(async () => ((s) => (stable(s) ? s : undefined))(await describeService()), 'steady')

const list = async (more: object = {}) =>
  (await k.ecs.send(new ListServiceDeploymentsCommand({ cluster: CLUSTER, service: 'web', ...more }))).serviceDeployments!

async function describeDeployment(arn: string): Promise<ServiceDeployment> {
  const r = await k.ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] }))
  expect(r.failures).toEqual([])
  return r.serviceDeployments![0]!
}

const revisionArn = (deploymentId: string) =>
  `arn:aws:ecs:us-east-1:000000000000:service-revision/${CLUSTER}/web/${deploymentId.slice('ecs-svc/'.length)}`

beforeAll(async () => {
  k = await startClusterInstance()
  await k.ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }))
  await register([{ name: 'app', image: 'nginx:1.27', memory: 64 }])
  await register([{ name: 'app', image: 'nginx:1.28', memory: 64 }])
  await register([{ name: 'app', image: 'nginx:1.29', memory: 64, dockerLabels: { 'kecs.simulate.exit-code': '1' } }])
  await register([{ name: 'app', image: 'nginx:1.30', memory: 64, dockerLabels: { 'kecs.simulate.image-pull-error': 'true' } }])
}, 60_000)

afterAll(async () => {
  await k?.stopAll()
})

describe('service deployments', { timeout: 60_000 }, () => {
  let first = ''
  let second = ''

  it('CreateService starts a service deployment that becomes SUCCESSFUL, with its service revision', async () => {
    const created = (await k.ecs.send(new CreateServiceCommand({ cluster: CLUSTER, serviceName: 'web', taskDefinition: tds[0], desiredCount: 2 }))).service!
    first = created.deployments![0]!.id!
    const s = await waitStable()
    const [brief, ...rest] = await list()
    expect(rest).toEqual([])
    expect(brief).toMatchObject({
      serviceArn: s.serviceArn,
      clusterArn: s.clusterArn,
      targetServiceRevisionArn: revisionArn(first),
      status: 'SUCCESSFUL',
      statusReason: `ECS deployment ${first} completed.`,
    })
    expect(brief!.serviceDeploymentArn).toMatch(/^arn:aws:ecs:us-east-1:000000000000:service-deployment\/sd-it\/web\/[0-9A-Za-z]{21}$/)
    expect(brief!.startedAt).toBeInstanceOf(Date)
    expect(brief!.finishedAt!.getTime()).toBeGreaterThanOrEqual(brief!.startedAt!.getTime())

    const sd = await describeDeployment(brief!.serviceDeploymentArn!)
    expect(sd).toMatchObject({
      sourceServiceRevisions: [],
      targetServiceRevision: { arn: revisionArn(first), requestedTaskCount: 2, runningTaskCount: 2, pendingTaskCount: 0 },
      status: 'SUCCESSFUL',
      deploymentConfiguration: { maximumPercent: 200, minimumHealthyPercent: 100 },
      deploymentCircuitBreaker: { status: 'DISABLED' },
    })
    const revs = await k.ecs.send(new DescribeServiceRevisionsCommand({ serviceRevisionArns: [revisionArn(first)] }))
    expect(revs.failures).toEqual([])
    expect(revs.serviceRevisions![0]).toMatchObject({
      serviceRevisionArn: revisionArn(first),
      serviceArn: s.serviceArn,
      clusterArn: s.clusterArn,
      taskDefinition: tds[0],
      launchType: 'EC2',
      loadBalancers: [],
      serviceRegistries: [],
      containerImages: [{ containerName: 'app', image: 'nginx:1.27' }],
      guardDutyEnabled: false,
    })
  })

  it('a rolling update: a second service deployment whose source is the first revision', async () => {
    const u = await k.ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: 'web', taskDefinition: tds[1] }))
    second = u.service!.deployments![0]!.id!
    await waitStable()
    const briefs = await list()
    expect(briefs.map((b) => [b.targetServiceRevisionArn, b.status])).toEqual([
      [revisionArn(second), 'SUCCESSFUL'],
      [revisionArn(first), 'SUCCESSFUL'],
    ])
    const sd = await describeDeployment(briefs[0]!.serviceDeploymentArn!)
    expect(sd.sourceServiceRevisions).toEqual([{ arn: revisionArn(first), requestedTaskCount: 0, runningTaskCount: 0, pendingTaskCount: 0 }])
    expect(sd.targetServiceRevision).toMatchObject({ arn: revisionArn(second), runningTaskCount: 2 })
    // filters and pages
    expect(await list({ status: ['IN_PROGRESS'] })).toEqual([])
    expect((await list({ createdAt: { after: briefs[0]!.createdAt } })).map((b) => b.serviceDeploymentArn)).toEqual([briefs[0]!.serviceDeploymentArn])
    const page = await k.ecs.send(new ListServiceDeploymentsCommand({ cluster: CLUSTER, service: 'web', maxResults: 1 }))
    expect(page.serviceDeployments).toHaveLength(1)
    const next = await k.ecs.send(new ListServiceDeploymentsCommand({ cluster: CLUSTER, service: 'web', maxResults: 1, nextToken: page.nextToken }))
    expect(next.serviceDeployments![0]!.serviceDeploymentArn).toBe(briefs[1]!.serviceDeploymentArn)
    expect(next.nextToken).toBeUndefined()
  })

  it('a circuit-breaker rollback: ROLLBACK_SUCCESSFUL, back to the last good revision', async () => {
    await k.ecs.send(
      new UpdateServiceCommand({
        cluster: CLUSTER,
        service: 'web',
        taskDefinition: tds[2],
        deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true } },
      }),
    )
    const brief = await eventually(async () => (await list())[0]!.status === 'ROLLBACK_SUCCESSFUL' && (await list())[0], 'ROLLBACK_SUCCESSFUL')
    const s = await waitStable()
    expect(s.taskDefinition).toBe(tds[1])
    const sd = await describeDeployment(brief.serviceDeploymentArn!)
    expect(sd).toMatchObject({
      status: 'ROLLBACK_SUCCESSFUL',
      sourceServiceRevisions: [{ arn: revisionArn(second) }],
      rollback: { reason: 'ECS deployment circuit breaker: tasks failed to start.', serviceRevisionArn: revisionArn(second) },
      deploymentCircuitBreaker: { status: 'TRIGGERED', threshold: 3 },
      deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true } },
    })
    expect(sd.deploymentCircuitBreaker!.failureCount).toBeGreaterThanOrEqual(3)
    expect(sd.finishedAt).toBeInstanceOf(Date)
    const revs = await k.ecs.send(new DescribeServiceRevisionsCommand({ serviceRevisionArns: [sd.targetServiceRevision!.arn!] }))
    expect(revs.serviceRevisions![0]!.taskDefinition).toBe(tds[2])
    // the rollback deployment has no revision of its own
    const rollbackId = s.deployments![0]!.id!
    const missing = await k.ecs.send(new DescribeServiceRevisionsCommand({ serviceRevisionArns: [revisionArn(rollbackId)] }))
    expect(missing.failures).toEqual([{ arn: revisionArn(rollbackId), reason: 'MISSING' }])
    expect((await list()).map((b) => b.status)).toEqual(['ROLLBACK_SUCCESSFUL', 'SUCCESSFUL', 'SUCCESSFUL'])
  })

  it('StopServiceDeployment rolls an in-progress deployment back to the last completed revision', async () => {
    const lastGood = (await describeService()).deployments![0]!.id!
    const u = await k.ecs.send(
      new UpdateServiceCommand({
        cluster: CLUSTER,
        service: 'web',
        taskDefinition: tds[3],
        deploymentConfiguration: { deploymentCircuitBreaker: { enable: false, rollback: false } },
      }),
    )
    const stoppedId = u.service!.deployments![0]!.id!
    const inProgress = (await list())[0]!
    expect(inProgress.targetServiceRevisionArn).toBe(revisionArn(stoppedId))
    expect(inProgress.status).toBe('IN_PROGRESS')
    // tasks of the new revision cannot start (their image is not found): it stays in progress
    await eventually(async () => {
      const l = await k.ecs.send(new ListTasksCommand({ cluster: CLUSTER, serviceName: 'web', desiredStatus: 'STOPPED' }))
      if (!l.taskArns!.length) return false
      const d = await k.ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: l.taskArns! }))
      return d.tasks!.some((t) => t.taskDefinitionArn === tds[3] && t.stopCode === 'TaskFailedToStart')
    }, 'a task of the new revision failed to start')
    expect((await list())[0]!.status).toBe('IN_PROGRESS')

    const stopped = await k.ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: inProgress.serviceDeploymentArn }))
    expect(stopped.serviceDeploymentArn).toBe(inProgress.serviceDeploymentArn)
    const during = await describeDeployment(inProgress.serviceDeploymentArn!)
    expect(['ROLLBACK_IN_PROGRESS', 'ROLLBACK_SUCCESSFUL']).toContain(during.status)
    expect(during.rollback).toMatchObject({ serviceRevisionArn: revisionArn(second) })
    expect(during.stoppedAt).toBeInstanceOf(Date)

    const s = await waitStable()
    expect(s.taskDefinition).toBe(tds[1])
    expect(s.events!.map((e) => e.message)).toContain(`(service web) rolling back to deployment ${lastGood}.`)
    const after = await describeDeployment(inProgress.serviceDeploymentArn!)
    expect(after).toMatchObject({
      status: 'ROLLBACK_SUCCESSFUL',
      statusReason: `ECS deployment rolled back to deploymentId ${lastGood}.`,
      targetServiceRevision: { arn: revisionArn(stoppedId) },
      rollback: { reason: 'Service deployment stopped by user request (StopServiceDeployment ROLLBACK).', serviceRevisionArn: revisionArn(second) },
      deploymentCircuitBreaker: { status: 'DISABLED' },
    })
    expect(after.finishedAt).toBeInstanceOf(Date)
    const running = await k.ecs.send(new ListTasksCommand({ cluster: CLUSTER, serviceName: 'web' }))
    const tasks = (await k.ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: running.taskArns! }))).tasks!
    expect(tasks.map((t) => t.taskDefinitionArn)).toEqual([tds[1], tds[1]])

    // a finished deployment cannot be stopped
    await expect(k.ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: inProgress.serviceDeploymentArn }))).rejects.toMatchObject({
      name: 'ConflictException',
    })
  })

  it("ECS's answers for unknown ARNs and bad requests", async () => {
    const unknown = 'arn:aws:ecs:us-east-1:000000000000:service-deployment/sd-it/web/AAAAAAAAAAAAAAAAAAAAA'
    const d = await k.ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [unknown] }))
    expect(d).toMatchObject({ serviceDeployments: [], failures: [{ arn: unknown, reason: 'MISSING' }] })
    await expect(k.ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: unknown }))).rejects.toMatchObject({
      name: 'ServiceDeploymentNotFoundException',
    })
    await expect(
      k.ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: Array.from({ length: 21 }, () => unknown) })),
    ).rejects.toMatchObject({ name: 'InvalidParameterException' })
    await expect(k.ecs.send(new ListServiceDeploymentsCommand({ cluster: CLUSTER, service: 'nope' }))).rejects.toMatchObject({
      name: 'ServiceNotFoundException',
    })
    await expect(k.ecs.send(new ListServiceDeploymentsCommand({ cluster: 'nope', service: 'web' }))).rejects.toMatchObject({
      name: 'ClusterNotFoundException',
    })
  })
})
