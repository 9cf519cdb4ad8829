import { describe, expect, it } from 'vitest'
import { servicediscovery } from '../../src/aws/servicediscovery/index.js'
import { request as httpRequest } from 'node:http'
import type { AwsService } from '../../src/aws/service.js'
import { listen } from '../../src/lib/listen.js'
import { jsonCall, routerApp, scope } from '../helpers/aws-router.js'
import { expectAwsError, openPerTest } from '../helpers/aws-service.js'

const open = openPerTest(servicediscovery)

/** A namespace made the way Terraform makes one: create, then GetOperation until SUCCESS, the id from Targets. */
async function namespace(call: Awaited<ReturnType<typeof open>>['call'], op = 'CreatePrivateDnsNamespace', input: Record<string, unknown> = {}) {
  const { OperationId } = await call(op, { Name: 'app.local', CreatorRequestId: `r-${Math.random()}`, ...(op === 'CreatePrivateDnsNamespace' ? { Vpc: 'vpc-0abc' } : {}), ...input })
  const { Operation } = await call('GetOperation', { OperationId })
  expect(Operation.Status).toBe('SUCCESS')
  return Operation.Targets.NAMESPACE as string
}

describe('Cloud Map namespaces', () => {
  it('creates a private DNS namespace through an operation that is SUCCESS at once', async () => {
    const { call, ctx } = await open()
    const { OperationId } = await call('CreatePrivateDnsNamespace', { Name: 'app.local', Vpc: 'vpc-0abc', CreatorRequestId: 'tf-1', Description: 'd', Tags: [{ Key: 'k', Value: 'v' }] })
    expect(OperationId).toMatch(/^[a-z0-9]{32}-[a-z0-9]{8}$/)
    const { Operation } = await call('GetOperation', { OperationId })
    expect(Operation).toMatchObject({ Id: OperationId, Type: 'CREATE_NAMESPACE', Status: 'SUCCESS', OwnerAccount: ctx.account })
    const id = Operation.Targets.NAMESPACE
    expect(id).toMatch(/^ns-[a-z0-9]{16}$/)
    const { Namespace } = await call('GetNamespace', { Id: id })
    expect(Namespace).toMatchObject({
      Id: id,
      Arn: `arn:aws:servicediscovery:us-east-1:000000000000:namespace/${id}`,
      Name: 'app.local',
      Type: 'DNS_PRIVATE',
      Description: 'd',
      ServiceCount: 0,
      CreatorRequestId: 'tf-1',
      ResourceOwner: '000000000000',
    })
    expect(Namespace.Properties.DnsProperties.HostedZoneId).toMatch(/^Z[A-Z0-9]{20}$/)
    expect(Namespace.Properties.HttpProperties).toEqual({ HttpName: 'app.local' })
    // By ARN too.
    expect((await call('GetNamespace', { Id: Namespace.Arn })).Namespace.Id).toBe(id)
    expect((await call('ListTagsForResource', { ResourceARN: Namespace.Arn })).Tags).toEqual([{ Key: 'k', Value: 'v' }])
    // The same request token again answers the same operation; another request with it is DuplicateRequest.
    expect((await call('CreatePrivateDnsNamespace', { Name: 'app.local', Vpc: 'vpc-0abc', CreatorRequestId: 'tf-1' })).OperationId).toBe(OperationId)
    await expectAwsError(call('CreatePrivateDnsNamespace', { Name: 'other.local', Vpc: 'vpc-0abc', CreatorRequestId: 'tf-1' }), 'DuplicateRequest')
    await expectAwsError(call('CreateHttpNamespace', { Name: 'app.local', CreatorRequestId: 'x' }), 'NamespaceAlreadyExists')
  })

  it('has HTTP and public DNS namespaces, lists them by filter, updates and deletes them', async () => {
    const { call, ctx } = await open()
    const http = await namespace(call, 'CreateHttpNamespace', { Name: 'apps' })
    ctx.clock.ms += 1000
    const pub = await namespace(call, 'CreatePublicDnsNamespace', { Name: 'example.test', Properties: { DnsProperties: { SOA: { TTL: 60 } } } })
    ctx.clock.ms += 1000
    const priv = await namespace(call, 'CreatePrivateDnsNamespace', { Name: 'corp.local' })
    const h = (await call('GetNamespace', { Id: http })).Namespace
    expect(h.Type).toBe('HTTP')
    expect(h.Properties).toEqual({ DnsProperties: {}, HttpProperties: { HttpName: 'apps' } })
    expect((await call('GetNamespace', { Id: pub })).Namespace.Properties.DnsProperties.SOA).toEqual({ TTL: 60 })
    const names = async (Filters?: unknown[]) => (await call('ListNamespaces', Filters ? { Filters } : {})).Namespaces.map((n: any) => n.Name)
    expect(await names()).toEqual(['apps', 'example.test', 'corp.local'])
    expect(await names([{ Name: 'TYPE', Values: ['DNS_PRIVATE'] }])).toEqual(['corp.local'])
    expect(await names([{ Name: 'TYPE', Condition: 'IN', Values: ['HTTP', 'DNS_PUBLIC'] }])).toEqual(['apps', 'example.test'])
    expect(await names([{ Name: 'NAME', Condition: 'BEGINS_WITH', Values: ['corp'] }])).toEqual(['corp.local'])
    expect(await names([{ Name: 'HTTP_NAME', Condition: 'EQ', Values: ['apps'] }])).toEqual(['apps'])
    await expectAwsError(call('ListNamespaces', { Filters: [{ Name: 'TYPE', Condition: 'BEGINS_WITH', Values: ['D'] }] }), 'InvalidInput')
    // Paging: one at a time, no token on the last page.
    const p1 = await call('ListNamespaces', { MaxResults: 2 })
    expect(p1.Namespaces).toHaveLength(2)
    const p2 = await call('ListNamespaces', { MaxResults: 2, NextToken: p1.NextToken })
    expect(p2.Namespaces.map((n: any) => n.Name)).toEqual(['corp.local'])
    expect(p2.NextToken).toBeUndefined()
    await expectAwsError(call('ListNamespaces', { NextToken: 'bogus' }), 'InvalidInput')
    // Updates are operations too; the wrong kind of update is InvalidInput.
    const up = await call('UpdateHttpNamespace', { Id: http, Namespace: { Description: 'new' }, UpdaterRequestId: 'u1' })
    expect((await call('GetOperation', { OperationId: up.OperationId })).Operation).toMatchObject({ Type: 'UPDATE_NAMESPACE', Status: 'SUCCESS', Targets: { NAMESPACE: http } })
    expect((await call('GetNamespace', { Id: http })).Namespace.Description).toBe('new')
    await call('UpdatePrivateDnsNamespace', { Id: priv, Namespace: { Description: 'p', Properties: { DnsProperties: { SOA: { TTL: 30 } } } }, UpdaterRequestId: 'u2' })
    expect((await call('GetNamespace', { Id: priv })).Namespace).toMatchObject({ Description: 'p', Properties: { DnsProperties: { SOA: { TTL: 30 } } } })
    await expectAwsError(call('UpdateHttpNamespace', { Id: priv, Namespace: { Description: 'x' } }), 'InvalidInput')
    // Delete; the operation stays readable; the namespace is gone.
    const del = await call('DeleteNamespace', { Id: http })
    expect((await call('GetOperation', { OperationId: del.OperationId })).Operation.Type).toBe('DELETE_NAMESPACE')
    await expectAwsError(call('GetNamespace', { Id: http }), 'NamespaceNotFound')
    await expectAwsError(call('DeleteNamespace', { Id: http }), 'NamespaceNotFound')
    await expectAwsError(call('GetOperation', { OperationId: 'nope' }), 'OperationNotFound')
    const ops = await call('ListOperations', { Filters: [{ Name: 'TYPE', Values: ['CREATE_NAMESPACE'] }] })
    expect(ops.Operations).toHaveLength(3)
    expect((await call('ListOperations', { Filters: [{ Name: 'NAMESPACE_ID', Values: [http] }] })).Operations).toHaveLength(3)
  })
})

