import { describe, expect, it } from 'vitest'
import { failedTaskThreshold, newDeployment, startDeployment } from '../../src/ecs/services/deployments.js'
import { noObservations, step } from '../../src/ecs/services/scheduler-state.js'
import { obs, service, T0, task, type Breaker } from '../helpers/service-steps.js'

/** The deployment circuit breaker, one documented rule per case (docs/ecs-facts.md#deployment-circuit-breaker). */

const failedToStart = (id: string, d = 'ecs-svc/1') => task(id, d, 'STOPPED', { stopCode: 'TaskFailedToStart' })
const exited = (id: string, d = 'ecs-svc/1') => task(id, d, 'STOPPED', { stopCode: 'EssentialContainerExited' })

/** A service COMPLETED on ecs-svc/1 with `n` running tasks, then a new deployment ecs-svc/2 of td:2. */
function rolledOut(n: number, breaker: Breaker) {
  const doc = service(n, breaker)
  const good = Array.from({ length: n }, (_, i) => task(`g${i}`, 'ecs-svc/1'))
  step({ doc, tasks: good, obs: noObservations(), nowMs: T0 })
  expect(doc.deployments[0]!.rolloutState).toBe('COMPLETED')
  startDeployment(doc, newDeployment({ taskDefinition: 'td:2', launchType: 'EC2', taskTags: [] }, n, T0 + 1, { id: 'ecs-svc/2' }))
  doc.taskDefinition = 'td:2'
  return { doc, good }
}

describe('circuit breaker threshold', () => {
  it('BOUNDED_PERCENT (default 50): ceil(value% × desired) clamped to 3..200, the docs examples', () => {
    expect([1, 25, 400, 800].map((n) => failedTaskThreshold(n))).toEqual([3, 13, 200, 200])
    expect(failedTaskThreshold(10, { type: 'BOUNDED_PERCENT', value: 100 })).toBe(10)
  })
  it('UNBOUNDED_PERCENT has no clamp; COUNT is the value', () => {
    expect(failedTaskThreshold(800, { type: 'UNBOUNDED_PERCENT', value: 50 })).toBe(400)
    expect(failedTaskThreshold(3, { type: 'UNBOUNDED_PERCENT', value: 50 })).toBe(2)
    expect(failedTaskThreshold(800, { type: 'COUNT', value: 7 })).toBe(7)
  })
  it('uses the latest desired count', () => {
    const { doc, good } = rolledOut(2, { enable: true, rollback: false })
    doc.desiredCount = 20 // threshold 10
    const crashed = ['a', 'b', 'c', 'd'].map((id) => failedToStart(id, 'ecs-svc/2'))
    step({ doc, tasks: [...good, ...crashed], obs: obs({ stopped: crashed }), nowMs: T0 + 2 })
    expect(doc.deployments[0]).toMatchObject({ id: 'ecs-svc/2', failedTasks: 4, rolloutState: 'IN_PROGRESS' })
  })
})

