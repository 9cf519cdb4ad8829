import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ListClustersCommand,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  TagResourceCommand,
} from '@aws-sdk/client-ecs'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { EcsEvent } from '../../src/events/bus.js'
import { formCall, jsonCall, scope } from '../helpers/aws-router.js'
import { startClusterInstance, type ClusterInstance } from '../helpers/cluster-instance.js'
import { eventually } from '../helpers/emulator.js'
import { FeedClient } from '../helpers/feed-client.js'

/** `POST /reset` on the admin port (`kecs reset`): the running instance is emptied as if it were new. */

const dirs: string[] = []
const running: ClusterInstance[] = []
const feeds: FeedClient[] = []
afterAll(async () => {
  for (const f of feeds) f.ws.terminate()
  for (const k of running) await k.stopAll({ keepDirs: true }).catch(() => {})
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

async function start(dir: string) {
  const k = await startClusterInstance({ dir })
  running.push(k)
  return k
}

async function reset(k: ClusterInstance) {
  const res = await fetch(`http://127.0.0.1:${k.instance.admin.port}/reset`, { method: 'POST' })
  expect(res.status).toBe(200)
  return (await res.json()) as { reset: boolean; ms: number; removed: Record<string, number> }
}

async function aws(k: ClusterInstance, target: string, body: unknown) {
  const res = await fetch(k.endpoint + '/', jsonCall(target, body))
  const out = (await res.json()) as any
  if (res.status !== 200) throw new Error(`${target}: ${res.status} ${JSON.stringify(out)}`)
  return out
}

async function iam(k: ClusterInstance, params: Record<string, string>) {
  const res = await fetch(k.endpoint + '/', formCall({ Version: '2010-05-08', ...params }, { Authorization: scope('iam', 'us-east-1') }))
  const text = await res.text()
  if (res.status !== 200) throw new Error(`${params.Action}: ${res.status} ${text}`)
  return text
}

const kecsNamespaces = async (k: ClusterInstance) =>
  (await k.core.listNamespace({ labelSelector: 'kecs.dev/managed-by=kecs' })).items.map((n) => n.metadata!.name!)

const TRUST = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}'
const td = { containerDefinitions: [{ name: 'app', image: 'busybox', memory: 64 }] }

const taskArnsOf = (frames: FeedClient['frames']) =>
  frames.flatMap((f) => (f.type === 'event' ? [((f as { event: EcsEvent }).event.detail as { taskArn?: string }).taskArn] : [])).filter(Boolean)

describe('reset', () => {
  it('empties every service and the cluster, revisions restart at 1, tasks run again, a restart stays empty', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kecs-reset-'))
    dirs.push(dir)
    const k = await start(dir)
    const { ecs } = k

    // A namespace of the user's own: a reset leaves it.
    await k.core.createNamespace({ body: { metadata: { name: 'user-own' } } })

    for (const name of ['a', 'b']) await ecs.send(new CreateClusterCommand({ clusterName: name }))
    for (let i = 0; i < 3; i++) await ecs.send(new RegisterTaskDefinitionCommand({ family: 'web', ...td }))
    const run = await ecs.send(new RunTaskCommand({ cluster: 'a', taskDefinition: 'web:3', count: 2 }))
    const oldTasks = run.tasks!.map((t) => t.taskArn!)
    await ecs.send(new CreateServiceCommand({ cluster: 'b', serviceName: 'svc', taskDefinition: 'web', desiredCount: 1 }))
    const clusterA = (await ecs.send(new ListClustersCommand({}))).clusterArns!.find((a) => a.endsWith('/a'))!
    await ecs.send(new TagResourceCommand({ resourceArn: clusterA, tags: [{ key: 'team', value: 'x' }] }))
    await aws(k, 'AmazonSSM.PutParameter', { Name: '/app/p', Value: 'v', Type: 'String' })
    await aws(k, 'secretsmanager.CreateSecret', { Name: 's1', SecretString: 'shh', ClientRequestToken: '00000000-0000-4000-8000-000000000001' })
    await aws(k, 'Logs_20140328.CreateLogGroup', { logGroupName: '/ecs/web' })
    await iam(k, { Action: 'CreateRole', RoleName: 'task-role', AssumeRolePolicyDocument: TRUST })
    await eventually(
      async () => (await ecs.send(new DescribeTasksCommand({ cluster: 'a', tasks: oldTasks }))).tasks!.every((t) => t.lastStatus === 'RUNNING'),
      'old tasks RUNNING',
    )
    expect((await kecsNamespaces(k)).sort()).toEqual(['kecs-a', 'kecs-b'])

    const feed = await FeedClient.open(k.endpoint)
    feeds.push(feed)
    const answer = await reset(k)
    const seenAtReset = feed.frames.length
    expect(answer.reset).toBe(true)
    expect(typeof answer.ms).toBe('number')
    expect(answer.removed).toMatchObject({
      clusters: 2,
      task_definitions: 3,
      services: 1,
      ssm_parameters: 1,
      secrets: 1,
      log_groups: 1,
      iam_roles: 1,
      namespaces: 2,
    })
    expect(answer.removed.tasks).toBeGreaterThanOrEqual(2)
    expect(answer.removed.tags).toBeGreaterThanOrEqual(1)

    // Everything is gone, in every service.
    expect((await ecs.send(new ListClustersCommand({}))).clusterArns).toEqual([])
    expect((await ecs.send(new ListTaskDefinitionsCommand({}))).taskDefinitionArns).toEqual([])
    await expect(ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'web:1' }))).rejects.toThrow(/Unable to describe task definition/)
    expect((await aws(k, 'AmazonSSM.DescribeParameters', {})).Parameters).toEqual([])
    expect((await aws(k, 'secretsmanager.ListSecrets', {})).SecretList).toEqual([])
    expect((await aws(k, 'Logs_20140328.DescribeLogGroups', {})).logGroups).toEqual([])
    expect(await iam(k, { Action: 'ListRoles' })).not.toContain('task-role')
    // AWS managed policies are static: still there.
    expect(await iam(k, { Action: 'GetPolicy', PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' })).toContain('AdministratorAccess')
    expect(await kecsNamespaces(k)).toEqual([])
    expect((await k.core.readNamespace({ name: 'user-own' })).metadata!.name).toBe('user-own')

    // As new: revision 1, and a task runs.
    const reg = await ecs.send(new RegisterTaskDefinitionCommand({ family: 'web', ...td }))
    expect(reg.taskDefinition!.revision).toBe(1)
    await ecs.send(new CreateClusterCommand({ clusterName: 'a' }))
    const again = await ecs.send(new RunTaskCommand({ cluster: 'a', taskDefinition: 'web' }))
    const fresh = again.tasks![0]!.taskArn!
    await eventually(
      async () => (await ecs.send(new DescribeTasksCommand({ cluster: 'a', tasks: [fresh] }))).tasks![0]!.lastStatus === 'RUNNING',
      'new task RUNNING',
    )
    // The feed saw the new task, and nothing of the old ones after the reset answered.
    await feed.until(() => taskArnsOf(feed.frames.slice(seenAtReset)).includes(fresh), 'new task event')
    const after = taskArnsOf(feed.frames.slice(seenAtReset))
    for (const old of oldTasks) expect(after).not.toContain(old)
    expect(after.every((arn) => arn === fresh)).toBe(true)

    // A second reset, then a restart on the same store: still empty.
    await reset(k)
    running.splice(running.indexOf(k), 1)
    await k.stopAll({ keepDirs: true })
    const k2 = await start(dir)
    expect((await k2.ecs.send(new ListClustersCommand({}))).clusterArns).toEqual([])
    expect((await k2.ecs.send(new ListTaskDefinitionsCommand({}))).taskDefinitionArns).toEqual([])
    expect((await aws(k2, 'AmazonSSM.DescribeParameters', {})).Parameters).toEqual([])
    expect(await kecsNamespaces(k2)).toEqual([])
    expect((await k2.ecs.send(new RegisterTaskDefinitionCommand({ family: 'web', ...td }))).taskDefinition!.revision).toBe(1)
  }, 120_000)
})
