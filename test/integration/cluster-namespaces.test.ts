import {
  CreateClusterCommand,
  CreateServiceCommand,
  DeleteServiceCommand,
  DeleteClusterCommand,
  DescribeTasksCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  type Task,
} from '@aws-sdk/client-ecs'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { AppsV1Api } from '@kubernetes/client-node'
import { startClusterInstance, type ClusterInstance } from '../helpers/cluster-instance.js'
import { eventually } from '../helpers/emulator.js'

/**
 * Clusters with the same name in two regions are two clusters: each has its own namespace (the
 * instance's region keeps `kecs-<name>`, the other gets `kecs-<name>-<6 hex>` with its region and
 * account in labels), and deleting one leaves the other's pods running.
 */
const CLUSTER = 'demo'
let k: ClusterInstance
let eu: ECSClient

const taskId = (t: Task) => t.taskArn!.slice(t.taskArn!.lastIndexOf('/') + 1)

async function runOne(ecs: ECSClient): Promise<Task> {
  await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }))
  await ecs.send(new RegisterTaskDefinitionCommand({ family: 'sleeper', containerDefinitions: [{ name: 'app', image: 'busybox:1.36', memory: 64, command: ['sleep', '3600'] }] }))
  const task = (await ecs.send(new RunTaskCommand({ cluster: CLUSTER, taskDefinition: 'sleeper' }))).tasks![0]!
  await eventually(async () => (await describe1(ecs, task)).lastStatus === 'RUNNING', `${task.taskArn} RUNNING`)
  return task
}

const describe1 = async (ecs: ECSClient, t: Task) => (await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [t.taskArn!] }))).tasks![0]!

/** The namespace a task's pod is in. */
async function namespaceOf(t: Task): Promise<string> {
  const pods = await k.core.listPodForAllNamespaces({ labelSelector: `kecs.dev/task-id=${taskId(t)}` })
  expect(pods.items).toHaveLength(1)
  return pods.items[0]!.metadata!.namespace!
}

const namespaceGone = async (name: string) => {
  const ns = await k.core.readNamespace({ name }).catch(() => undefined)
  return !ns
}

beforeAll(async () => {
  // The instance's own region and account are the defaults.
  vi.stubEnv('AWS_REGION', 'us-east-1')
  vi.stubEnv('AWS_DEFAULT_REGION', 'us-east-1')
  vi.stubEnv('KECS_ACCOUNT_ID', '000000000000')
  k = await startClusterInstance()
  eu = new ECSClient({ endpoint: k.endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 })
}, 60_000)

afterAll(async () => {
  eu?.destroy()
  await k?.stopAll()
  vi.unstubAllEnvs()
})

describe('clusters of the same name in two regions', { timeout: 60_000 }, () => {
  it('get their own namespaces; deleting one leaves the other running', async () => {
    const home = await runOne(k.ecs)
    const away = await runOne(eu)
    expect(home.clusterArn).toBe('arn:aws:ecs:us-east-1:000000000000:cluster/demo')
    expect(away.clusterArn).toBe('arn:aws:ecs:eu-west-1:000000000000:cluster/demo')

    const homeNs = await namespaceOf(home)
    const awayNs = await namespaceOf(away)

    // Delete the us-east-1 cluster (its task stopped first, as ECS requires).
    await k.ecs.send(new StopTaskCommand({ cluster: CLUSTER, task: home.taskArn! }))
    await eventually(async () => (await describe1(k.ecs, home)).lastStatus === 'STOPPED', 'home task STOPPED')
    await k.ecs.send(new DeleteClusterCommand({ cluster: CLUSTER }))
    await eventually(() => namespaceGone(homeNs), `${homeNs} deleted`)

    // eu-west-1's demo is untouched: namespace, pod and task.
    expect(await namespaceGone(awayNs)).toBe(false)
    const pod = await k.core.readNamespacedPod({ namespace: awayNs, name: taskId(away) })
    expect(pod.metadata!.deletionTimestamp).toBeUndefined()
    expect(await describe1(eu, away)).toMatchObject({ lastStatus: 'RUNNING', desiredStatus: 'RUNNING' })

    // Names: the instance's region keeps `kecs-<name>`; the other's says where it is from.
    expect(homeNs).toBe('kecs-demo')
    expect(awayNs).toMatch(/^kecs-demo-[0-9a-f]{6}$/)
    const ns = await k.core.readNamespace({ name: awayNs })
    expect(ns.metadata!.labels).toMatchObject({
      'kecs.dev/managed-by': 'kecs',
      'kecs.dev/cluster': 'demo',
      'kecs.dev/region': 'eu-west-1',
      'kecs.dev/account': '000000000000',
    })
    expect(ns.metadata!.annotations).toMatchObject({ 'kecs.dev/cluster-name': 'demo', 'kecs.dev/cluster-arn': away.clusterArn })

    // And the other way round: deleting eu-west-1's demo removes its own namespace.
    await eu.send(new StopTaskCommand({ cluster: CLUSTER, task: away.taskArn! }))
    await eventually(async () => (await describe1(eu, away)).lastStatus === 'STOPPED', 'away task STOPPED')
    await eu.send(new DeleteClusterCommand({ cluster: CLUSTER }))
    await eventually(() => namespaceGone(awayNs), `${awayNs} deleted`)
  })

  it('a namespace that belongs to a cluster of another region is not deleted with this one', async () => {
    // An older KECS gave both `demo` clusters the namespace `kecs-demo`; eu-west-1's created it.
    await k.core.createNamespace({
      body: {
        metadata: {
          name: 'kecs-shared',
          labels: { 'kecs.dev/managed-by': 'kecs', 'kecs.dev/cluster': 'shared' },
          annotations: { 'kecs.dev/cluster-arn': 'arn:aws:ecs:eu-west-1:000000000000:cluster/shared', 'kecs.dev/cluster-name': 'shared' },
        },
      },
    })
    await k.ecs.send(new CreateClusterCommand({ clusterName: 'shared' }))
    await k.ecs.send(new DeleteClusterCommand({ cluster: 'shared' }))
    const ns = await k.core.readNamespace({ name: 'kecs-shared' })
    expect(ns.metadata!.deletionTimestamp).toBeUndefined()
  })

  it("a service of another region lives in that region's namespace and goes with DeleteService", async () => {
    const apps = k.emu.kc.makeApiClient(AppsV1Api)
    await eu.send(new CreateClusterCommand({ clusterName: 'svc' }))
    await eu.send(new RegisterTaskDefinitionCommand({ family: 'web', containerDefinitions: [{ name: 'app', image: 'nginx', memory: 64 }] }))
    await eu.send(new CreateServiceCommand({ cluster: 'svc', serviceName: 'web', taskDefinition: 'web', desiredCount: 1 }))
    const inNs = async () => {
      const list = await apps.listDeploymentForAllNamespaces({ labelSelector: 'kecs.dev/service=web' })
      return list.items.map((d) => d.metadata!.namespace!)
    }
    await eventually(async () => (await inNs()).length === 1, 'deployment created')
    expect((await inNs())[0]).toMatch(/^kecs-svc-[0-9a-f]{6}$/)
    await eu.send(new DeleteServiceCommand({ cluster: 'svc', service: 'web', force: true }))
    await eventually(async () => (await inNs()).length === 0, 'deployment deleted with the service')
  })
})
