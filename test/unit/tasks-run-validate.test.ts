import { describe, expect, it } from 'vitest'
import type { ClusterDoc } from '../../src/ecs/clusters/cluster-doc.js'
import { buildTask, renderOverrides } from '../../src/ecs/tasks/build-task.js'
import {
  checkCompatibility,
  checkNetwork,
  checkOverrides,
  checkRequestShape,
  checkTaskDefinitionActive,
  messages,
  placements,
} from '../../src/ecs/tasks/validate-run.js'
import type { TaskDefinitionDoc } from '../../src/ecs/task-definitions/task-definition-doc.js'

const cluster = (o: Partial<ClusterDoc> = {}): ClusterDoc => ({
  clusterArn: 'arn:aws:ecs:us-east-1:000000000000:cluster/c',
  clusterName: 'c',
  status: 'ACTIVE',
  ...o,
})

const td = (o: Partial<TaskDefinitionDoc> = {}): TaskDefinitionDoc => ({
  taskDefinitionArn: 'arn:aws:ecs:us-east-1:000000000000:task-definition/web:2',
  family: 'web',
  revision: 2,
  status: 'ACTIVE',
  compatibilities: ['EC2', 'EXTERNAL'],
  containerDefinitions: [
    { name: 'app', image: 'nginx', cpu: 128, memory: 256, essential: true, stopTimeout: 45 },
    { name: 'log', image: 'fluent', memoryReservation: 64, essential: false },
  ],
  ...o,
})

const err = (fn: () => unknown) => {
  try {
    fn()
  } catch (e) {
    return e as { type: string; message: string }
  }
  throw new Error('expected an error')
}

describe('RunTask input validation', () => {
  it('count is 1-10; startedBy, overrides, placement and clientToken are bounded; propagateTags SERVICE is refused', () => {
    expect(() => checkRequestShape({ count: 1 })).not.toThrow()
    expect(() => checkRequestShape({ count: 10 })).not.toThrow()
    for (const count of [0, 11, -1]) expect(err(() => checkRequestShape({ count }))).toMatchObject({ type: 'InvalidParameterException', message: messages.count })
    expect(err(() => checkRequestShape({ startedBy: 'x'.repeat(129) })).message).toBe(messages.startedBy)
    const big = { containerOverrides: [{ name: 'app', command: ['x'.repeat(9000)] }] }
    expect(err(() => checkRequestShape({ overrides: big })).message).toBe(messages.overrides)
    expect(err(() => checkRequestShape({ placementConstraints: Array(11).fill({ type: 'distinctInstance' }) })).message).toBe(messages.constraints)
    expect(err(() => checkRequestShape({ placementStrategy: Array(6).fill({ type: 'random' }) })).message).toBe(messages.strategies)
    expect(err(() => checkRequestShape({ clientToken: 't'.repeat(65) })).message).toBe(messages.clientToken)
    expect(err(() => checkRequestShape({ propagateTags: 'SERVICE' })).type).toBe('InvalidParameterException')
    expect(() => checkRequestShape({ propagateTags: 'TASK_DEFINITION' })).not.toThrow()
  })

  it('INACTIVE definitions and unknown override containers are refused', () => {
    expect(err(() => checkTaskDefinitionActive(td({ status: 'INACTIVE' })))).toMatchObject({ type: 'InvalidParameterException', message: 'TaskDefinition is inactive' })
    expect(() => checkOverrides(td(), { containerOverrides: [{ name: 'app' }] })).not.toThrow()
    expect(err(() => checkOverrides(td(), { containerOverrides: [{ name: 'nope' }] })).message).toBe(
      'Override for container named nope is not a container in the TaskDefinition.',
    )
  })

  it('launch type and capacity provider strategy: conflicts, cluster default, base then weight', () => {
    expect(err(() => placements({ launchType: 'EC2', capacityProviderStrategy: [] }, cluster(), 1)).message).toBe(messages.bothLaunch)
    expect(placements({ launchType: 'FARGATE' }, cluster(), 2)).toEqual([{ launchType: 'FARGATE' }, { launchType: 'FARGATE' }])
    expect(placements({}, cluster(), 1)).toEqual([{ launchType: 'EC2' }])
    const fargate = cluster({ capacityProviders: ['FARGATE', 'FARGATE_SPOT'], defaultCapacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }] })
    expect(placements({}, fargate, 1)).toEqual([{ launchType: 'FARGATE', capacityProviderName: 'FARGATE_SPOT' }])
    expect(err(() => placements({ capacityProviderStrategy: [{ capacityProvider: 'FARGATE' }] }, cluster(), 1)).message).toBe(messages.providerNotInCluster)
    const spread = placements(
      { capacityProviderStrategy: [{ capacityProvider: 'FARGATE', base: 2, weight: 1 }, { capacityProvider: 'FARGATE_SPOT', weight: 3 }] },
      fargate,
      6,
    ).map((p) => p.capacityProviderName)
    expect(spread.slice(0, 2)).toEqual(['FARGATE', 'FARGATE'])
    expect(spread.filter((p) => p === 'FARGATE_SPOT')).toHaveLength(3)
  })

  it('the definition must support the launch type', () => {
    expect(() => checkCompatibility(td(), 'EC2')).not.toThrow()
    expect(err(() => checkCompatibility(td(), 'FARGATE')).message).toBe('Task definition does not support launch_type FARGATE.')
  })

  it('network configuration: required for awsvpc, refused otherwise, subnets needed, public IP only on Fargate', () => {
    const vpc = td({ networkMode: 'awsvpc' })
    const nc = { awsvpcConfiguration: { subnets: ['subnet-1'], securityGroups: ['sg-1'] } }
    expect(() => checkNetwork(vpc, nc, 'EC2')).not.toThrow()
    expect(err(() => checkNetwork(vpc, undefined, 'FARGATE')).message).toBe(messages.noNetwork)
    expect(err(() => checkNetwork(vpc, { awsvpcConfiguration: { subnets: [] } }, 'FARGATE')).message).toBe(messages.noSubnets)
    expect(err(() => checkNetwork(vpc, { awsvpcConfiguration: { subnets: ['s'], assignPublicIp: 'ENABLED' } }, 'EC2')).message).toBe(messages.publicIp)
    expect(() => checkNetwork(vpc, { awsvpcConfiguration: { subnets: ['s'], assignPublicIp: 'ENABLED' } }, 'FARGATE')).not.toThrow()
    expect(err(() => checkNetwork(td(), nc, 'EC2')).message).toBe(messages.networkNotValid)
  })
})

