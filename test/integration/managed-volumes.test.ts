import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startClusterInstance, type ClusterInstance } from '../helpers/cluster-instance.js'
import { eventually } from '../helpers/emulator.js'

/** EBS volumes configured at launch on the emulated cluster: an emptyDir of the size, and the attachment ECS shows. */

const CLUSTER = 'ebs-it'
const ROLE = 'arn:aws:iam::000000000000:role/ecsInfrastructureRole'
let k: ClusterInstance

const describeTask = async (arn: string) => (await k.call('DescribeTasks', { cluster: CLUSTER, tasks: [arn] })).body.tasks[0]
const ebsOf = (t: any) => t.attachments.find((a: any) => a.type === 'AmazonElasticBlockStorage')

beforeAll(async () => {
  k = await startClusterInstance()
  await k.call('CreateCluster', { clusterName: CLUSTER })
  const r = await k.call('RegisterTaskDefinition', {
    family: 'db',
    containerDefinitions: [{ name: 'app', image: 'busybox:1.36', memory: 64, command: ['sleep', '3600'], mountPoints: [{ sourceVolume: 'data', containerPath: '/data' }] }],
    volumes: [{ name: 'data', configuredAtLaunch: true }, { name: 'scratch' }],
  })
  expect(r.status, JSON.stringify(r.body)).toBe(200)
})
afterAll(async () => k?.stopAll())

