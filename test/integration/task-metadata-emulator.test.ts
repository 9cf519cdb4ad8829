import { CreateClusterCommand, DescribeTasksCommand, RegisterTaskDefinitionCommand, RunTaskCommand, StopTaskCommand, type Task } from '@aws-sdk/client-ecs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { metadataBaseUrl } from '../../src/ecs/metadata/paths.js'
import { startClusterInstance, type ClusterInstance } from '../helpers/cluster-instance.js'
import { eventually } from '../helpers/emulator.js'

/**
 * End to end on the emulated cluster, wired as `kecs start` wires it: a task's pod carries the
 * metadata URIs KECS serves (read from the pod's env through the Kubernetes API), they answer for
 * that container and task, and after StopTask the container's log tail is still readable once the
 * pod is gone.
 */
const CLUSTER = 'meta-it'
let t: ClusterInstance

beforeAll(async () => {
  // The instance wires the metadata base URL and the log keeping by itself.
  t = await startClusterInstance({ speed: 10 })
  await t.ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }))
  await t.ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'meta',
      taskRoleArn: 'arn:aws:iam::000000000000:role/meta',
      containerDefinitions: [{ name: 'app', image: 'busybox:1.36', memory: 64, command: ['sleep', '3600'] }],
    }),
  )
})
afterAll(async () => {
  await t?.stopAll()
})

async function describe1(arn: string): Promise<Task> {
  return (await t.ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [arn] }))).tasks![0]!
}

describe('task metadata and kept logs on the emulated cluster', () => {
  it('metadata by the pod env, then the log tail after the pod is gone', async () => {
    const run = await t.ecs.send(new RunTaskCommand({ cluster: CLUSTER, taskDefinition: 'meta' }))
    const arn = run.tasks![0]!.taskArn!
    const id = arn.split('/').pop()!
    await eventually(async () => (await describe1(arn)).lastStatus === 'RUNNING', 'RUNNING')

    const pod = await t.kube.client.getPod(`kecs-${CLUSTER}`, id)
    const env = new Map((pod!.spec!.containers[0]!.env ?? []).map((e) => [e.name, e.value]))
    const v4 = env.get('ECS_CONTAINER_METADATA_URI_V4')!
    expect(v4.startsWith(`${metadataBaseUrl(t.endpoint)}/v4/${id}-`)).toBe(true)

    const container = (await (await fetch(v4)).json()) as any
    expect(container).toMatchObject({ Name: 'app', KnownStatus: 'RUNNING', Image: 'busybox:1.36', ContainerARN: run.tasks![0]!.containers![0]!.containerArn })
    expect(container.DockerId).toBe(v4.split('/').pop())
    const task = (await (await fetch(`${v4}/task`)).json()) as any
    expect(task).toMatchObject({ Cluster: CLUSTER, TaskARN: arn, Family: 'meta', Revision: '1', KnownStatus: 'RUNNING', LaunchType: 'EC2' })
    const v3 = (await (await fetch(`${env.get('ECS_CONTAINER_METADATA_URI')}/task`)).json()) as any
    expect(v3.TaskARN).toBe(arn)
    const creds = await fetch(`${metadataBaseUrl(t.endpoint)}${env.get('AWS_CONTAINER_CREDENTIALS_RELATIVE_URI')}`)
    expect(((await creds.json()) as any).RoleArn).toBe('arn:aws:iam::000000000000:role/meta')

    // Live log while the pod runs.
    const live = await (await fetch(`${t.endpoint}/kecs/v1/logs?cluster=${CLUSTER}&task=${id}`)).text()
    expect(live).toContain('starting container app')

    await t.ecs.send(new StopTaskCommand({ cluster: CLUSTER, task: arn }))
    await eventually(async () => (await describe1(arn)).lastStatus === 'STOPPED', 'STOPPED')
    await eventually(async () => (await t.kube.client.getPod(`kecs-${CLUSTER}`, id)) === undefined, 'pod gone')

    const kept = await (await fetch(`${t.endpoint}/kecs/v1/logs?cluster=${CLUSTER}&task=${id}`)).text()
    expect(kept).toContain('starting container app')
    expect(kept).toContain('app received SIGTERM, shutting down')
    expect(kept.trimEnd().split('\n').at(-1)).toMatch(/app exited with code/)
    // Metadata of a stopped task is still served while the task is describable.
    const after = (await (await fetch(`${v4}/task`)).json()) as any
    expect(after).toMatchObject({ KnownStatus: 'STOPPED', DesiredStatus: 'STOPPED' })
  })
})
