import { describe, expect, it } from 'vitest'
import { newDeployment, startDeployment } from '../../src/ecs/services/deployments.js'
import { IMPAIRED_WINDOW_MS, noObservations, step } from '../../src/ecs/services/scheduler-state.js'
import { obs, service, T0, task } from '../helpers/service-steps.js'

/** The service scheduler's state machine (scheduler-state.ts), step by step. */


describe('service scheduler steps', () => {
  it('tasks starting, then all running: started event, COMPLETED, steady state once', () => {
    const doc = service()
    const pending = ['a', 'b', 'c'].map((id) => task(id, 'ecs-svc/1', 'PENDING'))
    let r = step({ doc, tasks: pending, obs: obs({ started: pending }), nowMs: T0 + 1 })
    expect(r.messages).toEqual(['(service web) has started 3 tasks: (task a) (task b) (task c).'])
    expect(doc.deployments[0]).toMatchObject({ pendingCount: 3, runningCount: 0, rolloutState: 'IN_PROGRESS' })
    expect(doc.pendingCount).toBe(3)

    const running = ['a', 'b', 'c'].map((id) => task(id, 'ecs-svc/1'))
    r = step({ doc, tasks: running, obs: noObservations(), nowMs: T0 + 2 })
    expect(r.messages).toEqual(['(service web) (deployment ecs-svc/1) deployment completed.', '(service web) has reached a steady state.'])
    expect(r.notes).toEqual([
      { kind: 'deployment', name: 'SERVICE_DEPLOYMENT_COMPLETED', deploymentId: 'ecs-svc/1', reason: 'ECS deployment ecs-svc/1 completed.' },
      { kind: 'action', name: 'SERVICE_STEADY_STATE', extra: { desiredCount: 3 } },
    ])
    expect(doc.deployments[0]).toMatchObject({ runningCount: 3, rolloutState: 'COMPLETED', rolloutStateReason: 'ECS deployment ecs-svc/1 completed.' })
    expect(doc.kecs.lastCompleted?.id).toBe('ecs-svc/1')
    expect(doc.runningCount).toBe(3)

    r = step({ doc, tasks: running, obs: noObservations(), nowMs: T0 + 3 })
    expect(r.messages).toEqual([])
  })

  it('a deployment completes only once its tasks have stayed RUNNING stableMs; a crash inside that counts toward the breaker', () => {
    const doc = service(1, { enable: true, rollback: false })
    const fresh = { ...task('a', 'ecs-svc/1'), runningSinceMs: T0 + 100 }
    let r = step({ doc, tasks: [fresh], obs: obs({ started: [fresh] }), nowMs: T0 + 150, stableMs: 200 })
    expect(doc.deployments[0]).toMatchObject({ runningCount: 1, rolloutState: 'IN_PROGRESS' })
    expect(r.recheckAfterMs).toBe(150)
    expect(doc.kecs.steady).toBe(false)
    // the container exits before then: a failure of the deployment in progress
    const exited = { ...fresh, lastStatus: 'STOPPED', desiredStatus: 'STOPPED', stopCode: 'EssentialContainerExited' }
    r = step({ doc, tasks: [exited], obs: obs({ stopped: [exited] }), nowMs: T0 + 160, stableMs: 200 })
    expect(doc.deployments[0]).toMatchObject({ failedTasks: 1, rolloutState: 'IN_PROGRESS' })
    expect(r.recheckAfterMs).toBeUndefined()
    const next = { ...task('b', 'ecs-svc/1'), runningSinceMs: T0 + 170 }
    r = step({ doc, tasks: [exited, next], obs: obs({ started: [next] }), nowMs: T0 + 370, stableMs: 200 })
    expect(doc.deployments[0]).toMatchObject({ rolloutState: 'COMPLETED' })
    expect(r.recheckAfterMs).toBeUndefined()
  })

  it('a new deployment: the old one drains, then leaves deployments[]; scheduler stops are reported', () => {
    const doc = service()
    const old = ['a', 'b', 'c'].map((id) => task(id, 'ecs-svc/1'))
    step({ doc, tasks: old, obs: noObservations(), nowMs: T0 })
    startDeployment(doc, newDeployment({ taskDefinition: 'td:2', launchType: 'EC2', taskTags: [] }, 3, T0 + 10, { id: 'ecs-svc/2' }))
    const fresh = ['d', 'e', 'f'].map((id) => task(id, 'ecs-svc/2'))
    let r = step({ doc, tasks: [...old, ...fresh], obs: obs({ started: fresh }), nowMs: T0 + 20 })
    expect(doc.deployments.map((d) => [d.id, d.status, d.runningCount, d.desiredCount])).toEqual([
      ['ecs-svc/2', 'PRIMARY', 3, 3],
      ['ecs-svc/1', 'ACTIVE', 3, 3],
    ])
    expect(doc.kecs.steady).toBe(false)
    expect(r.messages).toEqual(['(service web) has started 3 tasks: (task d) (task e) (task f).'])

    const stopping = old.map((t) => ({ ...t, desiredStatus: 'STOPPED', lastStatus: 'STOPPING', stopCode: 'ServiceSchedulerInitiated' }))
    r = step({ doc, tasks: [...stopping, ...fresh], obs: obs({ stopped: stopping }), nowMs: T0 + 30 })
    expect(r.messages).toEqual(['(service web) has stopped 3 running tasks: (task a) (task b) (task c).'])
    expect(doc.deployments[1]).toMatchObject({ desiredCount: 0, runningCount: 0 })

    const stopped = stopping.map((t) => ({ ...t, lastStatus: 'STOPPED' }))
    r = step({ doc, tasks: [...stopped, ...fresh], obs: noObservations(), nowMs: T0 + 40 })
    expect(doc.deployments.map((d) => d.id)).toEqual(['ecs-svc/2'])
    expect(doc.kecs.pastDeployments[0]).toMatchObject({ id: 'ecs-svc/1', status: 'INACTIVE', kecs: { finishedAt: T0 + 40 } })
    expect(r.messages).toEqual(['(service web) (deployment ecs-svc/2) deployment completed.', '(service web) has reached a steady state.'])
  })

  it('circuit breaker: failed tasks reach the threshold → FAILED, rollback to the last COMPLETED revision', () => {
    const doc = service(3, { enable: true, rollback: true })
    const good = ['a', 'b', 'c'].map((id) => task(id, 'ecs-svc/1'))
    step({ doc, tasks: good, obs: noObservations(), nowMs: T0 })
    startDeployment(doc, newDeployment({ taskDefinition: 'td:2', launchType: 'EC2', taskTags: [] }, 3, T0, { id: 'ecs-svc/2' }))
    doc.taskDefinition = 'td:2'
    const crashed = (id: string) => task(id, 'ecs-svc/2', 'STOPPED', { stopCode: 'EssentialContainerExited' })
    let r = step({ doc, tasks: [...good, crashed('x'), crashed('y')], obs: obs({ stopped: [crashed('x'), crashed('y')] }), nowMs: T0 + 1 })
    expect(doc.deployments[0]).toMatchObject({ id: 'ecs-svc/2', failedTasks: 2, rolloutState: 'IN_PROGRESS' })
    expect(r.applyWorkload).toBe(false)

    r = step({ doc, tasks: [...good, crashed('x'), crashed('y'), crashed('z')], obs: obs({ stopped: [crashed('z')] }), nowMs: T0 + 2 })
    expect(r.messages).toEqual([
      '(service web) is unable to consistently start tasks successfully. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.',
      '(service web) (deployment ecs-svc/2) deployment failed: tasks failed to start.',
      '(service web) rolling back to deployment ecs-svc/1.',
    ])
    expect(r.applyWorkload).toBe(true)
    const [rollback, previous] = doc.deployments
    expect(rollback).toMatchObject({
      status: 'PRIMARY',
      taskDefinition: 'td:1',
      rolloutState: 'IN_PROGRESS',
      rolloutStateReason: 'ECS deployment circuit breaker: rolling back to deploymentId ecs-svc/1.',
      kecs: { rollbackTo: 'ecs-svc/1' },
    })
    // ecs-svc/1 still runs the good tasks (ACTIVE until they are replaced); the failed one has no task left.
    expect(previous).toMatchObject({ id: 'ecs-svc/1', status: 'ACTIVE' })
    expect(doc.kecs.pastDeployments[0]).toMatchObject({
      id: 'ecs-svc/2',
      status: 'INACTIVE',
      rolloutState: 'FAILED',
      rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.',
      failedTasks: 3,
    })
    expect(doc.taskDefinition).toBe('td:1')
    expect(r.notes.map((n) => n.kind === 'deployment' && [n.name, n.deploymentId])).toEqual([
      false,
      ['SERVICE_DEPLOYMENT_FAILED', 'ecs-svc/2'],
      ['SERVICE_DEPLOYMENT_IN_PROGRESS', rollback!.id],
    ])
  })

  it('a healthy task resets the failure count; no rollback without a COMPLETED deployment', () => {
    const doc = service(3, { enable: true, rollback: true })
    const crashed = (id: string) => task(id, 'ecs-svc/1', 'STOPPED', { stopCode: 'TaskFailedToStart' })
    step({ doc, tasks: [crashed('a'), crashed('b')], obs: obs({ stopped: [crashed('a'), crashed('b')] }), nowMs: T0 })
    expect(doc.deployments[0]!.failedTasks).toBe(2)
    const healthy = task('c', 'ecs-svc/1', 'RUNNING', { healthStatus: 'HEALTHY' })
    step({ doc, tasks: [healthy], obs: obs({ healthy: [healthy] }), nowMs: T0 + 1 })
    expect(doc.deployments[0]!.failedTasks).toBe(0)
    const more = ['d', 'e', 'f'].map(crashed)
    const r = step({ doc, tasks: [healthy, ...more], obs: obs({ stopped: more }), nowMs: T0 + 2 })
    expect(doc.deployments).toHaveLength(1)
    expect(doc.deployments[0]).toMatchObject({ id: 'ecs-svc/1', rolloutState: 'FAILED', failedTasks: 3 })
    expect(r.applyWorkload).toBe(false)
  })

  it('a rollback deployment that fails too is not rolled back again', () => {
    const doc = service(3, { enable: true, rollback: true })
    doc.kecs.lastCompleted = structuredClone(doc.deployments[0])
    doc.deployments[0]!.kecs.rollbackTo = 'ecs-svc/0'
    const crashed = ['a', 'b', 'c'].map((id) => task(id, 'ecs-svc/1', 'STOPPED', { stopCode: 'EssentialContainerExited' }))
    const r = step({ doc, tasks: crashed, obs: obs({ stopped: crashed }), nowMs: T0 })
    expect(doc.deployments[0]!.rolloutState).toBe('FAILED')
    expect(doc.deployments).toHaveLength(1)
    expect(r.applyWorkload).toBe(false)
  })

  it('start trouble is reported once per 15-minute episode', () => {
    const doc = service(1)
    const crash = (id: string) => task(id, 'ecs-svc/1', 'STOPPED', { stopCode: 'EssentialContainerExited' })
    const impaired = (r: ReturnType<typeof step>) => r.notes.filter((n) => n.kind === 'action' && n.name === 'SERVICE_TASK_START_IMPAIRED').length
    expect(impaired(step({ doc, tasks: [], obs: obs({ stopped: [crash('a'), crash('b')] }), nowMs: T0 }))).toBe(0)
    expect(impaired(step({ doc, tasks: [], obs: obs({ stopped: [crash('c')] }), nowMs: T0 + 1 }))).toBe(1)
    expect(impaired(step({ doc, tasks: [], obs: obs({ stopped: [crash('d'), crash('e'), crash('f')] }), nowMs: T0 + 2 }))).toBe(0)
    step({ doc, tasks: [], obs: noObservations(), nowMs: T0 + 3 + IMPAIRED_WINDOW_MS })
    expect(doc.kecs.impaired).toBe(false)
    expect(impaired(step({ doc, tasks: [], obs: obs({ stopped: [crash('g'), crash('h'), crash('i')] }), nowMs: T0 + 4 + IMPAIRED_WINDOW_MS }))).toBe(1)
  })

  it('a task failing its health checks is stopped and reported', () => {
    const doc = service(1)
    const sick = task('a', 'ecs-svc/1', 'RUNNING', { healthStatus: 'UNHEALTHY' })
    const r = step({ doc, tasks: [sick], obs: obs({ unhealthy: [sick] }), nowMs: T0 })
    expect(r.messages).toContain('(service web) (task a) failed container health checks.')
    expect(r.stopTasks).toEqual([{ id: 'a', reason: 'Task failed container health checks' }])
  })

  it('DRAINING → INACTIVE once no task is left; tasks of another incarnation do not count', () => {
    const doc = service(0)
    doc.status = 'DRAINING'
    const stranger = task('z', 'ecs-svc/999')
    const last = task('a', 'ecs-svc/1', 'STOPPING', { desiredStatus: 'STOPPED' })
    step({ doc, tasks: [last, stranger], obs: noObservations(), nowMs: T0 })
    expect(doc.status).toBe('DRAINING')
    step({ doc, tasks: [{ ...last, lastStatus: 'STOPPED' }, stranger], obs: noObservations(), nowMs: T0 + 1 })
    expect(doc.status).toBe('INACTIVE')
    expect(doc.kecs.inactiveAt).toBe(T0 + 1)
  })

  it('DAEMON: the desired count follows the cluster', () => {
    const doc = service(1)
    doc.schedulingStrategy = 'DAEMON'
    const r = step({ doc, tasks: [], obs: noObservations(), nowMs: T0, daemonDesired: 2 })
    expect(doc.desiredCount).toBe(2)
    expect(doc.deployments[0]!.desiredCount).toBe(2)
    expect(r.notes).toContainEqual({ kind: 'action', name: 'SERVICE_DESIRED_COUNT_UPDATED', extra: { desiredCount: 2 } })
  })

  it('desiredCount 0 is steady at once', () => {
    const doc = service(0)
    const r = step({ doc, tasks: [], obs: noObservations(), nowMs: T0 })
    expect(r.messages).toEqual(['(service web) (deployment ecs-svc/1) deployment completed.', '(service web) has reached a steady state.'])
  })
})
