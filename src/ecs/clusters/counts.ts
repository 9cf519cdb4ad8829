import type { KeyValuePair } from '@aws-sdk/client-ecs'
import type { Repos } from '../repos.js'
import type { ServiceDoc } from '../services/service-doc.js'
import type { TaskDoc } from '../tasks/task-doc.js'

/**
 * What a cluster holds, derived from the task, service and container-instance tables (never stored
 * on the cluster doc, so every family that writes those tables gets correct cluster counts for free).
 */
type CountSource = Pick<Repos, 'tasks' | 'services' | 'containerInstances'>

export interface ClusterCounts {
  registeredContainerInstancesCount: number
  runningTasksCount: number
  pendingTasksCount: number
  activeServicesCount: number
}

/** Everything DescribeClusters and DeleteCluster need, in one pass over the tables. */
export interface ClusterTally extends ClusterCounts {
  runningEC2TasksCount: number
  runningFargateTasksCount: number
  pendingEC2TasksCount: number
  pendingFargateTasksCount: number
  activeEC2ServiceCount: number
  activeFargateServiceCount: number
  drainingEC2ServiceCount: number
  drainingFargateServiceCount: number
  /** tasks whose lastStatus is not STOPPED (they block DeleteCluster) */
  unstoppedTasksCount: number
}

const PENDING = new Set(['PROVISIONING', 'PENDING', 'ACTIVATING'])
/** Container instances count as registered while ACTIVE or DRAINING (ECS's definition). */
const REGISTERED = new Set(['ACTIVE', 'DRAINING'])
const FARGATE_PROVIDERS = new Set(['FARGATE', 'FARGATE_SPOT'])

/** Fargate or not, for STATISTICS: by launch type, else by the capacity provider(s) used. */
function taskIsFargate(t: Pick<TaskDoc, 'launchType' | 'capacityProviderName'>): boolean {
  if (t.launchType) return t.launchType === 'FARGATE'
  return FARGATE_PROVIDERS.has(t.capacityProviderName ?? '')
}

function serviceIsFargate(s: Pick<ServiceDoc, 'launchType' | 'capacityProviderStrategy'>): boolean {
  if (s.launchType) return s.launchType === 'FARGATE'
  const strategy = Array.isArray(s.capacityProviderStrategy) ? s.capacityProviderStrategy : []
  return strategy.some((i) => FARGATE_PROVIDERS.has(i?.capacityProvider ?? ''))
}

export function clusterTally(repos: CountSource, clusterArn: string): ClusterTally {
  const t: ClusterTally = {
    registeredContainerInstancesCount: 0,
    runningTasksCount: 0,
    pendingTasksCount: 0,
    activeServicesCount: 0,
    runningEC2TasksCount: 0,
    runningFargateTasksCount: 0,
    pendingEC2TasksCount: 0,
    pendingFargateTasksCount: 0,
    activeEC2ServiceCount: 0,
    activeFargateServiceCount: 0,
    drainingEC2ServiceCount: 0,
    drainingFargateServiceCount: 0,
    unstoppedTasksCount: 0,
  }
  for (const task of repos.tasks.values()) {
    if (task?.clusterArn !== clusterArn) continue
    const fargate = taskIsFargate(task)
    if (task.lastStatus !== 'STOPPED') t.unstoppedTasksCount++
    if (task.lastStatus === 'RUNNING') {
      t.runningTasksCount++
      if (fargate) t.runningFargateTasksCount++
      else t.runningEC2TasksCount++
    } else if (PENDING.has(task.lastStatus)) {
      t.pendingTasksCount++
      if (fargate) t.pendingFargateTasksCount++
      else t.pendingEC2TasksCount++
    }
  }
  for (const svc of repos.services.values()) {
    if (svc?.clusterArn !== clusterArn || svc.kecs?.daemon) continue
    const fargate = serviceIsFargate(svc)
    if (svc.status === 'ACTIVE') {
      t.activeServicesCount++
      if (fargate) t.activeFargateServiceCount++
      else t.activeEC2ServiceCount++
    } else if (svc.status === 'DRAINING') {
      if (fargate) t.drainingFargateServiceCount++
      else t.drainingEC2ServiceCount++
    }
  }
  for (const ci of repos.containerInstances.values()) {
    if (ci?.clusterArn === clusterArn && REGISTERED.has(ci.status)) t.registeredContainerInstancesCount++
  }
  return t
}

/** The four counts every Cluster carries. */
export function clusterCounts(repos: CountSource, clusterArn: string): ClusterCounts {
  return pickCounts(clusterTally(repos, clusterArn))
}

export function pickCounts(t: ClusterTally): ClusterCounts {
  return {
    registeredContainerInstancesCount: t.registeredContainerInstancesCount,
    runningTasksCount: t.runningTasksCount,
    pendingTasksCount: t.pendingTasksCount,
    activeServicesCount: t.activeServicesCount,
  }
}

/** `include: [STATISTICS]`: ECS's name/value pairs (values are strings), split by launch type. */
export function clusterStatistics(t: ClusterTally): KeyValuePair[] {
  const names = [
    'runningEC2TasksCount',
    'runningFargateTasksCount',
    'pendingEC2TasksCount',
    'pendingFargateTasksCount',
    'activeEC2ServiceCount',
    'activeFargateServiceCount',
    'drainingEC2ServiceCount',
    'drainingFargateServiceCount',
  ] as const
  return names.map((name) => ({ name, value: String(t[name]) }))
}
