import {
  CreateClusterCommand,
  CreateServiceCommand,
  DeleteClusterCommand,
  DeleteServiceCommand,
  DescribeClustersCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListServicesCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
  type ContainerDefinition,
  type CreateServiceCommandInput,
  type Service,
  type Task,
} from '@aws-sdk/client-ecs'
import { AppsV1Api } from '@kubernetes/client-node'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EcsEvent } from '../../src/events/bus.js'
import { startClusterInstance, type ClusterInstance } from '../helpers/cluster-instance.js'
import { eventually } from '../helpers/emulator.js'

/**
 * Services on the emulated cluster: CreateService → Deployment → pods → adopted tasks → the service
 * scheduler's deployments[], events[] and bus events; rollouts, the circuit breaker, replacement of
 * crashed tasks, deletion, DAEMON, restart.
 */

const CLUSTER = 'services-it'
const dirs = { instance: '', emulator: '' }
let k: ClusterInstance
let apps: AppsV1Api
let bus: EcsEvent[] = []

async function start() {
  k = await startClusterInstance({ dir: dirs.instance })
  apps = k.emu.kc.makeApiClient(AppsV1Api)
  k.instance.bus.subscribe((e) => bus.push(e))
}

async function register(family: string, containers: ContainerDefinition[]) {
  const r = await k.ecs.send(new RegisterTaskDefinitionCommand({ family, containerDefinitions: containers }))
  return r.taskDefinition!.taskDefinitionArn!
}

async function describeService(name: string): Promise<Service> {
  const r = await k.ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [name] }))
  expect(r.failures).toEqual([])
  return r.services![0]!
}

/** What `aws ecs wait services-stable` checks: one deployment and runningCount = desiredCount. */
const stable = (s: Service) => s.status === 'ACTIVE' && s.deployments!.length === 1 && s.runningCount === s.desiredCount

const waitService = (name: string, what: (s: Service) => boolean, label: string) =>
  eventually(async () => {
    const s = await describeService(name)
    return what(s) ? s : undefined
  }, `${name}: ${label}`)

async function tasksOf(name: string, desiredStatus: 'RUNNING' | 'STOPPED' = 'RUNNING'): Promise<Task[]> {
  const l = await k.ecs.send(new ListTasksCommand({ cluster: CLUSTER, serviceName: name, desiredStatus }))
  if (!l.taskArns!.length) return []
  const d = await k.ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: l.taskArns! }))
  return d.tasks!
}

const taskId = (arn: string) => arn.slice(arn.lastIndexOf('/') + 1)
const messages = (s: Service) => s.events!.map((e) => e.message!)
const busOf = (name: string, type: string) =>
  bus.filter((e) => e['detail-type'] === type && e.resources[0]!.endsWith(`:service/${CLUSTER}/${name}`)).map((e) => e.detail)

async function createService(input: Omit<CreateServiceCommandInput, 'cluster'>) {
  return (await k.ecs.send(new CreateServiceCommand({ cluster: CLUSTER, ...input }))).service!
}

beforeAll(async () => {
  dirs.instance = mkdtempSync(join(tmpdir(), 'kecs-services-it-'))
  dirs.emulator = mkdtempSync(join(tmpdir(), 'kecs-services-it-emu-'))
  await start()
  await k.ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }))
  await register('web', [{ name: 'app', image: 'nginx:1.27', memory: 64, portMappings: [{ containerPort: 80, name: 'http' }] }])
  await register('web', [{ name: 'app', image: 'nginx:1.28', memory: 64, portMappings: [{ containerPort: 80, name: 'http' }] }])
  await register('web', [{ name: 'app', image: 'nginx:1.29', memory: 64, dockerLabels: { 'kecs.simulate.exit-code': '1' } }])
}, 60_000)

afterAll(async () => {
  await k?.stopAll()
  for (const d of Object.values(dirs)) if (d) rmSync(d, { recursive: true, force: true })
})

