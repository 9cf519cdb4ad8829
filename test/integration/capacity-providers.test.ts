import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestInstance, type TestInstance } from '../helpers/instance.js'

/** CreateCapacityProvider … DescribeCapacityProviders, and providers used by clusters. */

const P = 'arn:aws:ecs:us-east-1:000000000000'
const ASG = 'arn:aws:autoscaling:us-east-1:000000000000:autoScalingGroup:0b1c2d3e-aaaa-bbbb-cccc-0123456789ab:autoScalingGroupName/my-asg'

function expectError(r: { status: number; body: any }, type: string, message?: string) {
  expect(r.status, JSON.stringify(r.body)).toBe(400)
  expect(r.body.__type).toBe(type)
  if (message !== undefined) expect(r.body.message).toBe(message)
}

describe('capacity providers', () => {
  let t: TestInstance
  beforeAll(async () => {
    t = await startTestInstance()
  })
  afterAll(async () => t.stop())

  it('lists FARGATE and FARGATE_SPOT as built in', async () => {
    const r = await t.call('DescribeCapacityProviders', {})
    expect(r.status).toBe(200)
    expect(r.body.capacityProviders).toEqual([
      { capacityProviderArn: `${P}:capacity-provider/FARGATE`, name: 'FARGATE', status: 'ACTIVE', tags: [], type: 'FARGATE' },
      { capacityProviderArn: `${P}:capacity-provider/FARGATE_SPOT`, name: 'FARGATE_SPOT', status: 'ACTIVE', tags: [], type: 'FARGATE_SPOT' },
    ])
    expect(r.body.failures).toEqual([])
  })

  it('creates an Auto Scaling group provider with ECS defaults filled in', async () => {
    const r = await t.call('CreateCapacityProvider', {
      name: 'asg-one',
      autoScalingGroupProvider: { autoScalingGroupArn: ASG, managedScaling: { status: 'ENABLED' } },
      tags: [{ key: 'team', value: 'core' }],
    })
    expect(r.status, JSON.stringify(r.body)).toBe(200)
    expect(r.body.capacityProvider).toEqual({
      capacityProviderArn: `${P}:capacity-provider/asg-one`,
      name: 'asg-one',
      status: 'ACTIVE',
      autoScalingGroupProvider: {
        autoScalingGroupArn: ASG,
        managedScaling: { status: 'ENABLED', targetCapacity: 100, minimumScalingStepSize: 1, maximumScalingStepSize: 10000, instanceWarmupPeriod: 300 },
        managedTerminationProtection: 'DISABLED',
        managedDraining: 'ENABLED',
      },
      tags: [{ key: 'team', value: 'core' }],
      type: 'EC2_AUTOSCALING',
    })
    const d = await t.call('DescribeCapacityProviders', { capacityProviders: ['asg-one', 'nope'] })
    expect(d.body.capacityProviders.map((p: any) => p.name)).toEqual(['asg-one'])
    expect(d.body.capacityProviders[0].tags).toEqual([])
    expect(d.body.failures).toEqual([{ arn: `${P}:capacity-provider/nope`, reason: 'MISSING' }])
    const tagged = await t.call('DescribeCapacityProviders', { capacityProviders: [`${P}:capacity-provider/asg-one`], include: ['TAGS'] })
    expect(tagged.body.capacityProviders[0].tags).toEqual([{ key: 'team', value: 'core' }])
  })

  it('validates names, the group and its settings', async () => {
    const asg = { autoScalingGroupArn: 'other-asg' }
    for (const name of ['aws-x', 'ECSthing', 'fargate2', 'bad name']) {
      expectError(await t.call('CreateCapacityProvider', { name, autoScalingGroupProvider: asg }), 'InvalidParameterException')
    }
    expectError(
      await t.call('CreateCapacityProvider', { name: 'asg-one', autoScalingGroupProvider: asg }),
      'ClientException',
      'The specified capacity provider already exists. To change the configuration of an existing capacity provider, update the capacity provider.',
    )
    expectError(
      await t.call('CreateCapacityProvider', { name: 'asg-two', autoScalingGroupProvider: { autoScalingGroupArn: 'my-asg' } }),
      'ClientException',
      'The specified Auto Scaling group ARN is already being used by another capacity provider. Specify a unique Auto Scaling group ARN and try again.',
    )
    expectError(await t.call('CreateCapacityProvider', { name: 'none' }), 'ClientException')
    expectError(
      await t.call('CreateCapacityProvider', { name: 'x', autoScalingGroupProvider: { ...asg, managedScaling: { targetCapacity: 0 } } }),
      'InvalidParameterException',
    )
    expectError(
      await t.call('CreateCapacityProvider', { name: 'x', autoScalingGroupProvider: { ...asg, managedTerminationProtection: 'ENABLED' } }),
      'ClientException',
    )
    expectError(await t.call('CreateCapacityProvider', { name: 'x', autoScalingGroupProvider: { autoScalingGroupArn: 'arn:aws:ec2:x' } }), 'InvalidParameterException')
  })

  it('updates asynchronously: the answer shows the old settings, a describe the new', async () => {
    const r = await t.call('UpdateCapacityProvider', {
      name: 'asg-one',
      autoScalingGroupProvider: { managedScaling: { status: 'DISABLED', targetCapacity: 50 }, managedDraining: 'DISABLED' },
    })
    expect(r.status, JSON.stringify(r.body)).toBe(200)
    expect(r.body.capacityProvider.updateStatus).toBe('UPDATE_IN_PROGRESS')
    expect(r.body.capacityProvider.autoScalingGroupProvider.managedScaling.targetCapacity).toBe(100)
    const d = await t.call('DescribeCapacityProviders', { capacityProviders: ['asg-one'] })
    const p = d.body.capacityProviders[0]
    expect(p.updateStatus).toBe('UPDATE_COMPLETE')
    expect(p.autoScalingGroupProvider.managedScaling).toEqual({
      status: 'DISABLED',
      targetCapacity: 50,
      minimumScalingStepSize: 1,
      maximumScalingStepSize: 10000,
      instanceWarmupPeriod: 300,
    })
    expect(p.autoScalingGroupProvider.managedDraining).toBe('DISABLED')
    expectError(await t.call('UpdateCapacityProvider', { name: 'FARGATE', autoScalingGroupProvider: {} }), 'ClientException')
    expectError(await t.call('UpdateCapacityProvider', { name: 'nope', autoScalingGroupProvider: {} }), 'ClientException')
  })

  it('works in clusters as FARGATE does, with ECS attachments for managed scaling and draining', async () => {
    await t.call('CreateCapacityProvider', {
      name: 'asg-scaled',
      autoScalingGroupProvider: { autoScalingGroupArn: 'scaled-asg', managedScaling: { status: 'ENABLED' } },
    })
    const r = await t.call('CreateCluster', {
      clusterName: 'cp-cluster',
      capacityProviders: ['asg-scaled', 'FARGATE'],
      defaultCapacityProviderStrategy: [{ capacityProvider: 'asg-scaled', weight: 1 }],
    })
    expect(r.status, JSON.stringify(r.body)).toBe(200)
    const c = r.body.cluster
    expect(c.capacityProviders).toEqual(['asg-scaled', 'FARGATE'])
    expect(c.attachmentsStatus).toBe('UPDATE_COMPLETE')
    expect(c.attachments.map((a: any) => a.type)).toEqual(['as_policy', 'managed_draining'])
    const policy = c.attachments[0]
    expect(policy.status).toBe('CREATED')
    expect(policy.details[0]).toEqual({ name: 'capacityProviderName', value: 'asg-scaled' })
    expect(policy.details[1].name).toBe('scalingPolicyName')
    expect(policy.details[1].value).toMatch(/^ECSManagedAutoScalingPolicy-[0-9a-f-]{36}$/)

    const put = await t.call('PutClusterCapacityProviders', {
      cluster: 'cp-cluster',
      capacityProviders: ['asg-scaled', 'asg-one'],
      defaultCapacityProviderStrategy: [{ capacityProvider: 'asg-one', weight: 1 }],
    })
    expect(put.status, JSON.stringify(put.body)).toBe(200)
    // the scaling policy keeps its id; asg-one has neither managed scaling nor draining now
    expect(put.body.cluster.attachments.map((a: any) => a.id)).toEqual(c.attachments.map((a: any) => a.id))

    const d = await t.call('DescribeCapacityProviders', { cluster: 'cp-cluster' })
    expect(d.body.capacityProviders.map((p: any) => p.name)).toEqual(['asg-one', 'asg-scaled'])

    // turning managed scaling on for asg-one gives the cluster its scaling policy
    await t.call('UpdateCapacityProvider', { name: 'asg-one', autoScalingGroupProvider: { managedScaling: { status: 'ENABLED' } } })
    const after = await t.call('DescribeClusters', { clusters: ['cp-cluster'], include: ['ATTACHMENTS'] })
    const policies = after.body.clusters[0].attachments.filter((a: any) => a.type === 'as_policy')
    expect(policies.map((a: any) => a.details[0].value)).toEqual(['asg-scaled', 'asg-one'])
    await t.call('UpdateCapacityProvider', { name: 'asg-one', autoScalingGroupProvider: { managedScaling: { status: 'DISABLED' } } })
  })

  it('a strategy holds Fargate providers or Auto Scaling group ones, not both', async () => {
    const mixed = 'A capacity provider strategy cannot contain a mix of capacity providers using Auto Scaling groups and Fargate providers. Specify one or the other and try again.'
    expectError(
      await t.call('CreateCluster', {
        clusterName: 'mixed',
        capacityProviders: ['asg-scaled', 'FARGATE'],
        defaultCapacityProviderStrategy: [{ capacityProvider: 'asg-scaled', weight: 1 }, { capacityProvider: 'FARGATE', weight: 1 }],
      }),
      'InvalidParameterException',
      mixed,
    )
    await t.call('PutClusterCapacityProviders', { cluster: 'cp-cluster', capacityProviders: ['asg-scaled', 'asg-one', 'FARGATE'], defaultCapacityProviderStrategy: [] })
    await t.call('RegisterTaskDefinition', { family: 'cp-web', containerDefinitions: [{ name: 'app', image: 'nginx', memory: 64 }] })
    expectError(
      await t.call('RunTask', {
        cluster: 'cp-cluster',
        taskDefinition: 'cp-web',
        capacityProviderStrategy: [{ capacityProvider: 'FARGATE', weight: 1 }, { capacityProvider: 'asg-one', weight: 1 }],
      }),
      'InvalidParameterException',
      mixed,
    )
    expectError(
      await t.call('CreateService', {
        cluster: 'cp-cluster',
        serviceName: 'mixed',
        taskDefinition: 'cp-web',
        capacityProviderStrategy: [{ capacityProvider: 'asg-one', weight: 1 }, { capacityProvider: 'FARGATE', weight: 1 }],
      }),
      'InvalidParameterException',
      mixed,
    )
    await t.call('PutClusterCapacityProviders', { cluster: 'cp-cluster', capacityProviders: ['asg-scaled', 'asg-one'], defaultCapacityProviderStrategy: [{ capacityProvider: 'asg-one', weight: 1 }] })
  })

  it('UpdateService with an empty strategy and no cluster default has no launch type to fall back to', async () => {
    await t.call('CreateCluster', { clusterName: 'fallback', capacityProviders: ['asg-one'] })
    await t.call('RegisterTaskDefinition', { family: 'fb', containerDefinitions: [{ name: 'app', image: 'nginx', memory: 64 }] })
    const c = await t.call('CreateService', {
      cluster: 'fallback',
      serviceName: 'fb',
      taskDefinition: 'fb',
      desiredCount: 0,
      capacityProviderStrategy: [{ capacityProvider: 'asg-one', weight: 1 }],
    })
    expect(c.status, JSON.stringify(c.body)).toBe(200)
    expectError(
      await t.call('UpdateService', { cluster: 'fallback', service: 'fb', capacityProviderStrategy: [] }),
      'InvalidParameterException',
      'No launch type to fall back to for empty capacity provider strategy. Your service was not created with a launch type.',
    )
    await t.call('DeleteService', { cluster: 'fallback', service: 'fb', force: true })
    await t.call('PutClusterCapacityProviders', { cluster: 'fallback', capacityProviders: [], defaultCapacityProviderStrategy: [] })
  })

  it('refuses to delete a provider a cluster uses, without an error, and deletes it once free', async () => {
    const r = await t.call('DeleteCapacityProvider', { capacityProvider: 'asg-one' })
    expect(r.status).toBe(200)
    expect(r.body.capacityProvider).toMatchObject({
      name: 'asg-one',
      status: 'ACTIVE',
      updateStatus: 'DELETE_FAILED',
      updateStatusReason:
        'The capacity provider cannot be deleted because it is associated with cluster: cp-cluster. Remove the capacity provider from the cluster and try again.',
    })
    await t.call('PutClusterCapacityProviders', { cluster: 'cp-cluster', capacityProviders: ['asg-scaled'], defaultCapacityProviderStrategy: [] })
    const ok = await t.call('DeleteCapacityProvider', { capacityProvider: `${P}:capacity-provider/asg-one` })
    expect(ok.body.capacityProvider).toMatchObject({ status: 'ACTIVE', updateStatus: 'DELETE_IN_PROGRESS' })
    const d = await t.call('DescribeCapacityProviders', { capacityProviders: ['asg-one'] })
    expect(d.body.capacityProviders[0]).toMatchObject({ status: 'INACTIVE', updateStatus: 'DELETE_COMPLETE' })
    const all = await t.call('DescribeCapacityProviders', {})
    expect(all.body.capacityProviders.map((p: any) => p.name)).not.toContain('asg-one')
    // a deleted provider can no longer be associated
    expectError(await t.call('PutClusterCapacityProviders', { cluster: 'cp-cluster', capacityProviders: ['asg-one'], defaultCapacityProviderStrategy: [] }), 'InvalidParameterException')
    expectError(await t.call('DeleteCapacityProvider', { capacityProvider: 'FARGATE' }), 'ClientException')
  })

  it('pages 10 at a time at most', async () => {
    for (let i = 0; i < 10; i++) {
      await t.call('CreateCapacityProvider', { name: `page-${i}`, autoScalingGroupProvider: { autoScalingGroupArn: `page-asg-${i}` } })
    }
    const first = await t.call('DescribeCapacityProviders', {})
    expect(first.body.capacityProviders).toHaveLength(10)
    const next = await t.call('DescribeCapacityProviders', { nextToken: first.body.nextToken })
    expect(next.body.capacityProviders.length).toBeGreaterThan(0)
    expect(next.body.nextToken).toBeUndefined()
    expectError(await t.call('DescribeCapacityProviders', { maxResults: 11 }), 'InvalidParameterException')
  })

  it('creates Managed Instances providers inside their cluster', async () => {
    await t.call('CreateCluster', { clusterName: 'mi' })
    const mi = {
      infrastructureRoleArn: 'arn:aws:iam::000000000000:role/ecsInfrastructureRole',
      instanceLaunchTemplate: {
        ec2InstanceProfileArn: 'arn:aws:iam::000000000000:instance-profile/ecsInstance',
        networkConfiguration: { subnets: ['subnet-1'] },
        instanceRequirements: { vCpuCount: { min: 1 }, memoryMiB: { min: 1024 } },
      },
    }
    expectError(await t.call('CreateCapacityProvider', { name: 'mi-cp', managedInstancesProvider: mi }), 'ClientException')
    const r = await t.call('CreateCapacityProvider', { name: 'mi-cp', cluster: 'mi', managedInstancesProvider: mi })
    expect(r.status, JSON.stringify(r.body)).toBe(200)
    expect(r.body.capacityProvider).toMatchObject({ name: 'mi-cp', cluster: 'mi', type: 'MANAGED_INSTANCES', status: 'ACTIVE' })
    const c = await t.call('DescribeClusters', { clusters: ['mi'] })
    expect(c.body.clusters[0].capacityProviders).toEqual(['mi-cp'])
    expectError(
      await t.call('DeleteCluster', { cluster: 'mi' }),
      'ClientException',
      'The Cluster cannot be deleted while Cluster Scoped Capacity Providers are attached to the cluster.',
    )
    const put = await t.call('PutClusterCapacityProviders', { cluster: 'mi', capacityProviders: ['FARGATE'], defaultCapacityProviderStrategy: [] })
    expect(put.body.cluster.capacityProviders).toEqual(['FARGATE', 'mi-cp'])
    await t.call('DeleteCapacityProvider', { capacityProvider: 'mi-cp', cluster: 'mi' })
    const after = await t.call('DescribeClusters', { clusters: ['mi'] })
    expect(after.body.clusters[0].capacityProviders).toEqual(['FARGATE'])
    expect((await t.call('DeleteCluster', { cluster: 'mi' })).status).toBe(200)
  })
})
