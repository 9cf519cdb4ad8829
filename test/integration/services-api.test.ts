import {
  CreateClusterCommand,
  CreateServiceCommand,
  DeleteClusterCommand,
  DeleteServiceCommand,
  DeregisterTaskDefinitionCommand,
  DescribeServicesCommand,
  ListServicesByNamespaceCommand,
  ListServicesCommand,
  ListTagsForResourceCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
  type CreateServiceCommandInput,
} from '@aws-sdk/client-ecs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EcsEvent } from '../../src/events/bus.js'
import { startTestInstance, type TestInstance } from '../helpers/instance.js'

/**
 * The service API without a cluster (no runtime: services are stored and described, run no tasks):
 * response shapes and defaults, ECS's errors, idempotency, listing and paging.
 */

const CLUSTER = 'svc-api'
let t: TestInstance
const bus: EcsEvent[] = []

const create = (input: Omit<CreateServiceCommandInput, 'cluster'>, cluster = CLUSTER) =>
  t.ecs.send(new CreateServiceCommand({ cluster, ...input }))

beforeAll(async () => {
  t = await startTestInstance({ dir: ':memory:' })
  t.instance.bus.subscribe((e) => bus.push(e))
  await t.ecs.send(new CreateClusterCommand({ clusterName: CLUSTER, capacityProviders: ['FARGATE'] }))
  await t.ecs.send(new RegisterTaskDefinitionCommand({ family: 'web', containerDefinitions: [{ name: 'app', image: 'nginx', memory: 64 }] }))
  await t.ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'vpc',
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '256',
      memory: '512',
      containerDefinitions: [{ name: 'app', image: 'nginx' }],
    }),
  )
})
afterAll(async () => t?.stop())

