import { CreateClusterCommand, DescribeTasksCommand, ListClustersCommand, RegisterTaskDefinitionCommand, RunTaskCommand } from '@aws-sdk/client-ecs'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { startClusterInstance, type ClusterInstance } from '../helpers/cluster-instance.js'
import { eventually } from '../helpers/emulator.js'

/** A reset that fails partway (here: the cluster refuses to delete its namespaces) leaves the instance serving. */
const fail = vi.hoisted(() => ({ namespaces: false }))
vi.mock('../../src/kube/reset-namespaces.js', async (real) => {
  const mod = await real<typeof import('../../src/kube/reset-namespaces.js')>()
  return {
    ...mod,
    deleteKecsNamespaces: async (...args: Parameters<typeof mod.deleteKecsNamespaces>) => {
      if (fail.namespaces) throw new Error('namespaces "kecs-a" is forbidden')
      return mod.deleteKecsNamespaces(...args)
    },
  }
})

const dirs: string[] = []
const running: ClusterInstance[] = []
afterAll(async () => {
  for (const k of running) await k.stopAll({ keepDirs: true }).catch(() => {})
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

describe('reset that fails partway', () => {
  it('answers 500 naming the step, keeps what was stored, and the controllers run again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kecs-reset-fail-'))
    dirs.push(dir)
    const k = await startClusterInstance({ dir })
    running.push(k)
    const { ecs } = k
    await ecs.send(new CreateClusterCommand({ clusterName: 'a' }))
    await ecs.send(new RegisterTaskDefinitionCommand({ family: 'web', containerDefinitions: [{ name: 'app', image: 'busybox', memory: 64 }] }))

    fail.namespaces = true
    const res = await fetch(`http://127.0.0.1:${k.instance.admin.port}/reset`, { method: 'POST' })
    expect(res.status).toBe(500)
    expect(((await res.json()) as { message: string }).message).toBe(`reset failed: deleting KECS's namespaces: namespaces "kecs-a" is forbidden`)

    // Nothing was emptied, and the instance still runs tasks: its controllers were started again.
    expect((await ecs.send(new ListClustersCommand({}))).clusterArns!.some((a) => a.endsWith('/a'))).toBe(true)
    const run = await ecs.send(new RunTaskCommand({ cluster: 'a', taskDefinition: 'web:1' }))
    const arn = run.tasks![0]!.taskArn!
    await eventually(async () => (await ecs.send(new DescribeTasksCommand({ cluster: 'a', tasks: [arn] }))).tasks![0]!.lastStatus === 'RUNNING', 'task RUNNING after the failed reset')

    // And a reset that can go through now does.
    fail.namespaces = false
    const again = await fetch(`http://127.0.0.1:${k.instance.admin.port}/reset`, { method: 'POST' })
    expect(again.status).toBe(200)
    expect((await ecs.send(new ListClustersCommand({}))).clusterArns).toEqual([])
  })
})
