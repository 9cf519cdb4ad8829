import {
  CreateClusterCommand,
  DeleteClusterCommand,
  DescribeClustersCommand,
  DescribeTasksCommand,
  GetTaskProtectionCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StartTaskCommand,
  StopTaskCommand,
  TagResourceCommand,
  UpdateTaskProtectionCommand,
  paginateListTasks,
  type ContainerDefinition,
  type Task,
} from '@aws-sdk/client-ecs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EcsEvent } from '../../src/events/bus.js'
import { startClusterInstance, type ClusterInstance } from '../helpers/cluster-instance.js'
import { eventually } from '../helpers/emulator.js'

/** Tasks on the emulated cluster: RunTask → pods → reconciler → ECS state, events and counts. */

const CLUSTER = 'tasks-it'
let k: ClusterInstance
const events: EcsEvent[] = []
const logLines: string[] = []

async function register(family: string, containers: ContainerDefinition[], extra: Record<string, unknown> = {}) {
  const r = await k.ecs.send(new RegisterTaskDefinitionCommand({ family, containerDefinitions: containers, ...extra }))
  return r.taskDefinition!.taskDefinitionArn!
}

async function describe1(arn: string): Promise<Task> {
  const r = await k.ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [arn], include: ['TAGS'] }))
  return r.tasks![0]!
}

const until = (arn: string, what: (t: Task) => boolean, label: string) =>
  eventually(async () => {
    const t = await describe1(arn)
    return what(t) ? t : undefined
  }, label)

beforeAll(async () => {
  k = await startClusterInstance({ log: (line) => logLines.push(line) })
  k.instance.bus.subscribe((e) => events.push(e))
  await k.ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }))
  await register('sleeper', [{ name: 'app', image: 'busybox:1.36', memory: 64, command: ['sleep', '3600'] }])
})
afterAll(async () => k?.stopAll())