describe('Cloud Map services', () => {
  it('creates a DNS service as Terraform reads it, and refuses duplicates and deletes in use', async () => {
    const { call } = await open()
    const ns = await namespace(call)
    const { Service } = await call('CreateService', {
      Name: 'web',
      CreatorRequestId: 'c1',
      DnsConfig: { NamespaceId: ns, DnsRecords: [{ Type: 'A', TTL: 10 }, { Type: 'SRV', TTL: 10 }] },
      HealthCheckCustomConfig: { FailureThreshold: 1 },
    })
    expect(Service).toMatchObject({
      Name: 'web',
      NamespaceId: ns,
      Type: 'DNS_HTTP',
      InstanceCount: 0,
      DnsConfig: { NamespaceId: ns, RoutingPolicy: 'MULTIVALUE', DnsRecords: [{ Type: 'A', TTL: 10 }, { Type: 'SRV', TTL: 10 }] },
      HealthCheckCustomConfig: { FailureThreshold: 1 },
      CreatedByAccount: '000000000000',
    })
    expect(Service.Id).toMatch(/^srv-[a-z0-9]{16}$/)
    expect((await call('GetService', { Id: Service.Arn })).Service.Id).toBe(Service.Id)
    expect((await call('GetNamespace', { Id: ns })).Namespace.ServiceCount).toBe(1)
    // The same token answers the same service; another create of the name is ServiceAlreadyExists.
    expect((await call('CreateService', { Name: 'web', NamespaceId: ns, CreatorRequestId: 'c1' })).Service.Id).toBe(Service.Id)
    await expectAwsError(call('CreateService', { Name: 'web', NamespaceId: ns, CreatorRequestId: 'c2' }), 'ServiceAlreadyExists')
    await expectAwsError(call('DeleteNamespace', { Id: ns }), 'ResourceInUse')
    // Bad records, health checks and namespaces.
    await expectAwsError(call('CreateService', { Name: 'x', NamespaceId: ns, DnsConfig: { DnsRecords: [{ Type: 'A', TTL: 1 }, { Type: 'A', TTL: 2 }] } }), 'InvalidInput')
    await expectAwsError(call('CreateService', { Name: 'x', NamespaceId: ns, DnsConfig: { DnsRecords: [{ Type: 'CNAME', TTL: 1 }, { Type: 'A', TTL: 2 }] } }), 'InvalidInput')
    await expectAwsError(call('CreateService', { Name: 'x', NamespaceId: ns, HealthCheckConfig: { Type: 'HTTP' } }), 'InvalidInput')
    await expectAwsError(call('CreateService', { Name: 'x' }), 'InvalidInput')
    await expectAwsError(call('CreateService', { Name: 'x', NamespaceId: 'ns-missing' }), 'NamespaceNotFound')
    // Update: TTLs and description, as an operation; types cannot change.
    const up = await call('UpdateService', { Id: Service.Id, Service: { Description: 'd', DnsConfig: { DnsRecords: [{ Type: 'SRV', TTL: 60 }, { Type: 'A', TTL: 60 }] } } })
    expect((await call('GetOperation', { OperationId: up.OperationId })).Operation).toMatchObject({ Type: 'UPDATE_SERVICE', Targets: { SERVICE: Service.Id } })
    expect((await call('GetService', { Id: Service.Id })).Service).toMatchObject({ Description: 'd', DnsConfig: { DnsRecords: [{ Type: 'SRV', TTL: 60 }, { Type: 'A', TTL: 60 }] } })
    await expectAwsError(call('UpdateService', { Id: Service.Id, Service: { DnsConfig: { DnsRecords: [{ Type: 'A', TTL: 60 }] } } }), 'InvalidInput')
    // Listing with the namespace filter; tagging by ARN.
    expect((await call('ListServices', { Filters: [{ Name: 'NAMESPACE_ID', Condition: 'EQ', Values: [ns] }] })).Services.map((s: any) => s.Name)).toEqual(['web'])
    expect((await call('ListServices', { Filters: [{ Name: 'NAMESPACE_ID', Values: ['ns-other'] }] })).Services).toEqual([])
    await call('TagResource', { ResourceARN: Service.Arn, Tags: [{ Key: 'a', Value: '1' }, { Key: 'b', Value: '2' }] })
    await call('UntagResource', { ResourceARN: Service.Arn, TagKeys: ['a'] })
    expect((await call('ListTagsForResource', { ResourceARN: Service.Arn })).Tags).toEqual([{ Key: 'b', Value: '2' }])
    await expectAwsError(call('ListTagsForResource', { ResourceARN: 'arn:aws:servicediscovery:us-east-1:000000000000:service/srv-nope' }), 'ResourceNotFoundException')
    // An instance keeps the service; then the service and namespace go.
    await call('RegisterInstance', { ServiceId: Service.Id, InstanceId: 'i1', Attributes: { AWS_INSTANCE_IPV4: '10.0.0.1', AWS_INSTANCE_PORT: '80' } })
    await expectAwsError(call('DeleteService', { Id: Service.Id }), 'ResourceInUse')
    await call('DeregisterInstance', { ServiceId: Service.Id, InstanceId: 'i1' })
    expect(await call('DeleteService', { Id: Service.Id })).toEqual({})
    await expectAwsError(call('GetService', { Id: Service.Id }), 'ServiceNotFound')
    await call('DeleteNamespace', { Id: ns })
  })

  it('keeps service attributes', async () => {
    const { call } = await open()
    const ns = await namespace(call, 'CreateHttpNamespace', { Name: 'h' })
    const { Service } = await call('CreateService', { Name: 'api', NamespaceId: ns })
    expect(Service.Type).toBe('HTTP')
    expect(Service.DnsConfig).toBeUndefined()
    await expectAwsError(call('CreateService', { Name: 'dns', NamespaceId: ns, DnsConfig: { DnsRecords: [{ Type: 'A', TTL: 1 }] } }), 'InvalidInput')
    await call('UpdateServiceAttributes', { ServiceId: Service.Id, Attributes: { a: '1', b: '2' } })
    await call('DeleteServiceAttributes', { ServiceId: Service.Id, Attributes: ['a'] })
    expect((await call('GetServiceAttributes', { ServiceId: Service.Id })).ServiceAttributes).toEqual({ ServiceArn: Service.Arn, ResourceOwner: '000000000000', Attributes: { b: '2' } })
  })
})

