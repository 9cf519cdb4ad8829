import { describe, expect, it } from 'vitest'
import { newDeployment, startDeployment, withConfigDefaults } from '../../src/ecs/services/deployments.js'
import { noObservations, step, type TaskView } from '../../src/ecs/services/scheduler-state.js'
import type { ServiceDoc } from '../../src/ecs/services/service-doc.js'
import {
  parseChildArn,
  renderBrief,
  renderServiceDeployment,
  renderServiceRevision,
  revisionsOf,
  serviceDeploymentArn,
  serviceDeploymentId,
  serviceDeploymentsOf,
  serviceRevisionArn,
  stopDeployment,
} from '../../src/ecs/services/service-deployments.js'

/**
 * Service deployments and revisions derived from a service's deployment history (service-deployments.ts),
 * driven through the scheduler's own steps (scheduler-state.ts) so the history is the one KECS keeps.
 */

const T0 = 1_700_000_000_000
const ARN = 'arn:aws:ecs:us-east-1:000000000000:service/c/web'
const rev = (td: string) => ({ taskDefinition: td, launchType: 'EC2', taskTags: [] })

function service(breaker = { enable: false, rollback: false }): ServiceDoc {
  const doc: ServiceDoc = {
    serviceArn: ARN,
    serviceName: 'web',
    clusterArn: 'arn:aws:ecs:us-east-1:000000000000:cluster/c',
    status: 'ACTIVE',
    desiredCount: 2,
    runningCount: 0,
    pendingCount: 0,
    taskDefinition: 'td:1',
    loadBalancers: [],
    serviceRegistries: [],
    schedulingStrategy: 'REPLICA',
    deploymentController: { type: 'ECS' },
    deploymentConfiguration: withConfigDefaults({ deploymentCircuitBreaker: breaker }, false),
    deployments: [],
    events: [],
    kecs: { clusterName: 'c', steady: false, recentFailures: [], impaired: false, pastDeployments: [] },
  }
  startDeployment(doc, newDeployment(rev('td:1'), 2, T0, { id: 'ecs-svc/1000000000000000001' }))
  return doc
}

const running = (ids: string[], deploymentId: string): TaskView[] =>
  ids.map((id) => ({ id, deploymentId, lastStatus: 'RUNNING', desiredStatus: 'RUNNING' }))
const stopped = (id: string, deploymentId: string, stopCode = 'ServiceSchedulerInitiated'): TaskView => ({
  id,
  deploymentId,
  lastStatus: 'STOPPED',
  desiredStatus: 'STOPPED',
  stopCode,
})

/** A service whose first deployment completed, then a second one (td:2) rolled out and completed. */
function rolledOut() {
  const doc = service()
  step({ doc, tasks: running(['a', 'b'], 'ecs-svc/1000000000000000001'), obs: noObservations(), nowMs: T0 + 1000 })
  startDeployment(doc, newDeployment(rev('td:2'), 2, T0 + 2000, { id: 'ecs-svc/1000000000000000002' }))
  return doc
}

describe('ids and ARNs', () => {
  it('service deployment ids are 21 base62 characters, stable per deployment; revision ids its 19 digits', () => {
    const id = serviceDeploymentId('ecs-svc/1234567890123456789')
    expect(id).toMatch(/^[0-9A-Za-z]{21}$/)
    expect(serviceDeploymentId('ecs-svc/1234567890123456789')).toBe(id)
    expect(serviceDeploymentId('ecs-svc/1234567890123456788')).not.toBe(id)
    expect(serviceDeploymentArn(ARN, 'ecs-svc/1234567890123456789')).toBe(`arn:aws:ecs:us-east-1:000000000000:service-deployment/c/web/${id}`)
    expect(serviceRevisionArn(ARN, 'ecs-svc/1234567890123456789')).toBe(
      'arn:aws:ecs:us-east-1:000000000000:service-revision/c/web/1234567890123456789',
    )
    expect(parseChildArn(serviceRevisionArn(ARN, 'ecs-svc/1'), 'service-revision')).toEqual({
      account: '000000000000',
      region: 'us-east-1',
      cluster: 'c',
      service: 'web',
      id: '1',
    })
    expect(parseChildArn(serviceRevisionArn(ARN, 'ecs-svc/1'), 'service-deployment')).toBeUndefined()
    expect(parseChildArn('arn:aws:ecs:us-east-1:000000000000:service-deployment/c/web', 'service-deployment')).toBeUndefined()
  })
})