describe('tasks on the emulated cluster', () => {
  it('a cluster owns namespace kecs-<cluster> and has its node as a container instance', async () => {
    const ns = await k.core.readNamespace({ name: `kecs-${CLUSTER}` })
    expect(ns.metadata?.labels?.['kecs.dev/cluster']).toBe(CLUSTER)
    const c = await k.ecs.send(new DescribeClustersCommand({ clusters: [CLUSTER] }))
    expect(c.clusters![0]!.registeredContainerInstancesCount).toBe(1)
  })

  it('RunTask → PENDING at once, then RUNNING; StopTask → STOPPED UserInitiated', async () => {
    const run = await k.ecs.send(new RunTaskCommand({ cluster: CLUSTER, taskDefinition: 'sleeper', startedBy: 'it-test', tags: [{ key: 'team', value: 'a' }] }))
    expect(run.failures).toEqual([])
    const t0 = run.tasks![0]!
    expect(t0).toMatchObject({
      lastStatus: 'PENDING',
      desiredStatus: 'RUNNING',
      version: 1,
      launchType: 'EC2',
      group: 'family:sleeper',
      startedBy: 'it-test',
      enableExecuteCommand: false,
      tags: [{ key: 'team', value: 'a' }],
      overrides: { containerOverrides: [{ name: 'app' }], inferenceAcceleratorOverrides: [] },
    })
    expect(t0.taskArn).toMatch(new RegExp(`:task/${CLUSTER}/[0-9a-f]{32}$`))
    expect(t0.containerInstanceArn).toMatch(/:container-instance\/tasks-it\/[0-9a-f]{32}$/)
    expect(t0.containers![0]).toMatchObject({ name: 'app', lastStatus: 'PENDING', image: 'busybox:1.36', networkInterfaces: [] })

    const running = await until(t0.taskArn!, (t) => t.lastStatus === 'RUNNING', 'RUNNING')
    expect(running.startedAt).toBeInstanceOf(Date)
    expect(running.pullStartedAt).toBeInstanceOf(Date)
    expect(running.containers![0]!.lastStatus).toBe('RUNNING')
    expect(running.containers![0]!.runtimeId).toBeDefined()
    expect(running.version!).toBeGreaterThan(1)
    expect(running.tags).toEqual([{ key: 'team', value: 'a' }])

    const taskId = t0.taskArn!.split('/').pop()!
    const pod = await k.core.readNamespacedPod({ namespace: `kecs-${CLUSTER}`, name: taskId })
    expect(pod.metadata!.labels).toMatchObject({
      'kecs.dev/managed-by': 'kecs',
      'kecs.dev/cluster': CLUSTER,
      'kecs.dev/task-id': taskId,
      'kecs.dev/task-definition': 'sleeper.1',
    })
    const counts = await k.ecs.send(new DescribeClustersCommand({ clusters: [CLUSTER] }))
    expect(counts.clusters![0]!.runningTasksCount).toBeGreaterThanOrEqual(1)

    const stop = await k.ecs.send(new StopTaskCommand({ cluster: CLUSTER, task: taskId, reason: 'done with it' }))
    expect(stop.task).toMatchObject({ desiredStatus: 'STOPPED', lastStatus: 'RUNNING', stopCode: 'UserInitiated', stoppedReason: 'done with it' })
    expect(stop.task!.stoppingAt).toBeInstanceOf(Date)
    const stopped = await until(t0.taskArn!, (t) => t.lastStatus === 'STOPPED', 'STOPPED')
    expect(stopped).toMatchObject({ stopCode: 'UserInitiated', stoppedReason: 'done with it', desiredStatus: 'STOPPED' })
    expect(stopped.stoppedAt).toBeInstanceOf(Date)
    expect(stopped.executionStoppedAt).toBeInstanceOf(Date)
    expect(stopped.containers![0]!.lastStatus).toBe('STOPPED')
    expect(stopped.tags).toEqual([]) // StopTask deletes the task's tags, as ECS does
    await eventually(async () => !(await k.core.listNamespacedPod({ namespace: `kecs-${CLUSTER}`, labelSelector: `kecs.dev/task-id=${taskId}` })).items.length, 'pod gone')

    // Every change was an `ECS Task State Change` with increasing versions, ending STOPPED.
    const mine = events.filter((e) => e['detail-type'] === 'ECS Task State Change' && e.resources[0] === t0.taskArn)
    const versions = mine.map((e) => e.detail.version as number)
    expect(versions).toEqual([...versions].sort((a, b) => a - b))
    expect(new Set(versions).size).toBe(versions.length)
    expect(mine[0]!.detail).toMatchObject({ lastStatus: 'PENDING', version: 1 })
    expect(mine.at(-1)!.detail).toMatchObject({ lastStatus: 'STOPPED', stopCode: 'UserInitiated' })
    expect(mine.at(-1)!.detail.stoppedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
    expect(mine.map((e) => e.detail.lastStatus)).toContain('RUNNING')
  })

  it('an essential container exiting 3 stops the task: EssentialContainerExited, exitCode 3', async () => {
    await register('exits', [
      { name: 'app', image: 'busybox', memory: 64, essential: true, dockerLabels: { 'kecs.simulate.exit-code': '3', 'kecs.simulate.run-seconds': '1' } },
      { name: 'side', image: 'busybox', memory: 64, essential: false },
    ])
    const run = await k.ecs.send(new RunTaskCommand({ cluster: CLUSTER, taskDefinition: 'exits' }))
    const t = await until(run.tasks![0]!.taskArn!, (x) => x.lastStatus === 'STOPPED', 'STOPPED')
    expect(t.stopCode).toBe('EssentialContainerExited')
    expect(t.stoppedReason).toBe('Essential container in task exited')
    expect(t.containers!.find((c) => c.name === 'app')!.exitCode).toBe(3)
  })

  it('a non-essential container exiting leaves the task RUNNING', async () => {
    await register('side-exits', [
      { name: 'app', image: 'busybox', memory: 64, essential: true },
      { name: 'side', image: 'busybox', memory: 64, essential: false, dockerLabels: { 'kecs.simulate.exit-code': '1' } },
    ])
    const run = await k.ecs.send(new RunTaskCommand({ cluster: CLUSTER, taskDefinition: 'side-exits' }))
    const arn = run.tasks![0]!.taskArn!
    const t = await until(arn, (x) => x.containers!.find((c) => c.name === 'side')!.lastStatus === 'STOPPED', 'side stopped')
    expect(t.containers!.find((c) => c.name === 'side')!.exitCode).toBe(1)
    expect(t.lastStatus).toBe('RUNNING')
    expect(t.desiredStatus).toBe('RUNNING')
    await k.ecs.send(new StopTaskCommand({ cluster: CLUSTER, task: arn }))
  })

  it('an image that cannot be pulled ends TaskFailedToStart with CannotPullContainerError', async () => {
    await register('no-image', [{ name: 'app', image: 'nope/missing:1', memory: 64, dockerLabels: { 'kecs.simulate.image-pull-error': 'true' } }])
    const run = await k.ecs.send(new RunTaskCommand({ cluster: CLUSTER, taskDefinition: 'no-image' }))
    const t = await until(run.tasks![0]!.taskArn!, (x) => x.lastStatus === 'STOPPED', 'STOPPED')
    expect(t.stopCode).toBe('TaskFailedToStart')
    expect(t.stoppedReason).toMatch(/^CannotPullContainerError: /)
    expect(t.containers![0]!.reason).toMatch(/^CannotPullContainerError: /)
  })

  it('awsvpc on Fargate: PROVISIONING with a PRECREATED ENI, then ATTACHED with the pod IP', async () => {
    await register('vpc', [{ name: 'app', image: 'busybox', essential: true }], {
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '256',
      memory: '512',
    })
    const run = await k.ecs.send(
      new RunTaskCommand({
        cluster: CLUSTER,
        taskDefinition: 'vpc',
        launchType: 'FARGATE',
        networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-12345'], securityGroups: ['sg-1'] } },
      }),
    )
    const t0 = run.tasks![0]!
    expect(t0).toMatchObject({ lastStatus: 'PROVISIONING', launchType: 'FARGATE', platformVersion: '1.4.0', platformFamily: 'Linux', cpu: '256', memory: '512' })
    expect(t0.containerInstanceArn).toBeUndefined()
    expect(t0.attachments![0]).toMatchObject({ type: 'ElasticNetworkInterface', status: 'PRECREATED', details: [{ name: 'subnetId', value: 'subnet-12345' }] })
    const t = await until(t0.taskArn!, (x) => x.lastStatus === 'RUNNING', 'RUNNING')
    expect(t.attachments![0]!.status).toBe('ATTACHED')
    const ip = t.attachments![0]!.details!.find((d) => d.name === 'privateIPv4Address')!.value!
    expect(ip).toMatch(/^\d+\.\d+\.\d+\.\d+$/)
    expect(t.containers![0]!.networkInterfaces).toEqual([{ attachmentId: t.attachments![0]!.id, privateIpv4Address: ip }])
    expect(t.connectivity).toBe('CONNECTED')
    await k.ecs.send(new StopTaskCommand({ cluster: CLUSTER, task: t0.taskArn! }))
  })

  it('StartTask onto the node container instance', async () => {
    const c = await k.ecs.send(new DescribeClustersCommand({ clusters: [CLUSTER] }))
    expect(c.clusters![0]!.registeredContainerInstancesCount).toBe(1)
    const first = (await k.ecs.send(new RunTaskCommand({ cluster: CLUSTER, taskDefinition: 'sleeper' }))).tasks![0]!
    const instance = first.containerInstanceArn!
    const r = await k.ecs.send(new StartTaskCommand({ cluster: CLUSTER, taskDefinition: 'sleeper', containerInstances: [instance, 'feedfacefeedfacefeedfacefeedface'] }))
    expect(r.tasks).toHaveLength(1)
    expect(r.tasks![0]!.containerInstanceArn).toBe(instance)
    expect(r.failures).toEqual([{ arn: 'feedfacefeedfacefeedfacefeedface', reason: 'MISSING' }])
    await until(r.tasks![0]!.taskArn!, (x) => x.lastStatus === 'RUNNING', 'RUNNING')
    for (const arn of [first.taskArn!, r.tasks![0]!.taskArn!]) await k.ecs.send(new StopTaskCommand({ cluster: CLUSTER, task: arn }))
  })

  it('settings KECS accepts but ignores are named in the instance log, not dropped silently', async () => {
    await register('ulimits', [{ name: 'app', image: 'busybox', memory: 64, ulimits: [{ name: 'nofile', softLimit: 1024, hardLimit: 2048 }] }])
    const arn = (await k.ecs.send(new RunTaskCommand({ cluster: CLUSTER, taskDefinition: 'ulimits' }))).tasks![0]!.taskArn!
    expect(logLines).toContainEqual(expect.stringMatching(new RegExp(`^task ${arn}: containerDefinitions\\[app\\]\\.ulimits is ignored: .+`)))
    await k.ecs.send(new StopTaskCommand({ cluster: CLUSTER, task: arn }))
  })

  it('a task bigger than the node: failures[] RESOURCE:MEMORY / RESOURCE:CPU, no task', async () => {
    await register('huge', [{ name: 'app', image: 'busybox', memory: 4 * 1024 * 1024 }]) // 4 TiB
    const instance = (await k.ecs.send(new DescribeClustersCommand({ clusters: [CLUSTER] }))).clusters![0]!
    expect(instance.registeredContainerInstancesCount).toBe(1)
    const before = (await k.ecs.send(new ListTasksCommand({ cluster: CLUSTER, family: 'huge' }))).taskArns
    const r = await k.ecs.send(new RunTaskCommand({ cluster: CLUSTER, taskDefinition: 'huge', count: 2 }))
    expect(r.tasks).toEqual([])
    expect(r.failures).toEqual([{ arn: expect.stringMatching(/:container-instance\/tasks-it\/[0-9a-f]{32}$/), reason: 'RESOURCE:MEMORY' }])
    expect((await k.ecs.send(new ListTasksCommand({ cluster: CLUSTER, family: 'huge' }))).taskArns).toEqual(before)

    const cpu = await k.ecs.send(new RunTaskCommand({ cluster: CLUSTER, taskDefinition: 'sleeper', overrides: { cpu: String(1024 * 1024) } }))
    expect(cpu.tasks).toEqual([])
    expect(cpu.failures).toEqual([{ arn: r.failures![0]!.arn, reason: 'RESOURCE:CPU' }])

    const start = await k.ecs.send(new StartTaskCommand({ cluster: CLUSTER, taskDefinition: 'huge', containerInstances: [r.failures![0]!.arn!] }))
    expect(start.tasks).toEqual([])
    expect(start.failures).toEqual([{ arn: r.failures![0]!.arn, reason: 'RESOURCE:MEMORY' }])
  })

  it('ListTasks filters (startedBy, family, desiredStatus, launchType) and pages', async () => {
    const run = await k.ecs.send(new RunTaskCommand({ cluster: CLUSTER, taskDefinition: 'sleeper', count: 5, startedBy: 'batch-7' }))
    const arns = run.tasks!.map((t) => t.taskArn!).sort()
    const byStarter = await k.ecs.send(new ListTasksCommand({ cluster: CLUSTER, startedBy: 'batch-7' }))
    expect([...byStarter.taskArns!].sort()).toEqual(arns)

    const pages: string[][] = []
    for await (const page of paginateListTasks({ client: k.ecs, pageSize: 2 }, { cluster: CLUSTER, startedBy: 'batch-7' })) {
      pages.push(page.taskArns!)
    }
    expect(pages.map((p) => p.length)).toEqual([2, 2, 1])
    expect(pages.flat().sort()).toEqual(arns)

    const family = await k.ecs.send(new ListTasksCommand({ cluster: CLUSTER, family: 'sleeper' }))
    expect(family.taskArns).toEqual(expect.arrayContaining(arns))
    const other = await k.ecs.send(new ListTasksCommand({ cluster: CLUSTER, family: 'exits' }))
    expect(other.taskArns).toEqual([])
    const fargate = await k.ecs.send(new ListTasksCommand({ cluster: CLUSTER, launchType: 'FARGATE' }))
    expect(fargate.taskArns!.some((a) => arns.includes(a))).toBe(false)

    await k.ecs.send(new StopTaskCommand({ cluster: CLUSTER, task: arns[0]! }))
    const stoppedList = await k.ecs.send(new ListTasksCommand({ cluster: CLUSTER, desiredStatus: 'STOPPED' }))
    expect(stoppedList.taskArns).toContain(arns[0])
    const runningList = await k.ecs.send(new ListTasksCommand({ cluster: CLUSTER, startedBy: 'batch-7' }))
    expect(runningList.taskArns).not.toContain(arns[0])
    expect((await k.ecs.send(new ListTasksCommand({ cluster: CLUSTER, desiredStatus: 'PENDING' }))).taskArns).toEqual([])

    await expect(k.ecs.send(new ListTasksCommand({ cluster: CLUSTER, startedBy: 'x', family: 'sleeper' }))).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: 'cannot specify startedBy with other arguments',
    })
    await expect(k.ecs.send(new ListTasksCommand({ cluster: CLUSTER, serviceName: 'svc', family: 'sleeper' }))).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: 'cannot specify serviceName with other arguments',
    })
    await expect(k.ecs.send(new ListTasksCommand({ cluster: CLUSTER, serviceName: 'nope' }))).rejects.toMatchObject({ name: 'ServiceNotFoundException' })

    for (const arn of arns.slice(1)) await k.ecs.send(new StopTaskCommand({ cluster: CLUSTER, task: arn }))
  })

  it('DescribeTasks: ids or ARNs, MISSING failures, TAGS, limits', async () => {
    const run = await k.ecs.send(new RunTaskCommand({ cluster: CLUSTER, taskDefinition: 'sleeper' }))
    const arn = run.tasks![0]!.taskArn!
    await k.ecs.send(new TagResourceCommand({ resourceArn: arn, tags: [{ key: 'k', value: 'v' }] }))
    const id = arn.split('/').pop()!
    const missing = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'
    const r = await k.ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [id, arn, missing], include: ['TAGS'] }))
    expect(r.tasks!.map((t) => t.taskArn)).toEqual([arn])
    expect(r.tasks![0]!.tags).toEqual([{ key: 'k', value: 'v' }])
    expect(r.failures).toEqual([{ arn: arn.replace(id, missing), reason: 'MISSING' }])
    const noTags = await k.ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [arn] }))
    expect(noTags.tasks![0]!.tags).toEqual([])
    await expect(k.ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [] }))).rejects.toMatchObject({ message: 'Tasks cannot be empty.' })
    await expect(k.ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: Array.from({ length: 101 }, (_, i) => String(i)) }))).rejects.toMatchObject({
      message: 'taskIds can have at most 100 items.',
    })
    await expect(k.ecs.send(new StopTaskCommand({ cluster: CLUSTER, task: missing }))).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: 'The referenced task was not found.',
    })
    await k.ecs.send(new StopTaskCommand({ cluster: CLUSTER, task: arn }))
  })

  it('clientToken: the same request answers the same tasks; other parameters conflict', async () => {
    const a = await k.ecs.send(new RunTaskCommand({ cluster: CLUSTER, taskDefinition: 'sleeper', clientToken: 'tok-1' }))
    const b = await k.ecs.send(new RunTaskCommand({ cluster: CLUSTER, taskDefinition: 'sleeper', clientToken: 'tok-1' }))
    expect(b.tasks!.map((t) => t.taskArn)).toEqual(a.tasks!.map((t) => t.taskArn))
    await expect(k.ecs.send(new RunTaskCommand({ cluster: CLUSTER, taskDefinition: 'sleeper', clientToken: 'tok-1', startedBy: 'x' }))).rejects.toMatchObject({
      name: 'ConflictException',
    })
    await k.ecs.send(new StopTaskCommand({ cluster: CLUSTER, task: a.tasks![0]!.taskArn! }))
  })

  it('a service pod with no task is adopted; task protection applies to service tasks only', async () => {
    const tdArn = await register('svc', [{ name: 'app', image: 'busybox', memory: 64 }])
    const name = 'web-6d4cf56db6-x7k2p'
    const created = await k.core.createNamespacedPod({
      namespace: `kecs-${CLUSTER}`,
      body: {
        metadata: {
          name,
          labels: { 'kecs.dev/managed-by': 'kecs', 'kecs.dev/cluster': CLUSTER, 'kecs.dev/service': 'web' },
          annotations: {
            'kecs.dev/cluster-arn': `arn:aws:ecs:us-east-1:000000000000:cluster/${CLUSTER}`,
            'kecs.dev/cluster-name': CLUSTER,
            'kecs.dev/task-definition-arn': tdArn,
            'kecs.dev/service-name': 'web',
            'kecs.dev/deployment-id': 'ecs-svc/1234567890123456789',
            'kecs.dev/essential-containers': 'app',
          },
        },
        spec: { restartPolicy: 'Always', containers: [{ name: 'app', image: 'busybox' }] },
      },
    })
    // A service task's id is its pod's UID without dashes (32 hex, like every ECS task id).
    const id = created.metadata!.uid!.replaceAll('-', '')
    const t = await until(`arn:aws:ecs:us-east-1:000000000000:task/${CLUSTER}/${id}`, (x) => x.lastStatus === 'RUNNING', 'adopted RUNNING')
    expect(t).toMatchObject({ group: 'service:web', startedBy: 'ecs-svc/1234567890123456789', taskDefinitionArn: tdArn })

    const u = await k.ecs.send(new UpdateTaskProtectionCommand({ cluster: CLUSTER, tasks: [id], protectionEnabled: true, expiresInMinutes: 10 }))
    expect(u.failures).toEqual([])
    expect(u.protectedTasks![0]).toMatchObject({ taskArn: t.taskArn, protectionEnabled: true })
    expect(u.protectedTasks![0]!.expirationDate).toBeInstanceOf(Date)
    const g = await k.ecs.send(new GetTaskProtectionCommand({ cluster: CLUSTER, tasks: [t.taskArn!] }))
    expect(g.protectedTasks![0]).toMatchObject({ taskArn: t.taskArn, protectionEnabled: true })

    const standalone = (await k.ecs.send(new RunTaskCommand({ cluster: CLUSTER, taskDefinition: 'sleeper' }))).tasks![0]!.taskArn!
    const bad = await k.ecs.send(new UpdateTaskProtectionCommand({ cluster: CLUSTER, tasks: [standalone], protectionEnabled: true }))
    expect(bad.failures![0]).toMatchObject({ arn: standalone, reason: 'TASK_NOT_VALID' })
    await k.ecs.send(new StopTaskCommand({ cluster: CLUSTER, task: standalone }))

    // The Deployment controller deleting a service pod: the scheduler stopped it.
    await k.core.deleteNamespacedPod({ namespace: `kecs-${CLUSTER}`, name })
    const stopped = await until(t.taskArn!, (x) => x.lastStatus === 'STOPPED', 'STOPPED')
    expect(stopped.stopCode).toBe('ServiceSchedulerInitiated')
  })

  it('DeleteCluster refuses while tasks run, then deletes the cluster, its namespace and node instance', async () => {
    await k.ecs.send(new CreateClusterCommand({ clusterName: 'short-lived' }))
    const run = await k.ecs.send(new RunTaskCommand({ cluster: 'short-lived', taskDefinition: 'sleeper' }))
    const arn = run.tasks![0]!.taskArn!
    await expect(k.ecs.send(new DeleteClusterCommand({ cluster: 'short-lived' }))).rejects.toMatchObject({ name: 'ClusterContainsTasksException' })
    await k.ecs.send(new StopTaskCommand({ cluster: 'short-lived', task: arn }))
    await eventually(async () => {
      const r = await k.ecs.send(new DescribeTasksCommand({ cluster: 'short-lived', tasks: [arn] }))
      return r.tasks![0]!.lastStatus === 'STOPPED'
    }, 'STOPPED')
    const del = await k.ecs.send(new DeleteClusterCommand({ cluster: 'short-lived' }))
    expect(del.cluster!.status).toBe('INACTIVE')
    expect(del.cluster!.registeredContainerInstancesCount).toBe(0)
    await eventually(async () => {
      const ns = await k.core.readNamespace({ name: 'kecs-short-lived' }).catch(() => undefined)
      return !ns || !!ns.metadata?.deletionTimestamp
    }, 'namespace deleted')
  })
})
