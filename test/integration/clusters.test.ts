import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  CreateClusterCommand,
  DeleteClusterCommand,
  DescribeClustersCommand,
  ListClustersCommand,
  PutClusterCapacityProvidersCommand,
  UpdateClusterCommand,
  UpdateClusterSettingsCommand,
  paginateListClusters,
} from '@aws-sdk/client-ecs'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { RequestContext } from '../../src/ecs/context.js'
import { startTestInstance, type TestInstance } from '../helpers/instance.js'

const ACCOUNT = '000000000000'
const REGION = 'us-east-1'
const arn = (name: string) => `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${name}`

function expectError(r: { status: number; body: any }, type: string, message?: string) {
  expect(r.status, JSON.stringify(r.body)).toBe(400)
  expect(r.body.__type).toBe(type)
  if (message !== undefined) expect(r.body.message).toBe(message)
}

describe('clusters', () => {
  let t: TestInstance
  const hookCalls: string[] = []
  beforeAll(async () => {
    t = await startTestInstance({
      clusterRuntime: {
        clusterCreated: async (_ctx: RequestContext, name: string) => void hookCalls.push(`created:${name}`),
        clusterDeleted: async (_ctx: RequestContext, name: string) => void hookCalls.push(`deleted:${name}`),
      },
    })
  })
  afterAll(async () => t.stop())

  /** Puts a doc straight into a table, as the task/service/instance families will. */
  const seed = (table: 'tasks' | 'services' | 'containerInstances', key: string, doc: any) =>
    t.instance.repos[table].put(`${ACCOUNT}/${REGION}/test/${key}`, doc)
  const unseed = (table: 'tasks' | 'services' | 'containerInstances', key: string) =>
    t.instance.repos[table].delete(`${ACCOUNT}/${REGION}/test/${key}`)

  describe('CreateCluster', () => {
    it('creates `default` when no name is given, in the shape ECS answers', async () => {
      const r = await t.call('CreateCluster', {})
      expect(r.status).toBe(200)
      expect(r.body.cluster).toEqual({
        clusterArn: arn('default'),
        clusterName: 'default',
        status: 'ACTIVE',
        registeredContainerInstancesCount: 0,
        runningTasksCount: 0,
        pendingTasksCount: 0,
        activeServicesCount: 0,
        statistics: [],
        tags: [],
        settings: [{ name: 'containerInsights', value: 'disabled' }],
        capacityProviders: [],
        defaultCapacityProviderStrategy: [],
      })
      expect(hookCalls).toContain('created:default')
    })

    it('is idempotent on the name: the existing cluster comes back unchanged', async () => {
      const first = await t.ecs.send(
        new CreateClusterCommand({ clusterName: 'idem', tags: [{ key: 'a', value: '1' }] }),
      )
      hookCalls.length = 0
      const second = await t.ecs.send(
        new CreateClusterCommand({ clusterName: 'idem', tags: [{ key: 'b', value: '2' }] }),
      )
      expect(second.cluster).toEqual(first.cluster)
      expect(second.cluster?.tags).toEqual([{ key: 'a', value: '1' }])
      // the hook runs again so a retry can repair what a failed hook left undone
      expect(hookCalls).toEqual(['created:idem'])
    })

    it('records settings, configuration, tags, capacity providers and service connect defaults', async () => {
      const out = await t.ecs.send(
        new CreateClusterCommand({
          clusterName: 'full',
          tags: [
            { key: 'team', value: 'core' },
            { key: 'env', value: 'dev' },
          ],
          settings: [{ name: 'containerInsights', value: 'enhanced' }],
          configuration: { executeCommandConfiguration: { logging: 'DEFAULT' } },
          capacityProviders: ['FARGATE', 'FARGATE_SPOT'],
          defaultCapacityProviderStrategy: [
            { capacityProvider: 'FARGATE', weight: 1, base: 1 },
            { capacityProvider: 'FARGATE_SPOT', weight: 4 },
          ],
          serviceConnectDefaults: { namespace: 'local' },
        }),
      )
      const c = out.cluster!
      expect(c.status).toBe('ACTIVE')
      expect(c.tags).toEqual([
        { key: 'team', value: 'core' },
        { key: 'env', value: 'dev' },
      ])
      expect(c.settings).toEqual([{ name: 'containerInsights', value: 'enhanced' }])
      expect(c.configuration).toEqual({ executeCommandConfiguration: { logging: 'DEFAULT' } })
      expect(c.capacityProviders).toEqual(['FARGATE', 'FARGATE_SPOT'])
      expect(c.defaultCapacityProviderStrategy).toEqual([
        { capacityProvider: 'FARGATE', weight: 1, base: 1 },
        { capacityProvider: 'FARGATE_SPOT', weight: 4, base: 0 },
      ])
      expect(c.attachments).toEqual([])
      expect(c.attachmentsStatus).toBe('UPDATE_COMPLETE')
      expect(c.serviceConnectDefaults?.namespace).toMatch(
        /^arn:aws:servicediscovery:us-east-1:000000000000:namespace\/ns-[a-z2-7]{16}$/,
      )
    })

    it('validates the name', async () => {
      const msg =
        'Invalid cluster name. Up to 255 letters (uppercase and lowercase), numbers, underscores, and hyphens are allowed.'
      expectError(await t.call('CreateCluster', { clusterName: 'bad name' }), 'InvalidParameterException', msg)
      expectError(await t.call('CreateCluster', { clusterName: 'x'.repeat(256) }), 'InvalidParameterException', msg)
      expect((await t.call('CreateCluster', { clusterName: 'x'.repeat(255) })).status).toBe(200)
    })

    it('accepts only FARGATE and FARGATE_SPOT as capacity providers, naming the others', async () => {
      const r = await t.call('CreateCluster', { clusterName: 'cp', capacityProviders: ['FARGATE', 'my-asg', 'other'] })
      expectError(r, 'InvalidParameterException')
      expect(r.body.message).toContain("'my-asg', 'other'")
      const s = await t.call('CreateCluster', {
        clusterName: 'cp',
        capacityProviders: ['FARGATE'],
        defaultCapacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }],
      })
      expectError(s, 'InvalidParameterException')
      expect(s.body.message).toContain('not associated with the cluster')
      const d = await t.call('DescribeClusters', { clusters: ['cp'] })
      expect(d.body.failures).toEqual([{ arn: arn('cp'), reason: 'MISSING' }])
    })

    it('validates tags and settings', async () => {
      let r = await t.call('CreateCluster', { clusterName: 'tagged', tags: [{ key: 'aws:x', value: '1' }] })
      expectError(r, 'InvalidParameterException')
      expect(r.body.message).toContain("'aws:'")
      r = await t.call('CreateCluster', { clusterName: 'tagged', tags: [{ key: 'a!', value: '1' }] })
      expectError(r, 'InvalidParameterException')
      r = await t.call('CreateCluster', { clusterName: 'tagged', settings: [{ name: 'containerInsights', value: 'yes' }] })
      expectError(r, 'InvalidParameterException')
    })
  })

  describe('DescribeClusters', () => {
    beforeAll(async () => {
      await t.ecs.send(
        new CreateClusterCommand({
          clusterName: 'desc',
          tags: [{ key: 'k', value: 'v' }],
          configuration: { executeCommandConfiguration: { logging: 'NONE' } },
          capacityProviders: ['FARGATE'],
        }),
      )
    })

    it('describes `default` when no cluster is named', async () => {
      const out = await t.ecs.send(new DescribeClustersCommand({}))
      expect(out.clusters?.map((c) => c.clusterName)).toEqual(['default'])
      expect(out.failures).toEqual([])
    })

    it('takes names and ARNs and reports unknown ones as MISSING', async () => {
      const out = await t.ecs.send(
        new DescribeClustersCommand({ clusters: ['desc', arn('default'), 'nope', arn('gone-too')] }),
      )
      expect(out.clusters?.map((c) => c.clusterArn)).toEqual([arn('desc'), arn('default')])
      expect(out.failures).toEqual([
        { arn: arn('nope'), reason: 'MISSING' },
        { arn: arn('gone-too'), reason: 'MISSING' },
      ])
    })

    it('omits tags, settings, configuration, statistics and attachments unless included', async () => {
      const r = await t.call('DescribeClusters', { clusters: ['desc'] })
      expect(r.body.clusters[0]).toEqual({
        clusterArn: arn('desc'),
        clusterName: 'desc',
        status: 'ACTIVE',
        registeredContainerInstancesCount: 0,
        runningTasksCount: 0,
        pendingTasksCount: 0,
        activeServicesCount: 0,
        statistics: [],
        tags: [],
        capacityProviders: ['FARGATE'],
        defaultCapacityProviderStrategy: [],
      })
    })

    it('includes what is asked for', async () => {
      const out = await t.ecs.send(
        new DescribeClustersCommand({
          clusters: ['desc'],
          include: ['TAGS', 'SETTINGS', 'CONFIGURATIONS', 'STATISTICS', 'ATTACHMENTS'],
        }),
      )
      const c = out.clusters![0]!
      expect(c.tags).toEqual([{ key: 'k', value: 'v' }])
      expect(c.settings).toEqual([{ name: 'containerInsights', value: 'disabled' }])
      expect(c.configuration).toEqual({ executeCommandConfiguration: { logging: 'NONE' } })
      expect(c.statistics).toHaveLength(8)
      expect(c.statistics?.every((s) => s.value === '0')).toBe(true)
      expect(c.attachments).toEqual([])
      expect(c.attachmentsStatus).toBe('UPDATE_COMPLETE')
    })

    it('refuses more than 100 clusters', async () => {
      const r = await t.call('DescribeClusters', { clusters: Array.from({ length: 101 }, (_, i) => `c${i}`) })
      expectError(r, 'InvalidParameterException', 'clusters can have at most 100 items.')
    })

    it('derives counts and statistics from tasks, services and container instances', async () => {
      const c = arn('desc')
      await seed('tasks', 't1', { taskArn: 'x1', clusterArn: c, lastStatus: 'RUNNING', launchType: 'FARGATE' })
      await seed('tasks', 't2', { taskArn: 'x2', clusterArn: c, lastStatus: 'PENDING', launchType: 'EC2' })
      await seed('tasks', 't3', { taskArn: 'x3', clusterArn: c, lastStatus: 'STOPPED', launchType: 'EC2' })
      await seed('services', 's1', { serviceArn: 'y1', clusterArn: c, status: 'ACTIVE', launchType: 'FARGATE' })
      await seed('services', 's2', { serviceArn: 'y2', clusterArn: c, status: 'DRAINING', launchType: 'EC2' })
      await seed('containerInstances', 'i1', { containerInstanceArn: 'z1', clusterArn: c, status: 'ACTIVE' })
      try {
        const out = await t.ecs.send(new DescribeClustersCommand({ clusters: ['desc'], include: ['STATISTICS'] }))
        const cl = out.clusters![0]!
        expect(cl).toMatchObject({
          registeredContainerInstancesCount: 1,
          runningTasksCount: 1,
          pendingTasksCount: 1,
          activeServicesCount: 1,
        })
        const stats = Object.fromEntries(cl.statistics!.map((s) => [s.name, s.value]))
        expect(stats).toMatchObject({
          runningFargateTasksCount: '1',
          pendingEC2TasksCount: '1',
          activeFargateServiceCount: '1',
          drainingEC2ServiceCount: '1',
        })
      } finally {
        for (const k of ['t1', 't2', 't3']) await unseed('tasks', k)
        for (const k of ['s1', 's2']) await unseed('services', k)
        await unseed('containerInstances', 'i1')
      }
    })
  })

  describe('ListClusters', () => {
    it('pages through ACTIVE clusters in a stable order', async () => {
      for (const n of ['l-a', 'l-b', 'l-c']) await t.ecs.send(new CreateClusterCommand({ clusterName: n }))
      const all: string[] = []
      for await (const page of paginateListClusters({ client: t.ecs, pageSize: 2 }, {})) {
        expect(page.clusterArns!.length).toBeLessThanOrEqual(2)
        all.push(...page.clusterArns!)
      }
      expect(all).toEqual([...all].sort())
      expect(all).toEqual(expect.arrayContaining([arn('l-a'), arn('l-b'), arn('l-c'), arn('default')]))
      const one = await t.ecs.send(new ListClustersCommand({}))
      expect(one.clusterArns).toEqual(all)
      expect(one.nextToken).toBeUndefined()
    })

    it('checks maxResults (1-100)', async () => {
      expectError(await t.call('ListClusters', { maxResults: 0 }), 'InvalidParameterException')
      expectError(await t.call('ListClusters', { maxResults: 101 }), 'InvalidParameterException')
      expect((await t.call('ListClusters', { maxResults: 100 })).status).toBe(200)
    })
  })

  describe('DeleteCluster', () => {
    it('answers ClusterNotFoundException for an unknown cluster', async () => {
      expectError(await t.call('DeleteCluster', { cluster: 'nope' }), 'ClusterNotFoundException', 'Cluster not found.')
      expectError(await t.call('DeleteCluster', {}), 'InvalidParameterException')
    })

    it('refuses while services, tasks or container instances are there', async () => {
      await t.ecs.send(new CreateClusterCommand({ clusterName: 'busy' }))
      const c = arn('busy')
      await seed('services', 'busy-s', { serviceArn: 'b1', clusterArn: c, status: 'DRAINING' })
      expectError(
        await t.call('DeleteCluster', { cluster: 'busy' }),
        'ClusterContainsServicesException',
        'The Cluster cannot be deleted while Services are active.',
      )
      await seed('services', 'busy-s', { serviceArn: 'b1', clusterArn: c, status: 'INACTIVE' })
      await seed('tasks', 'busy-t', { taskArn: 'b2', clusterArn: c, lastStatus: 'DEPROVISIONING' })
      expectError(
        await t.call('DeleteCluster', { cluster: c }),
        'ClusterContainsTasksException',
        'The Cluster cannot be deleted while Tasks are active.',
      )
      await seed('tasks', 'busy-t', { taskArn: 'b2', clusterArn: c, lastStatus: 'STOPPED' })
      await seed('containerInstances', 'busy-i', { containerInstanceArn: 'b3', clusterArn: c, status: 'DRAINING' })
      expectError(
        await t.call('DeleteCluster', { cluster: 'busy' }),
        'ClusterContainsContainerInstancesException',
        'The Cluster cannot be deleted while Container Instances are active or draining.',
      )
      await seed('containerInstances', 'busy-i', { containerInstanceArn: 'b3', clusterArn: c, status: 'INACTIVE' })
      const out = await t.ecs.send(new DeleteClusterCommand({ cluster: 'busy' }))
      expect(out.cluster?.status).toBe('INACTIVE')
    })

    it('makes the cluster INACTIVE: still describable, not listed, its tags gone, writes refused', async () => {
      await t.ecs.send(new CreateClusterCommand({ clusterName: 'doomed', tags: [{ key: 'k', value: 'v' }] }))
      hookCalls.length = 0
      const out = await t.ecs.send(new DeleteClusterCommand({ cluster: arn('doomed') }))
      expect(out.cluster).toMatchObject({ clusterArn: arn('doomed'), status: 'INACTIVE', tags: [] })
      expect(hookCalls).toEqual(['deleted:doomed'])

      const d = await t.ecs.send(new DescribeClustersCommand({ clusters: ['doomed'], include: ['TAGS'] }))
      expect(d.clusters?.[0]).toMatchObject({ status: 'INACTIVE', tags: [] })
      const l = await t.ecs.send(new ListClustersCommand({}))
      expect(l.clusterArns).not.toContain(arn('doomed'))

      const inactive = 'The referenced cluster was inactive.'
      expectError(await t.call('DeleteCluster', { cluster: 'doomed' }), 'ClusterNotFoundException', inactive)
      expectError(
        await t.call('UpdateClusterSettings', {
          cluster: 'doomed',
          settings: [{ name: 'containerInsights', value: 'enabled' }],
        }),
        'ClusterNotFoundException',
        inactive,
      )
      expectError(
        await t.call('UpdateCluster', { cluster: 'doomed', settings: [] }),
        'ClusterNotFoundException',
        inactive,
      )
      expectError(
        await t.call('PutClusterCapacityProviders', {
          cluster: 'doomed',
          capacityProviders: [],
          defaultCapacityProviderStrategy: [],
        }),
        'ClusterNotFoundException',
        inactive,
      )
    })

    it('lets a deleted name be created again, ACTIVE and fresh', async () => {
      await t.ecs.send(
        new CreateClusterCommand({ clusterName: 'phoenix', settings: [{ name: 'containerInsights', value: 'enabled' }] }),
      )
      await t.ecs.send(new DeleteClusterCommand({ cluster: 'phoenix' }))
      hookCalls.length = 0
      const again = await t.ecs.send(new CreateClusterCommand({ clusterName: 'phoenix' }))
      expect(again.cluster?.status).toBe('ACTIVE')
      expect(again.cluster?.settings).toEqual([{ name: 'containerInsights', value: 'disabled' }])
      expect(hookCalls).toEqual(['created:phoenix'])
    })
  })

  describe('updates', () => {
    beforeAll(async () => {
      await t.ecs.send(new CreateClusterCommand({ clusterName: 'upd' }))
    })

    it('UpdateCluster changes settings, configuration and service connect defaults', async () => {
      let out = await t.ecs.send(
        new UpdateClusterCommand({
          cluster: 'upd',
          settings: [{ name: 'containerInsights', value: 'enabled' }],
          configuration: { managedStorageConfiguration: { kmsKeyId: 'k1' } },
          serviceConnectDefaults: { namespace: 'arn:aws:servicediscovery:us-east-1:000000000000:namespace/ns-x' },
        }),
      )
      expect(out.cluster?.settings).toEqual([{ name: 'containerInsights', value: 'enabled' }])
      expect(out.cluster?.configuration).toEqual({ managedStorageConfiguration: { kmsKeyId: 'k1' } })
      expect(out.cluster?.serviceConnectDefaults).toEqual({
        namespace: 'arn:aws:servicediscovery:us-east-1:000000000000:namespace/ns-x',
      })
      out = await t.ecs.send(new UpdateClusterCommand({ cluster: arn('upd'), serviceConnectDefaults: { namespace: '' } }))
      expect(out.cluster?.serviceConnectDefaults).toBeUndefined()
      expect(out.cluster?.configuration).toEqual({ managedStorageConfiguration: { kmsKeyId: 'k1' } })
    })

    it('UpdateClusterSettings changes settings only', async () => {
      const out = await t.ecs.send(
        new UpdateClusterSettingsCommand({ cluster: 'upd', settings: [{ name: 'containerInsights', value: 'enhanced' }] }),
      )
      expect(out.cluster?.settings).toEqual([{ name: 'containerInsights', value: 'enhanced' }])
      expectError(
        await t.call('UpdateClusterSettings', { cluster: 'upd', settings: [{ name: 'containerInsights', value: 'x' }] }),
        'InvalidParameterException',
      )
    })

    it('answers ClusterNotFoundException for unknown clusters', async () => {
      for (const [op, body] of [
        ['UpdateCluster', { cluster: 'nope' }],
        ['UpdateClusterSettings', { cluster: 'nope', settings: [] }],
        ['PutClusterCapacityProviders', { cluster: 'nope', capacityProviders: [], defaultCapacityProviderStrategy: [] }],
      ] as const) {
        expectError(await t.call(op, body), 'ClusterNotFoundException', 'Cluster not found.')
      }
    })

    it('PutClusterCapacityProviders sets providers and the default strategy', async () => {
      const out = await t.ecs.send(
        new PutClusterCapacityProvidersCommand({
          cluster: 'upd',
          capacityProviders: ['FARGATE_SPOT'],
          defaultCapacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }],
        }),
      )
      expect(out.cluster?.capacityProviders).toEqual(['FARGATE_SPOT'])
      expect(out.cluster?.defaultCapacityProviderStrategy).toEqual([
        { capacityProvider: 'FARGATE_SPOT', weight: 1, base: 0 },
      ])
      const bad = await t.call('PutClusterCapacityProviders', {
        cluster: 'upd',
        capacityProviders: ['EC2_ASG'],
        defaultCapacityProviderStrategy: [],
      })
      expectError(bad, 'InvalidParameterException')
      expect(bad.body.message).toContain("'EC2_ASG'")
      const strat = await t.call('PutClusterCapacityProviders', {
        cluster: 'upd',
        capacityProviders: ['FARGATE'],
        defaultCapacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT' }],
      })
      expectError(strat, 'InvalidParameterException')
    })

    it('refuses to remove a capacity provider a service uses', async () => {
      await seed('services', 'upd-s', {
        serviceArn: 'u1',
        clusterArn: arn('upd'),
        status: 'ACTIVE',
        capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }],
      })
      try {
        const r = await t.call('PutClusterCapacityProviders', {
          cluster: 'upd',
          capacityProviders: ['FARGATE'],
          defaultCapacityProviderStrategy: [],
        })
        expectError(r, 'ResourceInUseException')
      } finally {
        await unseed('services', 'upd-s')
      }
    })
  })
})