describe('a rolling update', () => {
  it('the first deployment: IN_PROGRESS, then SUCCESSFUL with finishedAt, no source revision', () => {
    const doc = service()
    let [sd] = serviceDeploymentsOf(doc)
    expect(sd).toMatchObject({ status: 'IN_PROGRESS', statusReason: 'ECS deployment ecs-svc/1000000000000000001 in progress.' })
    expect(sd!.finishedAt).toBeUndefined()
    step({ doc, tasks: running(['a', 'b'], 'ecs-svc/1000000000000000001'), obs: noObservations(), nowMs: T0 + 1000 })
    ;[sd] = serviceDeploymentsOf(doc)
    expect(sd).toMatchObject({ status: 'SUCCESSFUL', statusReason: 'ECS deployment ecs-svc/1000000000000000001 completed.', finishedAt: (T0 + 1000) / 1000 })
    const shown = renderServiceDeployment(doc, sd!)
    expect(shown).toMatchObject({
      serviceDeploymentArn: sd!.arn,
      serviceArn: ARN,
      createdAt: T0 / 1000,
      startedAt: T0 / 1000,
      finishedAt: (T0 + 1000) / 1000,
      sourceServiceRevisions: [],
      targetServiceRevision: { arn: serviceRevisionArn(ARN, 'ecs-svc/1000000000000000001'), requestedTaskCount: 2, runningTaskCount: 2, pendingTaskCount: 0 },
      status: 'SUCCESSFUL',
      deploymentConfiguration: { maximumPercent: 200, minimumHealthyPercent: 100 },
      deploymentCircuitBreaker: { status: 'DISABLED' },
      alarms: { status: 'DISABLED' },
    })
    expect(shown.rollback).toBeUndefined()
    expect(renderBrief(doc, sd!)).toEqual({
      serviceDeploymentArn: sd!.arn,
      serviceArn: ARN,
      clusterArn: doc.clusterArn,
      startedAt: T0 / 1000,
      createdAt: T0 / 1000,
      finishedAt: (T0 + 1000) / 1000,
      targetServiceRevisionArn: serviceRevisionArn(ARN, 'ecs-svc/1000000000000000001'),
      status: 'SUCCESSFUL',
      statusReason: 'ECS deployment ecs-svc/1000000000000000001 completed.',
    })
  })

  it('a second deployment lists newest first; its source is the first revision, whose tasks drain', () => {
    const doc = rolledOut()
    let list = serviceDeploymentsOf(doc)
    expect(list.map((x) => [x.deployment.id, x.status])).toEqual([
      ['ecs-svc/1000000000000000002', 'IN_PROGRESS'],
      ['ecs-svc/1000000000000000001', 'SUCCESSFUL'],
    ])
    expect(renderServiceDeployment(doc, list[0]!).sourceServiceRevisions).toEqual([
      { arn: serviceRevisionArn(ARN, 'ecs-svc/1000000000000000001'), requestedTaskCount: 2, runningTaskCount: 2, pendingTaskCount: 0 },
    ])
    step({
      doc,
      tasks: [...running(['c', 'd'], 'ecs-svc/1000000000000000002'), stopped('a', 'ecs-svc/1000000000000000001'), stopped('b', 'ecs-svc/1000000000000000001')],
      obs: noObservations(),
      nowMs: T0 + 3000,
    })
    list = serviceDeploymentsOf(doc)
    expect(list.map((x) => x.status)).toEqual(['SUCCESSFUL', 'SUCCESSFUL'])
    const shown = renderServiceDeployment(doc, list[0]!)
    expect(shown.sourceServiceRevisions).toEqual([
      { arn: serviceRevisionArn(ARN, 'ecs-svc/1000000000000000001'), requestedTaskCount: 0, runningTaskCount: 0, pendingTaskCount: 0 },
    ])
    expect(shown.targetServiceRevision).toMatchObject({ runningTaskCount: 2 })
    // one revision per deployment, with what the service had when it started
    const revs = revisionsOf(doc)
    expect([...revs.keys()].sort()).toEqual(['1000000000000000001', '1000000000000000002'])
    const r = renderServiceRevision(doc, revs.get('1000000000000000002')!, [{ containerName: 'app', image: 'nginx' }])
    expect(r).toEqual({
      serviceRevisionArn: serviceRevisionArn(ARN, 'ecs-svc/1000000000000000002'),
      serviceArn: ARN,
      clusterArn: doc.clusterArn,
      taskDefinition: 'td:2',
      launchType: 'EC2',
      loadBalancers: [],
      serviceRegistries: [],
      containerImages: [{ containerName: 'app', image: 'nginx' }],
      guardDutyEnabled: false,
      createdAt: (T0 + 2000) / 1000,
    })
  })

  it('a deployment replaced before it completed is STOPPED, finished when the next one started', () => {
    const doc = rolledOut()
    startDeployment(doc, newDeployment(rev('td:3'), 2, T0 + 2500, { id: 'ecs-svc/1000000000000000003' }))
    const list = serviceDeploymentsOf(doc)
    expect(list.map((x) => [x.deployment.id, x.status])).toEqual([
      ['ecs-svc/1000000000000000003', 'IN_PROGRESS'],
      ['ecs-svc/1000000000000000002', 'STOPPED'],
      ['ecs-svc/1000000000000000001', 'SUCCESSFUL'],
    ])
    expect(list[1]).toMatchObject({ finishedAt: (T0 + 2500) / 1000, stoppedAt: (T0 + 2500) / 1000 })
    // the third one started from both earlier revisions
    expect(renderServiceDeployment(doc, list[0]!).sourceServiceRevisions!.map((s) => s.arn)).toEqual([
      serviceRevisionArn(ARN, 'ecs-svc/1000000000000000002'),
      serviceRevisionArn(ARN, 'ecs-svc/1000000000000000001'),
    ])
  })
})

