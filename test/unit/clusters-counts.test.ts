import { describe, expect, it } from 'vitest'
import { clusterCounts, clusterStatistics, clusterTally } from '../../src/ecs/clusters/counts.js'
import type { Repos } from '../../src/ecs/repos.js'

const A = 'arn:aws:ecs:us-east-1:000000000000:cluster/a'
const B = 'arn:aws:ecs:us-east-1:000000000000:cluster/b'

/** Just enough of Repos for the counters: tables that can list their docs. */
function fakeRepos(docs: { tasks?: any[]; services?: any[]; containerInstances?: any[] }) {
  const table = (rows: any[] = []) => ({ values: () => rows.values() })
  return {
    tasks: table(docs.tasks),
    services: table(docs.services),
    containerInstances: table(docs.containerInstances),
  } as unknown as Pick<Repos, 'tasks' | 'services' | 'containerInstances'>
}

const task = (clusterArn: string, lastStatus: string, extra: object = {}) => ({ clusterArn, lastStatus, ...extra })

describe('clusterCounts', () => {
  it('is all zero for an empty cluster', () => {
    expect(clusterCounts(fakeRepos({}), A)).toEqual({
      registeredContainerInstancesCount: 0,
      runningTasksCount: 0,
      pendingTasksCount: 0,
      activeServicesCount: 0,
    })
  })

  it('counts RUNNING as running and PROVISIONING/PENDING/ACTIVATING as pending, in this cluster only', () => {
    const repos = fakeRepos({
      tasks: [
        task(A, 'RUNNING'),
        task(A, 'RUNNING'),
        task(A, 'PROVISIONING'),
        task(A, 'PENDING'),
        task(A, 'ACTIVATING'),
        task(A, 'DEACTIVATING'),
        task(A, 'STOPPING'),
        task(A, 'STOPPED'),
        task(B, 'RUNNING'),
        task(B, 'PENDING'),
      ],
    })
    const c = clusterCounts(repos, A)
    expect(c.runningTasksCount).toBe(2)
    expect(c.pendingTasksCount).toBe(3)
    expect(clusterCounts(repos, B)).toMatchObject({ runningTasksCount: 1, pendingTasksCount: 1 })
  })

  it('counts ACTIVE services, and ACTIVE or DRAINING container instances', () => {
    const repos = fakeRepos({
      services: [
        { clusterArn: A, status: 'ACTIVE' },
        { clusterArn: A, status: 'DRAINING' },
        { clusterArn: A, status: 'INACTIVE' },
        { clusterArn: B, status: 'ACTIVE' },
      ],
      containerInstances: [
        { clusterArn: A, status: 'ACTIVE' },
        { clusterArn: A, status: 'DRAINING' },
        { clusterArn: A, status: 'INACTIVE' },
        { clusterArn: A, status: 'REGISTERING' },
      ],
    })
    expect(clusterCounts(repos, A)).toEqual({
      registeredContainerInstancesCount: 2,
      runningTasksCount: 0,
      pendingTasksCount: 0,
      activeServicesCount: 1,
    })
  })

  it('tells tasks that are not STOPPED apart (they block DeleteCluster)', () => {
    const repos = fakeRepos({ tasks: [task(A, 'STOPPING'), task(A, 'DEPROVISIONING'), task(A, 'STOPPED')] })
    expect(clusterTally(repos, A).unstoppedTasksCount).toBe(2)
  })
})

describe('clusterStatistics', () => {
  it('splits tasks and services by launch type, then by capacity provider', () => {
    const repos = fakeRepos({
      tasks: [
        task(A, 'RUNNING', { launchType: 'FARGATE' }),
        task(A, 'RUNNING', { launchType: 'EC2' }),
        task(A, 'RUNNING', { capacityProviderName: 'FARGATE_SPOT' }),
        task(A, 'PENDING', { launchType: 'FARGATE' }),
        task(A, 'PROVISIONING', { launchType: 'EXTERNAL' }),
      ],
      services: [
        { clusterArn: A, status: 'ACTIVE', launchType: 'FARGATE' },
        { clusterArn: A, status: 'ACTIVE', capacityProviderStrategy: [{ capacityProvider: 'FARGATE', weight: 1 }] },
        { clusterArn: A, status: 'ACTIVE', launchType: 'EC2' },
        { clusterArn: A, status: 'DRAINING', launchType: 'FARGATE' },
        { clusterArn: A, status: 'DRAINING' },
      ],
    })
    const stats = Object.fromEntries(clusterStatistics(clusterTally(repos, A)).map((s) => [s.name, s.value]))
    expect(stats).toEqual({
      runningEC2TasksCount: '1',
      runningFargateTasksCount: '2',
      pendingEC2TasksCount: '1',
      pendingFargateTasksCount: '1',
      activeEC2ServiceCount: '1',
      activeFargateServiceCount: '2',
      drainingEC2ServiceCount: '1',
      drainingFargateServiceCount: '1',
    })
  })

  it('lists the eight statistics in ECS order with string values', () => {
    const names = clusterStatistics(clusterTally(fakeRepos({}), A)).map((s) => s.name)
    expect(names).toEqual([
      'runningEC2TasksCount',
      'runningFargateTasksCount',
      'pendingEC2TasksCount',
      'pendingFargateTasksCount',
      'activeEC2ServiceCount',
      'activeFargateServiceCount',
      'drainingEC2ServiceCount',
      'drainingFargateServiceCount',
    ])
  })
})