describe('Cloud Map instances and discovery', () => {
  async function setup(custom = true) {
    const s = await open()
    const ns = await namespace(s.call)
    const { Service } = await s.call('CreateService', {
      Name: 'web',
      NamespaceId: ns,
      DnsConfig: { DnsRecords: [{ Type: 'A', TTL: 10 }] },
      ...(custom ? { HealthCheckCustomConfig: {} } : {}),
    })
    return { ...s, ns, svc: Service.Id as string }
  }

  it('registers, reads, lists and deregisters instances through operations', async () => {
    const { call, ctx, svc } = await setup()
    const reg = await call('RegisterInstance', { ServiceId: svc, InstanceId: 'task-1', CreatorRequestId: 'r1', Attributes: { AWS_INSTANCE_IPV4: '10.0.0.1', color: 'blue' } })
    expect((await call('GetOperation', { OperationId: reg.OperationId })).Operation).toMatchObject({ Type: 'REGISTER_INSTANCE', Status: 'SUCCESS', Targets: { INSTANCE: 'task-1', SERVICE: svc } })
    expect(await call('GetInstance', { ServiceId: svc, InstanceId: 'task-1' })).toEqual({
      ResourceOwner: '000000000000',
      Instance: { Id: 'task-1', CreatorRequestId: 'r1', Attributes: { AWS_INSTANCE_IPV4: '10.0.0.1', color: 'blue' }, CreatedByAccount: '000000000000' },
    })
    ctx.clock.ms += 1000
    await call('RegisterInstance', { ServiceId: svc, InstanceId: 'task-2', Attributes: { AWS_INSTANCE_IPV4: '10.0.0.2', color: 'green' } })
    const listed = await call('ListInstances', { ServiceId: svc })
    expect(listed.Instances.map((i: any) => i.Id)).toEqual(['task-1', 'task-2'])
    expect(listed.ResourceOwner).toBe('000000000000')
    expect((await call('GetService', { Id: svc })).Service.InstanceCount).toBe(2)
    // Registering the same id again replaces its attributes.
    await call('RegisterInstance', { ServiceId: svc, InstanceId: 'task-2', Attributes: { AWS_INSTANCE_IPV4: '10.0.0.3' } })
    expect((await call('GetInstance', { ServiceId: svc, InstanceId: 'task-2' })).Instance.Attributes).toEqual({ AWS_INSTANCE_IPV4: '10.0.0.3' })
    // The A record needs an IPv4 address; a bad one is refused.
    await expectAwsError(call('RegisterInstance', { ServiceId: svc, InstanceId: 'x', Attributes: { color: 'red' } }), 'InvalidInput')
    await expectAwsError(call('RegisterInstance', { ServiceId: svc, InstanceId: 'x', Attributes: { AWS_INSTANCE_IPV4: '10.0.0' } }), 'InvalidInput')
    await expectAwsError(call('RegisterInstance', { ServiceId: 'srv-nope', InstanceId: 'x', Attributes: {} }), 'ServiceNotFound')
    await expectAwsError(call('GetInstance', { ServiceId: svc, InstanceId: 'nope' }), 'InstanceNotFound')
    const dereg = await call('DeregisterInstance', { ServiceId: svc, InstanceId: 'task-1' })
    expect((await call('GetOperation', { OperationId: dereg.OperationId })).Operation.Type).toBe('DEREGISTER_INSTANCE')
    await expectAwsError(call('DeregisterInstance', { ServiceId: svc, InstanceId: 'task-1' }), 'InstanceNotFound')
    expect((await call('ListInstances', { ServiceId: svc })).Instances.map((i: any) => i.Id)).toEqual(['task-2'])
  })

  it('discovers by namespace and service name, with query, optional and health filters', async () => {
    const { call, svc } = await setup()
    await call('RegisterInstance', { ServiceId: svc, InstanceId: 'a', Attributes: { AWS_INSTANCE_IPV4: '10.0.0.1', ver: 'v1', az: 'a' } })
    await call('RegisterInstance', { ServiceId: svc, InstanceId: 'b', Attributes: { AWS_INSTANCE_IPV4: '10.0.0.2', ver: 'v1', az: 'b' } })
    await call('RegisterInstance', { ServiceId: svc, InstanceId: 'c', Attributes: { AWS_INSTANCE_IPV4: '10.0.0.3', ver: 'v2', AWS_INIT_HEALTH_STATUS: 'UNHEALTHY' } })
    const ids = async (input: Record<string, unknown> = {}) =>
      (await call('DiscoverInstances', { NamespaceName: 'app.local', ServiceName: 'web', ...input })).Instances.map((i: any) => i.InstanceId).sort()
    // Default HEALTHY: c starts UNHEALTHY.
    expect(await ids()).toEqual(['a', 'b'])
    expect(await ids({ HealthStatus: 'ALL' })).toEqual(['a', 'b', 'c'])
    expect(await ids({ HealthStatus: 'UNHEALTHY' })).toEqual(['c'])
    expect(await ids({ QueryParameters: { ver: 'v1' } })).toEqual(['a', 'b'])
    expect(await ids({ QueryParameters: { ver: 'v1' }, OptionalParameters: { az: 'b' } })).toEqual(['b'])
    expect(await ids({ QueryParameters: { ver: 'v1' }, OptionalParameters: { az: 'z' } })).toEqual(['a', 'b'])
    expect(await ids({ MaxResults: 1 })).toHaveLength(1)
    const one = (await call('DiscoverInstances', { NamespaceName: 'app.local', ServiceName: 'web', QueryParameters: { ver: 'v2' }, HealthStatus: 'ALL' })).Instances[0]
    expect(one).toEqual({ InstanceId: 'c', NamespaceName: 'app.local', ServiceName: 'web', HealthStatus: 'UNHEALTHY', Attributes: { AWS_INSTANCE_IPV4: '10.0.0.3', ver: 'v2', AWS_INIT_HEALTH_STATUS: 'UNHEALTHY' } })
    // Custom health: a, b unhealthy leaves none healthy; HEALTHY_OR_ELSE_ALL fails open.
    const rev0 = (await call('DiscoverInstancesRevision', { NamespaceName: 'app.local', ServiceName: 'web' })).InstancesRevision
    await call('UpdateInstanceCustomHealthStatus', { ServiceId: svc, InstanceId: 'a', Status: 'UNHEALTHY' })
    await call('UpdateInstanceCustomHealthStatus', { ServiceId: svc, InstanceId: 'b', Status: 'UNHEALTHY' })
    expect((await call('DiscoverInstancesRevision', { NamespaceName: 'app.local', ServiceName: 'web' })).InstancesRevision).toBe(rev0 + 2)
    expect(await ids()).toEqual([])
    expect(await ids({ HealthStatus: 'HEALTHY_OR_ELSE_ALL' })).toEqual(['a', 'b', 'c'])
    await call('UpdateInstanceCustomHealthStatus', { ServiceId: svc, InstanceId: 'c', Status: 'HEALTHY' })
    expect(await ids({ HealthStatus: 'HEALTHY_OR_ELSE_ALL' })).toEqual(['c'])
    expect((await call('GetInstancesHealthStatus', { ServiceId: svc })).Status).toEqual({ a: 'UNHEALTHY', b: 'UNHEALTHY', c: 'HEALTHY' })
    expect((await call('GetInstancesHealthStatus', { ServiceId: svc, Instances: ['c'] })).Status).toEqual({ c: 'HEALTHY' })
    await expectAwsError(call('GetInstancesHealthStatus', { ServiceId: svc, Instances: ['zz'] }), 'InstanceNotFound')
    // Unknown names.
    await expectAwsError(call('DiscoverInstances', { NamespaceName: 'nope.local', ServiceName: 'web' }), 'NamespaceNotFound')
    await expectAwsError(call('DiscoverInstances', { NamespaceName: 'app.local', ServiceName: 'nope' }), 'ServiceNotFound')
  })

  it('without a health check: every instance, health UNKNOWN, and no custom health updates', async () => {
    const { call, svc } = await setup(false)
    await call('RegisterInstance', { ServiceId: svc, InstanceId: 'a', Attributes: { AWS_INSTANCE_IPV4: '10.0.0.1' } })
    const found = await call('DiscoverInstances', { NamespaceName: 'app.local', ServiceName: 'web', HealthStatus: 'UNHEALTHY' })
    expect(found.Instances.map((i: any) => [i.InstanceId, i.HealthStatus])).toEqual([['a', 'UNKNOWN']])
    await expectAwsError(call('UpdateInstanceCustomHealthStatus', { ServiceId: svc, InstanceId: 'a', Status: 'HEALTHY' }), 'CustomHealthNotFound')
    expect((await call('GetInstancesHealthStatus', { ServiceId: svc })).Status).toEqual({ a: 'UNKNOWN' })
  })

  it('keeps everything across a restart of the store', async () => {
    const { call, store, svc } = await setup()
    await call('RegisterInstance', { ServiceId: svc, InstanceId: 'a', Attributes: { AWS_INSTANCE_IPV4: '10.0.0.1' } })
    await store.flush()
    const state = await servicediscovery.open(store)
    expect(state.listNamespaces({ account: '000000000000', region: 'us-east-1' }).map((n) => n.name)).toEqual(['app.local'])
    const s = state.service({ account: '000000000000', region: 'us-east-1' }, svc)!
    expect(state.listInstances(s).map((i) => i.id)).toEqual(['a'])
  })
})