describe('CreateService without a cluster', () => {
  it('answers the service with every ECS default', async () => {
    const r = await create({ serviceName: 'plain', taskDefinition: 'web', desiredCount: 2, tags: [{ key: 'team', value: 'a' }] })
    const s = r.service!
    expect(s).toMatchObject({
      serviceArn: `arn:aws:ecs:us-east-1:000000000000:service/${CLUSTER}/plain`,
      serviceName: 'plain',
      clusterArn: `arn:aws:ecs:us-east-1:000000000000:cluster/${CLUSTER}`,
      loadBalancers: [],
      serviceRegistries: [],
      status: 'ACTIVE',
      desiredCount: 2,
      runningCount: 0,
      pendingCount: 0,
      launchType: 'EC2',
      taskDefinition: 'arn:aws:ecs:us-east-1:000000000000:task-definition/web:1',
      deploymentConfiguration: { deploymentCircuitBreaker: { enable: false, rollback: false }, maximumPercent: 200, minimumHealthyPercent: 100 },
      roleArn: 'arn:aws:iam::000000000000:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS',
      events: [],
      placementConstraints: [],
      placementStrategy: [],
      healthCheckGracePeriodSeconds: 0,
      schedulingStrategy: 'REPLICA',
      deploymentController: { type: 'ECS' },
      createdBy: 'arn:aws:iam::000000000000:root',
      enableECSManagedTags: false,
      propagateTags: 'NONE',
      enableExecuteCommand: false,
      availabilityZoneRebalancing: 'ENABLED',
      tags: [{ key: 'team', value: 'a' }],
    })
    expect(s.createdAt).toBeInstanceOf(Date)
    expect(s.deployments).toHaveLength(1)
    const d = s.deployments![0]!
    expect(d).toMatchObject({ status: 'PRIMARY', desiredCount: 2, runningCount: 0, pendingCount: 0, failedTasks: 0, launchType: 'EC2', rolloutState: 'IN_PROGRESS' })
    expect(d.id).toMatch(/^ecs-svc\/\d{19}$/)
    expect(d.rolloutStateReason).toBe(`ECS deployment ${d.id} in progress.`)
    expect(s.taskSets).toBeUndefined()
    const note = bus.find((e) => e['detail-type'] === 'ECS Deployment State Change' && e.detail.deploymentId === d.id)!
    expect(note.resources).toEqual([s.serviceArn])
    expect(note.detail).toMatchObject({ eventType: 'INFO', eventName: 'SERVICE_DEPLOYMENT_IN_PROGRESS', clusterArn: s.clusterArn, reason: `ECS deployment ${d.id} in progress.` })
    const tags = await t.ecs.send(new ListTagsForResourceCommand({ resourceArn: s.serviceArn }))
    expect(tags.tags).toEqual([{ key: 'team', value: 'a' }])
  })

  it('Fargate with awsvpc: platform version, network configuration as ECS echoes it', async () => {
    const s = (
      await create({
        serviceName: 'fg',
        taskDefinition: 'vpc',
        launchType: 'FARGATE',
        desiredCount: 1,
        networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'] } },
      })
    ).service!
    expect(s).toMatchObject({ launchType: 'FARGATE', platformVersion: 'LATEST', platformFamily: 'Linux' })
    expect(s.networkConfiguration).toEqual({ awsvpcConfiguration: { subnets: ['subnet-1'], assignPublicIp: 'DISABLED' } })
    expect(s.deployments![0]).toMatchObject({ platformVersion: '1.4.0', platformFamily: 'Linux', launchType: 'FARGATE' })
  })

  it('a capacity provider strategy instead of a launch type', async () => {
    const s = (
      await create({
        serviceName: 'cp',
        taskDefinition: 'vpc',
        capacityProviderStrategy: [{ capacityProvider: 'FARGATE', weight: 1 }],
        networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'] } },
      })
    ).service!
    expect(s.launchType).toBeUndefined()
    expect(s.capacityProviderStrategy).toEqual([{ capacityProvider: 'FARGATE', weight: 1, base: 0 }])
    expect(s.deployments![0]!.capacityProviderStrategy).toEqual([{ capacityProvider: 'FARGATE', weight: 1, base: 0 }])
  })

  it('DAEMON and EXTERNAL defaults', async () => {
    const daemon = (await create({ serviceName: 'daemon', taskDefinition: 'web', schedulingStrategy: 'DAEMON' })).service!
    expect(daemon).toMatchObject({ schedulingStrategy: 'DAEMON', deploymentConfiguration: { maximumPercent: 100, minimumHealthyPercent: 0 } })
    const ext = (await create({ serviceName: 'ext', desiredCount: 1, deploymentController: { type: 'EXTERNAL' } })).service!
    expect(ext).toMatchObject({ deploymentController: { type: 'EXTERNAL' }, deployments: [], taskSets: [] })
    expect(ext.taskDefinition).toBeUndefined()
  })

  it("ECS's errors", async () => {
    await expect(create({ serviceName: 'x', taskDefinition: 'web' }, 'nope')).rejects.toMatchObject({ name: 'ClusterNotFoundException', message: 'Cluster not found.' })
    await expect(create({ serviceName: 'x', taskDefinition: 'nope' })).rejects.toMatchObject({ name: 'ClientException', message: 'TaskDefinition not found.' })
    await expect(create({ serviceName: 'plain', taskDefinition: 'web' })).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: 'Creation of service was not idempotent.',
    })
    await expect(
      create({ serviceName: 'x', taskDefinition: 'web', launchType: 'EC2', capacityProviderStrategy: [{ capacityProvider: 'FARGATE', weight: 1 }] }),
    ).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: 'Specifying both a launch type and capacity provider strategy is not supported. Remove one and try again.',
    })
    await expect(create({ serviceName: 'x', taskDefinition: 'vpc', launchType: 'FARGATE' })).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: "Network Configuration must be provided when networkMode 'awsvpc' is specified.",
    })
    await t.ecs.send(new RegisterTaskDefinitionCommand({ family: 'old', containerDefinitions: [{ name: 'app', image: 'nginx', memory: 64 }] }))
    await t.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: 'old:1' }))
    await expect(create({ serviceName: 'x', taskDefinition: 'old:1' })).rejects.toMatchObject({ name: 'ClientException', message: 'TaskDefinition is inactive' })
    await t.ecs.send(new CreateClusterCommand({ clusterName: 'gone' }))
    await t.ecs.send(new DeleteClusterCommand({ cluster: 'gone' }))
    await expect(create({ serviceName: 'x', taskDefinition: 'web' }, 'gone')).rejects.toMatchObject({
      name: 'ClusterNotFoundException',
      message: 'The referenced cluster was inactive.',
    })
  })

  it('clientToken: the same request answers the same service', async () => {
    const a = (await create({ serviceName: 'tok', taskDefinition: 'web', desiredCount: 1, clientToken: 'abc' })).service!
    const b = (await create({ serviceName: 'tok', taskDefinition: 'web', desiredCount: 1, clientToken: 'abc' })).service!
    expect(b.deployments![0]!.id).toBe(a.deployments![0]!.id)
    await expect(create({ serviceName: 'tok', taskDefinition: 'web', desiredCount: 2, clientToken: 'abc' })).rejects.toMatchObject({
      message: 'Creation of service was not idempotent.',
    })
  })
})