describe('the circuit breaker', () => {
  function failing(rollback: boolean) {
    const doc = service({ enable: true, rollback })
    step({ doc, tasks: running(['a', 'b'], 'ecs-svc/1000000000000000001'), obs: noObservations(), nowMs: T0 + 1000 })
    startDeployment(doc, newDeployment(rev('td:3'), 2, T0 + 2000, { id: 'ecs-svc/1000000000000000003' }))
    const crashes = ['x', 'y', 'z'].map((id) => stopped(id, 'ecs-svc/1000000000000000003', 'EssentialContainerExited'))
    step({ doc, tasks: [...running(['a', 'b'], 'ecs-svc/1000000000000000001'), ...crashes], obs: { ...noObservations(), stopped: crashes }, nowMs: T0 + 3000 })
    return doc
  }

  it('with rollback: ROLLBACK_IN_PROGRESS, then ROLLBACK_SUCCESSFUL; the rollback is no service deployment nor revision of its own', () => {
    const doc = failing(true)
    const back = doc.deployments[0]!
    expect(back.kecs).toMatchObject({ rollbackTo: 'ecs-svc/1000000000000000001', rollbackOf: 'ecs-svc/1000000000000000003' })
    let list = serviceDeploymentsOf(doc)
    expect(list.map((x) => [x.deployment.id, x.status])).toEqual([
      ['ecs-svc/1000000000000000003', 'ROLLBACK_IN_PROGRESS'],
      ['ecs-svc/1000000000000000001', 'SUCCESSFUL'],
    ])
    let shown = renderServiceDeployment(doc, list[0]!)
    expect(shown).toMatchObject({
      status: 'ROLLBACK_IN_PROGRESS',
      statusReason: 'ECS deployment circuit breaker: rolling back to deploymentId ecs-svc/1000000000000000001.',
      rollback: {
        reason: 'ECS deployment circuit breaker: tasks failed to start.',
        startedAt: (T0 + 3000) / 1000,
        serviceRevisionArn: serviceRevisionArn(ARN, 'ecs-svc/1000000000000000001'),
      },
      deploymentCircuitBreaker: { status: 'TRIGGERED', failureCount: 3, threshold: 3 },
    })
    // the rollback's tasks replace the failed ones: it completes
    step({ doc, tasks: running(['a', 'b'], back.id), obs: noObservations(), nowMs: T0 + 4000 })
    list = serviceDeploymentsOf(doc)
    expect(list[0]).toMatchObject({ status: 'ROLLBACK_SUCCESSFUL', finishedAt: (T0 + 4000) / 1000 })
    shown = renderServiceDeployment(doc, list[0]!)
    expect(shown.statusReason).toBe('ECS deployment rolled back to deploymentId ecs-svc/1000000000000000001.')
    expect([...revisionsOf(doc).keys()].sort()).toEqual(['1000000000000000001', '1000000000000000003'])
  })

  it('without rollback: STOPPED, finished and stopped when it failed', () => {
    const doc = failing(false)
    const [sd] = serviceDeploymentsOf(doc)
    expect(sd).toMatchObject({
      status: 'STOPPED',
      statusReason: 'ECS deployment circuit breaker: tasks failed to start.',
      finishedAt: (T0 + 3000) / 1000,
      stoppedAt: (T0 + 3000) / 1000,
    })
  })
})

