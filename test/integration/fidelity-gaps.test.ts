import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestInstance, type TestInstance } from '../helpers/instance.js'

/** Small answers ECS gives that a new user notices (issue: "smaller fidelity gaps"). */

const P = 'arn:aws:ecs:us-east-1:000000000000'
const CLUSTER = 'gaps'

describe('fidelity gaps', () => {
  let t: TestInstance
  beforeAll(async () => {
    t = await startTestInstance()
    await t.call('CreateCluster', { clusterName: CLUSTER, settings: [{ name: 'containerInsights', value: 'enabled' }], capacityProviders: ['FARGATE'] })
    await t.call('RegisterTaskDefinition', { family: 'web', containerDefinitions: [{ name: 'app', image: 'nginx', memory: 64 }] })
    const r = await t.call('CreateService', { cluster: CLUSTER, serviceName: 'web', taskDefinition: 'web', desiredCount: 0 })
    expect(r.status, JSON.stringify(r.body)).toBe(200)
  })
  afterAll(async () => t.stop())

  it('an ARN names its cluster: calls without --cluster find the service', async () => {
    const arn = `${P}:service/${CLUSTER}/web`
    const list = await t.call('ListServiceDeployments', { service: arn })
    expect(list.status, JSON.stringify(list.body)).toBe(200)
    expect(list.body.serviceDeployments).toHaveLength(1)
    const d = await t.call('DescribeServices', { services: [arn] })
    expect(d.body.services.map((s: any) => s.serviceName)).toEqual(['web'])
    const u = await t.call('UpdateService', { service: arn, desiredCount: 0 })
    expect(u.status, JSON.stringify(u.body)).toBe(200)
    // a name still means the default cluster
    expect((await t.call('ListServiceDeployments', { service: 'web' })).status).toBe(400)
    // an explicit cluster wins
    await t.call('CreateCluster', { clusterName: 'default' })
    expect((await t.call('DescribeServices', { cluster: 'default', services: [arn] })).body.services).toEqual([])
  })

  it('deploymentConfiguration.alarms comes back with ECS default when not given', async () => {
    const d = await t.call('DescribeServices', { cluster: CLUSTER, services: ['web'] })
    expect(d.body.services[0].deploymentConfiguration.alarms).toEqual({ alarmNames: [], rollback: false, enable: false })
  })

  it('DescribeServiceRevisions carries serviceConnectConfiguration', async () => {
    const list = await t.call('ListServiceDeployments', { cluster: CLUSTER, service: 'web' })
    const rev = list.body.serviceDeployments[0].targetServiceRevisionArn
    const r = await t.call('DescribeServiceRevisions', { serviceRevisionArns: [rev] })
    expect(r.status, JSON.stringify(r.body)).toBe(200)
    expect(r.body.serviceRevisions[0].serviceConnectConfiguration).toEqual({ enabled: false })
  })

  it('DescribeTaskDefinition returns a top-level tags: []', async () => {
    const r = await t.call('DescribeTaskDefinition', { taskDefinition: 'web:1' })
    expect(r.body.tags).toEqual([])
  })

  it('describe-clusters --include ATTACHMENTS keeps settings', async () => {
    const r = await t.call('DescribeClusters', { clusters: [CLUSTER], include: ['ATTACHMENTS'] })
    const c = r.body.clusters[0]
    expect(c.settings).toEqual([{ name: 'containerInsights', value: 'enabled' }])
    expect(c.attachments).toEqual([])
    expect(c.attachmentsStatus).toBe('UPDATE_COMPLETE')
  })

  it('UntagResource validates tag keys as TagResource does', async () => {
    const resourceArn = `${P}:cluster/${CLUSTER}`
    for (const key of ['bad!key', 'x'.repeat(129)]) {
      const tag = await t.call('TagResource', { resourceArn, tags: [{ key, value: 'v' }] })
      const untag = await t.call('UntagResource', { resourceArn, tagKeys: [key] })
      expect(untag.status).toBe(400)
      expect(untag.body.__type).toBe(tag.body.__type)
    }
    expect((await t.call('UntagResource', { resourceArn, tagKeys: ['fine'] })).status).toBe(200)
  })
})
