import { describe, expect, it } from 'vitest'
import { compileConstraints, PLACEMENT_FAILURES, placementFailure } from '../../src/ecs/container-instances/placement.js'
import type { ContainerInstanceDoc } from '../../src/ecs/tasks/node-instances.js'
import type { TaskDoc } from '../../src/ecs/tasks/task-doc.js'

const ARN = 'arn:aws:ecs:us-east-1:000000000000:container-instance/c/0123456789abcdef0123456789abcdef'

const instance = (attrs: Record<string, string | undefined>): ContainerInstanceDoc => ({
  containerInstanceArn: ARN,
  clusterArn: 'arn:aws:ecs:us-east-1:000000000000:cluster/c',
  status: 'ACTIVE',
  agentConnected: true,
  registeredResources: [
    { name: 'CPU', type: 'INTEGER', integerValue: 1024 },
    { name: 'MEMORY', type: 'INTEGER', integerValue: 512 },
  ],
  attributes: Object.entries(attrs).map(([name, value]) => (value === undefined ? { name } : { name, value })),
})

const noTasks = { tasks: { values: () => [] as TaskDoc[] } } as never
const task = (over: Partial<{ memory: number; group: string; requires: { name: string; value?: string }[] }> = {}) => ({
  needs: { cpu: 0, memory: over.memory ?? 64 },
  group: over.group ?? 'family:web',
  requiresAttributes: over.requires ?? [],
})
const placed = (group: string) => ({ containerInstanceArn: ARN, lastStatus: 'PENDING', desiredStatus: 'RUNNING', group }) as TaskDoc

describe('placement on one instance, in ECS order', () => {
  const inst = instance({ 'ecs.instance-type': 't3.micro', 'ecs.cpu-architecture': 'x86_64', 'ecs.capability.task-eni': undefined })
  const none = compileConstraints(undefined, undefined)

  it('resources first, then required attributes', () => {
    expect(placementFailure(noTasks, inst, task({ memory: 1024 }), none, [])).toBe('RESOURCE:MEMORY')
    expect(placementFailure(noTasks, inst, task({ requires: [{ name: 'ecs.capability.efs' }] }), none, [])).toBe(PLACEMENT_FAILURES.attribute)
    expect(placementFailure(noTasks, inst, task({ requires: [{ name: 'ecs.cpu-architecture', value: 'arm64' }] }), none, [])).toBe('ATTRIBUTE')
    expect(placementFailure(noTasks, inst, task({ requires: [{ name: 'ecs.capability.task-eni' }] }), none, [])).toBeUndefined()
  })

  it('memberOf from the request and the definition must all hold', () => {
    const ok = compileConstraints([{ type: 'memberOf', expression: 'attribute:ecs.instance-type == t3.micro' }], undefined)
    expect(placementFailure(noTasks, inst, task(), ok, [])).toBeUndefined()
    const both = compileConstraints(
      [{ type: 'memberOf', expression: 'attribute:ecs.instance-type == t3.micro' }],
      [{ type: 'memberOf', expression: 'attribute:ecs.instance-type =~ g2.*' }],
    )
    expect(placementFailure(noTasks, inst, task(), both, [])).toBe('MemberOf placement constraint unsatisfied.')
  })

  it('distinctInstance counts the tasks of the same group placed so far', () => {
    const distinct = compileConstraints([{ type: 'distinctInstance' }], undefined)
    expect(placementFailure(noTasks, inst, task(), distinct, [])).toBeUndefined()
    expect(placementFailure(noTasks, inst, task(), distinct, [placed('family:web')])).toBe('DistinctInstance placement constraint unsatisfied.')
    expect(placementFailure(noTasks, inst, task(), distinct, [placed('family:other')])).toBeUndefined()
  })

  it('refuses malformed constraints', () => {
    expect(() => compileConstraints([{ type: 'distinctInstance', expression: 'x == y' }], undefined)).toThrow(/does not take an expression/)
    expect(() => compileConstraints([{ type: 'memberOf' }], undefined)).toThrow(/requires an expression/)
    expect(() => compileConstraints([{ type: 'memberOf', expression: 'nope ==' }], undefined)).toThrowError(expect.objectContaining({ type: 'InvalidParameterException' }))
  })
})