describe('StopServiceDeployment', () => {
  it('ROLLBACK: the PRIMARY deployment stops, a rollback to the last COMPLETED revision starts; ROLLBACK_IN_PROGRESS → ROLLBACK_SUCCESSFUL', () => {
    const doc = rolledOut()
    const back = stopDeployment(doc, 'ROLLBACK', T0 + 2500)
    expect(doc.taskDefinition).toBe('td:1')
    expect(doc.deployments.map((d) => [d.id, d.status, d.rolloutState])).toEqual([
      [back.id, 'PRIMARY', 'IN_PROGRESS'],
      ['ecs-svc/1000000000000000002', 'ACTIVE', 'FAILED'],
      ['ecs-svc/1000000000000000001', 'ACTIVE', 'COMPLETED'],
    ])
    expect(back).toMatchObject({
      taskDefinition: 'td:1',
      rolloutStateReason: 'ECS deployment stopped by user: rolling back to deploymentId ecs-svc/1000000000000000001.',
      kecs: { rollbackTo: 'ecs-svc/1000000000000000001', rollbackOf: 'ecs-svc/1000000000000000002' },
    })
    let [sd] = serviceDeploymentsOf(doc)
    expect(sd).toMatchObject({ status: 'ROLLBACK_IN_PROGRESS', stoppedAt: (T0 + 2500) / 1000 })
    expect(renderServiceDeployment(doc, sd!)).toMatchObject({
      rollback: {
        reason: 'Service deployment stopped by user request (StopServiceDeployment ROLLBACK).',
        startedAt: (T0 + 2500) / 1000,
        serviceRevisionArn: serviceRevisionArn(ARN, 'ecs-svc/1000000000000000001'),
      },
    })
    step({ doc, tasks: running(['e', 'f'], back.id), obs: noObservations(), nowMs: T0 + 3000 })
    ;[sd] = serviceDeploymentsOf(doc)
    expect(sd).toMatchObject({ status: 'ROLLBACK_SUCCESSFUL', finishedAt: (T0 + 3000) / 1000, stoppedAt: (T0 + 2500) / 1000 })
    expect(serviceDeploymentsOf(doc).map((x) => x.status)).toEqual(['ROLLBACK_SUCCESSFUL', 'SUCCESSFUL'])
  })

  it('ABORT: STOP_REQUESTED while the previous revision comes back, then STOPPED; no rollback shown', () => {
    const doc = rolledOut()
    const back = stopDeployment(doc, 'ABORT', T0 + 2500)
    let [sd] = serviceDeploymentsOf(doc)
    expect(sd).toMatchObject({ status: 'STOP_REQUESTED' })
    step({ doc, tasks: running(['e', 'f'], back.id), obs: noObservations(), nowMs: T0 + 3000 })
    ;[sd] = serviceDeploymentsOf(doc)
    expect(sd).toMatchObject({ status: 'STOPPED', statusReason: 'ECS deployment ecs-svc/1000000000000000002 was stopped by a StopServiceDeployment request.' })
    expect(renderServiceDeployment(doc, sd!).rollback).toBeUndefined()
  })
})

describe('older history (no rollbackOf, no sources)', () => {
  it('a rollback is matched to the failed deployment before it; sources are the previous deployment', () => {
    const doc = rolledOut()
    for (const d of doc.deployments) {
      delete d.kecs.sources
      delete d.kecs.started
    }
    const failed = doc.deployments[0]!
    failed.rolloutState = 'FAILED'
    const back = newDeployment(rev('td:1'), 2, T0 + 2500, { id: 'ecs-svc/1000000000000000009', rollbackTo: 'ecs-svc/1000000000000000001' })
    doc.deployments = [back, ...doc.deployments.map((d) => ({ ...d, status: 'ACTIVE' as const }))]
    const list = serviceDeploymentsOf(doc)
    expect(list.map((x) => [x.deployment.id, x.status, x.rollback?.id])).toEqual([
      ['ecs-svc/1000000000000000002', 'ROLLBACK_IN_PROGRESS', back.id],
      ['ecs-svc/1000000000000000001', 'SUCCESSFUL', undefined],
    ])
    expect(renderServiceDeployment(doc, list[0]!).sourceServiceRevisions!.map((s) => s.arn)).toEqual([
      serviceRevisionArn(ARN, 'ecs-svc/1000000000000000001'),
    ])
  })

  it('an INACTIVE service has no service deployments or revisions left', () => {
    const doc = rolledOut()
    doc.status = 'INACTIVE'
    expect(serviceDeploymentsOf(doc)).toEqual([])
    expect(revisionsOf(doc).size).toBe(0)
  })
})