describe('UpdateService and DeleteService without a cluster', () => {
  it('desiredCount keeps the deployment; a new revision or forceNewDeployment starts one', async () => {
    const first = (await t.ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: ['plain'] }))).services![0]!
    const id = first.deployments![0]!.id
    const scaled = (await t.ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: 'plain', desiredCount: 5 }))).service!
    expect(scaled.deployments!.map((d) => [d.id, d.desiredCount])).toEqual([[id, 5]])
    const cfg = (
      await t.ecs.send(
        new UpdateServiceCommand({ cluster: CLUSTER, service: first.serviceArn, deploymentConfiguration: { minimumHealthyPercent: 50 }, healthCheckGracePeriodSeconds: 30 }),
      )
    ).service!
    expect(cfg.deploymentConfiguration).toMatchObject({ maximumPercent: 200, minimumHealthyPercent: 50 })
    expect(cfg.healthCheckGracePeriodSeconds).toBe(30)
    expect(cfg.deployments).toHaveLength(1)
    const forced = (await t.ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: 'plain', forceNewDeployment: true }))).service!
    expect(forced.deployments!.map((d) => d.status)).toEqual(['PRIMARY', 'ACTIVE'])
    expect(forced.deployments![1]!.id).toBe(id)
    expect(forced.deployments![0]).toMatchObject({ rolloutState: 'IN_PROGRESS', taskDefinition: first.taskDefinition, desiredCount: 5 })
  })

  it("ECS's errors", async () => {
    await expect(t.ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: 'nope', desiredCount: 1 }))).rejects.toMatchObject({
      name: 'ServiceNotFoundException',
      message: 'Service not found.',
    })
    await expect(t.ecs.send(new DeleteServiceCommand({ cluster: CLUSTER, service: 'nope' }))).rejects.toMatchObject({ name: 'ServiceNotFoundException' })
    await expect(t.ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: 'plain', taskDefinition: 'old:1' }))).rejects.toMatchObject({
      name: 'ClientException',
      message: 'TaskDefinition is inactive',
    })
    await expect(t.ecs.send(new DeleteServiceCommand({ cluster: CLUSTER, service: 'plain' }))).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: 'The service cannot be stopped while it is scaled above 0.',
    })
    await expect(t.ecs.send(new DeleteClusterCommand({ cluster: CLUSTER }))).rejects.toMatchObject({ name: 'ClusterContainsServicesException' })
  })

  it('delete with force: INACTIVE (no tasks to drain), still describable, not listed, created again anew', async () => {
    const del = (await t.ecs.send(new DeleteServiceCommand({ cluster: CLUSTER, service: 'tok', force: true }))).service!
    expect(del).toMatchObject({ status: 'INACTIVE', desiredCount: 0 })
    const d = await t.ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: ['tok'] }))
    expect(d.services![0]!.status).toBe('INACTIVE')
    const l = await t.ecs.send(new ListServicesCommand({ cluster: CLUSTER, maxResults: 100 }))
    expect(l.serviceArns).not.toContain(del.serviceArn)
    await expect(t.ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: 'tok', desiredCount: 1 }))).rejects.toMatchObject({
      name: 'ServiceNotActiveException',
      message: 'Service was not ACTIVE.',
    })
    const again = (await create({ serviceName: 'tok', taskDefinition: 'web' })).service!
    expect(again.status).toBe('ACTIVE')
    expect(again.deployments![0]!.id).not.toBe(del.deployments![0]!.id)
  })
})