describe('Cloud Map on the API port', () => {
  const stub: AwsService<any> = { ...servicediscovery, open: async () => ({}), handlers: { DiscoverInstances: () => ({ Instances: [], InstancesRevision: 7 }) } }
  const { app } = routerApp([stub])

  /** A raw HTTP call with the Host a client that keeps host prefix injection sends (and the URL parser rejects). */
  async function send(port: number, host: string, target: string, body: unknown): Promise<{ status: number; body: any; type?: string }> {
    return new Promise((resolve, reject) => {
      const data = JSON.stringify(body)
      const r = httpRequest(
        { host: '127.0.0.1', port, method: 'POST', path: '/', headers: { Host: host, 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': target, Authorization: scope('servicediscovery') } },
        (res) => {
          let text = ''
          res.on('data', (d) => (text += d))
          res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text), type: res.headers['x-amzn-errortype'] as string | undefined }))
        },
      )
      r.on('error', reject)
      r.end(data)
    })
  }

  it('answers DiscoverInstances sent to the data- prefixed host, and bad input as InvalidInput', async () => {
    const server = await listen(app, '127.0.0.1', 0)
    try {
      for (const host of [`127.0.0.1:${server.port}`, `data-127.0.0.1:${server.port}`, `data-localhost:${server.port}`]) {
        const res = await send(server.port, host, 'Route53AutoNaming_v20170314.DiscoverInstances', { NamespaceName: 'app.local', ServiceName: 'web' })
        expect(res, host).toEqual({ status: 200, body: { Instances: [], InstancesRevision: 7 } })
      }
      const bad = await send(server.port, `data-127.0.0.1:${server.port}`, 'Route53AutoNaming_v20170314.DiscoverInstances', { NamespaceName: 'app.local' })
      expect(bad.status).toBe(400)
      expect(bad.type).toBe('InvalidInput')
      expect(bad.body.__type).toBe('InvalidInput')
      const other = await send(server.port, `data-127.0.0.1:${server.port}`, 'Route53AutoNaming_v20170314.GetService', { Id: 'srv-1' })
      expect(other.body.__type).toBe('NotImplemented')
      // A request no route takes, with that Host, still gets an answer (the URL is read without its host).
      const lost = await new Promise<number>((resolve, reject) => {
        httpRequest({ host: '127.0.0.1', port: server.port, method: 'GET', path: '/elsewhere?x=1', headers: { Host: `data-127.0.0.1:${server.port}` } }, (res) => {
          res.resume()
          resolve(res.statusCode!)
        })
          .on('error', reject)
          .end()
      })
      expect(lost).toBe(404)
    } finally {
      await server.close()
    }
  })
})
