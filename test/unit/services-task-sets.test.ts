import { describe, expect, it } from 'vitest'
import { withConfigDefaults } from '../../src/ecs/services/deployments.js'
import { noObservations, type TaskView } from '../../src/ecs/services/scheduler-state.js'
import type { ServiceDoc } from '../../src/ecs/services/service-doc.js'
import { computedDesiredCount, taskSetIdOf, wantedCount, type TaskSetDoc } from '../../src/ecs/services/task-set-doc.js'
import { stepTaskSets } from '../../src/ecs/services/task-set-state.js'
import { checkExternalUpdate } from '../../src/ecs/services/task-sets.js'
import { taskSetLabelValue, taskSetToWorkload, taskSetWorkloadName } from '../../src/kube/convert/task-set.js'

/** Task sets: computedDesiredCount, the scheduler's step for EXTERNAL services, the Deployment of a task set. */

const T0 = 1_700_000_000_000
const SVC = 'arn:aws:ecs:us-east-1:000000000000:service/c/ext'

function service(desiredCount = 4): ServiceDoc {
  return {
    serviceArn: SVC,
    serviceName: 'ext',
    clusterArn: 'arn:aws:ecs:us-east-1:000000000000:cluster/c',
    status: 'ACTIVE',
    desiredCount,
    runningCount: 0,
    pendingCount: 0,
    schedulingStrategy: 'REPLICA',
    deploymentController: { type: 'EXTERNAL' },
    deploymentConfiguration: withConfigDefaults(undefined, false),
    deployments: [],
    events: [],
    kecs: { clusterName: 'c', steady: false, recentFailures: [], impaired: false, pastDeployments: [] },
  }
}

function taskSet(id: string, scale: number, computed: number): TaskSetDoc {
  return {
    id,
    taskSetArn: `arn:aws:ecs:us-east-1:000000000000:task-set/c/ext/${id}`,
    serviceArn: SVC,
    clusterArn: 'arn:aws:ecs:us-east-1:000000000000:cluster/c',
    status: 'ACTIVE',
    taskDefinition: 'arn:aws:ecs:us-east-1:000000000000:task-definition/web:1',
    computedDesiredCount: computed,
    pendingCount: 0,
    runningCount: 0,
    createdAt: T0 / 1000,
    updatedAt: T0 / 1000,
    launchType: 'EC2',
    loadBalancers: [],
    serviceRegistries: [],
    scale: { value: scale, unit: 'PERCENT' },
    stabilityStatus: 'STABILIZING',
    stabilityStatusAt: T0 / 1000,
    kecs: { clusterName: 'c', serviceName: 'ext', taskTags: [] },
  }
}

const task = (id: string, ts: string, lastStatus = 'RUNNING', desiredStatus = lastStatus === 'STOPPED' ? 'STOPPED' : 'RUNNING', stopCode?: string): TaskView => ({
  id,
  deploymentId: ts,
  lastStatus,
  desiredStatus,
  ...(stopCode ? { stopCode } : {}),
})

describe('computedDesiredCount', () => {
  it('is desiredCount × scale%, rounded up', () => {
    expect(computedDesiredCount(4, 50)).toBe(2)
    expect(computedDesiredCount(3, 50)).toBe(2) // 1.5
    expect(computedDesiredCount(5, 24)).toBe(2) // 1.2 → 2, as the API reference says
    expect(computedDesiredCount(4, 100)).toBe(4)
    expect(computedDesiredCount(4, 0)).toBe(0)
    expect(computedDesiredCount(0, 100)).toBe(0)
    expect(computedDesiredCount(1, 0.1)).toBe(1)
  })

  it('float error never adds a task', () => {
    expect(computedDesiredCount(10, 30)).toBe(3)
    expect(computedDesiredCount(100, 7)).toBe(7)
    expect(computedDesiredCount(3, 33.333333333333336)).toBe(1)
    expect(computedDesiredCount(20, 35)).toBe(7)
    // whole percentages: exact integer ceiling
    for (let d = 0; d <= 60; d++) for (let p = 0; p <= 100; p++) expect(computedDesiredCount(d, p)).toBe(Math.floor((d * p + 99) / 100))
  })

  it('is 0 while the task set drains or the service is not ACTIVE', () => {
    const ts = taskSet('ecs-svc/1', 50, 2)
    expect(wantedCount(service(4), ts)).toBe(2)
    expect(wantedCount(service(4), { ...ts, status: 'DRAINING' })).toBe(0)
    expect(wantedCount({ ...service(4), status: 'DRAINING' }, ts)).toBe(0)
  })
})