describe('managed EBS volumes', () => {
  it('RunTask gives the task its volume: CREATED, then ATTACHED with a volume id, DELETED once stopped', async () => {
    const run = await k.call('RunTask', {
      cluster: CLUSTER,
      taskDefinition: 'db',
      volumeConfigurations: [{ name: 'data', managedEBSVolume: { roleArn: ROLE, sizeInGiB: 20 } }],
    })
    expect(run.status, JSON.stringify(run.body)).toBe(200)
    const t0 = run.body.tasks[0]
    expect(ebsOf(t0)).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      type: 'AmazonElasticBlockStorage',
      status: 'CREATED',
      details: [
        { name: 'roleArn', value: ROLE },
        { name: 'volumeName', value: 'data' },
        { name: 'deleteOnTermination', value: 'true' },
      ],
    })
    const pod = await k.core.readNamespacedPod({ namespace: `kecs-${CLUSTER}`, name: t0.taskArn.split('/').pop() })
    expect(pod.spec!.volumes!.find((v) => v.name === 'data')).toEqual({ name: 'data', emptyDir: { sizeLimit: '20Gi' } })

    const running = await eventually(async () => {
      const t = await describeTask(t0.taskArn)
      return t.lastStatus === 'RUNNING' ? t : undefined
    }, 'task RUNNING')
    const attached = ebsOf(running)
    expect(attached.status).toBe('ATTACHED')
    expect(attached.details).toContainEqual({ name: 'volumeId', value: expect.stringMatching(/^vol-[0-9a-f]{17}$/) })

    await k.call('StopTask', { cluster: CLUSTER, task: t0.taskArn })
    const stopped = await eventually(async () => {
      const t = await describeTask(t0.taskArn)
      return t.lastStatus === 'STOPPED' ? t : undefined
    }, 'task STOPPED')
    expect(ebsOf(stopped).status).toBe('DELETED')
  })

  it('a volume kept after the task is DETACHED when it stops', async () => {
    const run = await k.call('RunTask', {
      cluster: CLUSTER,
      taskDefinition: 'db',
      volumeConfigurations: [{ name: 'data', managedEBSVolume: { roleArn: ROLE, sizeInGiB: 5, terminationPolicy: { deleteOnTermination: false } } }],
    })
    const arn = run.body.tasks[0].taskArn
    expect(ebsOf(run.body.tasks[0]).details).toContainEqual({ name: 'deleteOnTermination', value: 'false' })
    await eventually(async () => (await describeTask(arn)).lastStatus === 'RUNNING', 'task RUNNING')
    await k.call('StopTask', { cluster: CLUSTER, task: arn })
    const stopped = await eventually(async () => {
      const t = await describeTask(arn)
      return t.lastStatus === 'STOPPED' ? t : undefined
    }, 'task STOPPED')
    expect(ebsOf(stopped).status).toBe('DETACHED')
  })

  it('StartTask gives the task its volume too', async () => {
    const probe = await k.call('RunTask', { cluster: CLUSTER, taskDefinition: 'db', volumeConfigurations: [{ name: 'data', managedEBSVolume: { roleArn: ROLE, sizeInGiB: 1 } }] })
    const instance = probe.body.tasks[0].containerInstanceArn
    await k.call('StopTask', { cluster: CLUSTER, task: probe.body.tasks[0].taskArn })
    const r = await k.call('StartTask', {
      cluster: CLUSTER,
      taskDefinition: 'db',
      containerInstances: [instance],
      volumeConfigurations: [{ name: 'data', managedEBSVolume: { roleArn: ROLE, sizeInGiB: 3 } }],
    })
    expect(r.status, JSON.stringify(r.body)).toBe(200)
    const t = r.body.tasks[0]
    expect(ebsOf(t)).toMatchObject({ type: 'AmazonElasticBlockStorage', status: 'CREATED' })
    const pod = await k.core.readNamespacedPod({ namespace: `kecs-${CLUSTER}`, name: t.taskArn.split('/').pop() })
    expect(pod.spec!.volumes!.find((v) => v.name === 'data')).toEqual({ name: 'data', emptyDir: { sizeLimit: '3Gi' } })
    await k.call('StopTask', { cluster: CLUSTER, task: t.taskArn })
  })

  it('checks the configurations against the task definition', async () => {
    const run = (volumeConfigurations: unknown) => k.call('RunTask', { cluster: CLUSTER, taskDefinition: 'db', volumeConfigurations })
    for (const bad of [
      [{ name: 'scratch', managedEBSVolume: { roleArn: ROLE, sizeInGiB: 1 } }],
      [{ name: 'data', managedEBSVolume: { roleArn: ROLE } }],
      [{ name: 'data', managedEBSVolume: { roleArn: ROLE, sizeInGiB: 20000 } }],
      [{ name: 'data', managedEBSVolume: { roleArn: ROLE, sizeInGiB: 10, volumeType: 'st1' } }],
      [{ name: 'data' }],
    ]) {
      const r = await run(bad)
      expect(r.status, JSON.stringify(bad)).toBe(400)
      expect(r.body.__type).toBe('InvalidParameterException')
    }
  })

  it("a service's tasks get the volume of its deployment", async () => {
    const r = await k.call('CreateService', {
      cluster: CLUSTER,
      serviceName: 'db',
      taskDefinition: 'db',
      desiredCount: 1,
      volumeConfigurations: [{ name: 'data', managedEBSVolume: { roleArn: ROLE, sizeInGiB: 8 } }],
    })
    expect(r.status, JSON.stringify(r.body)).toBe(200)
    expect(r.body.service.deployments[0].volumeConfigurations).toEqual([{ name: 'data', managedEBSVolume: { roleArn: ROLE, sizeInGiB: 8 } }])
    const task = await eventually(async () => {
      const list = await k.call('ListTasks', { cluster: CLUSTER, serviceName: 'db' })
      const arn = list.body.taskArns?.[0]
      return arn ? describeTask(arn) : undefined
    }, 'service task')
    expect(ebsOf(task)).toMatchObject({ type: 'AmazonElasticBlockStorage', details: expect.arrayContaining([{ name: 'volumeName', value: 'data' }]) })
    const deployments = await k.call('ListServiceDeployments', { cluster: CLUSTER, service: 'db' })
    const rev = await k.call('DescribeServiceRevisions', { serviceRevisionArns: [deployments.body.serviceDeployments[0].targetServiceRevisionArn] })
    expect(rev.body.serviceRevisions[0].volumeConfigurations).toEqual([{ name: 'data', managedEBSVolume: { roleArn: ROLE, sizeInGiB: 8 } }])
    const pods = await k.core.listNamespacedPod({ namespace: `kecs-${CLUSTER}`, labelSelector: 'kecs.dev/service=db' })
    expect(pods.items[0]!.spec!.volumes!.find((v) => v.name === 'data')).toEqual({ name: 'data', emptyDir: { sizeLimit: '8Gi' } })

    const u = await k.call('UpdateService', {
      cluster: CLUSTER,
      service: 'db',
      volumeConfigurations: [{ name: 'data', managedEBSVolume: { roleArn: ROLE, sizeInGiB: 9 } }],
    })
    expect(u.status, JSON.stringify(u.body)).toBe(200)
    expect(u.body.service.deployments).toHaveLength(2)
    expect(u.body.service.deployments[0].volumeConfigurations[0].managedEBSVolume.sizeInGiB).toBe(9)
    const bad = await k.call('UpdateService', { cluster: CLUSTER, service: 'db', volumeConfigurations: [{ name: 'scratch', managedEBSVolume: { roleArn: ROLE, sizeInGiB: 9 } }] })
    expect(bad.body.__type).toBe('InvalidParameterException')
    await k.call('DeleteService', { cluster: CLUSTER, service: 'db', force: true })
  })
})
