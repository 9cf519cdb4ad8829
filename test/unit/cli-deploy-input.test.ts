import type { Service } from '@aws-sdk/client-ecs'
import { describe, expect, it } from 'vitest'
import {
  CREATE_FIELDS,
  latestEventLines,
  parseServiceSpec,
  rolloutVerdict,
  toCreateInput,
  toUpdateInput,
  UPDATE_FIELDS,
} from '../../src/cli/deploy-input.js'
import { shape } from '../../src/ecs/model/index.js'

const full = {
  cluster: 'from-file',
  serviceName: 'web',
  taskDefinition: 'web:3',
  desiredCount: 2,
  launchType: 'FARGATE',
  role: 'arn:aws:iam::000000000000:role/ecs',
  schedulingStrategy: 'REPLICA',
  clientToken: 'abc',
  tags: [{ key: 'team', value: 'a' }],
  deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true }, maximumPercent: 200, minimumHealthyPercent: 100 },
  networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'] } },
  enableExecuteCommand: false,
  loadBalancers: [],
  propagateTags: null,
  serviceArn: 'arn:aws:ecs:us-east-1:000000000000:service/default/web',
}

describe('field lists', () => {
  it('are the ECS model’s CreateServiceRequest and UpdateServiceRequest members', () => {
    expect([...CREATE_FIELDS].sort()).toEqual(Object.keys(shape('CreateServiceRequest').members!).sort())
    expect([...UPDATE_FIELDS].sort()).toEqual(Object.keys(shape('UpdateServiceRequest').members!).sort())
  })
})

describe('parseServiceSpec', () => {
  it('reads create-service JSON, and update-service JSON with "service"', () => {
    expect(parseServiceSpec(JSON.stringify(full), 'f.json').serviceName).toBe('web')
    expect(parseServiceSpec('{"service":"api","desiredCount":0}', 'f.json')).toEqual({ serviceName: 'api', desiredCount: 0 })
  })

  it('says what is wrong with the file', () => {
    expect(() => parseServiceSpec('{nope', 'svc.json')).toThrow(/svc.json is not valid JSON/)
    expect(() => parseServiceSpec('[]', 'svc.json')).toThrow(/one JSON object/)
    expect(() => parseServiceSpec('{"taskDefinition":"x"}', 'svc.json')).toThrow(/has no serviceName/)
    expect(() => parseServiceSpec('{"serviceName":"x","desiredCount":"2"}', 'svc.json')).toThrow(/desiredCount must be a number/)
  })
})

describe('create and update mapping', () => {
  const spec = parseServiceSpec(JSON.stringify(full), 'f.json')

  it('create: the file’s CreateService members, the given cluster, unknown members reported', () => {
    const { input, ignored } = toCreateInput(spec, 'ci')
    expect(input).toEqual({
      cluster: 'ci',
      serviceName: 'web',
      taskDefinition: 'web:3',
      desiredCount: 2,
      launchType: 'FARGATE',
      role: full.role,
      schedulingStrategy: 'REPLICA',
      clientToken: 'abc',
      tags: full.tags,
      deploymentConfiguration: full.deploymentConfiguration,
      networkConfiguration: full.networkConfiguration,
      enableExecuteCommand: false,
      loadBalancers: [],
    })
    expect(ignored).toEqual(['serviceArn'])
  })

  it('update: service instead of serviceName, only UpdateService members, create-only ones reported', () => {
    const { input, ignored } = toUpdateInput(spec, 'ci')
    expect(input).toEqual({
      cluster: 'ci',
      service: 'web',
      taskDefinition: 'web:3',
      desiredCount: 2,
      deploymentConfiguration: full.deploymentConfiguration,
      networkConfiguration: full.networkConfiguration,
      enableExecuteCommand: false,
      loadBalancers: [],
    })
    expect(input).not.toHaveProperty('serviceName')
    expect(ignored.sort()).toEqual(['clientToken', 'launchType', 'role', 'schedulingStrategy', 'serviceArn', 'tags'])
  })

  it('update: leaves out what the file does not set (ECS keeps it), forces a deployment when asked', () => {
    const { input } = toUpdateInput(parseServiceSpec('{"serviceName":"web","taskDefinition":"web:4"}', 'f'), 'default', { forceNewDeployment: true })
    expect(input).toEqual({ cluster: 'default', service: 'web', taskDefinition: 'web:4', forceNewDeployment: true })
  })
})

