import {
  CreateClusterCommand,
  DescribeClustersCommand,
  DescribeTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  type Task,
} from '@aws-sdk/client-ecs'
import { CoreV1Api } from '@kubernetes/client-node'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { startClusterInstance, type ClusterInstance } from '../helpers/cluster-instance.js'
import { eventually, startTestEmulator } from '../helpers/emulator.js'
import { startTestInstance } from '../helpers/instance.js'
import { Store } from '../../src/store/store.js'
import type { TaskDoc } from '../../src/ecs/tasks/task-doc.js'

/** After `kecs stop` and `kecs start`: tasks whose pods exist carry on; tasks whose pods vanished are STOPPED. */

const dirs: string[] = []
const running: ClusterInstance[] = []
afterAll(async () => {
  for (const k of running) await k.stopAll({ keepDirs: true }).catch(() => {})
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

const tmp = (p: string) => {
  const d = mkdtempSync(join(tmpdir(), p))
  dirs.push(d)
  return d
}

async function start(dir: string) {
  const k = await startClusterInstance({ dir })
  running.push(k)
  return k
}

async function stop(k: ClusterInstance) {
  running.splice(running.indexOf(k), 1)
  await k.stopAll({ keepDirs: true })
}

const describeAll = async (k: ClusterInstance, arns: string[]) =>
  (await k.ecs.send(new DescribeTasksCommand({ cluster: 'r', tasks: arns }))).tasks!.reduce<Record<string, Task>>(
    (acc, t) => ({ ...acc, [t.taskArn!]: t }),
    {},
  )

describe('restart', () => {
  it('keeps running tasks, stops tasks whose pods vanished, keeps stopped ones, counts stay right', async () => {
    const dir = tmp('kecs-tasks-restart-')
    const a = await start(dir)
    await a.ecs.send(new CreateClusterCommand({ clusterName: 'r' }))
    await a.ecs.send(new RegisterTaskDefinitionCommand({ family: 'long', containerDefinitions: [{ name: 'app', image: 'busybox', memory: 64 }] }))
    const run = await a.ecs.send(new RunTaskCommand({ cluster: 'r', taskDefinition: 'long', count: 3 }))
    const [keep, lose, stopped] = run.tasks!.map((t) => t.taskArn!) as [string, string, string]
    await eventually(async () => Object.values(await describeAll(a, [keep, lose, stopped])).every((t) => t.lastStatus === 'RUNNING'), 'RUNNING')
    await a.ecs.send(new StopTaskCommand({ cluster: 'r', task: stopped, reason: 'before restart' }))
    await eventually(async () => (await describeAll(a, [stopped]))[stopped]!.lastStatus === 'STOPPED', 'STOPPED')
    const keepBefore = (await describeAll(a, [keep]))[keep]!
    await stop(a)

    // While KECS is down, one task's pod disappears from the cluster (the emulator alone, on the instance's store).
    const emu = await startTestEmulator({ dir })
    const core = emu.kc.makeApiClient(CoreV1Api)
    await core.deleteNamespacedPod({ namespace: 'kecs-r', name: lose.split('/').pop()!, gracePeriodSeconds: 0 })
    await eventually(async () => !(await core.readNamespacedPod({ namespace: 'kecs-r', name: lose.split('/').pop()! }).catch(() => undefined)), 'pod gone')
    await emu.stop({ keepDir: true })

    const b = await start(dir)
    const after = await describeAll(b, [keep, lose, stopped])
    expect(after[keep]).toMatchObject({ lastStatus: 'RUNNING', desiredStatus: 'RUNNING', version: keepBefore.version })
    expect(after[lose]).toMatchObject({
      lastStatus: 'STOPPED',
      desiredStatus: 'STOPPED',
      stopCode: 'InfrastructureHealth',
      stoppedReason: 'Task stopped because its pod was not found after a KECS restart',
    })
    expect(after[stopped]).toMatchObject({ lastStatus: 'STOPPED', stopCode: 'UserInitiated', stoppedReason: 'before restart' })
    const c = (await b.ecs.send(new DescribeClustersCommand({ clusters: ['r'] }))).clusters![0]!
    expect(c).toMatchObject({ runningTasksCount: 1, pendingTasksCount: 0, registeredContainerInstancesCount: 1 })

    // The task that carried on is still driven by its pod.
    await b.ecs.send(new StopTaskCommand({ cluster: 'r', task: keep }))
    await eventually(async () => (await describeAll(b, [keep]))[keep]!.lastStatus === 'STOPPED', 'STOPPED after restart')
  })

  it('a task stored whose pod was never made (KECS stopped in between) gets its pod after a restart', async () => {
    const dir = tmp('kecs-tasks-unlaunched-')
    const a = await start(dir)
    await a.ecs.send(new CreateClusterCommand({ clusterName: 'r' }))
    await a.ecs.send(new RegisterTaskDefinitionCommand({ family: 'long', containerDefinitions: [{ name: 'app', image: 'busybox', memory: 64 }] }))
    // The task as RunTask stored it (version 1, before any pod), taken from the task-change signal.
    let stored: TaskDoc | undefined
    a.instance.deps.signals.taskChanged.on(({ task }) => {
      if (task.version === 1) stored ??= structuredClone(task)
    })
    const arn = (await a.ecs.send(new RunTaskCommand({ cluster: 'r', taskDefinition: 'long' }))).tasks![0]!.taskArn!
    await eventually(async () => (await describeAll(a, [arn]))[arn]!.lastStatus === 'RUNNING', 'RUNNING')
    await stop(a)

    // While KECS is down: the pod goes, and the store holds the task as RunTask left it (no pod made yet).
    const emu = await startTestEmulator({ dir })
    const core = emu.kc.makeApiClient(CoreV1Api)
    const podName = arn.split('/').pop()!
    await core.deleteNamespacedPod({ namespace: 'kecs-r', name: podName, gracePeriodSeconds: 0 })
    await eventually(async () => !(await core.readNamespacedPod({ namespace: 'kecs-r', name: podName }).catch(() => undefined)), 'pod gone')
    await emu.stop({ keepDir: true })
    const db = await Store.open(join(dir, 'kecs.duckdb'))
    const [row] = await db.query<{ pk: string }>('SELECT pk FROM tasks')
    expect(stored).toMatchObject({ version: 1, taskArn: arn })
    await db.write([{ op: 'upsert', table: 'tasks', row: [row!.pk, JSON.stringify(stored)] }])
    await db.close()

    const b = await start(dir)
    const after = await eventually(async () => {
      const t = (await describeAll(b, [arn]))[arn]!
      return t.lastStatus === 'RUNNING' || t.lastStatus === 'STOPPED' ? t : undefined
    }, 'RUNNING after restart')
    expect(after).toMatchObject({ lastStatus: 'RUNNING', desiredStatus: 'RUNNING' })
    expect((await b.core.readNamespacedPod({ namespace: 'kecs-r', name: podName })).metadata!.name).toBe(podName)
    await stop(b)
  })

  it('STOPPED tasks are forgotten after the retention', async () => {
    // Own directories, removed in afterAll: stop() keeps them (for restarts), so the helpers' would leak.
    const k = await startClusterInstance({
      dir: tmp('kecs-tasks-retention-'),
      stoppedTaskRetentionMs: 300,
    })
    running.push(k)
    await k.ecs.send(new CreateClusterCommand({ clusterName: 'r' }))
    await k.ecs.send(new RegisterTaskDefinitionCommand({ family: 'long', containerDefinitions: [{ name: 'app', image: 'busybox', memory: 64 }] }))
    const arn = (await k.ecs.send(new RunTaskCommand({ cluster: 'r', taskDefinition: 'long' }))).tasks![0]!.taskArn!
    await k.ecs.send(new StopTaskCommand({ cluster: 'r', task: arn }))
    const missing = await eventually(async () => {
      const r = await k.ecs.send(new DescribeTasksCommand({ cluster: 'r', tasks: [arn] }))
      return r.failures!.length ? r : undefined
    }, 'forgotten')
    expect(missing.failures).toEqual([{ arn, reason: 'MISSING' }])
    // and swept from the store
    await eventually(() => ![...k.instance.repos.tasks.values()].some((t) => t.taskArn === arn), 'swept')
    await stop(k)
  })

  it('the retention comes from KECS_STOPPED_TASK_RETENTION_SECONDS (how `kecs start` users set it), else one hour', async () => {
    const saved = process.env.KECS_STOPPED_TASK_RETENTION_SECONDS
    try {
      process.env.KECS_STOPPED_TASK_RETENTION_SECONDS = '0.3'
      const short = await startClusterInstance()
      running.push(short)
      expect(short.kube.runtime.retentionMs).toBe(300)
      await stop(short)
      delete process.env.KECS_STOPPED_TASK_RETENTION_SECONDS
      const dflt = await startClusterInstance()
      running.push(dflt)
      expect(dflt.kube.runtime.retentionMs).toBe(60 * 60 * 1000)
      await stop(dflt)
    } finally {
      if (saved === undefined) delete process.env.KECS_STOPPED_TASK_RETENTION_SECONDS
      else process.env.KECS_STOPPED_TASK_RETENTION_SECONDS = saved
    }
  })

  it('without a cluster, RunTask answers a clear ClientException', async () => {
    const t = await startTestInstance()
    try {
      await t.ecs.send(new CreateClusterCommand({ clusterName: 'nc' }))
      await t.ecs.send(new RegisterTaskDefinitionCommand({ family: 'x', containerDefinitions: [{ name: 'app', image: 'busybox', memory: 64 }] }))
      const r = await t.call('RunTask', { cluster: 'nc', taskDefinition: 'x' })
      expect(r.status).toBe(400)
      expect(r.body.__type).toBe('ClientException')
      expect(r.body.message).toMatch(/^KECS is running without a cluster/)
      const list = await t.call('ListTasks', { cluster: 'nc' })
      expect(list.body).toEqual({ taskArns: [] })
    } finally {
      await t.stop()
    }
  })
})
