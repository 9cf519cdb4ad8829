import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestInstance, type TestInstance } from '../helpers/instance.js'

/**
 * Gateways: created, described, updated, listed, associated with clusters and deleted as ECS does;
 * routes, which need load balancers KECS does not provision, are refused with that reason.
 */

let k: TestInstance
const ROLE = 'arn:aws:iam::000000000000:role/ecsInfrastructureRole'

async function call(op: string, body: unknown) {
  const r = await k.call(op, body)
  if (r.status !== 200) throw new Error(`${op}: ${r.status} ${JSON.stringify(r.body)}`)
  return r.body
}

beforeAll(async () => {
  k = await startTestInstance()
  await call('CreateCluster', { clusterName: 'gw' })
  await call('RegisterTaskDefinition', { family: 'web', containerDefinitions: [{ name: 'app', image: 'nginx', memory: 64 }] })
})
afterAll(async () => k?.stop())

describe('gateways', () => {
  it('create is synchronous and ACTIVE; describe shows HTTPS on 443 and the access type from the scheme', async () => {
    const r = await call('CreateGateway', { name: 'edge', infrastructureRoleArn: ROLE, configuration: { hostSharedAlb: { scheme: 'internal' } }, tags: [{ key: 'a', value: 'b' }] })
    expect(r).toEqual({ gatewayArn: expect.stringMatching(/:gateway\/edge$/), name: 'edge', status: 'ACTIVE' })
    const g = (await call('DescribeGateway', { gateway: 'edge' })).gateway
    expect(g).toMatchObject({
      accessType: 'PRIVATE',
      configuration: { hostSharedAlb: { port: 443, protocol: 'HTTPS', scheme: 'internal', currentAlbCount: 0 } },
      deletionProtection: false,
      status: 'ACTIVE',
      tags: [{ key: 'a', value: 'b' }],
    })
    expect((await k.call('CreateGateway', { name: 'edge', infrastructureRoleArn: ROLE, configuration: { hostSharedAlb: {} } })).body.__type).toBe('InvalidParameterException')
    expect((await k.call('CreateGateway', { name: 'bad_name', infrastructureRoleArn: ROLE, configuration: { hostSharedAlb: {} } })).body.__type).toBe('InvalidParameterException')
  })

  it('update, list, associate, disassociate; delete refuses while protected or associated', async () => {
    expect((await call('UpdateGateway', { gateway: 'edge', deletionProtection: true, configuration: { hostSharedAlb: { maxAlbCount: 2 } } })).status).toBe('UPDATE_IN_PROGRESS')
    expect((await call('DescribeGateway', { gateway: 'edge' })).gateway).toMatchObject({ status: 'UPDATE_COMPLETE', deletionProtection: true, configuration: { hostSharedAlb: { maxAlbCount: 2 } } })
    expect((await call('ListGateways', {})).gateways.map((g: any) => g.name)).toEqual(['edge'])
    const a = await call('AssociateGatewayWithCluster', { gateway: 'edge', cluster: 'gw' })
    expect(a).toMatchObject({ status: 'ACTIVE', clusterArn: expect.stringMatching(/:cluster\/gw$/) })
    expect((await call('ListGatewayClusterAssociations', { cluster: 'gw' })).gatewayClusterAssociations).toEqual([expect.objectContaining({ status: 'ACTIVE' })])
    expect((await k.call('DeleteGateway', { gateway: 'edge' })).body.__type).toBe('ClientException')
    await call('UpdateGateway', { gateway: 'edge', deletionProtection: false })
    expect((await k.call('DeleteGateway', { gateway: 'edge' })).body.message).toMatch(/associated/)
    expect((await call('DisassociateGatewayFromCluster', { gateway: 'edge', cluster: 'gw' })).status).toBe('DISASSOCIATING')
    expect((await k.call('DisassociateGatewayFromCluster', { gateway: 'edge', cluster: 'gw' })).body.__type).toBe('ResourceNotFoundException')
    expect((await call('DescribeGatewayResources', { gateway: 'edge' })).gatewayResources.resources).toEqual({ hostSharedAlb: [] })
    expect((await call('ListGatewayRoutes', { gateway: 'edge' })).gatewayRoutes).toEqual([])
    expect((await call('DeleteGateway', { gateway: 'edge' })).status).toBe('DELETED')
    expect((await k.call('DescribeGateway', { gateway: 'edge' })).body.__type).toBe('GatewayNotFoundException')
  })

  it('routes: DescribeGatewayRoute and a service with gatewayConnectors are refused, naming what is missing', async () => {
    const r = await k.call('DescribeGatewayRoute', { gatewayRouteArn: 'arn:aws:ecs:us-east-1:000000000000:gateway-route/x' })
    expect(r.body.__type).toBe('ResourceNotFoundException')
    expect(r.body.message).toContain('Load Balancers')
    const s = await k.call('CreateService', { cluster: 'gw', serviceName: 'web', taskDefinition: 'web', gatewayConnectors: [{ portName: 'http' }] })
    expect(s.body).toMatchObject({ __type: 'ClientException', message: expect.stringContaining("'gatewayConnectors'") })
  })
})
