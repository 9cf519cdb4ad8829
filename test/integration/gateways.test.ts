import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startClusterInstance, type ClusterInstance } from '../helpers/cluster-instance.js'
import { eventually } from '../helpers/emulator.js'

/**
 * Gateways: created, described, updated, listed, associated with clusters and deleted as ECS does;
 * a service with gatewayConnectors gets a route per associated gateway, whose URL answers on the
 * KECS host; disassociating lasts until the services let go.
 */

let k: ClusterInstance
const ROLE = 'arn:aws:iam::000000000000:role/ecsInfrastructureRole'

async function call(op: string, body: unknown) {
  const r = await k.call(op, body)
  if (r.status !== 200) throw new Error(`${op}: ${r.status} ${JSON.stringify(r.body)}`)
  return r.body
}

beforeAll(async () => {
  k = await startClusterInstance()
  await call('CreateCluster', { clusterName: 'gw' })
  await call('RegisterTaskDefinition', {
    family: 'web',
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    cpu: '256',
    memory: '512',
    containerDefinitions: [{ name: 'app', image: 'nginx', portMappings: [{ containerPort: 8080, name: 'http' }] }],
  })
}, 60_000)
afterAll(async () => k?.stopAll())

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

  it('a service with gatewayConnectors gets a route whose URL answers; disassociating waits for the service to let go', async () => {
    const service = { cluster: 'gw', serviceName: 'web', taskDefinition: 'web', launchType: 'FARGATE', desiredCount: 1, networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'] } } }
    const noAssociation = await k.call('CreateService', { ...service, gatewayConnectors: [{ portName: 'http' }] })
    expect(noAssociation.body).toMatchObject({ __type: 'ClientException', message: expect.stringContaining('AssociateGatewayWithCluster') })
    await call('CreateGateway', { name: 'public', infrastructureRoleArn: ROLE, configuration: { hostSharedAlb: {} } })
    await call('AssociateGatewayWithCluster', { gateway: 'public', cluster: 'gw' })
    const badPort = await k.call('CreateService', { ...service, gatewayConnectors: [{ portName: 'grpc' }] })
    expect(badPort.body).toMatchObject({ __type: 'ClientException', message: expect.stringContaining('grpc') })
    await call('CreateService', { ...service, gatewayConnectors: [{ portName: 'http' }] })
    const routes = (await call('ListGatewayRoutes', { cluster: 'gw' })).gatewayRoutes
    expect(routes).toEqual([
      expect.objectContaining({ serviceArn: expect.stringMatching(/:service\/gw\/web$/), serviceContainerPortName: 'http', status: 'ACTIVE', gatewayArn: expect.stringMatching(/:gateway\/public$/) }),
    ])
    const route = (await call('DescribeGatewayRoute', { gatewayRouteArn: routes[0].gatewayRouteArn })).gatewayRoute
    const url = new URL(route.serviceUrl)
    expect(url.hostname).toMatch(/^we-[0-9a-f]{32}\.public\.gateway\.localhost$/)
    const res = await eventually(async () => {
      const r = await fetch(`http://127.0.0.1:${url.port}/`).catch(() => undefined)
      return r?.status === 200 ? r : undefined
    }, 'route answers', 60_000)
    expect(await res.text()).toContain('port 8080')

    expect((await call('DisassociateGatewayFromCluster', { gateway: 'public', cluster: 'gw' })).status).toBe('DISASSOCIATING')
    expect((await call('ListGatewayClusterAssociations', { gateway: 'public' })).gatewayClusterAssociations[0].status).toBe('DISASSOCIATING')
    await call('UpdateService', { cluster: 'gw', service: 'web', gatewayConnectors: [] })
    expect((await call('ListGatewayRoutes', { cluster: 'gw' })).gatewayRoutes).toEqual([])
    expect((await call('ListGatewayClusterAssociations', { gateway: 'public' })).gatewayClusterAssociations[0].status).toBe('INACTIVE')
    expect((await k.call('DescribeGatewayRoute', { gatewayRouteArn: routes[0].gatewayRouteArn })).body.__type).toBe('ResourceNotFoundException')
    expect((await call('DeleteGateway', { gateway: 'public' })).status).toBe('DELETED')
  }, 120_000)
})
