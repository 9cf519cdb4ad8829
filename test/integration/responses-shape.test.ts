import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildContext } from '../../src/ecs/context.js'
import { handlers } from '../../src/ecs/handlers.js'
import { operation, operationNames } from '../../src/ecs/model/index.js'
import { renderService, type ServiceDoc } from '../../src/ecs/services/service-doc.js'
import { renderTaskSet, type TaskSetDoc } from '../../src/ecs/services/task-set-doc.js'
import { renderTask, type TaskDoc } from '../../src/ecs/tasks/task-doc.js'
import type { OperationName } from '../../src/ecs/types.js'
import type { EcsEvent } from '../../src/events/bus.js'
import { startClusterInstance, type ClusterInstance } from '../helpers/cluster-instance.js'
import { eventually } from '../helpers/emulator.js'
import { minimalInput } from '../helpers/minimal-input.js'
import { shapeViolations } from '../helpers/shape-check.js'

/**
 * No response of any implemented operation carries a member its output shape does not have, at any
 * depth, and every timestamp is epoch seconds: checked against the model (test/helpers/shape-check.ts)
 * over every handler, with rich resources (running tasks with containers, network bindings and
 * attachments, services with deployments and events, task sets, service deployments and revisions)
 * so the nested shapes are exercised. The handlers' own results (before the dispatcher) and the
 * event details on the bus are held to the same shapes.
 */

const CLUSTER = 'default'
const NET = { awsvpcConfiguration: { subnets: ['subnet-1'], securityGroups: ['sg-1'], assignPublicIp: 'ENABLED' } }
const implemented = operationNames.filter((op) => Object.hasOwn(handlers, op)) as OperationName[]
const rank = (op: string) => (/^(Create|Register|Put|Run|Start|Tag)/.test(op) ? 0 : /^(Delete|Deregister|Stop|Untag)/.test(op) ? 2 : 1)

let k: ClusterInstance
const bus: EcsEvent[] = []
/** Every 200 answer, by operation. */
const answers = new Map<string, unknown[]>()
const raw = new Map<string, unknown[]>()

async function call(op: string, input: unknown) {
  const r = await k.call(op, input)
  if (r.status === 200) answers.set(op, [...(answers.get(op) ?? []), r.body])
  // The handler's own result for the same input (a read: calling it twice changes nothing).
  if (r.status === 200 && rank(op) === 1) {
    const ctx = buildContext({ operation: op, requestId: 'shape-test' })
    const out = await (handlers[op as OperationName] as (i: unknown, c: unknown, d: unknown) => Promise<unknown>)(input, ctx, k.instance.deps)
    raw.set(op, [...(raw.get(op) ?? []), out])
  }
  return r
}

async function ok(op: string, input: unknown) {
  const r = await call(op, input)
  expect(r.status, `${op}: ${JSON.stringify(r.body)}`).toBe(200)
  return r.body
}

