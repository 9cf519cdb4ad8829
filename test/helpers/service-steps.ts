import { newDeployment, withConfigDefaults } from '../../src/ecs/services/deployments.js'
import { noObservations, type Observations, type TaskView } from '../../src/ecs/services/scheduler-state.js'
import type { ServiceDoc } from '../../src/ecs/services/service-doc.js'

/** Fixtures for the service scheduler's pure state step (scheduler-state.ts). */
export const T0 = 1_700_000_000_000

export type Breaker = { enable: boolean; rollback: boolean; resetOnHealthyTask?: boolean; thresholdConfiguration?: { type: string; value: number } }

/** A REPLICA service `web` in cluster `c` with one PRIMARY deployment `ecs-svc/1` of `td:1`. */
export function service(desiredCount = 3, breaker: Breaker = { enable: false, rollback: false }): ServiceDoc {
  return {
    serviceArn: 'arn:aws:ecs:us-east-1:000000000000:service/c/web',
    serviceName: 'web',
    clusterArn: 'arn:aws:ecs:us-east-1:000000000000:cluster/c',
    status: 'ACTIVE',
    desiredCount,
    runningCount: 0,
    pendingCount: 0,
    taskDefinition: 'td:1',
    schedulingStrategy: 'REPLICA',
    deploymentController: { type: 'ECS' },
    deploymentConfiguration: withConfigDefaults({ deploymentCircuitBreaker: breaker as never }, false),
    deployments: [newDeployment({ taskDefinition: 'td:1', launchType: 'EC2', taskTags: [] }, desiredCount, T0, { id: 'ecs-svc/1' })],
    events: [],
    kecs: { clusterName: 'c', steady: false, recentFailures: [], impaired: false, pastDeployments: [] },
  }
}

export const task = (id: string, deploymentId: string, lastStatus = 'RUNNING', more: Partial<TaskView> = {}): TaskView => ({
  id,
  deploymentId,
  lastStatus,
  desiredStatus: lastStatus === 'STOPPED' ? 'STOPPED' : 'RUNNING',
  ...more,
})

export const obs = (o: Partial<Observations>): Observations => ({ ...noObservations(), ...o })