describe('services on the emulated cluster', { timeout: 60_000 }, () => {
  let firstDeployment = ''

  it('create-service with desiredCount 3 reaches a steady state, worded as ECS does', async () => {
    const created = await createService({ serviceName: 'web', taskDefinition: 'web:1', desiredCount: 3 })
    expect(created).toMatchObject({
      status: 'ACTIVE',
      desiredCount: 3,
      runningCount: 0,
      pendingCount: 0,
      launchType: 'EC2',
      events: [],
      schedulingStrategy: 'REPLICA',
      deploymentController: { type: 'ECS' },
      deploymentConfiguration: { maximumPercent: 200, minimumHealthyPercent: 100, deploymentCircuitBreaker: { enable: false, rollback: false } },
    })
    const d0 = created.deployments![0]!
    firstDeployment = d0.id!
    expect(d0.id).toMatch(/^ecs-svc\/\d{19}$/)
    expect(d0).toMatchObject({ status: 'PRIMARY', rolloutState: 'IN_PROGRESS', rolloutStateReason: `ECS deployment ${d0.id} in progress.`, desiredCount: 3 })

    const s = await waitService('web', (x) => stable(x) && x.deployments![0]!.rolloutState === 'COMPLETED', 'steady')
    expect(s.runningCount).toBe(3)
    expect(s.deployments![0]).toMatchObject({
      id: d0.id,
      status: 'PRIMARY',
      runningCount: 3,
      pendingCount: 0,
      failedTasks: 0,
      rolloutState: 'COMPLETED',
      rolloutStateReason: `ECS deployment ${d0.id} completed.`,
    })

    const tasks = await tasksOf('web')
    expect(tasks).toHaveLength(3)
    for (const t of tasks) expect(t).toMatchObject({ group: 'service:web', startedBy: d0.id, lastStatus: 'RUNNING', taskDefinitionArn: s.taskDefinition })
    const ids = tasks.map((t) => taskId(t.taskArn!))
    // Newest first: started, completed, steady.
    const msgs = messages(s)
    expect(msgs.slice(0, 2)).toEqual(['(service web) has reached a steady state.', `(service web) (deployment ${d0.id}) deployment completed.`])
    expect(msgs[2]).toMatch(/^\(service web\) has started 3 tasks: \(task [^)]+\) \(task [^)]+\) \(task [^)]+\)\.$/)
    expect(msgs[2]!.match(/\(task ([^)]+)\)/g)!.map((m) => m.slice(6, -1)).sort()).toEqual([...ids].sort())
    for (const e of s.events!) {
      expect(e.id).toMatch(/^[0-9a-f-]{36}$/)
      expect(e.createdAt).toBeInstanceOf(Date)
    }

    const deployments = busOf('web', 'ECS Deployment State Change')
    expect(deployments.map((d) => [d.eventName, d.deploymentId, d.reason])).toEqual([
      ['SERVICE_DEPLOYMENT_IN_PROGRESS', d0.id, `ECS deployment ${d0.id} in progress.`],
      ['SERVICE_DEPLOYMENT_COMPLETED', d0.id, `ECS deployment ${d0.id} completed.`],
    ])
    expect(busOf('web', 'ECS Service Action').map((d) => [d.eventType, d.eventName])).toEqual([['INFO', 'SERVICE_STEADY_STATE']])

    // The Kubernetes side: a Deployment with 3 replicas and the deployment id in its template, a Service for port 80.
    const dep = await apps.readNamespacedDeployment({ namespace: `kecs-${CLUSTER}`, name: 'web' })
    expect(dep.spec!.replicas).toBe(3)
    expect(dep.spec!.template.metadata!.annotations!['kecs.dev/deployment-id']).toBe(d0.id)
    const svc = await k.core.readNamespacedService({ namespace: `kecs-${CLUSTER}`, name: 'web' })
    expect(svc.spec!.ports!.map((p) => p.port)).toEqual([80])

    const c = (await k.ecs.send(new DescribeClustersCommand({ clusters: [CLUSTER] }))).clusters![0]!
    expect(c).toMatchObject({ activeServicesCount: 1, runningTasksCount: 3 })
  })

  it('DeleteCluster is refused while the service is ACTIVE', async () => {
    await expect(k.ecs.send(new DeleteClusterCommand({ cluster: CLUSTER }))).rejects.toMatchObject({
      name: 'ClusterContainsServicesException',
      message: 'The Cluster cannot be deleted while Services are active.',
    })
  })

  it('a desiredCount change keeps the deployment; tasks scaled in stop ServiceSchedulerInitiated', async () => {
    const u = await k.ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: 'web', desiredCount: 2 }))
    expect(u.service!.deployments!.map((d) => d.id)).toEqual([firstDeployment])
    expect(u.service!.desiredCount).toBe(2)
    const s = await waitService('web', (x) => stable(x) && x.runningCount === 2, 'scaled to 2')
    expect(s.deployments![0]!.id).toBe(firstDeployment)
    const stopped = await eventually(async () => {
      const t = await tasksOf('web', 'STOPPED')
      return t.length === 1 && t[0]!.lastStatus === 'STOPPED' ? t[0] : undefined
    }, 'a stopped task')
    expect(stopped).toMatchObject({ stopCode: 'ServiceSchedulerInitiated', stoppedReason: `Scaling activity initiated by (deployment ${firstDeployment})` })
    await waitService('web', (x) => messages(x).includes(`(service web) has stopped 1 running tasks: (task ${taskId(stopped.taskArn!)}).`), 'stop reported')
    await k.ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: 'web', desiredCount: 3 }))
    await waitService('web', (x) => stable(x) && x.runningCount === 3, 'scaled to 3')
  })

  it('a new revision rolls out: PRIMARY and ACTIVE, then one COMPLETED deployment; old tasks stop', async () => {
    const before = (await tasksOf('web')).map((t) => t.taskArn!)
    const u = await k.ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: 'web', taskDefinition: 'web:2' }))
    const [primary, old] = u.service!.deployments!
    expect(u.service!.taskDefinition).toMatch(/:task-definition\/web:2$/)
    expect(primary).toMatchObject({ status: 'PRIMARY', rolloutState: 'IN_PROGRESS', taskDefinition: u.service!.taskDefinition })
    expect(old).toMatchObject({ id: firstDeployment, status: 'ACTIVE', rolloutState: 'COMPLETED' })

    const s = await waitService('web', (x) => stable(x) && x.deployments![0]!.rolloutState === 'COMPLETED', 'rolled out')
    expect(s.deployments![0]!.id).toBe(primary!.id)
    const now = await tasksOf('web')
    expect(now.map((t) => t.startedBy)).toEqual([primary!.id, primary!.id, primary!.id])
    const gone = await eventually(async () => {
      const d = await k.ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: before }))
      return d.tasks!.every((t) => t.lastStatus === 'STOPPED') ? d.tasks! : undefined
    }, 'old tasks STOPPED')
    for (const t of gone) {
      expect(t).toMatchObject({ stopCode: 'ServiceSchedulerInitiated', stoppedReason: `Scaling activity initiated by (deployment ${firstDeployment})` })
    }
    const stoppedIds = messages(s)
      .filter((m) => m.includes('has stopped'))
      .flatMap((m) => m.match(/\(task ([^)]+)\)/g)!.map((x) => x.slice(6, -1)))
    expect(stoppedIds).toEqual(expect.arrayContaining(before.map(taskId)))
    expect(messages(s)[1]).toBe(`(service web) (deployment ${primary!.id}) deployment completed.`)
    const dep = await apps.readNamespacedDeployment({ namespace: `kecs-${CLUSTER}`, name: 'web' })
    expect(dep.spec!.template.metadata!.annotations!['kecs.dev/deployment-id']).toBe(primary!.id)
  })

  it('a revision whose essential container exits trips the circuit breaker and rolls back to the last COMPLETED one', async () => {
    const good = await describeService('web')
    const goodDeployment = good.deployments![0]!
    await k.ecs.send(
      new UpdateServiceCommand({
        cluster: CLUSTER,
        service: 'web',
        taskDefinition: 'web:3',
        deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true } },
      }),
    )
    const failedNote = await eventually(
      () => busOf('web', 'ECS Deployment State Change').find((d) => d.eventName === 'SERVICE_DEPLOYMENT_FAILED'),
      'SERVICE_DEPLOYMENT_FAILED',
    )
    const failedId = failedNote.deploymentId as string
    expect(failedNote).toMatchObject({ eventType: 'ERROR', reason: 'ECS deployment circuit breaker: task failed to start.' })
    const rollback = busOf('web', 'ECS Deployment State Change').find((d) => d.eventName === 'SERVICE_DEPLOYMENT_IN_PROGRESS' && d.deploymentId !== failedId && String(d.reason).includes('rolling back'))!
    expect(rollback.reason).toBe(`ECS deployment circuit breaker: rolling back to deploymentId ${goodDeployment.id}.`)

    const s = await waitService('web', (x) => stable(x) && x.deployments![0]!.rolloutState === 'COMPLETED', 'rolled back')
    expect(s.taskDefinition).toBe(goodDeployment.taskDefinition)
    expect(s.deployments![0]).toMatchObject({ id: rollback.deploymentId, taskDefinition: goodDeployment.taskDefinition })
    const msgs = messages(s)
    const failedAt = msgs.indexOf(`(service web) (deployment ${failedId}) deployment failed: tasks failed to start.`)
    const rollingAt = msgs.indexOf(`(service web) rolling back to deployment ${goodDeployment.id}.`)
    expect(failedAt).toBeGreaterThan(0)
    expect(rollingAt).toBeGreaterThanOrEqual(0)
    expect(rollingAt).toBeLessThan(failedAt) // newest first
    const stopped = await tasksOf('web', 'STOPPED')
    const crashed = stopped.filter((t) => t.startedBy === failedId && t.stopCode === 'EssentialContainerExited')
    expect(crashed.length).toBeGreaterThanOrEqual(3)
    expect(crashed[0]!.containers![0]!.exitCode).toBe(1)
  })

  it('a crashed task is replaced by a new one and reported; repeated crashes say so', async () => {
    await register('crash', [
      { name: 'app', image: 'busybox', memory: 64, dockerLabels: { 'kecs.simulate.exit-code': '2', 'kecs.simulate.run-seconds': '3' } },
    ])
    await createService({ serviceName: 'crashy', taskDefinition: 'crash', desiredCount: 1 })
    const first = await eventually(async () => (await tasksOf('crashy'))[0], 'a task')
    const stopped = await eventually(async () => {
      const d = await k.ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [first.taskArn!] }))
      return d.tasks![0]!.lastStatus === 'STOPPED' ? d.tasks![0] : undefined
    }, 'the first task STOPPED')
    expect(stopped).toMatchObject({ stopCode: 'EssentialContainerExited', stoppedReason: 'Essential container in task exited' })
    expect(stopped.containers![0]!.exitCode).toBe(2)
    const replacement = await eventually(async () => (await tasksOf('crashy')).find((t) => t.taskArn !== first.taskArn), 'a replacement')
    const s = await waitService('crashy', (x) => messages(x).includes(`(service crashy) has started 1 tasks: (task ${taskId(replacement.taskArn!)}).`), 'replacement reported')
    // The deployment COMPLETED before the crash: the breaker no longer evaluates it (ECS does not count a task
    // that stops after RUNNING without a failed health check), while the crash still counts as start trouble.
    expect(s.deployments![0]).toMatchObject({ rolloutState: 'COMPLETED', failedTasks: 0 })
    await waitService(
      'crashy',
      (x) => messages(x).includes('(service crashy) is unable to consistently start tasks successfully. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.'),
      'impaired',
    )
    expect(busOf('crashy', 'ECS Service Action').map((d) => [d.eventType, d.eventName])).toContainEqual(['WARN', 'SERVICE_TASK_START_IMPAIRED'])
    await k.ecs.send(new DeleteServiceCommand({ cluster: CLUSTER, service: 'crashy', force: true }))
  })

  it('DAEMON: one task per node, with DAEMON deployment defaults', async () => {
    const created = await createService({ serviceName: 'agent', taskDefinition: 'web:2', schedulingStrategy: 'DAEMON' })
    expect(created).toMatchObject({
      schedulingStrategy: 'DAEMON',
      desiredCount: 1,
      deploymentConfiguration: { maximumPercent: 100, minimumHealthyPercent: 0 },
    })
    await waitService('agent', (x) => stable(x) && x.runningCount === 1 && x.deployments![0]!.rolloutState === 'COMPLETED', 'steady')
    const ds = await apps.readNamespacedDaemonSet({ namespace: `kecs-${CLUSTER}`, name: 'agent' })
    expect(ds.spec!.template.metadata!.annotations!['kecs.dev/deployment-id']).toBe(created.deployments![0]!.id)
    await k.ecs.send(new DeleteServiceCommand({ cluster: CLUSTER, service: 'agent' }))
    await waitService('agent', (x) => x.status === 'INACTIVE', 'INACTIVE')
  })

  it('a Deployment deleted or scaled behind KECS’s back is put back', async () => {
    const ns = `kecs-${CLUSTER}`
    const before = (await tasksOf('web')).map((t) => t.taskArn)
    await apps.deleteNamespacedDeployment({ namespace: ns, name: 'web' })
    await eventually(async () => {
      const d = await apps.readNamespacedDeployment({ namespace: ns, name: 'web' }).catch(() => undefined)
      return d && !d.metadata!.deletionTimestamp && d.metadata!.uid
    }, 'Deployment back')
    await waitService('web', (x) => stable(x) && x.runningCount === 3, 'steady again')
    await eventually(async () => (await tasksOf('web')).every((t) => !before.includes(t.taskArn)), 'tasks replaced')
    // kubectl scale --replicas 1 (a read and a replace, retried when the object moved on meanwhile)
    await eventually(async () => {
      const d = await apps.readNamespacedDeployment({ namespace: ns, name: 'web' })
      d.spec!.replicas = 1
      return apps.replaceNamespacedDeployment({ namespace: ns, name: 'web', body: d }).then(() => true, () => false)
    }, 'scaled to 1 behind KECS')
    await eventually(async () => (await apps.readNamespacedDeployment({ namespace: ns, name: 'web' })).spec!.replicas === 3, 'replicas back to 3')
    await waitService('web', (x) => stable(x) && x.runningCount === 3, 'steady again')
  })

  it('after a restart the service and its deployment carry on', async () => {
    const before = await describeService('web')
    await k.stopAll({ keepDirs: true })
    const restartedAt = new Date()
    bus = []
    await start()
    // The counts are re-read from the cluster after the restart: wait for that, then compare.
    const after = await waitService('web', stable, 'steady after the restart')
    expect(after.deployments!.map((d) => [d.id, d.rolloutState])).toEqual(before.deployments!.map((d) => [d.id, d.rolloutState]))
    // Nothing is lost, and the restart itself starts or stops no task. (The scheduler may still have been
    // writing events between the read above and the stop, so the counts themselves are not compared.)
    expect(after.events!.map((e) => e.id)).toEqual(expect.arrayContaining(before.events!.map((e) => e.id)))
    const sinceRestart = after.events!.filter((e) => e.createdAt! >= restartedAt).map((e) => e.message!)
    expect(sinceRestart.filter((m) => /has (started|stopped) \d+/.test(m))).toEqual([])
    await k.ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: 'web', desiredCount: 4 }))
    await waitService('web', (x) => stable(x) && x.runningCount === 4, 'scaled to 4 after the restart')
  })

  it('scale to 0 and delete: DRAINING, then INACTIVE; still describable, no longer listed', async () => {
    await expect(k.ecs.send(new DeleteServiceCommand({ cluster: CLUSTER, service: 'web' }))).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: 'The service cannot be stopped while it is scaled above 0.',
    })
    await k.ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: 'web', desiredCount: 0 }))
    await waitService('web', (x) => stable(x) && x.runningCount === 0, 'scaled to 0')
    const del = await k.ecs.send(new DeleteServiceCommand({ cluster: CLUSTER, service: 'web' }))
    expect(del.service).toMatchObject({ status: 'DRAINING', desiredCount: 0 })
    const s = await waitService('web', (x) => x.status === 'INACTIVE', 'INACTIVE')
    expect(s.serviceArn).toBe(del.service!.serviceArn)
    const listed = await k.ecs.send(new ListServicesCommand({ cluster: CLUSTER }))
    expect(listed.serviceArns).not.toContain(s.serviceArn)
    await eventually(async () => !(await apps.readNamespacedDeployment({ namespace: `kecs-${CLUSTER}`, name: 'web' }).catch(() => undefined)), 'Deployment deleted')
    const c = (await k.ecs.send(new DescribeClustersCommand({ clusters: [CLUSTER] }))).clusters![0]!
    expect(c.activeServicesCount).toBe(0)
  })
})