describe('a fresh task', () => {
  const base = {
    scope: { account: '000000000000', region: 'eu-west-1' },
    clusterName: 'c',
    clusterArn: 'arn:aws:ecs:eu-west-1:000000000000:cluster/c',
    taskId: 'ab'.repeat(16),
    nowMs: 1_700_000_000_123,
    uuid: () => 'u',
  }

  it('EC2: PENDING, version 1, containers PENDING, sizes as strings, stop timeout = largest', () => {
    const t = buildTask({ ...base, taskDefinition: td(), launchType: 'EC2', containerInstanceArn: 'ci', startedBy: 'me', overrides: { containerOverrides: [{ name: 'app', cpu: 256 }] } })
    expect(t).toMatchObject({
      lastStatus: 'PENDING',
      desiredStatus: 'RUNNING',
      version: 1,
      createdAt: 1_700_000_000.123,
      group: 'family:web',
      launchType: 'EC2',
      containerInstanceArn: 'ci',
      startedBy: 'me',
      attachments: [],
      availabilityZone: 'eu-west-1a',
      cpu: '256',
      memory: '320',
      taskArn: `arn:aws:ecs:eu-west-1:000000000000:task/c/${'ab'.repeat(16)}`,
    })
    expect(t.containers!.map((c) => [c.name, c.lastStatus, c.cpu, c.memory, c.memoryReservation])).toEqual([
      ['app', 'PENDING', '256', '256', undefined],
      ['log', 'PENDING', '0', undefined, '64'],
    ])
    expect(t.kecs).toMatchObject({ essential: ['app'], stopTimeoutSeconds: 45 })
    expect(t.platformVersion).toBeUndefined()
  })

  it('Fargate/awsvpc: PROVISIONING with a PRECREATED ENI, platform version, ephemeral storage, no instance', () => {
    const t = buildTask({
      ...base,
      taskDefinition: td({ networkMode: 'awsvpc', cpu: '512', memory: '1024' }),
      launchType: 'FARGATE',
      containerInstanceArn: 'ci',
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-9'] } },
    })
    expect(t).toMatchObject({
      lastStatus: 'PROVISIONING',
      platformVersion: '1.4.0',
      platformFamily: 'Linux',
      ephemeralStorage: { sizeInGiB: 20 },
      fargateEphemeralStorage: { sizeInGiB: 20 },
      cpu: '512',
      memory: '1024',
      attachments: [{ id: 'u', type: 'ElasticNetworkInterface', status: 'PRECREATED', details: [{ name: 'subnetId', value: 'subnet-9' }] }],
    })
    expect(t.containerInstanceArn).toBeUndefined()
  })

  it('overrides are echoed with one entry per container', () => {
    expect(renderOverrides(['a', 'b'], { containerOverrides: [{ name: 'b', command: ['x'] }], taskRoleArn: 'r' })).toEqual({
      containerOverrides: [{ name: 'a' }, { name: 'b', command: ['x'] }],
      inferenceAcceleratorOverrides: [],
      taskRoleArn: 'r',
    })
  })
})
