import { describe, expect, it } from 'vitest'
import { failedTaskThreshold, mergeConfig, newDeployment, newDeploymentId, withConfigDefaults } from '../../src/ecs/services/deployments.js'
import { addEvents, DUPLICATE_WINDOW_MS, MAX_EVENTS, messages, reasons } from '../../src/ecs/services/events.js'

/** Deployment ids, configuration defaults, circuit-breaker math and the wording of service events. */

describe('deployments', () => {
  it('ids are ecs-svc/ and 19 digits', () => {
    for (let i = 0; i < 50; i++) expect(newDeploymentId()).toMatch(/^ecs-svc\/\d{19}$/)
  })

  it('a new deployment is PRIMARY and IN_PROGRESS with its reason; Fargate resolves LATEST', () => {
    const d = newDeployment({ taskDefinition: 'td', launchType: 'FARGATE', taskTags: [] }, 3, 1_700_000_000_123, { id: 'ecs-svc/1' })
    expect(d).toMatchObject({
      id: 'ecs-svc/1',
      status: 'PRIMARY',
      desiredCount: 3,
      runningCount: 0,
      pendingCount: 0,
      failedTasks: 0,
      createdAt: 1_700_000_000.123,
      launchType: 'FARGATE',
      platformVersion: '1.4.0',
      platformFamily: 'Linux',
      rolloutState: 'IN_PROGRESS',
      rolloutStateReason: 'ECS deployment ecs-svc/1 in progress.',
    })
    const back = newDeployment({ taskDefinition: 'td', launchType: 'EC2', taskTags: [] }, 1, 0, { id: 'ecs-svc/2', rollbackTo: 'ecs-svc/0' })
    expect(back.rolloutStateReason).toBe('ECS deployment circuit breaker: rolling back to deploymentId ecs-svc/0.')
    expect(back.platformVersion).toBeUndefined()
  })

  it('deploymentConfiguration defaults: REPLICA 200/100, DAEMON 100/0, breaker off', () => {
    expect(withConfigDefaults(undefined, false)).toEqual({
      deploymentCircuitBreaker: { enable: false, rollback: false },
      maximumPercent: 200,
      minimumHealthyPercent: 100,
      strategy: 'ROLLING',
    })
    expect(withConfigDefaults(undefined, true)).toMatchObject({ maximumPercent: 100, minimumHealthyPercent: 0 })
    expect(withConfigDefaults({ deploymentCircuitBreaker: { enable: true, rollback: true }, alarms: { alarmNames: ['a'], enable: true, rollback: false } }, false)).toMatchObject({
      deploymentCircuitBreaker: { enable: true, rollback: true },
      alarms: { alarmNames: ['a'], enable: true, rollback: false },
      maximumPercent: 200,
    })
    expect(mergeConfig(withConfigDefaults({ maximumPercent: 150 }, false), { minimumHealthyPercent: 50 }, false)).toMatchObject({
      maximumPercent: 150,
      minimumHealthyPercent: 50,
    })
  })

  it('the circuit breaker threshold is 0.5 × desiredCount clamped to 3..200', () => {
    expect(failedTaskThreshold(0)).toBe(3)
    expect(failedTaskThreshold(1)).toBe(3)
    expect(failedTaskThreshold(6)).toBe(3)
    expect(failedTaskThreshold(7)).toBe(4)
    expect(failedTaskThreshold(25)).toBe(13)
    expect(failedTaskThreshold(400)).toBe(200)
    expect(failedTaskThreshold(1000)).toBe(200)
    expect(failedTaskThreshold(10, { type: 'COUNT', value: 1 })).toBe(1)
    expect(failedTaskThreshold(1000, { type: 'UNBOUNDED_PERCENT', value: 50 })).toBe(500)
  })
})

describe('service events', () => {
  it('are worded as AWS words them', () => {
    expect(messages.started('web', ['1a2b', '3c4d'])).toBe('(service web) has started 2 tasks: (task 1a2b) (task 3c4d).')
    expect(messages.stopped('web', ['1a2b'])).toBe('(service web) has stopped 1 running tasks: (task 1a2b).')
    expect(messages.steady('web')).toBe('(service web) has reached a steady state.')
    expect(messages.deploymentCompleted('web', 'ecs-svc/1')).toBe('(service web) (deployment ecs-svc/1) deployment completed.')
    expect(messages.deploymentFailed('web', 'ecs-svc/1')).toBe('(service web) (deployment ecs-svc/1) deployment failed: tasks failed to start.')
    expect(messages.rollingBack('web', 'ecs-svc/0')).toBe('(service web) rolling back to deployment ecs-svc/0.')
    expect(messages.impaired('web')).toBe(
      '(service web) is unable to consistently start tasks successfully. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.',
    )
    expect(reasons.completed('ecs-svc/1')).toBe('ECS deployment ecs-svc/1 completed.')
    expect(reasons.failed).toBe('ECS deployment circuit breaker: tasks failed to start.')
  })

  it('newest first, at most 100, a repeat of the newest within 6 h suppressed', () => {
    let n = 0
    const uuid = () => `id-${++n}`
    const doc = { events: [] as { id?: string; createdAt?: number; message?: string }[] }
    addEvents(doc, ['a', 'b'], 1_000_000, uuid)
    expect(doc.events.map((e) => e.message)).toEqual(['b', 'a'])
    expect(doc.events[0]).toEqual({ id: 'id-2', createdAt: 1000, message: 'b' })
    expect(addEvents(doc, ['b'], 2_000_000, uuid)).toEqual([])
    expect(addEvents(doc, ['b'], 1_000_000 + DUPLICATE_WINDOW_MS, uuid)).toHaveLength(1)
    addEvents(doc, ['a'], 3_000_000, uuid)
    addEvents(doc, ['b'], 3_000_000, uuid)
    expect(doc.events.map((e) => e.message).slice(0, 3)).toEqual(['b', 'a', 'b'])
    addEvents(doc, Array.from({ length: 150 }, (_, i) => `m${i}`), 4_000_000, uuid)
    expect(doc.events).toHaveLength(MAX_EVENTS)
    expect(doc.events[0]!.message).toBe('m149')
  })
})
