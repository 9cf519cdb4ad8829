import { describe, expect, it } from 'vitest'
import { serviceToWorkload } from '../../src/kube/convert/service.js'
import { taskToPod } from '../../src/kube/convert/pod.js'
import { ctx, expectAdmitted, TASK_ID, taskDef } from './convert-golden.js'

/** Placement ECS-side made Kubernetes-side: node affinity and pod anti-affinity a real API server accepts. */
const constrained = taskDef({ memory: 64 }, { placementConstraints: [{ type: 'memberOf', expression: 'attribute:x == y' }] })

describe('placement in the converters', () => {
  it('a task placed on an instance is held to its node, and its constraints count as applied', () => {
    const r = taskToPod({ ...ctx, taskDefinition: constrained, taskId: TASK_ID, taskArn: `arn:task/${TASK_ID}`, nodeName: 'node-2' })
    expectAdmitted('pod', r)
    expect(r.pod.spec!.affinity).toEqual({
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node-2'] }] }],
        },
      },
    })
    expect(r.ignored.map((i) => i.field)).not.toContain('placementConstraints')
    const free = taskToPod({ ...ctx, taskDefinition: constrained, taskId: TASK_ID, taskArn: `arn:task/${TASK_ID}` })
    expect(free.pod.spec!.affinity).toBeUndefined()
    expect(free.ignored.map((i) => i.field)).toContain('placementConstraints')
  })

  const service = (placement?: { nodeNames?: string[]; distinctInstance?: boolean }) =>
    serviceToWorkload({
      ...ctx,
      service: { serviceName: 'web', desiredCount: 2, placementConstraints: [{ type: 'distinctInstance' }] },
      taskDefinition: taskDef({ memory: 64 }),
      deploymentId: 'ecs-svc/1',
      placement,
    })

  it('a service: one node term per matching node, one pod per node for distinctInstance', () => {
    const r = service({ nodeNames: ['a', 'b'], distinctInstance: true })
    expectAdmitted('service', r)
    const affinity = r.workload.spec!.template.spec!.affinity!
    expect(affinity.nodeAffinity!.requiredDuringSchedulingIgnoredDuringExecution!.nodeSelectorTerms.map((t) => t.matchFields![0]!.values)).toEqual([['a'], ['b']])
    expect(affinity.podAntiAffinity!.requiredDuringSchedulingIgnoredDuringExecution![0]).toMatchObject({
      topologyKey: 'kubernetes.io/hostname',
      labelSelector: { matchLabels: { 'kecs.dev/service': 'web' } },
    })
    expect(r.ignored.map((i) => i.field)).not.toContain('placementConstraints')
  })

  it('a memberOf no instance satisfies leaves the pods unschedulable; without placement the constraint is reported ignored', () => {
    const none = service({ nodeNames: [] })
    expectAdmitted('service', none)
    expect(none.workload.spec!.template.spec!.affinity!.nodeAffinity).toBeDefined()
    const plain = service(undefined)
    expect(plain.workload.spec!.template.spec!.affinity).toBeUndefined()
    expect(plain.ignored.map((i) => i.field)).toContain('placementConstraints')
  })
})
