import { request } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startClusterInstance, type ClusterInstance } from '../helpers/cluster-instance.js'
import { eventually } from '../helpers/emulator.js'

/**
 * Express Mode on the emulated cluster: a service with a task definition made from the primary
 * container, its scaling target's minimum as desired count, and an endpoint that answers on the KECS
 * host; an update runs a new deployment; delete drains it.
 */

let k: ClusterInstance
const ROLE = 'arn:aws:iam::000000000000:role/ecsInfrastructureRoleForExpressServices'

async function call(op: string, body: unknown) {
  const r = await k.call(op, body)
  if (r.status !== 200) throw new Error(`${op}: ${r.status} ${JSON.stringify(r.body)}`)
  return r.body
}

/** GET through the endpoint: the host name is ECS's form under .localhost; connect to the loopback address. */
function get(endpoint: string): Promise<{ status: number; body: string }> {
  const u = new URL(endpoint)
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: Number(u.port), path: '/ping', headers: { host: u.host } }, (res) => {
      let body = ''
      res.on('data', (c) => (body += c))
      res.on('end', () => resolve({ status: res.statusCode!, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

beforeAll(async () => {
  k = await startClusterInstance()
}, 60_000)
afterAll(async () => k?.stopAll())

describe('Express Mode', () => {
  let serviceArn = ''
  let endpoint = ''

  it('create: the default cluster, a Fargate service from the primary container, an endpoint that answers', async () => {
    const r = await call('CreateExpressGatewayService', {
      infrastructureRoleArn: ROLE,
      serviceName: 'hello',
      primaryContainer: { image: 'nginx:1.27', containerPort: 8080, environment: [{ name: 'A', value: '1' }] },
      scalingTarget: { minTaskCount: 2, maxTaskCount: 4 },
      tags: [{ key: 'team', value: 'a' }],
    })
    serviceArn = r.service.serviceArn
    expect(r.service).toMatchObject({
      serviceName: 'hello',
      cluster: expect.stringMatching(/:cluster\/default$/),
      infrastructureRoleArn: ROLE,
      status: { statusCode: 'ACTIVE' },
      tags: [{ key: 'team', value: 'a' }],
    })
    const config = r.service.activeConfigurations[0]
    expect(config).toMatchObject({
      cpu: '256',
      memory: '512',
      cpuArchitecture: 'X86_64',
      healthCheckPath: '/ping',
      primaryContainer: { image: 'nginx:1.27', containerPort: 8080 },
      scalingTarget: { minTaskCount: 2, maxTaskCount: 4, autoScalingMetric: 'AVERAGE_CPU', autoScalingTargetValue: 60 },
      serviceRevisionArn: expect.stringContaining(':service-revision/default/hello/'),
    })
    endpoint = config.ingressPaths[0].endpoint
    expect(config.ingressPaths[0].accessType).toBe('PUBLIC')
    expect(endpoint).toMatch(/^http:\/\/he-[0-9a-f]{32}\.ecs\.us-east-1\.localhost:\d+$/)
    const td = (await call('DescribeTaskDefinition', { taskDefinition: 'hello' })).taskDefinition
    expect(td).toMatchObject({ networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: '256', memory: '512' })
    expect(td.containerDefinitions[0]).toMatchObject({ name: 'main', image: 'nginx:1.27', portMappings: [{ containerPort: 8080, name: 'http' }] })
    const svc = (await call('DescribeServices', { cluster: 'default', services: ['hello'] })).services[0]
    expect(svc).toMatchObject({ launchType: 'FARGATE', desiredCount: 2 })
    await eventually(async () => (await call('DescribeServices', { cluster: 'default', services: ['hello'] })).services[0].runningCount === 2, 'running', 60_000)
    const res = await eventually(async () => get(endpoint).catch(() => undefined), 'endpoint answers', 30_000)
    expect(res.status).toBe(200)
    expect(res.body).toContain('container main')
    expect(res.body).toContain('port 8080')
  }, 120_000)

  it('update: a new image is a new deployment and configuration; describe shows it', async () => {
    const r = await call('UpdateExpressGatewayService', { serviceArn, primaryContainer: { image: 'nginx:1.28', containerPort: 8080 } })
    expect(r.service).toMatchObject({ serviceArn, status: { statusCode: 'ACTIVE' }, targetConfiguration: { primaryContainer: { image: 'nginx:1.28' } } })
    const d = (await call('DescribeExpressGatewayService', { serviceArn })).service
    expect(d.activeConfigurations[0].primaryContainer.image).toBe('nginx:1.28')
    expect(d.currentDeployment).toContain(':service-deployment/default/hello/')
    expect(d.tags).toBeUndefined()
    expect((await call('DescribeExpressGatewayService', { serviceArn, include: ['TAGS'] })).service.tags).toEqual([{ key: 'team', value: 'a' }])
    await eventually(async () => {
      const s = (await call('DescribeServices', { cluster: 'default', services: ['hello'] })).services[0]
      return s.deployments.length === 1 && s.deployments[0].rolloutState === 'COMPLETED'
    }, 'rolled out', 60_000)
    expect((await get(endpoint)).status).toBe(200)
  }, 120_000)

  it('errors: unknown service, taskDefinitionArn with primaryContainer, neither', async () => {
    expect((await k.call('DescribeExpressGatewayService', { serviceArn: serviceArn.replace('hello', 'nope') })).body.__type).toBe('ResourceNotFoundException')
    expect((await k.call('UpdateExpressGatewayService', { serviceArn: serviceArn.replace('hello', 'nope') })).body.__type).toBe('ServiceNotFoundException')
    const both = await k.call('CreateExpressGatewayService', { infrastructureRoleArn: ROLE, taskDefinitionArn: 'hello:1', primaryContainer: { image: 'x' } })
    expect(both.body.__type).toBe('InvalidParameterException')
    const neither = await k.call('CreateExpressGatewayService', { infrastructureRoleArn: ROLE })
    expect(neither.body.__type).toBe('InvalidParameterException')
  })

  it('delete: DRAINING, then the service goes INACTIVE', async () => {
    const r = await call('DeleteExpressGatewayService', { serviceArn })
    expect(r.service.status.statusCode).toBe('DRAINING')
    await eventually(async () => (await call('DescribeExpressGatewayService', { serviceArn })).service.status.statusCode === 'INACTIVE', 'INACTIVE', 60_000)
    expect((await k.call('DeleteExpressGatewayService', { serviceArn })).body.__type).toBe('ServiceNotActiveException')
  }, 90_000)
})
