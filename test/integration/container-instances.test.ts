import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startClusterInstance, type ClusterInstance } from '../helpers/cluster-instance.js'
import { eventually } from '../helpers/emulator.js'

/**
 * Container instances on the emulated cluster with two nodes: the nodes as instances, the query
 * language, attributes, memberOf/distinctInstance through node affinity, DRAINING as a cordon, and
 * the agent's calls.
 */

const CLUSTER = 'ci-it'
const SECOND = 'kecs-node-2'
let k: ClusterInstance

async function ok(op: string, body: unknown) {
  const r = await k.call(op, body)
  expect(r.status, `${op}: ${JSON.stringify(r.body)}`).toBe(200)
  return r.body
}

async function instances(): Promise<any[]> {
  const arns = (await ok('ListContainerInstances', { cluster: CLUSTER })).containerInstanceArns
  return (await ok('DescribeContainerInstances', { cluster: CLUSTER, containerInstances: arns })).containerInstances
}

const nodeOf = (inst: any) => inst.attributes.find((a: any) => a.name === 'kecs.node-name').value

async function podNode(taskArn: string): Promise<string> {
  const id = taskArn.split('/').pop()
  return eventually(async () => {
    const pods = await k.core.listPodForAllNamespaces({ labelSelector: `kecs.dev/task-id=${id}` })
    return pods.items[0]?.spec?.nodeName || undefined
  }, `the pod of ${id} scheduled`)
}

beforeAll(async () => {
  k = await startClusterInstance()
  const now = new Date().toISOString()
  await k.core.createNode({
    body: {
      metadata: { name: SECOND, labels: { 'kubernetes.io/hostname': SECOND, 'kubernetes.io/os': 'linux' } },
      status: {
        capacity: { cpu: '2', memory: '4Gi', pods: '110' },
        allocatable: { cpu: '2', memory: '4Gi', pods: '110' },
        conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'ready', lastHeartbeatTime: now as any, lastTransitionTime: now as any }],
        nodeInfo: {
          architecture: 'amd64',
          operatingSystem: 'linux',
          machineID: 'm2',
          systemUUID: 's2',
          bootID: 'b2',
          kernelVersion: '6.1.0',
          osImage: 'test node',
          containerRuntimeVersion: 'kecs-sim://0.1.0',
          kubeletVersion: 'v1.32.0',
          kubeProxyVersion: 'v1.32.0',
        },
      },
    },
  })
  await ok('CreateCluster', { clusterName: CLUSTER })
  await ok('RegisterTaskDefinition', {
    family: 'ci-sleeper',
    containerDefinitions: [{ name: 'app', image: 'busybox', memory: 64, command: ['sleep', '3600'] }],
  })
})
afterAll(async () => k?.stopAll())