describe('DescribeServices, ListServices, ListServicesByNamespace', () => {
  it('describes up to 10, reports unknown ones MISSING, includes tags when asked', async () => {
    const d = await t.ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: ['plain', 'nope', `arn:aws:ecs:us-east-1:000000000000:service/${CLUSTER}/fg`], include: ['TAGS'] }))
    expect(d.services!.map((s) => s.serviceName)).toEqual(['plain', 'fg'])
    expect(d.services![0]!.tags).toEqual([{ key: 'team', value: 'a' }])
    expect(d.failures).toEqual([{ arn: 'arn:aws:ecs:us-east-1:000000000000:service/nope', reason: 'MISSING' }])
    const plain = await t.ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: ['plain'] }))
    expect(plain.services![0]!.tags).toBeUndefined()
    await expect(
      t.ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: Array.from({ length: 11 }, (_, i) => `s${i}`) })),
    ).rejects.toMatchObject({ name: 'InvalidParameterException', message: 'service names can have at most 10 items.' })
    await expect(t.ecs.send(new DescribeServicesCommand({ cluster: 'nope', services: ['plain'] }))).rejects.toMatchObject({ name: 'ClusterNotFoundException' })
  })

  it('lists ACTIVE services, 10 a page by default, with launchType and schedulingStrategy filters', async () => {
    await t.ecs.send(new CreateClusterCommand({ clusterName: 'many' }))
    for (let i = 0; i < 12; i++) await create({ serviceName: `s${String(i).padStart(2, '0')}`, taskDefinition: 'web' }, 'many')
    const first = await t.ecs.send(new ListServicesCommand({ cluster: 'many' }))
    expect(first.serviceArns).toHaveLength(10)
    const rest = await t.ecs.send(new ListServicesCommand({ cluster: 'many', nextToken: first.nextToken }))
    expect(rest.serviceArns).toHaveLength(2)
    expect(rest.nextToken).toBeUndefined()
    const fargate = await t.ecs.send(new ListServicesCommand({ cluster: CLUSTER, launchType: 'FARGATE' }))
    expect(fargate.serviceArns!.map((a) => a.split('/').pop())).toEqual(['fg'])
    const daemons = await t.ecs.send(new ListServicesCommand({ cluster: CLUSTER, schedulingStrategy: 'DAEMON' }))
    expect(daemons.serviceArns!.map((a) => a.split('/').pop())).toEqual(['daemon'])
  })

  it('ListServicesByNamespace: services whose Service Connect uses the namespace', async () => {
    await create({ serviceName: 'sc', taskDefinition: 'web', serviceConnectConfiguration: { enabled: true, namespace: 'local' } })
    const r = await t.ecs.send(new ListServicesByNamespaceCommand({ namespace: 'local' }))
    expect(r.serviceArns!.map((a) => a.split('/').pop())).toEqual(['sc'])
    const none = await t.ecs.send(new ListServicesByNamespaceCommand({ namespace: 'other' }))
    expect(none.serviceArns).toEqual([])
  })
})
