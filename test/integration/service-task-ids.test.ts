import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  StopTaskCommand,
  type Service,
  type Task,
} from '@aws-sdk/client-ecs'
import type { V1Pod } from '@kubernetes/client-node'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { TaskDoc } from '../../src/ecs/tasks/task-doc.js'
import { taskKey } from '../../src/ecs/tasks/task-keys.js'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openRepos } from '../../src/ecs/repos.js'
import { Store } from '../../src/store/store.js'
import { startClusterInstance, type ClusterInstance } from '../helpers/cluster-instance.js'
import { eventually } from '../helpers/emulator.js'

/**
 * Service tasks have ECS task ids (32 lowercase hex, the pod UID without dashes), not pod names: in
 * DescribeTasks, the service's events, StopTask (which stops the right pod, and the service replaces
 * it), the logs endpoint and the task metadata endpoint. A task an older KECS adopted under its pod
 * name carries on after a restart under that id.
 */
const CLUSTER = 'ids-it'
const NS = `kecs-${CLUSTER}`
const TASK_ID = /^[0-9a-f]{32}$/
let k: ClusterInstance
const dir = mkdtempSync(join(tmpdir(), 'kecs-service-task-ids-'))

const taskId = (arn: string) => arn.slice(arn.lastIndexOf('/') + 1)
const uidHex = (pod: V1Pod) => pod.metadata!.uid!.replaceAll('-', '')

async function describeService(): Promise<Service> {
  return (await k.ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: ['web'] }))).services![0]!
}

async function runningTasks(): Promise<Task[]> {
  const l = await k.ecs.send(new ListTasksCommand({ cluster: CLUSTER, serviceName: 'web' }))
  if (!l.taskArns!.length) return []
  return (await k.ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: l.taskArns! }))).tasks!
}

async function servicePods(): Promise<V1Pod[]> {
  const pods = await k.core.listNamespacedPod({ namespace: NS, labelSelector: 'kecs.dev/service=web' })
  return pods.items.filter((p) => !p.metadata?.deletionTimestamp)
}

/** What the kubelet does with the metadata URI: `$(KECS_TASK_ID)` comes from the downward API. */
function metadataUri(pod: V1Pod): string {
  const env = pod.spec!.containers[0]!.env ?? []
  const idVar = env.find((e) => e.name === 'KECS_TASK_ID')!
  expect(idVar.valueFrom?.fieldRef?.fieldPath).toBe('metadata.uid')
  const v4 = env.find((e) => e.name === 'ECS_CONTAINER_METADATA_URI_V4')!.value!
  return v4.replace('$(KECS_TASK_ID)', pod.metadata!.uid!)
}

beforeAll(async () => {
  // The instance's own region is the default one (us-east-1): namespaces are `kecs-<cluster>`.
  vi.stubEnv('AWS_REGION', 'us-east-1')
  vi.stubEnv('AWS_DEFAULT_REGION', 'us-east-1')
  k = await startClusterInstance({ dir })
  await k.ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }))
  await k.ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'web',
      taskRoleArn: 'arn:aws:iam::000000000000:role/web',
      containerDefinitions: [{ name: 'app', image: 'nginx:1.27', memory: 64 }],
    }),
  )
  await k.ecs.send(new CreateServiceCommand({ cluster: CLUSTER, serviceName: 'web', taskDefinition: 'web', desiredCount: 2 }))
}, 60_000)

afterAll(async () => {
  await k?.stopAll({ keepDirs: true })
  rmSync(dir, { recursive: true, force: true })
  vi.unstubAllEnvs()
})