describe('container instances', () => {
  it('lists the cluster nodes as ACTIVE instances with ECS fields', async () => {
    const all = await instances()
    expect(all).toHaveLength(2)
    for (const i of all) {
      expect(i.containerInstanceArn).toMatch(new RegExp(`^arn:aws:ecs:us-east-1:000000000000:container-instance/${CLUSTER}/[0-9a-f]{32}$`))
      expect(i.ec2InstanceId).toMatch(/^i-[0-9a-f]{17}$/)
      expect(i).toMatchObject({ status: 'ACTIVE', agentConnected: true, runningTasksCount: 0, pendingTasksCount: 0 })
      expect(i.versionInfo.agentVersion).toEqual(expect.any(String))
      const names = i.attributes.map((a: any) => a.name)
      expect(names).toEqual(expect.arrayContaining(['ecs.os-type', 'ecs.cpu-architecture', 'ecs.instance-type', 'com.amazonaws.ecs.capability.privileged-container']))
      expect(i.registeredResources.map((r: any) => r.name)).toEqual(['CPU', 'MEMORY', 'PORTS', 'PORTS_UDP'])
    }
    expect(all.map(nodeOf).sort()).toEqual(['kecs-node', SECOND])
    const second = all.find((i) => nodeOf(i) === SECOND)
    expect(second.registeredResources[0].integerValue).toBe(2048)
    const missing = await ok('DescribeContainerInstances', { cluster: CLUSTER, containerInstances: ['0123456789abcdef0123456789abcdef'] })
    expect(missing.failures).toEqual([{ arn: `arn:aws:ecs:us-east-1:000000000000:container-instance/${CLUSTER}/0123456789abcdef0123456789abcdef`, reason: 'MISSING' }])
  })

  it('attributes: put, list, filter with the query language, delete', async () => {
    const [a, b] = await instances()
    const put = await ok('PutAttributes', { cluster: CLUSTER, attributes: [{ name: 'stack', value: 'prod', targetId: a.containerInstanceArn }] })
    expect(put.attributes).toEqual([{ name: 'stack', value: 'prod', targetId: a.containerInstanceArn }])
    const listed = await ok('ListAttributes', { cluster: CLUSTER, targetType: 'container-instance', attributeName: 'stack' })
    expect(listed.attributes).toEqual([{ name: 'stack', value: 'prod', targetId: a.containerInstanceArn }])
    const filtered = await ok('ListContainerInstances', { cluster: CLUSTER, filter: 'attribute:stack == prod' })
    expect(filtered.containerInstanceArns).toEqual([a.containerInstanceArn])
    const notProd = await ok('ListContainerInstances', { cluster: CLUSTER, filter: 'attribute:stack !exists and attribute:ecs.instance-type == kubernetes-node' })
    expect(notProd.containerInstanceArns).toEqual([b.containerInstanceArn])
    const bad = await k.call('ListContainerInstances', { cluster: CLUSTER, filter: 'attribute:stack ==' })
    expect(bad.body.__type).toBe('InvalidParameterException')
    const unknown = await k.call('PutAttributes', { cluster: CLUSTER, attributes: [{ name: 'x', value: 'y', targetId: 'feedface', targetType: 'container-instance' }] })
    expect(unknown.body.__type).toBe('TargetNotFoundException')
    const del = await ok('DeleteAttributes', { cluster: CLUSTER, attributes: [{ name: 'stack', targetId: a.containerInstanceArn }] })
    expect(del.attributes[0]).toMatchObject({ name: 'stack', value: 'prod' })
    expect((await ok('ListAttributes', { cluster: CLUSTER, targetType: 'container-instance', attributeName: 'stack' })).attributes).toEqual([])
  })

  it('memberOf places the task on the matching node; nothing matching gives the failure', async () => {
    const all = await instances()
    const target = all.find((i) => nodeOf(i) === SECOND)
    const r = await ok('RunTask', {
      cluster: CLUSTER,
      taskDefinition: 'ci-sleeper',
      placementConstraints: [{ type: 'memberOf', expression: `attribute:kecs.node-name == ${SECOND}` }],
    })
    expect(r.tasks[0].containerInstanceArn).toBe(target.containerInstanceArn)
    expect(await podNode(r.tasks[0].taskArn)).toBe(SECOND)
    const none = await ok('RunTask', {
      cluster: CLUSTER,
      taskDefinition: 'ci-sleeper',
      placementConstraints: [{ type: 'memberOf', expression: 'attribute:ecs.instance-type == t3.micro' }],
    })
    expect(none.tasks).toEqual([])
    expect(none.failures).toHaveLength(2)
    for (const f of none.failures) expect(f.reason).toBe('MemberOf placement constraint unsatisfied.')
    await ok('StopTask', { cluster: CLUSTER, task: r.tasks[0].taskArn })
  })

  it('distinctInstance puts each task of a group on its own instance', async () => {
    const r = await ok('RunTask', {
      cluster: CLUSTER,
      taskDefinition: 'ci-sleeper',
      count: 3,
      group: 'spread',
      placementConstraints: [{ type: 'distinctInstance' }],
    })
    expect(r.tasks).toHaveLength(2)
    expect(new Set(r.tasks.map((t: any) => t.containerInstanceArn)).size).toBe(2)
    expect(r.failures.map((f: any) => f.reason)).toEqual(['DistinctInstance placement constraint unsatisfied.', 'DistinctInstance placement constraint unsatisfied.'])
    const nodes = await Promise.all(r.tasks.map((t: any) => podNode(t.taskArn)))
    expect(new Set(nodes).size).toBe(2)
    await eventually(async () => (await instances()).every((i) => i.runningTasksCount === 1), 'one running task per instance')
    const busy = await ok('ListContainerInstances', { cluster: CLUSTER, filter: 'runningTasksCount > 0 and task:group == spread' })
    expect(busy.containerInstanceArns).toHaveLength(2)
    const inst = (await instances())[0]
    expect(inst.remainingResources[1].integerValue).toBe(inst.registeredResources[1].integerValue - 64)
    const refused = await k.call('DeregisterContainerInstance', { cluster: CLUSTER, containerInstance: inst.containerInstanceArn })
    expect(refused.body.__type).toBe('InvalidParameterException')
    for (const t of r.tasks) await ok('StopTask', { cluster: CLUSTER, task: t.taskArn })
  })

  it('DRAINING cordons the node and takes no new tasks; ACTIVE uncordons', async () => {
    const target = (await instances()).find((i) => nodeOf(i) === SECOND)
    const d = await ok('UpdateContainerInstancesState', { cluster: CLUSTER, containerInstances: [target.containerInstanceArn], status: 'DRAINING' })
    expect(d.containerInstances[0].status).toBe('DRAINING')
    expect((await k.core.readNode({ name: SECOND })).spec?.unschedulable).toBe(true)
    const draining = await ok('ListContainerInstances', { cluster: CLUSTER, status: 'DRAINING' })
    expect(draining.containerInstanceArns).toEqual([target.containerInstanceArn])
    const r = await ok('RunTask', { cluster: CLUSTER, taskDefinition: 'ci-sleeper', count: 2 })
    for (const t of r.tasks) expect(t.containerInstanceArn).not.toBe(target.containerInstanceArn)
    await ok('UpdateContainerInstancesState', { cluster: CLUSTER, containerInstances: [target.containerInstanceArn], status: 'ACTIVE' })
    expect((await k.core.readNode({ name: SECOND })).spec?.unschedulable).toBe(false)
    for (const t of r.tasks) await ok('StopTask', { cluster: CLUSTER, task: t.taskArn })
  })

  it('DRAINING replaces service tasks on other instances; standalone tasks keep running', async () => {
    const target = (await instances()).find((i) => nodeOf(i) === SECOND)
    await ok('CreateService', { cluster: CLUSTER, serviceName: 'web', taskDefinition: 'ci-sleeper', desiredCount: 2, launchType: 'EC2' })
    const serviceTasks = async () => {
      const arns = (await ok('ListTasks', { cluster: CLUSTER, serviceName: 'web' })).taskArns
      return arns.length ? (await ok('DescribeTasks', { cluster: CLUSTER, tasks: arns })).tasks : []
    }
    const onSecond = await eventually(async () => {
      const ts = await serviceTasks()
      return ts.length === 2 && ts.every((t: any) => t.lastStatus === 'RUNNING') && ts.some((t: any) => t.containerInstanceArn === target.containerInstanceArn)
        ? ts.find((t: any) => t.containerInstanceArn === target.containerInstanceArn)
        : undefined
    }, 'a running service task on the second node')
    const standalone = (
      await ok('RunTask', {
        cluster: CLUSTER,
        taskDefinition: 'ci-sleeper',
        placementConstraints: [{ type: 'memberOf', expression: `attribute:kecs.node-name == ${SECOND}` }],
      })
    ).tasks[0].taskArn
    await ok('UpdateContainerInstancesState', { cluster: CLUSTER, containerInstances: [target.containerInstanceArn], status: 'DRAINING' })
    const drained = (await ok('DescribeTasks', { cluster: CLUSTER, tasks: [onSecond.taskArn] })).tasks[0]
    expect(drained).toMatchObject({ desiredStatus: 'STOPPED', stopCode: 'ServiceSchedulerInitiated' })
    await eventually(async () => {
      const ts = (await serviceTasks()).filter((t: any) => t.desiredStatus === 'RUNNING' && t.lastStatus === 'RUNNING')
      return ts.length === 2 && ts.every((t: any) => t.containerInstanceArn !== target.containerInstanceArn)
    }, 'both service tasks running off the draining instance')
    const kept = (await ok('DescribeTasks', { cluster: CLUSTER, tasks: [standalone] })).tasks[0]
    expect(kept).toMatchObject({ desiredStatus: 'RUNNING', containerInstanceArn: target.containerInstanceArn })
    await ok('UpdateContainerInstancesState', { cluster: CLUSTER, containerInstances: [target.containerInstanceArn], status: 'ACTIVE' })
    await ok('DeleteService', { cluster: CLUSTER, service: 'web', force: true })
    await ok('StopTask', { cluster: CLUSTER, task: standalone })
  })

  it('services: memberOf holds the pods to the matching nodes, distinctInstance keeps one per node', async () => {
    const target = (await instances()).find((i) => nodeOf(i) === SECOND)
    const tasksOf = async (service: string) => {
      const arns = (await ok('ListTasks', { cluster: CLUSTER, serviceName: service })).taskArns
      return arns.length ? (await ok('DescribeTasks', { cluster: CLUSTER, tasks: arns })).tasks : []
    }
    await ok('CreateService', {
      cluster: CLUSTER,
      serviceName: 'pinned',
      taskDefinition: 'ci-sleeper',
      desiredCount: 2,
      launchType: 'EC2',
      placementConstraints: [{ type: 'memberOf', expression: `attribute:kecs.node-name == ${SECOND}` }],
    })
    await eventually(async () => {
      const ts = (await tasksOf('pinned')).filter((t: any) => t.lastStatus === 'RUNNING')
      return ts.length === 2 && ts.every((t: any) => t.containerInstanceArn === target.containerInstanceArn)
    }, 'both pinned tasks on the second node')
    await ok('DeleteService', { cluster: CLUSTER, service: 'pinned', force: true })

    await ok('CreateService', {
      cluster: CLUSTER,
      serviceName: 'distinct',
      taskDefinition: 'ci-sleeper',
      desiredCount: 3,
      launchType: 'EC2',
      placementConstraints: [{ type: 'distinctInstance' }],
    })
    await eventually(async () => {
      const ts = (await tasksOf('distinct')).filter((t: any) => t.lastStatus === 'RUNNING')
      return ts.length === 2 && new Set(ts.map((t: any) => t.containerInstanceArn)).size === 2
    }, 'one distinct task per node')
    const pods = await k.core.listNamespacedPod({ namespace: `kecs-${CLUSTER}`, labelSelector: 'kecs.dev/service=distinct' })
    expect(pods.items.filter((p) => !p.spec?.nodeName)).toHaveLength(1)
    await ok('DeleteService', { cluster: CLUSTER, service: 'distinct', force: true })
    await ok('CreateService', {
      cluster: CLUSTER,
      serviceName: 'nowhere',
      taskDefinition: 'ci-sleeper',
      desiredCount: 1,
      launchType: 'EC2',
      placementConstraints: [{ type: 'memberOf', expression: 'attribute:ecs.instance-type == t3.micro' }],
    })
    const event = await eventually(async () => {
      const svc = (await ok('DescribeServices', { cluster: CLUSTER, services: ['nowhere'] })).services[0]
      return svc.events.find((e: any) => e.message.includes('was unable to place a task because no container instance met all of its requirements'))
    }, 'the unable-to-place event')
    expect(event.message).toMatch(/The closest matching container-instance [0-9a-f]{32} encountered error "MemberOf placement constraint unsatisfied\."/)
    await ok('DeleteService', { cluster: CLUSTER, service: 'nowhere', force: true })
    const bad = await k.call('CreateService', {
      cluster: CLUSTER,
      serviceName: 'bad',
      taskDefinition: 'ci-sleeper',
      placementConstraints: [{ type: 'memberOf', expression: 'attribute:x ==' }],
    })
    expect(bad.body.__type).toBe('InvalidParameterException')
  })

  it('UpdateContainerAgent: no update for an instance without ecs-init', async () => {
    const [a] = await instances()
    const r = await k.call('UpdateContainerAgent', { cluster: CLUSTER, containerInstance: a.containerInstanceArn })
    expect(r.body.__type).toBe('NoUpdateAvailableException')
  })

  it('RegisterContainerInstance echoes what the agent sent; Deregister makes it INACTIVE', async () => {
    const reg = await ok('RegisterContainerInstance', {
      cluster: CLUSTER,
      instanceIdentityDocument: JSON.stringify({ instanceId: 'i-0123456789abcdef0', instanceType: 't3.micro', availabilityZone: 'us-east-1b' }),
      totalResources: [
        { name: 'CPU', type: 'INTEGER', integerValue: 2048 },
        { name: 'MEMORY', type: 'INTEGER', integerValue: 1024 },
      ],
      attributes: [{ name: 'ecs.os-type', value: 'linux' }, { name: 'team', value: 'a' }],
      versionInfo: { agentVersion: '1.90.0', agentHash: 'abc', dockerVersion: 'DockerVersion: 25.0.0' },
    })
    const inst = reg.containerInstance
    expect(inst.ec2InstanceId).toBe('i-0123456789abcdef0')
    expect(inst.attributes).toEqual(expect.arrayContaining([{ name: 'team', value: 'a' }, { name: 'ecs.instance-type', value: 't3.micro' }]))
    const micro = await ok('ListContainerInstances', { cluster: CLUSTER, filter: 'attribute:ecs.instance-type == t3.micro' })
    expect(micro.containerInstanceArns).toEqual([inst.containerInstanceArn])
    const blocked = await k.call('DeleteCluster', { cluster: CLUSTER })
    expect(blocked.body.__type).toBe('ClusterContainsContainerInstancesException')
    const gone = await ok('DeregisterContainerInstance', { cluster: CLUSTER, containerInstance: inst.containerInstanceArn })
    expect(gone.containerInstance.status).toBe('INACTIVE')
    const listed = await ok('ListContainerInstances', { cluster: CLUSTER })
    expect(listed.containerInstanceArns).not.toContain(inst.containerInstanceArn)
    const again = await k.call('RegisterContainerInstance', { cluster: CLUSTER, containerInstanceArn: inst.containerInstanceArn })
    expect(again.body).toMatchObject({ __type: 'ClientException', message: expect.stringMatching(/is inactive\.$/) })
  })

  it('start-task on a cluster without container instances says why in failures[]', async () => {
    await ok('CreateCluster', { clusterName: 'ci-empty' })
    const arns = (await ok('ListContainerInstances', { cluster: 'ci-empty' })).containerInstanceArns
    for (const arn of arns) await ok('DeregisterContainerInstance', { cluster: 'ci-empty', containerInstance: arn })
    const r = await ok('StartTask', { cluster: 'ci-empty', taskDefinition: 'ci-sleeper', containerInstances: [arns[0]] })
    expect(r.tasks).toEqual([])
    expect(r.failures).toEqual([{ arn: arns[0], reason: 'INACTIVE', detail: 'The container instance is INACTIVE.' }])
    const unknown = await ok('StartTask', { cluster: 'ci-empty', taskDefinition: 'ci-sleeper', containerInstances: ['feedface'] })
    expect(unknown.failures).toEqual([{ arn: 'feedface', reason: 'MISSING', detail: expect.stringContaining('No Container Instances were found in your cluster.') }])
    const run = await k.call('RunTask', { cluster: 'ci-empty', taskDefinition: 'ci-sleeper' })
    expect(run.body).toMatchObject({ __type: 'InvalidParameterException', message: 'No Container Instances were found in your cluster.' })
  })

  it("answers the agent's calls", async () => {
    const ep = await ok('DiscoverPollEndpoint', { cluster: CLUSTER })
    expect(ep.endpoint).toBe('https://ecs-a-1.us-east-1.amazonaws.com/')
    expect(ep.telemetryEndpoint).toBe('https://ecs-t-1.us-east-1.amazonaws.com/')
    const r = await ok('RunTask', { cluster: CLUSTER, taskDefinition: 'ci-sleeper' })
    const task = r.tasks[0].taskArn
    expect((await ok('SubmitTaskStateChange', { cluster: CLUSTER, task, status: 'RUNNING' })).acknowledgment).toEqual(expect.any(String))
    expect((await ok('SubmitContainerStateChange', { cluster: CLUSTER, task, containerName: 'app', status: 'RUNNING' })).acknowledgment).toEqual(expect.any(String))
    expect((await ok('SubmitAttachmentStateChanges', { cluster: CLUSTER, attachments: [{ attachmentArn: 'arn:aws:ecs:us-east-1:000000000000:attachment/x', status: 'ATTACHED' }] })).acknowledgment).toEqual(expect.any(String))
    const nope = await k.call('SubmitTaskStateChange', { cluster: 'no-such-cluster', task, status: 'RUNNING' })
    expect(nope.body.__type).toBe('ClusterNotFoundException')
    await ok('StopTask', { cluster: CLUSTER, task })
  })
})
