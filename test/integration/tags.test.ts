import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  ClusterNotFoundException,
  CreateClusterCommand,
  DeleteClusterCommand,
  DescribeClustersCommand,
  ListTagsForResourceCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-ecs'
import { startTestInstance, type TestInstance } from '../helpers/instance.js'

const P = 'arn:aws:ecs:us-east-1:000000000000'

function expectError(r: { status: number; body: any }, type: string, message?: string) {
  expect(r.status, JSON.stringify(r.body)).toBe(400)
  expect(r.body.__type).toBe(type)
  if (message !== undefined) expect(r.body.message).toBe(message)
}

describe('tags', () => {
  let t: TestInstance
  const clusterArn = `${P}:cluster/tagged`
  const tagsOf = async (arn: string) => (await t.ecs.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags

  beforeAll(async () => {
    t = await startTestInstance()
    await t.ecs.send(new CreateClusterCommand({ clusterName: 'tagged', tags: [{ key: 'origin', value: 'create' }] }))
  })
  afterAll(async () => t.stop())

  it('lists the tags a cluster was created with', async () => {
    expect(await tagsOf(clusterArn)).toEqual([{ key: 'origin', value: 'create' }])
  })

  it('TagResource merges (new keys appended, existing ones overwritten) and answers {}', async () => {
    const r = await t.call('TagResource', {
      resourceArn: clusterArn,
      tags: [
        { key: 'team', value: 'a' },
        { key: 'origin', value: 'tagged' },
      ],
    })
    expect(r.status).toBe(200)
    expect(r.body).toEqual({})
    expect(await tagsOf(clusterArn)).toEqual([
      { key: 'origin', value: 'tagged' },
      { key: 'team', value: 'a' },
    ])
    const d = await t.ecs.send(new DescribeClustersCommand({ clusters: [clusterArn], include: ['TAGS'] }))
    expect(d.clusters?.[0]?.tags).toHaveLength(2)
  })

  it('UntagResource removes the named keys, ignoring unknown ones, and answers {}', async () => {
    const r = await t.call('UntagResource', { resourceArn: clusterArn, tagKeys: ['team', 'never-there'] })
    expect(r.status).toBe(200)
    expect(r.body).toEqual({})
    expect(await tagsOf(clusterArn)).toEqual([{ key: 'origin', value: 'tagged' }])
  })

  it('allows 50 tags on a resource and refuses the 51st with LimitExceededException', async () => {
    await t.ecs.send(new CreateClusterCommand({ clusterName: 'full' }))
    const arn = `${P}:cluster/full`
    const tags = Array.from({ length: 50 }, (_, i) => ({ key: `k${i}`, value: String(i) }))
    await t.ecs.send(new TagResourceCommand({ resourceArn: arn, tags }))
    // overwriting an existing key at the limit is fine
    await t.ecs.send(new TagResourceCommand({ resourceArn: arn, tags: [{ key: 'k0', value: 'new' }] }))
    expectError(await t.call('TagResource', { resourceArn: arn, tags: [{ key: 'one-more', value: 'x' }] }), 'LimitExceededException')
    expect(await tagsOf(arn)).toHaveLength(50)
  })

  it('reserves the aws: prefix for adding and removing', async () => {
    let r = await t.call('TagResource', { resourceArn: clusterArn, tags: [{ key: 'AWS:owner', value: 'me' }] })
    expectError(r, 'InvalidParameterException')
    expect(r.body.message).toContain("'aws:'")
    r = await t.call('UntagResource', { resourceArn: clusterArn, tagKeys: ['aws:cloudformation:stack-name'] })
    expectError(r, 'InvalidParameterException')
  })

  it('validates keys and values', async () => {
    expectError(await t.call('TagResource', { resourceArn: clusterArn, tags: [{ key: 'a%b', value: '1' }] }), 'InvalidParameterException')
    expectError(await t.call('TagResource', { resourceArn: clusterArn, tags: [{ key: 'k'.repeat(129), value: '1' }] }), 'InvalidParameterException')
    expectError(await t.call('TagResource', { resourceArn: clusterArn, tags: [{ key: 'k', value: 'v'.repeat(257) }] }), 'InvalidParameterException')
  })

  it('refuses malformed and untaggable ARNs', async () => {
    for (const arn of ['not-an-arn', `${P}:widget/x`, 'arn:aws:s3:::bucket', `${P}:cluster`]) {
      expectError(await t.call('ListTagsForResource', { resourceArn: arn }), 'InvalidParameterException', 'The ARN provided is invalid.')
      expectError(
        await t.call('TagResource', { resourceArn: arn, tags: [{ key: 'a', value: 'b' }] }),
        'InvalidParameterException',
        'The ARN provided is invalid.',
      )
    }
  })

  it('answers ClusterNotFoundException for unknown clusters (typed in the SDK)', async () => {
    const e = await t.ecs.send(new ListTagsForResourceCommand({ resourceArn: `${P}:cluster/nope` })).catch((x) => x)
    expect(e).toBeInstanceOf(ClusterNotFoundException)
    expect(e.message).toBe('Cluster not found.')
    expectError(
      await t.call('TagResource', { resourceArn: `${P}:cluster/nope`, tags: [{ key: 'a', value: 'b' }] }),
      'ClusterNotFoundException',
      'Cluster not found.',
    )
    expectError(
      await t.call('UntagResource', { resourceArn: 'arn:aws:ecs:eu-west-1:000000000000:cluster/tagged', tagKeys: ['a'] }),
      'ClusterNotFoundException',
    )
  })

  it('drops a cluster’s tags with it; a deleted cluster lists none and cannot be tagged', async () => {
    await t.ecs.send(new CreateClusterCommand({ clusterName: 'gone', tags: [{ key: 'a', value: 'b' }] }))
    await t.ecs.send(new DeleteClusterCommand({ cluster: 'gone' }))
    const arn = `${P}:cluster/gone`
    expect(await tagsOf(arn)).toEqual([])
    expectError(
      await t.call('TagResource', { resourceArn: arn, tags: [{ key: 'a', value: 'b' }] }),
      'ClusterNotFoundException',
      'The referenced cluster was inactive.',
    )
    await t.ecs.send(new CreateClusterCommand({ clusterName: 'gone' }))
    expect(await tagsOf(arn)).toEqual([])
  })

  it('needs the long ARN format for services, tasks and container instances', async () => {
    for (const arn of [`${P}:service/web`, `${P}:task/0123456789abcdef0123456789abcdef`, `${P}:container-instance/abc`]) {
      expectError(
        await t.call('TagResource', { resourceArn: arn, tags: [{ key: 'a', value: 'b' }] }),
        'InvalidParameterException',
        'Long arn format must be used for tagging operations',
      )
    }
  })

  describe('other resources, found by the ARN their docs carry', () => {
    const resources = {
      taskDefinitions: { taskDefinitionArn: `${P}:task-definition/web:1`, status: 'ACTIVE' },
      services: { serviceArn: `${P}:service/tagged/web`, clusterArn, status: 'ACTIVE' },
      tasks: { taskArn: `${P}:task/tagged/0123456789abcdef0123456789abcdef`, clusterArn, lastStatus: 'RUNNING' },
      containerInstances: {
        containerInstanceArn: `${P}:container-instance/tagged/fedcba9876543210fedcba9876543210`,
        clusterArn,
        status: 'ACTIVE',
      },
      capacityProviders: { capacityProviderArn: `${P}:capacity-provider/my-cp`, name: 'my-cp', status: 'ACTIVE' },
    } as const
    const arnOf = (doc: Record<string, unknown>) =>
      Object.entries(doc).find(([k]) => k.endsWith('Arn') && k !== 'clusterArn')![1] as string

    beforeAll(async () => {
      for (const [table, doc] of Object.entries(resources)) {
        if (table === 'taskDefinitions') continue // registered for real: it is looked up by key, not scanned
        await (t.instance.repos as any)[table].put(`000000000000/us-east-1/seeded/${table}`, doc)
      }
      await t.call('RegisterTaskDefinition', { family: 'web', containerDefinitions: [{ name: 'a', image: 'nginx', memory: 64 }] })
    })

    it('tags, lists and untags each of them', async () => {
      for (const doc of Object.values(resources)) {
        const arn = arnOf(doc)
        expect(await tagsOf(arn), arn).toEqual([])
        await t.ecs.send(new TagResourceCommand({ resourceArn: arn, tags: [{ key: 'env', value: 'test' }, { key: 'x' }] }))
        expect(await tagsOf(arn), arn).toEqual([
          { key: 'env', value: 'test' },
          { key: 'x', value: '' },
        ])
        await t.ecs.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ['x'] }))
        expect(await tagsOf(arn), arn).toEqual([{ key: 'env', value: 'test' }])
      }
    })

    it('answers ResourceNotFoundException for ones that do not exist', async () => {
      for (const arn of [
        `${P}:task-definition/web:2`,
        `${P}:service/tagged/api`,
        `${P}:task/tagged/00000000000000000000000000000000`,
        `${P}:container-instance/tagged/00000000000000000000000000000000`,
        `${P}:capacity-provider/nope`,
        'arn:aws:ecs:eu-west-1:000000000000:task-definition/web:1',
      ]) {
        expectError(
          await t.call('TagResource', { resourceArn: arn, tags: [{ key: 'a', value: 'b' }] }),
          'ResourceNotFoundException',
          'The specified resource is not found.',
        )
        expectError(await t.call('UntagResource', { resourceArn: arn, tagKeys: ['a'] }), 'ResourceNotFoundException')
        expectError(await t.call('ListTagsForResource', { resourceArn: arn }), 'ResourceNotFoundException')
      }
    })
  })
})
