import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestInstance, type TestInstance } from '../helpers/instance.js'

/**
 * RunTask / StartTask / StopTask / DescribeTasks / ListTasks errors, on an instance without a cluster:
 * ECS's checks come first, the "no cluster" answer only once the request itself is valid.
 */
let t: TestInstance

function expectError(r: { status: number; body: any }, type: string, message?: string | RegExp) {
  expect(r.status, JSON.stringify(r.body)).toBe(400)
  expect(r.body.__type).toBe(type)
  if (typeof message === 'string') expect(r.body.message).toBe(message)
  else if (message) expect(r.body.message).toMatch(message)
}

beforeAll(async () => {
  t = await startTestInstance()
  await t.call('CreateCluster', { clusterName: 'v' })
  await t.call('RegisterTaskDefinition', { family: 'ec2', containerDefinitions: [{ name: 'app', image: 'busybox', memory: 64 }] })
  await t.call('RegisterTaskDefinition', {
    family: 'vpc',
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    cpu: '256',
    memory: '512',
    containerDefinitions: [{ name: 'app', image: 'busybox' }],
  })
  await t.call('RegisterTaskDefinition', { family: 'old', containerDefinitions: [{ name: 'app', image: 'busybox', memory: 64 }] })
  await t.call('DeregisterTaskDefinition', { taskDefinition: 'old:1' })
})
afterAll(async () => t?.stop())

describe('RunTask errors', () => {
  it('unknown cluster, unknown and inactive definitions', async () => {
    expectError(await t.call('RunTask', { cluster: 'nope', taskDefinition: 'ec2' }), 'ClusterNotFoundException', 'Cluster not found.')
    expectError(await t.call('RunTask', { cluster: 'v', taskDefinition: 'missing' }), 'ClientException', 'TaskDefinition not found.')
    expectError(await t.call('RunTask', { cluster: 'v', taskDefinition: 'old:1' }), 'InvalidParameterException', 'TaskDefinition is inactive')
    expectError(await t.call('RunTask', { cluster: 'v' }), 'InvalidParameterException')
  })

  it('count, launch type vs strategy, compatibility, network configuration, overrides', async () => {
    expectError(await t.call('RunTask', { cluster: 'v', taskDefinition: 'ec2', count: 11 }), 'InvalidParameterException', 'count must be between 1 and 10.')
    expectError(
      await t.call('RunTask', { cluster: 'v', taskDefinition: 'ec2', launchType: 'EC2', capacityProviderStrategy: [{ capacityProvider: 'FARGATE' }] }),
      'InvalidParameterException',
      'Specifying both a launch type and capacity provider strategy is not supported. Remove one and try again.',
    )
    expectError(
      await t.call('RunTask', { cluster: 'v', taskDefinition: 'ec2', launchType: 'FARGATE' }),
      'InvalidParameterException',
      'Task definition does not support launch_type FARGATE.',
    )
    expectError(
      await t.call('RunTask', { cluster: 'v', taskDefinition: 'vpc', launchType: 'FARGATE' }),
      'InvalidParameterException',
      "Network Configuration must be provided when networkMode 'awsvpc' is specified.",
    )
    expectError(
      await t.call('RunTask', { cluster: 'v', taskDefinition: 'ec2', overrides: { containerOverrides: [{ name: 'ghost' }] } }),
      'InvalidParameterException',
      'Override for container named ghost is not a container in the TaskDefinition.',
    )
    expectError(await t.call('RunTask', { cluster: 'v', taskDefinition: 'ec2', propagateTags: 'SERVICE' }), 'InvalidParameterException')
    expectError(
      await t.call('RunTask', { cluster: 'v', taskDefinition: 'ec2', tags: [{ key: 'aws:x', value: '1' }] }),
      'InvalidParameterException',
      /reserved/,
    )
  })

  it('a valid request without a cluster: ClientException naming the problem', async () => {
    expectError(
      await t.call('RunTask', {
        cluster: 'v',
        taskDefinition: 'vpc',
        launchType: 'FARGATE',
        networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'] } },
      }),
      'ClientException',
      /^KECS is running without a cluster/,
    )
    expectError(await t.call('StartTask', { cluster: 'v', taskDefinition: 'ec2', containerInstances: ['x'] }), 'ClientException', /without a cluster/)
  })
})

describe('other task operations', () => {
  it('StopTask, DescribeTasks and ListTasks on unknown things', async () => {
    expectError(await t.call('StopTask', { cluster: 'v', task: 'abc' }), 'InvalidParameterException', 'The referenced task was not found.')
    expectError(await t.call('StopTask', { cluster: 'nope', task: 'abc' }), 'ClusterNotFoundException')
    expectError(await t.call('DescribeTasks', { cluster: 'v', tasks: [] }), 'InvalidParameterException', 'Tasks cannot be empty.')
    expectError(await t.call('DescribeTasks', { cluster: 'nope', tasks: ['a'] }), 'ClusterNotFoundException')
    const d = await t.call('DescribeTasks', { cluster: 'v', tasks: ['abc'] })
    expect(d.body).toEqual({ tasks: [], failures: [{ arn: 'arn:aws:ecs:us-east-1:000000000000:task/v/abc', reason: 'MISSING' }] })
    expectError(await t.call('ListTasks', { cluster: 'nope' }), 'ClusterNotFoundException')
    expectError(await t.call('ListTasks', { cluster: 'v', maxResults: 101 }), 'InvalidParameterException')
    expect((await t.call('ListTasks', { cluster: 'v', startedBy: 'x', desiredStatus: 'STOPPED' })).body).toEqual({ taskArns: [] })
  })

  it('task protection: unknown tasks are MISSING; bounds are checked', async () => {
    const u = await t.call('UpdateTaskProtection', { cluster: 'v', tasks: ['abc'], protectionEnabled: true })
    expect(u.body).toEqual({ protectedTasks: [], failures: [{ arn: 'arn:aws:ecs:us-east-1:000000000000:task/v/abc', reason: 'MISSING' }] })
    expectError(await t.call('UpdateTaskProtection', { cluster: 'v', tasks: ['a'], protectionEnabled: true, expiresInMinutes: 0 }), 'InvalidParameterException')
    const g = await t.call('GetTaskProtection', { cluster: 'v', tasks: ['abc'] })
    expect(g.body.failures[0].reason).toBe('MISSING')
  })
})