describe('what counts as a failure', () => {
  it('stage 1: tasks that fail to start count; desired 1 trips at the third', () => {
    const { doc, good } = rolledOut(1, { enable: true, rollback: true })
    let r = step({ doc, tasks: good, obs: obs({ stopped: [failedToStart('a', 'ecs-svc/2'), failedToStart('b', 'ecs-svc/2')] }), nowMs: T0 + 2 })
    expect(doc.deployments[0]).toMatchObject({ failedTasks: 2, rolloutState: 'IN_PROGRESS' })
    r = step({ doc, tasks: good, obs: obs({ stopped: [failedToStart('c', 'ecs-svc/2')] }), nowMs: T0 + 3 })
    expect(r.messages).toContain('(service web) (deployment ecs-svc/2) deployment failed: tasks failed to start.')
    expect(r.notes).toContainEqual({ kind: 'deployment', name: 'SERVICE_DEPLOYMENT_FAILED', deploymentId: 'ecs-svc/2', reason: 'ECS deployment circuit breaker: task failed to start.' })
  })

  it('stage 2: a task replaced because its health checks failed counts; its replacement is named in the started event', () => {
    const { doc, good } = rolledOut(1, { enable: true, rollback: false })
    const sick = task('s', 'ecs-svc/2', 'RUNNING', { healthStatus: 'UNHEALTHY', healthChecked: true })
    let r = step({ doc, tasks: [...good, sick], obs: obs({ unhealthy: [sick] }), nowMs: T0 + 2 })
    expect(r.messages).toEqual(['(service web) (task s) failed container health checks.'])
    expect(r.stopTasks).toEqual([{ id: 's', reason: 'Task failed container health checks' }])
    expect(doc.deployments[0]!.failedTasks).toBe(1)
    const next = task('n', 'ecs-svc/2', 'PENDING', { healthChecked: true })
    r = step({ doc, tasks: [...good, next], obs: obs({ started: [next] }), nowMs: T0 + 3 })
    expect(r.messages).toEqual(['(service web) has started 1 tasks: (task n). Amazon ECS replaced 1 tasks due to an unhealthy status.'])
    r = step({ doc, tasks: [...good, next], obs: obs({ started: [task('m', 'ecs-svc/2', 'PENDING')] }), nowMs: T0 + 4 })
    expect(r.messages).toEqual(['(service web) has started 1 tasks: (task m).'])
  })

  it('resetOnHealthyTask (default): a HEALTHY task resets the count, so only consecutive failures trip', () => {
    const { doc, good } = rolledOut(1, { enable: true, rollback: false })
    step({ doc, tasks: good, obs: obs({ stopped: [exited('a', 'ecs-svc/2'), exited('b', 'ecs-svc/2')] }), nowMs: T0 + 2 })
    const ok = task('h', 'ecs-svc/2', 'RUNNING', { healthStatus: 'HEALTHY', healthChecked: true })
    step({ doc, tasks: [...good, ok], obs: obs({ healthy: [ok] }), nowMs: T0 + 3 })
    expect(doc.deployments.find((d) => d.id === 'ecs-svc/2')!.failedTasks).toBe(0)
  })

  it('resetOnHealthyTask false: failures accumulate over the deployment', () => {
    const { doc, good } = rolledOut(1, { enable: true, rollback: false, resetOnHealthyTask: false })
    step({ doc, tasks: good, obs: obs({ stopped: [exited('a', 'ecs-svc/2'), exited('b', 'ecs-svc/2')] }), nowMs: T0 + 2 })
    const ok = task('h', 'ecs-svc/2', 'RUNNING', { healthStatus: 'HEALTHY', healthChecked: true })
    step({ doc, tasks: [...good, ok], obs: obs({ healthy: [ok] }), nowMs: T0 + 3 })
    const r = step({ doc, tasks: [...good, ok], obs: obs({ stopped: [exited('c', 'ecs-svc/2')] }), nowMs: T0 + 4 })
    expect(doc.deployments[0]).toMatchObject({ id: 'ecs-svc/2', failedTasks: 3, rolloutState: 'FAILED' })
    expect(r.applyWorkload).toBe(false)
  })

  it('a deployment that reached COMPLETED stops evaluating: a task exiting after RUNNING is not counted', () => {
    const doc = service(1, { enable: true, rollback: true })
    step({ doc, tasks: [task('a', 'ecs-svc/1')], obs: noObservations(), nowMs: T0 })
    expect(doc.deployments[0]!.rolloutState).toBe('COMPLETED')
    for (let i = 0; i < 10; i++) {
      const r = step({ doc, tasks: [task(`n${i}`, 'ecs-svc/1')], obs: obs({ stopped: [exited(`x${i}`)] }), nowMs: T0 + 1 + i })
      expect(r.notes.some((n) => n.kind === 'deployment' && n.name === 'SERVICE_DEPLOYMENT_FAILED')).toBe(false)
    }
    expect(doc.deployments[0]).toMatchObject({ rolloutState: 'COMPLETED', failedTasks: 0 })
    // …while the crashes still count as start trouble.
    expect(doc.kecs.impaired).toBe(true)
  })

  it('a FAILED deployment is not evaluated further', () => {
    const doc = service(1, { enable: true, rollback: false })
    const three = ['a', 'b', 'c'].map((id) => failedToStart(id))
    step({ doc, tasks: [], obs: obs({ stopped: three }), nowMs: T0 })
    expect(doc.deployments[0]).toMatchObject({ rolloutState: 'FAILED', failedTasks: 3 })
    step({ doc, tasks: [], obs: obs({ stopped: [failedToStart('d')] }), nowMs: T0 + 1 })
    expect(doc.deployments[0]).toMatchObject({ rolloutState: 'FAILED', failedTasks: 3, rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.' })
  })
})

describe('state machine', () => {
  it('breaker disabled: failures are counted but the deployment never FAILS', () => {
    const { doc, good } = rolledOut(1, { enable: false, rollback: false })
    const many = ['a', 'b', 'c', 'd', 'e'].map((id) => failedToStart(id, 'ecs-svc/2'))
    const r = step({ doc, tasks: good, obs: obs({ stopped: many }), nowMs: T0 + 2 })
    expect(doc.deployments[0]).toMatchObject({ id: 'ecs-svc/2', failedTasks: 5, rolloutState: 'IN_PROGRESS' })
    expect(r.notes.some((n) => n.kind === 'deployment')).toBe(false)
  })

  it('rollback false: FAILED, no new deployment', () => {
    const { doc, good } = rolledOut(1, { enable: true, rollback: false })
    const r = step({ doc, tasks: good, obs: obs({ stopped: ['a', 'b', 'c'].map((id) => failedToStart(id, 'ecs-svc/2')) }), nowMs: T0 + 2 })
    expect(doc.deployments.map((d) => [d.id, d.status, d.rolloutState])).toEqual([
      ['ecs-svc/2', 'PRIMARY', 'FAILED'],
      ['ecs-svc/1', 'ACTIVE', 'COMPLETED'],
    ])
    expect(r.applyWorkload).toBe(false)
  })

  it('rollback: to the most recent COMPLETED deployment, events newest-first wording and EventBridge reasons', () => {
    const { doc, good } = rolledOut(1, { enable: true, rollback: true })
    const r = step({ doc, tasks: good, obs: obs({ stopped: ['a', 'b', 'c'].map((id) => failedToStart(id, 'ecs-svc/2')) }), nowMs: T0 + 2 })
    expect(r.messages.slice(-2)).toEqual(['(service web) (deployment ecs-svc/2) deployment failed: tasks failed to start.', '(service web) rolling back to deployment ecs-svc/1.'])
    const back = doc.deployments[0]!
    expect(back).toMatchObject({ status: 'PRIMARY', taskDefinition: 'td:1', rolloutState: 'IN_PROGRESS', rolloutStateReason: 'ECS deployment circuit breaker: rolling back to deploymentId ecs-svc/1.' })
    expect(back.id).toMatch(/^ecs-svc\/\d{19}$/)
    expect(r.notes.filter((n) => n.kind === 'deployment')).toEqual([
      { kind: 'deployment', name: 'SERVICE_DEPLOYMENT_FAILED', deploymentId: 'ecs-svc/2', reason: 'ECS deployment circuit breaker: task failed to start.' },
      { kind: 'deployment', name: 'SERVICE_DEPLOYMENT_IN_PROGRESS', deploymentId: back.id, reason: 'ECS deployment circuit breaker: rolling back to deploymentId ecs-svc/1.' },
    ])
    expect(r.applyWorkload).toBe(true)
  })

  it('tasks with a health check complete a deployment only once HEALTHY', () => {
    const doc = service(1, { enable: true, rollback: false })
    const starting = task('a', 'ecs-svc/1', 'RUNNING', { healthStatus: 'UNKNOWN', healthChecked: true })
    step({ doc, tasks: [starting], obs: noObservations(), nowMs: T0 })
    expect(doc.deployments[0]).toMatchObject({ runningCount: 1, rolloutState: 'IN_PROGRESS' })
    expect(doc.kecs.steady).toBe(false)
    const healthy = { ...starting, healthStatus: 'HEALTHY' }
    const r = step({ doc, tasks: [healthy], obs: obs({ healthy: [healthy] }), nowMs: T0 + 1 })
    expect(doc.deployments[0]!.rolloutState).toBe('COMPLETED')
    expect(r.messages).toEqual(['(service web) (deployment ecs-svc/1) deployment completed.', '(service web) has reached a steady state.'])
  })

  it('the EXTERNAL deployment controller is not evaluated', () => {
    const doc = service(1, { enable: true, rollback: true })
    doc.deploymentController = { type: 'EXTERNAL' }
    step({ doc, tasks: [], obs: obs({ stopped: ['a', 'b', 'c', 'd'].map((id) => failedToStart(id)) }), nowMs: T0 })
    expect(doc.deployments[0]!.rolloutState).toBe('IN_PROGRESS')
  })
})