describe('responses carry only what the output shapes define', () => {
  beforeAll(async () => {
    k = await startClusterInstance()
    k.instance.bus.subscribe((e) => bus.push(e))
    await ok('CreateCluster', {
      clusterName: CLUSTER,
      settings: [{ name: 'containerInsights', value: 'enabled' }],
      tags: [{ key: 'team', value: 'a' }],
      configuration: { executeCommandConfiguration: { logging: 'DEFAULT' } },
    })
    await ok('RegisterTaskDefinition', {
      family: 'web',
      containerDefinitions: [
        {
          name: 'app',
          image: 'nginx',
          memory: 128,
          portMappings: [{ containerPort: 80, hostPort: 0, protocol: 'tcp', name: 'http' }],
          environment: [{ name: 'A', value: '1' }],
          dockerLabels: { tier: 'web' },
          healthCheck: { command: ['CMD-SHELL', 'true'], interval: 5 },
          logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': 'g', 'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': 'web', 'awslogs-create-group': 'true' } },
        },
        { name: 'side', image: 'busybox', memory: 64, essential: false, command: ['sleep', '3600'] },
      ],
      tags: [{ key: 'team', value: 'a' }],
    })
    await ok('RegisterTaskDefinition', {
      family: 'api',
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '256',
      memory: '512',
      containerDefinitions: [{ name: 'api', image: 'nginx', portMappings: [{ containerPort: 8080 }] }],
    })
    const web = await ok('RunTask', {
      cluster: CLUSTER,
      taskDefinition: 'web:1',
      count: 2,
      startedBy: 'shape-test',
      enableExecuteCommand: true,
      tags: [{ key: 'run', value: '1' }],
      overrides: { containerOverrides: [{ name: 'app', environment: [{ name: 'B', value: '2' }] }] },
    })
    await ok('RunTask', { cluster: CLUSTER, taskDefinition: 'api:1', launchType: 'FARGATE', networkConfiguration: NET })
    const first = web.tasks[0].taskArn as string
    await eventually(async () => {
      const d = (await k.call('DescribeTasks', { cluster: CLUSTER, tasks: [first] })).body
      return d.tasks?.[0]?.lastStatus === 'RUNNING'
    }, 'a RunTask task RUNNING')
    await ok('StopTask', { cluster: CLUSTER, task: web.tasks[1].taskArn, reason: 'shape test' })

    await ok('CreateService', {
      cluster: CLUSTER,
      serviceName: 'web',
      taskDefinition: 'web:1',
      desiredCount: 1,
      deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true }, maximumPercent: 200, minimumHealthyPercent: 50 },
      placementStrategy: [{ type: 'spread', field: 'attribute:ecs.availability-zone' }],
      tags: [{ key: 'svc', value: 'web' }],
      propagateTags: 'SERVICE',
    })
    await eventually(async () => {
      const s = (await k.call('DescribeServices', { cluster: CLUSTER, services: ['web'] })).body.services?.[0]
      return s?.runningCount === 1 && s.deployments.length === 1 && s.deployments[0].rolloutState === 'COMPLETED'
    }, 'service web steady')
    await ok('UpdateService', { cluster: CLUSTER, service: 'web', desiredCount: 2, forceNewDeployment: true })
    await ok('CreateService', { cluster: CLUSTER, serviceName: 'ext', desiredCount: 2, deploymentController: { type: 'EXTERNAL' } })
    await ok('CreateTaskSet', {
      cluster: CLUSTER,
      service: 'ext',
      taskDefinition: 'api:1',
      launchType: 'FARGATE',
      networkConfiguration: NET,
      scale: { value: 50, unit: 'PERCENT' },
      externalId: 'blue',
      tags: [{ key: 'ts', value: 'blue' }],
    })

    // Rich reads of what exists now.
    const arns = (await ok('ListTasks', { cluster: CLUSTER, desiredStatus: 'RUNNING' })).taskArns as string[]
    const stopped = (await ok('ListTasks', { cluster: CLUSTER, desiredStatus: 'STOPPED' })).taskArns as string[]
    await ok('DescribeTasks', { cluster: CLUSTER, tasks: [...arns, ...stopped, 'missing'], include: ['TAGS'] })
    await ok('DescribeTasks', { cluster: CLUSTER, tasks: arns })
    await ok('GetTaskProtection', { cluster: CLUSTER, tasks: arns })
    await ok('DescribeServices', { cluster: CLUSTER, services: ['web', 'ext', 'nope'], include: ['TAGS'] })
    await ok('DescribeTaskSets', { cluster: CLUSTER, service: 'ext', include: ['TAGS'] })
    await ok('DescribeClusters', { clusters: [CLUSTER, 'nope'], include: ['ATTACHMENTS', 'CONFIGURATIONS', 'SETTINGS', 'STATISTICS', 'TAGS'] })
    await ok('DescribeTaskDefinition', { taskDefinition: 'web:1', include: ['TAGS'] })
    const deployments = (await ok('ListServiceDeployments', { cluster: CLUSTER, service: 'web' })).serviceDeployments as { serviceDeploymentArn: string }[]
    const described = await ok('DescribeServiceDeployments', { serviceDeploymentArns: deployments.map((d) => d.serviceDeploymentArn) })
    const revisions = described.serviceDeployments.flatMap((d: any) => [d.targetServiceRevision?.arn, ...(d.sourceServiceRevisions ?? []).map((r: any) => r.arn)])
    await ok('DescribeServiceRevisions', { serviceRevisionArns: revisions.filter(Boolean) })

    // Then every implemented operation with a minimal valid input: creating calls, reads, deleting calls.
    const ordered = [...implemented].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))
    for (const op of ordered) {
      await call(op, minimalInput(op, { tags: [{ key: 'team', value: 'a' }], settings: [{ name: 'containerInsights', value: 'enabled' }] }))
    }
  })
  afterAll(async () => k?.stopAll())

  it('the rich reads answered (the nested shapes were exercised)', () => {
    for (const op of ['DescribeTasks', 'DescribeServices', 'DescribeTaskSets', 'DescribeServiceDeployments', 'DescribeServiceRevisions', 'DescribeClusters']) {
      expect(answers.get(op)?.length ?? 0, op).toBeGreaterThan(0)
    }
    const tasks = (answers.get('DescribeTasks')![0] as any).tasks
    expect(tasks.some((t: any) => t.containers.some((c: any) => c.networkBindings?.length))).toBe(true)
    expect(tasks.some((t: any) => t.attachments?.length)).toBe(true)
    const [web, ext] = (answers.get('DescribeServices')![0] as any).services
    expect(web.deployments.length).toBeGreaterThan(0)
    expect(web.events.length).toBeGreaterThan(0)
    expect(ext.taskSets.length).toBe(1)
  })

  it.each(implemented)('%s answers only members of its output shape', (op) => {
    const out = operation(op)!.output!.shape
    for (const body of answers.get(op) ?? []) expect(shapeViolations(out, body), op).toEqual([])
  })

  it("the handlers' own results already hold to the output shapes", () => {
    expect(raw.size).toBeGreaterThan(10)
    for (const [op, results] of raw) {
      const out = operation(op)!.output!.shape
      for (const r of results) expect(shapeViolations(out, JSON.parse(JSON.stringify(r))), op).toEqual([])
    }
  })

  it('every stored doc renders as itself minus its internal part: nothing the shape has is left out', () => {
    const { repos } = k.instance.deps
    const json = (v: unknown) => JSON.parse(JSON.stringify(v))
    const tasks = [...repos.tasks.values()] as TaskDoc[]
    expect(tasks.length).toBeGreaterThan(2)
    for (const doc of tasks) {
      const { kecs: _internal, ...shown } = doc
      expect(json(renderTask(repos, doc))).toEqual(json({ ...shown, tags: [] }))
    }
    const services = [...repos.services.values()] as ServiceDoc[]
    expect(services.length).toBeGreaterThan(1)
    for (const doc of services) {
      const { kecs: _internal, ...shown } = doc
      const external = doc.deploymentController?.type === 'EXTERNAL'
      const deployments = external ? [] : doc.deployments.map(({ kecs: _d, ...d }) => d)
      const rendered = json(renderService(repos, doc))
      expect({ ...rendered, taskSets: undefined }).toEqual({ ...json({ ...shown, deployments }), taskSets: undefined })
    }
    const taskSets = [...repos.taskSets.values()] as TaskSetDoc[]
    expect(taskSets.length).toBeGreaterThan(0)
    for (const doc of taskSets) {
      const { kecs: _internal, ...shown } = doc
      expect(json(renderTaskSet(repos, doc))).toEqual(json(shown))
    }
  })

  it('event details hold to the Task and ContainerInstance shapes, with ISO timestamps', () => {
    const of = (type: string) => bus.filter((e) => e['detail-type'] === type).map((e) => e.detail as Record<string, unknown>)
    const tasks = of('ECS Task State Change')
    expect(tasks.length).toBeGreaterThan(3)
    for (const { updatedAt, ...detail } of tasks) {
      expect(shapeViolations('Task', detail, 'iso')).toEqual([])
      expect(updatedAt).toMatch(/Z$/)
      expect(detail).not.toHaveProperty('tags')
    }
    expect(tasks.some((d) => typeof d.startedAt === 'string')).toBe(true)
    const instances = of('ECS Container Instance State Change')
    expect(instances.length).toBeGreaterThan(0)
    for (const { updatedAt: _u, ...detail } of instances) expect(shapeViolations('ContainerInstance', detail, 'iso')).toEqual([])
  })
})
