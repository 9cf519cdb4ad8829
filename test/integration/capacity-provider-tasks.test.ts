import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startClusterInstance, type ClusterInstance } from '../helpers/cluster-instance.js'
import { eventually } from '../helpers/emulator.js'

/** Tasks placed by capacity provider strategies on the emulated cluster: RunTask's and a service's. */

const CLUSTER = 'cp-tasks'
let k: ClusterInstance

beforeAll(async () => {
  k = await startClusterInstance()
  for (const name of ['base-cp', 'more-cp']) {
    const r = await k.call('CreateCapacityProvider', { name, autoScalingGroupProvider: { autoScalingGroupArn: `${name}-asg` } })
    expect(r.status, JSON.stringify(r.body)).toBe(200)
  }
  await k.call('CreateCluster', {
    clusterName: CLUSTER,
    capacityProviders: ['base-cp', 'more-cp'],
    defaultCapacityProviderStrategy: [{ capacityProvider: 'base-cp', base: 1, weight: 0 }, { capacityProvider: 'more-cp', weight: 1 }],
  })
  await k.call('RegisterTaskDefinition', { family: 'cp', containerDefinitions: [{ name: 'app', image: 'busybox:1.36', memory: 32, command: ['sleep', '3600'] }] })
})
afterAll(async () => k?.stopAll())

describe('tasks placed by a capacity provider strategy', () => {
  it("RunTask without a launch type or strategy uses the cluster's default: base first, then weights", async () => {
    const r = await k.call('RunTask', { cluster: CLUSTER, taskDefinition: 'cp', count: 3 })
    expect(r.status, JSON.stringify(r.body)).toBe(200)
    expect(r.body.tasks.map((t: any) => t.capacityProviderName)).toEqual(['base-cp', 'more-cp', 'more-cp'])
    expect(r.body.tasks.every((t: any) => t.launchType === 'EC2' && t.containerInstanceArn)).toBe(true)
    for (const t of r.body.tasks) await k.call('StopTask', { cluster: CLUSTER, task: t.taskArn })
  })

  it("a service's tasks name the provider of its strategy", async () => {
    const r = await k.call('CreateService', { cluster: CLUSTER, serviceName: 'cp-svc', taskDefinition: 'cp', desiredCount: 2 })
    expect(r.status, JSON.stringify(r.body)).toBe(200)
    expect(r.body.service.capacityProviderStrategy).toEqual([
      { capacityProvider: 'base-cp', weight: 0, base: 1 },
      { capacityProvider: 'more-cp', weight: 1, base: 0 },
    ])
    const tasks = await eventually(async () => {
      const list = await k.call('ListTasks', { cluster: CLUSTER, serviceName: 'cp-svc' })
      if ((list.body.taskArns?.length ?? 0) < 2) return undefined
      return (await k.call('DescribeTasks', { cluster: CLUSTER, tasks: list.body.taskArns })).body.tasks
    }, 'two service tasks')
    expect(tasks.map((t: any) => t.capacityProviderName).sort()).toEqual(['base-cp', 'more-cp'])
    await k.call('DeleteService', { cluster: CLUSTER, service: 'cp-svc', force: true })
  })
})