describe('service task ids', { timeout: 60_000 }, () => {
  let tasks: Task[] = []

  it('are 32 lowercase hex: the pod UID without dashes, with the pod name kept aside', async () => {
    await eventually(async () => (await describeService()).runningCount === 2, 'two running tasks')
    tasks = await runningTasks()
    expect(tasks).toHaveLength(2)
    const ids = tasks.map((t) => taskId(t.taskArn!))
    for (const t of tasks) {
      expect(taskId(t.taskArn!)).toMatch(TASK_ID)
      expect(t.taskArn).toMatch(new RegExp(`^arn:aws:ecs:us-east-1:000000000000:task/${CLUSTER}/[0-9a-f]{32}$`))
      expect(t.group).toBe('service:web')
      for (const c of t.containers!) {
        expect(c.taskArn).toBe(t.taskArn)
        expect(c.containerArn).toMatch(new RegExp(`:container/${CLUSTER}/${taskId(t.taskArn!)}/`))
        if (c.runtimeId) expect(c.runtimeId).toMatch(new RegExp(`^${taskId(t.taskArn!)}-\\d{10}$`))
      }
    }
    const pods = await servicePods()
    expect(pods.map(uidHex).sort()).toEqual([...ids].sort())
    for (const p of pods) expect(ids).not.toContain(p.metadata!.name)
    // the stored task knows its pod
    for (const p of pods) {
      const doc = k.instance.repos.tasks.get(taskKey({ region: 'us-east-1', account: '000000000000' }, CLUSTER, uidHex(p))) as TaskDoc
      expect(doc.kecs).toMatchObject({ taskId: uidHex(p), podName: p.metadata!.name, namespace: NS, adopted: true })
    }
  })

  it("name those ids in the service's events", async () => {
    const ids = tasks.map((t) => taskId(t.taskArn!))
    const s = await eventually(async () => {
      const x = await describeService()
      return x.events!.some((e) => e.message!.includes('has started')) && x
    }, 'started event')
    const started = s.events!.map((e) => e.message!).filter((m) => m.includes('has started'))
    const named = started.flatMap((m) => [...m.matchAll(/\(task ([^)]+)\)/g)].map((x) => x[1]!))
    expect(named.length).toBeGreaterThan(0)
    for (const id of named) expect(id).toMatch(TASK_ID)
    expect([...new Set(named)].sort()).toEqual([...ids].sort())
  })

  it('read logs through /kecs/v1/logs by task id', async () => {
    const id = taskId(tasks[0]!.taskArn!)
    const text = await eventually(async () => {
      const res = await fetch(`${k.endpoint}/kecs/v1/logs?cluster=${CLUSTER}&task=${id}`)
      const body = await res.text()
      return res.status === 200 && body.includes('starting container app') && body
    }, 'log lines')
    expect(text).toContain('starting container app')
    const byArn = await fetch(`${k.endpoint}/kecs/v1/logs?task=${encodeURIComponent(tasks[0]!.taskArn!)}`)
    expect(byArn.status).toBe(200)
    expect(await byArn.text()).toContain('starting container app')
  })

  it('answer on the task metadata endpoint at the URI the pod carries', async () => {
    const pod = (await servicePods()).find((p) => uidHex(p) === taskId(tasks[0]!.taskArn!))!
    const v4 = metadataUri(pod)
    const container = (await (await fetch(v4)).json()) as any
    expect(container).toMatchObject({ Name: 'app', KnownStatus: 'RUNNING', ContainerARN: tasks[0]!.containers![0]!.containerArn })
    expect(container.DockerId).toMatch(new RegExp(`^${taskId(tasks[0]!.taskArn!)}-\\d{10}$`))
    const task = (await (await fetch(`${v4}/task`)).json()) as any
    expect(task).toMatchObject({ Cluster: CLUSTER, TaskARN: tasks[0]!.taskArn, Family: 'web', KnownStatus: 'RUNNING' })
    // credentials: /v2/credentials/$(KECS_TASK_ID)
    const env = pod.spec!.containers[0]!.env ?? []
    const rel = env.find((e) => e.name === 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI')!.value!.replace('$(KECS_TASK_ID)', pod.metadata!.uid!)
    const creds = (await (await fetch(`${k.endpoint}/metadata${rel}`)).json()) as any
    expect(creds.RoleArn).toBe('arn:aws:iam::000000000000:role/web')
  })

  it('StopTask stops that task, deletes its pod, and the service replaces it', async () => {
    const victim = tasks[1]!
    const pod = (await servicePods()).find((p) => uidHex(p) === taskId(victim.taskArn!))!
    const stopped = await k.ecs.send(new StopTaskCommand({ cluster: CLUSTER, task: taskId(victim.taskArn!), reason: 'test' }))
    expect(stopped.task).toMatchObject({ taskArn: victim.taskArn, desiredStatus: 'STOPPED', stopCode: 'UserInitiated', stoppedReason: 'test' })
    await eventually(
      async () => (await k.ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [victim.taskArn!] }))).tasks![0]!.lastStatus === 'STOPPED',
      'STOPPED',
    )
    await eventually(async () => !(await servicePods()).some((p) => p.metadata!.uid === pod.metadata!.uid), 'its pod deleted')
    const survivor = taskId(tasks[0]!.taskArn!)
    const now = await eventually(async () => {
      const r = await runningTasks()
      return r.length === 2 && !r.some((t) => t.taskArn === victim.taskArn) && r
    }, 'a replacement')
    expect(now.map((t) => taskId(t.taskArn!))).toContain(survivor)
    for (const t of now) expect(taskId(t.taskArn!)).toMatch(TASK_ID)
    const after = (await k.ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [victim.taskArn!] }))).tasks![0]!
    expect(after).toMatchObject({ lastStatus: 'STOPPED', stopCode: 'UserInitiated' })
  })

  it('a task an older version adopted under its pod name carries on after a restart', async () => {
    const scope = { region: 'us-east-1', account: '000000000000' }
    const pod = (await servicePods())[0]!
    const name = pod.metadata!.name!
    const newKey = taskKey(scope, CLUSTER, uidHex(pod))
    await k.stopAll({ keepDirs: true })
    // What an older version stored, written while KECS is down: the task id is the pod name.
    const store = await Store.open(join(dir, 'kecs.duckdb'))
    const stored = await openRepos(store)
    const doc = structuredClone(stored.tasks.get(newKey) as TaskDoc)
    const oldArn = doc.taskArn.replace(/[0-9a-f]{32}$/, name)
    doc.taskArn = oldArn
    doc.kecs.taskId = name
    for (const c of doc.containers ?? []) c.taskArn = oldArn
    await stored.store.write([stored.tasks.stageDelete(newKey), stored.tasks.stagePut(taskKey(scope, CLUSTER, name), doc)])
    await store.close()

    k = await startClusterInstance({ dir })
    const repos = k.instance.repos
    {
      const old = (await k.ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [name] }))).tasks![0]!
      expect(old).toMatchObject({ taskArn: oldArn, lastStatus: 'RUNNING', desiredStatus: 'RUNNING' })
      // not adopted a second time under its UID
      expect(repos.tasks.get(newKey)).toBeUndefined()
      const r = await k.ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [uidHex(pod)] }))
      expect(r.failures).toEqual([{ arn: expect.stringContaining(uidHex(pod)), reason: 'MISSING' }])
      // logs still come from its pod (a real restart: the emulator says the lines before it are gone)
      const logs = await fetch(`${k.endpoint}/kecs/v1/logs?cluster=${CLUSTER}&task=${name}`)
      expect(logs.status).toBe(200)
      expect(await logs.text()).toContain('lost when the KECS emulator restarted')
    }
  })
})
