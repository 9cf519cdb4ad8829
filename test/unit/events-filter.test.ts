import { describe, expect, it } from 'vitest'
import { filtersFromQuery, filtersToQuery, FilterError, matches, parseFilters } from '../../src/events/filter.js'
import {
  clusterArn,
  deploymentEvent,
  instanceEvent,
  serviceAction,
  serviceArn,
  TASK_ID,
  taskArn,
  taskEvent,
} from '../helpers/ecs-events.js'

const svcTask = taskEvent({ service: 'web' })
const standalone = taskEvent({ cluster: 'batch', id: 'ffffffffffffffffffffffffffffffff', family: 'job' })
const steady = serviceAction({ service: 'web' })
const deployment = deploymentEvent({ service: 'api', cluster: 'prod' })
const instance = instanceEvent()

describe('matches', () => {
  it('matches everything without filters', () => {
    for (const e of [svcTask, standalone, steady, deployment, instance]) expect(matches(e, {})).toBe(true)
  })

  it('filters by cluster name or ARN, from resources and detail', () => {
    expect(matches(svcTask, { cluster: 'default' })).toBe(true)
    expect(matches(svcTask, { cluster: clusterArn('default') })).toBe(true)
    expect(matches(svcTask, { cluster: 'batch' })).toBe(false)
    expect(matches(standalone, { cluster: 'batch' })).toBe(true)
    expect(matches(deployment, { cluster: 'prod' })).toBe(true)
    expect(matches(deployment, { cluster: 'default' })).toBe(false)
    expect(matches(instance, { cluster: 'default' })).toBe(true)
    // Another account's cluster of the same name is another cluster.
    expect(matches(svcTask, { cluster: 'arn:aws:ecs:us-east-1:111111111111:cluster/default' })).toBe(false)
    // A name is never compared with an ARN.
    expect(matches(svcTask, { cluster: 'arn:aws:ecs:us-east-1:000000000000:cluster/defaul' })).toBe(false)
  })

  it('filters by service: task group service:<name>, service ARN in resources', () => {
    expect(matches(svcTask, { service: 'web' })).toBe(true)
    expect(matches(svcTask, { service: 'api' })).toBe(false)
    expect(matches(standalone, { service: 'job' })).toBe(false) // group family:job is not a service
    expect(matches(steady, { service: 'web' })).toBe(true)
    expect(matches(steady, { service: serviceArn('default', 'web') })).toBe(true)
    expect(matches(deployment, { service: 'api' })).toBe(true)
    expect(matches(deployment, { service: serviceArn('prod', 'api') })).toBe(true)
    // Same service name in another cluster.
    expect(matches(deployment, { service: serviceArn('default', 'api') })).toBe(false)
    expect(matches(svcTask, { service: serviceArn('default', 'web') })).toBe(true)
    expect(matches(instance, { service: 'web' })).toBe(false)
    // An ARN of another resource type is not a service.
    expect(matches(steady, { service: clusterArn('web') })).toBe(false)
  })

  it('filters by task id or ARN', () => {
    expect(matches(svcTask, { task: TASK_ID })).toBe(true)
    expect(matches(svcTask, { task: taskArn('default', TASK_ID) })).toBe(true)
    expect(matches(svcTask, { task: 'ffffffffffffffffffffffffffffffff' })).toBe(false)
    expect(matches(steady, { task: TASK_ID })).toBe(false)
    const stopped = serviceAction({ eventName: 'TASKS_STOPPED' })
    stopped.detail.taskArns = [taskArn('default', TASK_ID)]
    expect(matches(stopped, { task: TASK_ID })).toBe(true)
  })

  it('filters by detail-type, case-insensitively, any of several', () => {
    expect(matches(svcTask, { detailType: ['ECS Task State Change'] })).toBe(true)
    expect(matches(svcTask, { detailType: ['ecs task state change'] })).toBe(true)
    expect(matches(steady, { detailType: ['ECS Task State Change'] })).toBe(false)
    expect(matches(steady, { detailType: ['ECS Task State Change', 'ECS Service Action'] })).toBe(true)
  })

  it('ANDs the filters', () => {
    expect(matches(svcTask, { cluster: 'default', service: 'web', task: TASK_ID, detailType: ['ECS Task State Change'] })).toBe(true)
    expect(matches(svcTask, { cluster: 'default', service: 'api' })).toBe(false)
    expect(matches(svcTask, { cluster: 'batch', service: 'web' })).toBe(false)
  })

  it('ignores unknown keys and odd details without throwing', () => {
    const odd = { ...svcTask, resources: ['not-an-arn'], detail: { group: 42, taskArns: 'x', clusterArn: null } }
    expect(matches(odd as never, { cluster: 'default' })).toBe(false)
    expect(matches(odd as never, {})).toBe(true)
  })
})

describe('parsing filters', () => {
  it('reads a subscribe message', () => {
    expect(parseFilters({ cluster: 'default', service: '', detailType: 'ECS Task State Change', extra: 1 })).toEqual({
      cluster: 'default',
      detailType: ['ECS Task State Change'],
    })
    expect(parseFilters({ 'detail-type': ['A', 'B'] })).toEqual({ detailType: ['A', 'B'] })
    expect(parseFilters(undefined)).toEqual({})
    expect(() => parseFilters({ cluster: 3 })).toThrow(FilterError)
    expect(() => parseFilters('default')).toThrow(FilterError)
  })

  it('round-trips query parameters', () => {
    const f = { cluster: 'default', service: serviceArn(), task: TASK_ID, detailType: ['ECS Task State Change', 'ECS Service Action'] }
    expect(filtersFromQuery(filtersToQuery(f))).toEqual(f)
    expect(filtersFromQuery(new URLSearchParams('detail-type=A,B&cluster='))).toEqual({ detailType: ['A', 'B'] })
  })
})
