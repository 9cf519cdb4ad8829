import { describe, expect, it } from 'vitest'
import { buildContext } from '../../src/ecs/context.js'
import { dispatch } from '../../src/ecs/dispatch.js'
import { isoOf, serializeOutput, serializeShape } from '../../src/ecs/model/serialize.js'
import type { EcsDeps, HandlerMap } from '../../src/ecs/types.js'

describe('serializeShape: members of the model shape only', () => {
  it('drops members the structure does not have, at the top and nested', () => {
    const out = serializeShape('Task', {
      taskArn: 'arn:t',
      kecs: { podName: 'p' },
      containers: [{ name: 'app', secret: 'x', networkBindings: [{ hostPort: 80, internal: true }] }],
      overrides: { containerOverrides: [{ name: 'app', hidden: 1 }], nope: 2 },
    })
    expect(out).toEqual({
      taskArn: 'arn:t',
      containers: [{ name: 'app', networkBindings: [{ hostPort: 80 }] }],
      overrides: { containerOverrides: [{ name: 'app' }] },
    })
  })

  it('walks lists member by member and maps value by value', () => {
    // ContainerDefinition.dockerLabels is a map of strings; logConfiguration.secretOptions a list of Secret
    const out = serializeShape('ContainerDefinition', {
      name: 'app',
      dockerLabels: { a: '1', b: '2' },
      logConfiguration: { logDriver: 'awslogs', options: { k: 'v' }, secretOptions: [{ name: 'n', valueFrom: 'v', extra: 1 }] },
    })
    expect(out).toEqual({
      name: 'app',
      dockerLabels: { a: '1', b: '2' },
      logConfiguration: { logDriver: 'awslogs', options: { k: 'v' }, secretOptions: [{ name: 'n', valueFrom: 'v' }] },
    })
  })

  it('writes timestamps as epoch seconds on the wire, ISO-8601 for events', () => {
    const doc = { createdAt: 1700000000.123, startedAt: new Date(1700000001000), stoppedAt: '2023-11-14T22:13:22.000Z' }
    expect(serializeShape('Task', doc)).toEqual({ createdAt: 1700000000.123, startedAt: 1700000001, stoppedAt: 1700000002 })
    expect(serializeShape('Task', doc, 'iso')).toEqual({
      createdAt: '2023-11-14T22:13:20.123Z',
      startedAt: '2023-11-14T22:13:21.000Z',
      stoppedAt: '2023-11-14T22:13:22.000Z',
    })
    // nested timestamps too (ManagedAgent.lastStartedAt)
    const nested = serializeShape('Task', { containers: [{ managedAgents: [{ name: 'ExecuteCommandAgent', lastStartedAt: 1700000000 }] }] }, 'iso')
    expect(nested).toEqual({ containers: [{ managedAgents: [{ name: 'ExecuteCommandAgent', lastStartedAt: '2023-11-14T22:13:20.000Z' }] }] })
    expect(isoOf(1700000000.1234)).toBe('2023-11-14T22:13:20.123Z')
  })

  it('drops a value of the wrong kind for its shape and undefined members; keeps scalars and null as given', () => {
    const out = serializeShape('Task', {
      taskArn: { not: 'a string' },
      containers: 'not a list',
      overrides: ['not a structure'],
      cpu: '256',
      version: 3,
      enableExecuteCommand: false,
      group: undefined,
      stoppedReason: null,
    })
    expect(out).toEqual({ cpu: '256', version: 3, enableExecuteCommand: false, stoppedReason: null })
    expect(Object.keys(out as object)).not.toContain('group')
  })

  it('keeps the order of the value, and returns a copy', () => {
    const doc = { taskArn: 'a', lastStatus: 'RUNNING', clusterArn: 'c', attributes: [{ name: 'n', value: 'v' }] }
    const out = serializeShape('Task', doc) as typeof doc
    expect(Object.keys(out)).toEqual(['taskArn', 'lastStatus', 'clusterArn', 'attributes'])
    out.attributes[0]!.value = 'changed'
    expect(doc.attributes[0]!.value).toBe('v')
  })
})

describe('serializeOutput: an operation result as the wire carries it', () => {
  it('keeps the output members of the operation and drops the rest', () => {
    expect(
      serializeOutput('ListTasks', { taskArns: ['a'], nextToken: 't', debug: { secret: 1 } }),
    ).toEqual({ taskArns: ['a'], nextToken: 't' })
    expect(serializeOutput('DescribeTasks', { tasks: [{ taskArn: 'a', kecs: { podName: 'p' } }], failures: [] })).toEqual({
      tasks: [{ taskArn: 'a' }],
      failures: [],
    })
  })

  it('answers {} for an empty result', () => {
    expect(serializeOutput('DeleteAccountSetting', undefined)).toEqual({})
    expect(serializeOutput('TagResource', {})).toEqual({})
  })
})

describe('dispatch: every handler result goes through the output shape', () => {
  it('drops what a handler returns beyond its output shape, at any depth', async () => {
    // A handler that leaks on purpose: the typed table would refuse it, hence the cast.
    const leaky = {
      DescribeClusters: async () => ({ clusters: [{ clusterName: 'c', kecs: { hidden: true } }], failures: [], debug: 1 }),
    } as unknown as HandlerMap
    const ctx = buildContext({ operation: 'DescribeClusters', requestId: 'r' })
    const out = await dispatch('DescribeClusters', { clusters: ['c'] }, ctx, {} as EcsDeps, leaky)
    expect(out).toEqual({ clusters: [{ clusterName: 'c' }], failures: [] })
  })
})