describe('rolloutVerdict', () => {
  const svc = (over: Partial<Service>): Service => ({ serviceName: 'web', status: 'ACTIVE', desiredCount: 2, runningCount: 2, ...over })

  it('steady when our deployment completed', () => {
    const s = svc({ deployments: [{ id: 'd2', status: 'PRIMARY', rolloutState: 'COMPLETED', runningCount: 2, desiredCount: 2 }] })
    expect(rolloutVerdict(s, 'd2')).toEqual({ state: 'steady', summary: '2/2 running' })
  })

  it('a scale-only update keeps the COMPLETED deployment: waiting until the counts match', () => {
    const s = svc({ desiredCount: 3, runningCount: 2, deployments: [{ id: 'd1', status: 'PRIMARY', rolloutState: 'COMPLETED', runningCount: 2, desiredCount: 3 }] })
    expect(rolloutVerdict(s, 'd1')).toEqual({ state: 'waiting', summary: '2/3 running, rollout COMPLETED' })
  })

  it('waiting while it is in progress or old tasks still drain', () => {
    const s = svc({
      runningCount: 3,
      deployments: [
        { id: 'd2', status: 'PRIMARY', rolloutState: 'IN_PROGRESS', runningCount: 1, desiredCount: 2, pendingCount: 1 },
        { id: 'd1', status: 'ACTIVE', rolloutState: 'COMPLETED', runningCount: 2, desiredCount: 2 },
      ],
    })
    expect(rolloutVerdict(s, 'd2')).toEqual({ state: 'waiting', summary: '1/2 running, 1 pending, rollout IN_PROGRESS' })
  })

  it('failed when the circuit breaker marked it FAILED (rolled back or not)', () => {
    const rolledBack = svc({
      deployments: [
        { id: 'd3', status: 'PRIMARY', rolloutState: 'IN_PROGRESS' },
        { id: 'd2', status: 'ACTIVE', rolloutState: 'FAILED', rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.' },
      ],
    })
    expect(rolloutVerdict(rolledBack, 'd2')).toEqual({
      state: 'failed',
      reason: 'deployment d2 of service web failed: ECS deployment circuit breaker: tasks failed to start.',
    })
    const noRollback = svc({ deployments: [{ id: 'd2', status: 'PRIMARY', rolloutState: 'FAILED' }] })
    expect(rolloutVerdict(noRollback, 'd2').state).toBe('failed')
  })

  it('failed when another deployment took its place, or it is gone, or the service is', () => {
    expect(rolloutVerdict(svc({ deployments: [{ id: 'd3', status: 'PRIMARY' }, { id: 'd2', status: 'ACTIVE', rolloutState: 'IN_PROGRESS' }] }), 'd2')).toMatchObject({
      state: 'failed',
      reason: 'deployment d2 of service web was replaced by d3',
    })
    expect(rolloutVerdict(svc({ deployments: [{ id: 'd3', status: 'PRIMARY' }] }), 'd2')).toMatchObject({ state: 'failed', reason: expect.stringContaining('is gone (now d3)') })
    expect(rolloutVerdict(svc({ status: 'DRAINING' }), 'd2')).toEqual({ state: 'failed', reason: 'service web is DRAINING' })
  })

  it('without rollout states: steady as the services-stable waiter says', () => {
    expect(rolloutVerdict(svc({ deployments: [{ id: 'd1', status: 'PRIMARY' }] }), 'd1').state).toBe('steady')
    expect(rolloutVerdict(svc({ runningCount: 1, deployments: [{ id: 'd1', status: 'PRIMARY' }] }), 'd1').state).toBe('waiting')
  })
})

it('latestEventLines: the newest events, oldest first', () => {
  const events = [3, 2, 1].map((n) => ({ id: String(n), message: `m${n}`, createdAt: new Date(Date.UTC(2024, 0, 1, 0, 0, n)) }))
  expect(latestEventLines(events, 2)).toEqual(['  2024-01-01T00:00:02Z m2', '  2024-01-01T00:00:03Z m3'])
})