describe('clusters across a restart', () => {
  it('keeps clusters, their state and tags in the store', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kecs-clusters-'))
    try {
      let t = await startTestInstance({ dir })
      await t.ecs.send(
        new CreateClusterCommand({
          clusterName: 'kept',
          tags: [{ key: 'k', value: 'v' }],
          settings: [{ name: 'containerInsights', value: 'enabled' }],
        }),
      )
      await t.ecs.send(new CreateClusterCommand({ clusterName: 'dropped' }))
      await t.ecs.send(new DeleteClusterCommand({ cluster: 'dropped' }))
      await t.stop()

      t = await startTestInstance({ dir })
      try {
        const out = await t.ecs.send(
          new DescribeClustersCommand({ clusters: ['kept', 'dropped'], include: ['TAGS', 'SETTINGS'] }),
        )
        expect(out.clusters?.map((c) => [c.clusterName, c.status])).toEqual([
          ['kept', 'ACTIVE'],
          ['dropped', 'INACTIVE'],
        ])
        expect(out.clusters?.[0]?.tags).toEqual([{ key: 'k', value: 'v' }])
        expect(out.clusters?.[0]?.settings).toEqual([{ name: 'containerInsights', value: 'enabled' }])
        const list = await t.ecs.send(new ListClustersCommand({}))
        expect(list.clusterArns).toEqual([arn('kept')])
      } finally {
        await t.stop()
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