describe('the scheduler step of an EXTERNAL service', () => {
  it('counts each task set, sums them into the service, reports tasks and steady state per task set', () => {
    const doc = service(4)
    const a = taskSet('ecs-svc/1', 50, 2)
    const b = taskSet('ecs-svc/2', 25, 1)
    const started = [task('t1', 'ecs-svc/1', 'PENDING'), task('t2', 'ecs-svc/1'), task('t3', 'ecs-svc/2'), task('other', 'ecs-svc/9')]
    let r = stepTaskSets({ doc, taskSets: [a, b], tasks: started, obs: { ...noObservations(), started }, nowMs: T0 + 1000 })
    expect(r.messages).toEqual([
      '(service ext, taskSet ecs-svc/1) has started 2 tasks: (task t1) (task t2).',
      '(service ext, taskSet ecs-svc/2) has started 1 tasks: (task t3).',
    ])
    expect(a).toMatchObject({ runningCount: 1, pendingCount: 1, stabilityStatus: 'STABILIZING' })
    expect(b).toMatchObject({ runningCount: 1, pendingCount: 0, stabilityStatus: 'STEADY_STATE', stabilityStatusAt: (T0 + 1000) / 1000 })
    expect(doc).toMatchObject({ runningCount: 2, pendingCount: 1 })
    expect(r.changed.map((x) => x.id).sort()).toEqual(['ecs-svc/1', 'ecs-svc/2'])
    expect(r.notes).toEqual([{ kind: 'action', name: 'TASKSET_STEADY_STATE', extra: { taskSetArns: [b.taskSetArn] } }])
    expect(doc.kecs.steady).toBe(false)

    const all = [task('t1', 'ecs-svc/1'), task('t2', 'ecs-svc/1'), task('t3', 'ecs-svc/2')]
    r = stepTaskSets({ doc, taskSets: [a, b], tasks: all, obs: noObservations(), nowMs: T0 + 2000 })
    expect(a).toMatchObject({ runningCount: 2, stabilityStatus: 'STEADY_STATE' })
    expect(r.messages).toEqual(['(service ext) has reached a steady state.'])
    expect(doc.runningCount).toBe(3)
    // once per episode
    r = stepTaskSets({ doc, taskSets: [a, b], tasks: all, obs: noObservations(), nowMs: T0 + 3000 })
    expect(r.messages).toEqual([])
    expect(r.changed).toEqual([])
  })

  it('a new desiredCount or scale changes computedDesiredCount and asks for the workload to follow', () => {
    const doc = service(2)
    const a = taskSet('ecs-svc/1', 50, 2)
    const r = stepTaskSets({ doc, taskSets: [a], tasks: [task('t1', 'ecs-svc/1'), task('t2', 'ecs-svc/1')], obs: noObservations(), nowMs: T0 })
    expect(a.computedDesiredCount).toBe(1)
    expect(a.stabilityStatus).toBe('STABILIZING') // 2 running for 1 wanted
    expect(r.applyWorkload).toBe(true)
  })

  it('a DRAINING task set goes once its tasks are gone; tasks it stopped are reported', () => {
    const doc = service(4)
    const a = { ...taskSet('ecs-svc/1', 100, 0), status: 'DRAINING' as const }
    const gone = task('t1', 'ecs-svc/1', 'STOPPED', 'STOPPED', 'ServiceSchedulerInitiated')
    let r = stepTaskSets({ doc, taskSets: [a], tasks: [task('t1', 'ecs-svc/1', 'RUNNING', 'STOPPED')], obs: noObservations(), nowMs: T0 })
    expect(r.removed).toEqual([])
    expect(a.stabilityStatus).toBe('STABILIZING')
    r = stepTaskSets({ doc, taskSets: [a], tasks: [gone], obs: { ...noObservations(), stopped: [gone] }, nowMs: T0 + 1 })
    expect(r.messages).toEqual(['(service ext, taskSet ecs-svc/1) has stopped 1 running tasks: (task t1).'])
    expect(r.removed.map((x) => x.id)).toEqual(['ecs-svc/1'])
    expect(r.applyWorkload).toBe(true)
  })

  it('a deleted (DRAINING) service drains its task sets and becomes INACTIVE when no task is left', () => {
    const doc = { ...service(0), status: 'DRAINING' as const }
    const a = taskSet('ecs-svc/1', 50, 2)
    let r = stepTaskSets({ doc, taskSets: [a], tasks: [task('t1', 'ecs-svc/1', 'RUNNING', 'STOPPED')], obs: noObservations(), nowMs: T0 })
    expect(a).toMatchObject({ status: 'DRAINING', computedDesiredCount: 0 })
    expect(doc.status).toBe('DRAINING')
    r = stepTaskSets({ doc, taskSets: [a], tasks: [task('t1', 'ecs-svc/1', 'STOPPED')], obs: noObservations(), nowMs: T0 + 1 })
    expect(doc.status).toBe('INACTIVE')
    expect(r.removed.map((x) => x.id)).toEqual(['ecs-svc/1'])
  })

  it('crashing tasks count toward start trouble', () => {
    const doc = service(1)
    const a = taskSet('ecs-svc/1', 100, 1)
    const crashes = ['x', 'y', 'z'].map((id) => task(id, 'ecs-svc/1', 'STOPPED', 'STOPPED', 'EssentialContainerExited'))
    const r = stepTaskSets({ doc, taskSets: [a], tasks: crashes, obs: { ...noObservations(), stopped: crashes }, nowMs: T0 })
    expect(r.messages[0]).toMatch(/^\(service ext\) is unable to consistently start tasks successfully\./)
    expect(doc.kecs.impaired).toBe(true)
  })
})

