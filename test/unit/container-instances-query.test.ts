import { describe, expect, it } from 'vitest'
import { compileQuery, parseQuery, type InstanceFacts } from '../../src/ecs/container-instances/query.js'

const facts = (over: Partial<InstanceFacts> = {}): InstanceFacts => ({
  attributes: new Map<string, string | undefined>([
    ['ecs.instance-type', 't3.micro'],
    ['ecs.availability-zone', 'us-east-1a'],
    ['ecs.os-type', 'linux'],
    ['stack', 'prod'],
    ['weight', '12'],
    ['com.amazonaws.ecs.capability.privileged-container', undefined],
  ]),
  ec2InstanceId: 'i-abcd1234',
  agentConnected: true,
  agentVersion: '1.89.0',
  registeredAt: Date.parse('2024-03-01T10:00:00Z'),
  runningTasksCount: 2,
  taskGroups: ['service:web', 'family:batch'],
  ...over,
})

const matches = (q: string, f = facts()) => compileQuery(q)(f)

describe('cluster query language', () => {
  it('compares attributes with == and !=, symbols and words', () => {
    expect(matches('attribute:ecs.instance-type == t3.micro')).toBe(true)
    expect(matches('attribute:ecs.instance-type equals t3.small')).toBe(false)
    expect(matches('attribute:ecs.instance-type != t3.small')).toBe(true)
    expect(matches('attribute:ecs.instance-type not_equals t3.micro')).toBe(false)
  })

  it('in and not_in take lists, quoted or not', () => {
    expect(matches('attribute:ecs.availability-zone in [us-east-1a, us-east-1b]')).toBe(true)
    expect(matches("ec2InstanceId in ['i-abcd1234', 'i-wxyx7890']")).toBe(true)
    expect(matches('ec2InstanceId not_in [i-zzz]')).toBe(true)
    expect(matches('ec2InstanceId !in [i-abcd1234]')).toBe(false)
  })

  it('matches is a regex over the whole value', () => {
    expect(matches('attribute:ecs.instance-type =~ t3.*')).toBe(true)
    expect(matches('attribute:ecs.instance-type =~ t3')).toBe(false)
    expect(matches('attribute:ecs.instance-type !~ g2.*')).toBe(true)
    expect(matches('attribute:ecs.instance-type =~ g2.* and attribute:ecs.availability-zone != us-east-1d')).toBe(false)
  })

  it('exists and !exists look for the attribute, valued or not', () => {
    expect(matches('attribute:com.amazonaws.ecs.capability.privileged-container exists')).toBe(true)
    expect(matches('attribute:gpu exists')).toBe(false)
    expect(matches('attribute:gpu !exists')).toBe(true)
    expect(matches('attribute:stack not_exists')).toBe(false)
  })

  it('orders numbers, versions and dates', () => {
    expect(matches('runningTasksCount > 1')).toBe(true)
    expect(matches('runningTasksCount == 1')).toBe(false)
    expect(matches('runningTasksCount <= 2')).toBe(true)
    expect(matches('agentVersion < 1.14.5')).toBe(false)
    expect(matches('agentVersion >= 1.89.0')).toBe(true)
    expect(matches('registeredAt < 2024-03-02')).toBe(true)
    expect(matches('registeredAt > 2024-03-01T09:00:00Z')).toBe(true)
    expect(matches('registeredAt < 2024-03-01T10:30:00+00:00')).toBe(true)
    expect(matches('attribute:weight > 9')).toBe(true)
  })

  it('task:group is true when any task on the instance is in the group', () => {
    expect(matches('task:group == service:web')).toBe(true)
    expect(matches('not(task:group == database)')).toBe(true)
    expect(matches('task:group != service:web')).toBe(false)
  })

  it('combines with and/or/not, && || !, and parentheses for precedence', () => {
    expect(matches('attribute:stack == dev || attribute:stack == prod')).toBe(true)
    expect(matches('attribute:stack == dev or attribute:stack == prod && runningTasksCount > 5')).toBe(false)
    expect(matches('(attribute:stack == dev or attribute:stack == prod) and runningTasksCount > 1')).toBe(true)
    expect(matches('!(attribute:stack == prod)')).toBe(false)
    expect(matches('agentConnected == true and not attribute:stack == dev')).toBe(true)
  })

  it('refuses malformed expressions with InvalidParameterException', () => {
    for (const bad of [
      'attribute:stack ==',
      'attribute:stack',
      'color == red',
      'runningTasksCount =~ 1',
      'ec2InstanceId > i-1',
      'ec2InstanceId in i-1',
      '(attribute:stack == prod',
      'attribute:stack == prod )',
      'attribute:stack =~ [',
      'runningTasksCount > lots',
      'registeredAt < yesterday',
    ]) {
      expect(() => matches(bad), bad).toThrowError(expect.objectContaining({ type: 'InvalidParameterException' }))
    }
    expect(() => parseQuery('x'.repeat(2001))).toThrow(/2000/)
  })
})
