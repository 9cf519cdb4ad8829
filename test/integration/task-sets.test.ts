import {
  CreateClusterCommand,
  CreateServiceCommand,
  CreateTaskSetCommand,
  DeleteServiceCommand,
  DeleteTaskSetCommand,
  DescribeServicesCommand,
  DescribeTaskSetsCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
  UpdateServicePrimaryTaskSetCommand,
  UpdateTaskSetCommand,
  type Service,
  type Task,
  type TaskSet,
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
 * Task sets of a service with the EXTERNAL deployment controller on the emulated cluster: each task
 * set runs as its own Deployment, its pods are the service's tasks (startedBy = the task set id), the
 * service's counts sum its task sets; scale, the primary task set, deletion.
 */

const CLUSTER = 'ts-it'
const NS = `kecs-${CLUSTER}`
let k: ClusterInstance
let apps: AppsV1Api
const bus: EcsEvent[] = []
const tds: string[] = []
const dirs = { instance: '', emulator: '' }

async function start() {
  k = await startClusterInstance({ dir: dirs.instance })
  apps = k.emu.kc.makeApiClient(AppsV1Api)
  k.instance.bus.subscribe((e) => bus.push(e))
}

const describeService = async (): Promise<Service> =>
  (await k.ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: ['ext'] }))).services![0]!

async function taskSet(id: string): Promise<TaskSet | undefined> {
  const r = await k.ecs.send(new DescribeTaskSetsCommand({ cluster: CLUSTER, service: 'ext', taskSets: [id] }))
  return r.taskSets![0]
}

const steadyWith = (id: string, running: number) =>
  eventually(async () => {
    const ts = await taskSet(id)
    return ts?.stabilityStatus === 'STEADY_STATE' && ts.runningCount === running && ts.computedDesiredCount === running ? ts : undefined
  }, `task set ${id} steady with ${running} tasks`)

async function tasksOf(startedBy?: string): Promise<Task[]> {
  const l = await k.ecs.send(new ListTasksCommand({ cluster: CLUSTER, serviceName: 'ext' }))
  if (!l.taskArns!.length) return []
  const d = await k.ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: l.taskArns! }))
  return d.tasks!.filter((t) => startedBy === undefined || t.startedBy === startedBy)
}

const digits = (id: string) => id.slice(id.indexOf('/') + 1)
const deploymentOf = (id: string) => apps.readNamespacedDeployment({ namespace: NS, name: `ext-${digits(id)}` }).catch(() => undefined)

beforeAll(async () => {
  dirs.instance = mkdtempSync(join(tmpdir(), 'kecs-task-sets-it-'))
  dirs.emulator = mkdtempSync(join(tmpdir(), 'kecs-task-sets-it-emu-'))
  await start()
  await k.ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }))
  for (const image of ['nginx:1.27', 'nginx:1.28']) {
    const r = await k.ecs.send(
      new RegisterTaskDefinitionCommand({ family: 'web', containerDefinitions: [{ name: 'app', image, memory: 64, portMappings: [{ containerPort: 80 }] }] }),
    )
    tds.push(r.taskDefinition!.taskDefinitionArn!)
  }
}, 60_000)

afterAll(async () => {
  await k?.stopAll()
  for (const d of Object.values(dirs)) if (d) rmSync(d, { recursive: true, force: true })
})