describe('references and UpdateService on EXTERNAL services', () => {
  it('a task set is named by its id or its ARN (of this service only)', () => {
    const scope = { account: '000000000000', region: 'us-east-1' }
    expect(taskSetIdOf(scope, 'c', 'ext', 'ecs-svc/123')).toBe('ecs-svc/123')
    expect(taskSetIdOf(scope, 'c', 'ext', 'arn:aws:ecs:us-east-1:000000000000:task-set/c/ext/ecs-svc/123')).toBe('ecs-svc/123')
    expect(taskSetIdOf(scope, 'c', 'ext', 'arn:aws:ecs:us-east-1:000000000000:task-set/c/other/ecs-svc/123')).toBeUndefined()
    expect(taskSetIdOf(scope, 'c', 'ext', 'arn:aws:ecs:eu-west-1:000000000000:task-set/c/ext/ecs-svc/123')).toBeUndefined()
  })

  it('only what task sets do not own can change', () => {
    expect(() => checkExternalUpdate({ service: 'ext', desiredCount: 3, healthCheckGracePeriodSeconds: 5, propagateTags: 'SERVICE' })).not.toThrow()
    expect(() => checkExternalUpdate({ service: 'ext', taskDefinition: 'web:2' })).toThrow(
      'Unable to update task definition on services with a EXTERNAL deployment controller. Create a new task set (CreateTaskSet) instead.',
    )
    expect(() => checkExternalUpdate({ service: 'ext', forceNewDeployment: true })).toThrow(/Unable to force a new deployment/)
    expect(() => checkExternalUpdate({ service: 'ext', networkConfiguration: { awsvpcConfiguration: { subnets: ['s'] } } })).toThrow(
      /network configuration/,
    )
  })
})

describe('the Deployment of a task set', () => {
  it('is named after the service and the task set; its selector tells task sets apart; pods are the service tasks', () => {
    const ts = taskSet('ecs-svc/1234567890123456789', 50, 2)
    const out = taskSetToWorkload({
      service: service(4) as never,
      taskSet: ts,
      taskDefinition: {
        family: 'web',
        revision: 1,
        taskDefinitionArn: 'arn:aws:ecs:us-east-1:000000000000:task-definition/web:1',
        containerDefinitions: [{ name: 'app', image: 'nginx', memory: 64, portMappings: [{ containerPort: 80 }] }],
      },
      replicas: 2,
      clusterName: 'c',
      clusterArn: 'arn:aws:ecs:us-east-1:000000000000:cluster/c',
      region: 'us-east-1',
      account: '000000000000',
      ecsEndpoint: 'http://kecs:8080',
      metadataEndpoint: 'http://kecs:8080/metadata',
    })
    const w = out.workload as any
    expect(w.kind).toBe('Deployment')
    expect(w.metadata.name).toBe('ext-1234567890123456789')
    expect(taskSetWorkloadName('ext', ts.id)).toBe('ext-1234567890123456789')
    expect(w.spec.replicas).toBe(2)
    expect(w.spec.selector.matchLabels).toEqual({
      'kecs.dev/managed-by': 'kecs',
      'kecs.dev/cluster': 'c',
      'kecs.dev/service': 'ext',
      'kecs.dev/deployment': taskSetLabelValue(ts.id),
    })
    expect(w.metadata.labels['kecs.dev/deployment']).toBe('ecs-svc.1234567890123456789')
    for (const [k, v] of Object.entries(w.spec.selector.matchLabels)) expect(w.spec.template.metadata.labels[k]).toBe(v)
    expect(w.spec.template.metadata.annotations).toMatchObject({
      'kecs.dev/started-by': ts.id,
      'kecs.dev/group': 'service:ext',
      'kecs.dev/service-name': 'ext',
      'kecs.dev/deployment-id': ts.id,
    })
    expect(w.metadata.annotations['kecs.dev/task-set-arn']).toBe(ts.taskSetArn)
    // the service's Service selects every task set's pods
    expect(out.service!.metadata!.name).toBe('ext')
    expect(out.service!.spec!.selector).toEqual({ 'kecs.dev/managed-by': 'kecs', 'kecs.dev/cluster': 'c', 'kecs.dev/service': 'ext' })
  })
})