describe('task sets (EXTERNAL deployment controller)', { timeout: 60_000 }, () => {
  let a: TaskSet
  let b: TaskSet

  it('an EXTERNAL service has no deployments and no task sets at first; task sets need EXTERNAL', async () => {
    const s = (
      await k.ecs.send(
        new CreateServiceCommand({ cluster: CLUSTER, serviceName: 'ext', desiredCount: 4, deploymentController: { type: 'EXTERNAL' }, tags: [{ key: 'team', value: 'a' }] }),
      )
    ).service!
    expect(s).toMatchObject({ deploymentController: { type: 'EXTERNAL' }, deployments: [], taskSets: [], desiredCount: 4 })
    await k.ecs.send(new CreateServiceCommand({ cluster: CLUSTER, serviceName: 'rolling', taskDefinition: tds[0], desiredCount: 0 }))
    await expect(k.ecs.send(new CreateTaskSetCommand({ cluster: CLUSTER, service: 'rolling', taskDefinition: tds[0] }))).rejects.toMatchObject({
      name: 'InvalidParameterException',
    })
    await expect(k.ecs.send(new CreateTaskSetCommand({ cluster: CLUSTER, service: 'nope', taskDefinition: tds[0] }))).rejects.toMatchObject({
      name: 'ServiceNotFoundException',
    })
  })

  it('CreateTaskSet: ACTIVE, computedDesiredCount = ceil(desiredCount × scale), run as a Deployment of its own', async () => {
    a = (
      await k.ecs.send(
        new CreateTaskSetCommand({
          cluster: CLUSTER,
          service: 'ext',
          taskDefinition: 'web:1',
          externalId: 'blue',
          scale: { value: 50, unit: 'PERCENT' },
          tags: [{ key: 'color', value: 'blue' }],
          clientToken: 'tok-a',
        }),
      )
    ).taskSet!
    expect(a.id).toMatch(/^ecs-svc\/\d{19}$/)
    expect(a).toMatchObject({
      taskSetArn: `arn:aws:ecs:us-east-1:000000000000:task-set/${CLUSTER}/ext/${a.id}`,
      serviceArn: `arn:aws:ecs:us-east-1:000000000000:service/${CLUSTER}/ext`,
      clusterArn: `arn:aws:ecs:us-east-1:000000000000:cluster/${CLUSTER}`,
      externalId: 'blue',
      status: 'ACTIVE',
      taskDefinition: tds[0],
      computedDesiredCount: 2,
      runningCount: 0,
      pendingCount: 0,
      launchType: 'EC2',
      loadBalancers: [],
      serviceRegistries: [],
      scale: { value: 50, unit: 'PERCENT' },
      stabilityStatus: 'STABILIZING',
      tags: [{ key: 'color', value: 'blue' }],
    })
    // the same clientToken answers the same task set
    const again = await k.ecs.send(
      new CreateTaskSetCommand({
        cluster: CLUSTER,
        service: 'ext',
        taskDefinition: 'web:1',
        externalId: 'blue',
        scale: { value: 50, unit: 'PERCENT' },
        tags: [{ key: 'color', value: 'blue' }],
        clientToken: 'tok-a',
      }),
    )
    expect(again.taskSet!.id).toBe(a.id)

    await steadyWith(a.id!, 2)
    const tasks = await tasksOf(a.id)
    expect(tasks).toHaveLength(2)
    for (const t of tasks) expect(t).toMatchObject({ group: 'service:ext', startedBy: a.id, taskDefinitionArn: tds[0], lastStatus: 'RUNNING' })
    const dep = await deploymentOf(a.id!)
    expect(dep!.spec!.replicas).toBe(2)
    expect(dep!.spec!.selector.matchLabels!['kecs.dev/deployment']).toBe(a.id!.replace('/', '.'))
    const s = await eventually(async () => ((x) => (x.runningCount === 2 ? x : undefined))(await describeService()), 'service runningCount 2')
    expect(s.taskSets!.map((x) => [x.id, x.status, x.runningCount])).toEqual([[a.id, 'ACTIVE', 2]])
    expect(s.events!.map((e) => e.message)).toContainEqual(expect.stringMatching(new RegExp(`^\\(service ext, taskSet ${a.id}\\) has started 2 tasks: `)))
  })

  it('a second task set; the service counts both; the Service object selects both', async () => {
    b = (await k.ecs.send(new CreateTaskSetCommand({ cluster: CLUSTER, service: 'ext', taskDefinition: tds[1], scale: { value: 25, unit: 'PERCENT' } })))
      .taskSet!
    expect(b.computedDesiredCount).toBe(1)
    await steadyWith(b.id!, 1)
    await eventually(async () => (await describeService()).runningCount === 3, 'service runningCount 3')
    const svc = await k.core.readNamespacedService({ namespace: NS, name: 'ext' })
    expect(svc.spec!.selector).toEqual({ 'kecs.dev/managed-by': 'kecs', 'kecs.dev/cluster': CLUSTER, 'kecs.dev/service': 'ext' })
    expect(await eventually(() => busOf('TASKSET_STEADY_STATE').length >= 2 && busOf('TASKSET_STEADY_STATE'), 'TASKSET_STEADY_STATE')).toBeTruthy()
  })

  it('UpdateServicePrimaryTaskSet: PRIMARY, the previous one ACTIVE; the service takes its task definition', async () => {
    const p = await k.ecs.send(new UpdateServicePrimaryTaskSetCommand({ cluster: CLUSTER, service: 'ext', primaryTaskSet: b.taskSetArn }))
    expect(p.taskSet).toMatchObject({ id: b.id, status: 'PRIMARY' })
    let s = await describeService()
    expect(s.taskDefinition).toBe(tds[1])
    expect(s.taskSets!.map((x) => [x.id, x.status])).toEqual([
      [a.id, 'ACTIVE'],
      [b.id, 'PRIMARY'],
    ])
    await k.ecs.send(new UpdateServicePrimaryTaskSetCommand({ cluster: CLUSTER, service: 'ext', primaryTaskSet: a.id }))
    s = await describeService()
    expect(s.taskDefinition).toBe(tds[0])
    expect(s.taskSets!.map((x) => [x.id, x.status])).toEqual([
      [a.id, 'PRIMARY'],
      [b.id, 'ACTIVE'],
    ])
  })

  it('UpdateTaskSet scales a task set; UpdateService desiredCount rescales them all', async () => {
    const u = await k.ecs.send(new UpdateTaskSetCommand({ cluster: CLUSTER, service: 'ext', taskSet: a.id, scale: { value: 100, unit: 'PERCENT' } }))
    expect(u.taskSet).toMatchObject({ computedDesiredCount: 4, scale: { value: 100, unit: 'PERCENT' }, stabilityStatus: 'STABILIZING' })
    await steadyWith(a.id!, 4)
    await eventually(async () => (await describeService()).runningCount === 5, 'service runningCount 5')

    const s = (await k.ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: 'ext', desiredCount: 2 }))).service!
    expect(s.taskSets!.map((x) => [x.id, x.computedDesiredCount])).toEqual([
      [a.id, 2],
      [b.id, 1],
    ])
    await steadyWith(a.id!, 2)
    await steadyWith(b.id!, 1)
    expect((await deploymentOf(a.id!))!.spec!.replicas).toBe(2)
    await expect(k.ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: 'ext', taskDefinition: tds[1] }))).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: 'Unable to update task definition on services with a EXTERNAL deployment controller. Create a new task set (CreateTaskSet) instead.',
    })
    await expect(k.ecs.send(new UpdateTaskSetCommand({ cluster: CLUSTER, service: 'ext', taskSet: 'ecs-svc/1', scale: { value: 1 } }))).rejects.toMatchObject({
      name: 'TaskSetNotFoundException',
    })
  })

  it('DescribeTaskSets: tags when asked, unknown ones MISSING', async () => {
    const r = await k.ecs.send(new DescribeTaskSetsCommand({ cluster: CLUSTER, service: 'ext', taskSets: [a.taskSetArn!, 'ecs-svc/1'], include: ['TAGS'] }))
    expect(r.taskSets!.map((x) => [x.id, x.tags])).toEqual([[a.id, [{ key: 'color', value: 'blue' }]]])
    expect(r.failures).toEqual([{ arn: `arn:aws:ecs:us-east-1:000000000000:task-set/${CLUSTER}/ext/ecs-svc/1`, reason: 'MISSING' }])
    const all = await k.ecs.send(new DescribeTaskSetsCommand({ cluster: CLUSTER, service: 'ext' }))
    expect(all.taskSets!.map((x) => x.id)).toEqual([a.id, b.id])
    expect(all.taskSets![0]!.tags).toBeUndefined()
  })

  it('DeleteTaskSet: needs force above scale 0; DRAINING, then gone with its tasks and Deployment', async () => {
    await expect(k.ecs.send(new DeleteTaskSetCommand({ cluster: CLUSTER, service: 'ext', taskSet: b.id }))).rejects.toMatchObject({
      name: 'InvalidParameterException',
    })
    const d = await k.ecs.send(new DeleteTaskSetCommand({ cluster: CLUSTER, service: 'ext', taskSet: b.id, force: true }))
    expect(d.taskSet).toMatchObject({ id: b.id, status: 'DRAINING', computedDesiredCount: 0 })
    await eventually(async () => {
      const r = await k.ecs.send(new DescribeTaskSetsCommand({ cluster: CLUSTER, service: 'ext', taskSets: [b.id!] }))
      return r.failures!.length === 1 && r.failures![0]!.reason === 'MISSING'
    }, 'task set B gone')
    await eventually(async () => !(await deploymentOf(b.id!)), 'Deployment of B deleted')
    expect(await tasksOf(b.id)).toEqual([])
    const s = await eventually(async () => ((x) => (x.runningCount === 2 ? x : undefined))(await describeService()), 'service runningCount 2')
    expect(s.taskSets!.map((x) => x.id)).toEqual([a.id])
    expect(s.events!.map((e) => e.message)).toContainEqual(expect.stringMatching(new RegExp(`^\\(service ext, taskSet ${b.id}\\) has stopped 1 running tasks: `)))
  })

  it('after a restart the task set carries on and follows a new scale', async () => {
    await k.stopAll({ keepDirs: true })
    await start()
    const ts = await steadyWith(a.id!, 2)
    expect(ts).toMatchObject({ status: 'PRIMARY', scale: { value: 100, unit: 'PERCENT' } })
    await k.ecs.send(new UpdateTaskSetCommand({ cluster: CLUSTER, service: 'ext', taskSet: a.id, scale: { value: 50, unit: 'PERCENT' } }))
    await steadyWith(a.id!, 1)
    expect((await deploymentOf(a.id!))!.spec!.replicas).toBe(1)
  })

  it('DeleteService with force: the task sets drain with it; INACTIVE, no Deployment left', async () => {
    const del = await k.ecs.send(new DeleteServiceCommand({ cluster: CLUSTER, service: 'ext', force: true }))
    expect(del.service).toMatchObject({ status: 'DRAINING' })
    expect(del.service!.taskSets!.map((x) => x.status)).toEqual(['DRAINING'])
    await eventually(async () => (await describeService()).status === 'INACTIVE', 'INACTIVE')
    await eventually(async () => !(await deploymentOf(a.id!)), 'Deployment of A deleted')
    expect((await describeService()).taskSets).toEqual([])
    await expect(k.ecs.send(new CreateTaskSetCommand({ cluster: CLUSTER, service: 'ext', taskDefinition: tds[0] }))).rejects.toMatchObject({
      name: 'ServiceNotActiveException',
    })
  })
})

function busOf(eventName: string) {
  return bus.filter((e) => e['detail-type'] === 'ECS Service Action' && e.detail.eventName === eventName)
}
