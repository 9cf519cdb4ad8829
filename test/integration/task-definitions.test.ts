import {
  DeleteTaskDefinitionsCommand,
  DeregisterTaskDefinitionCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ListTaskDefinitionFamiliesCommand,
  ListTaskDefinitionsCommand,
  paginateListTaskDefinitionFamilies,
  paginateListTaskDefinitions,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionCommandInput,
} from '@aws-sdk/client-ecs'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestInstance, type TestInstance } from '../helpers/instance.js'

const NOW = 1_700_000_000_123
const arn = (family: string, rev: number) => `arn:aws:ecs:us-east-1:000000000000:task-definition/${family}:${rev}`
const td = (family: string, over: Partial<RegisterTaskDefinitionCommandInput> = {}): RegisterTaskDefinitionCommandInput => ({
  family,
  containerDefinitions: [{ name: 'app', image: 'nginx:1.27', memory: 128, portMappings: [{ containerPort: 80 }] }],
  ...over,
})

async function clientError(p: Promise<unknown>): Promise<{ name: string; message: string }> {
  try {
    await p
  } catch (e) {
    return e as { name: string; message: string }
  }
  throw new Error('expected the call to fail')
}

async function all<T>(pages: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const p of pages) out.push(p)
  return out
}

describe('task definitions', () => {
  let t: TestInstance
  const register = (input: RegisterTaskDefinitionCommandInput) => t.ecs.send(new RegisterTaskDefinitionCommand(input))

  beforeAll(async () => {
    t = await startTestInstance({ dir: ':memory:', clock: { now: () => NOW } })
  })
  afterAll(async () => t.stop())

  it('registers with ECS defaults, compatibilities, requiresAttributes and top-level tags', async () => {
    const out = await register(td('reg', { tags: [{ key: 'team', value: 'a' }] }))
    const d = out.taskDefinition!
    expect(d.taskDefinitionArn).toBe(arn('reg', 1))
    expect(d.revision).toBe(1)
    expect(d.status).toBe('ACTIVE')
    expect(d.compatibilities).toEqual(['EXTERNAL', 'EC2'])
    expect(d.volumes).toEqual([])
    expect(d.placementConstraints).toEqual([])
    expect(d.registeredAt).toEqual(new Date(NOW))
    expect(d.registeredBy).toBe('arn:aws:iam::000000000000:root')
    expect(d.networkMode).toBeUndefined()
    expect(d.requiresCompatibilities).toBeUndefined()
    expect(d.containerDefinitions![0]).toMatchObject({
      cpu: 0,
      essential: true,
      environment: [],
      mountPoints: [],
      volumesFrom: [],
      portMappings: [{ containerPort: 80, hostPort: 0, protocol: 'tcp' }],
    })
    expect(out.tags).toEqual([{ key: 'team', value: 'a' }])
  })

  it('registers a Fargate definition with normalised cpu/memory', async () => {
    const out = await register(
      td('fg', {
        requiresCompatibilities: ['FARGATE'],
        networkMode: 'awsvpc',
        cpu: '1 vCPU',
        memory: '2 GB',
        executionRoleArn: 'arn:aws:iam::000000000000:role/exec',
        containerDefinitions: [
          {
            name: 'app',
            image: 'nginx',
            portMappings: [{ containerPort: 8080 }],
            logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': 'g', 'awslogs-region': 'us-east-1' } },
          },
        ],
      }),
    )
    const d = out.taskDefinition!
    expect(d.cpu).toBe('1024')
    expect(d.memory).toBe('2048')
    expect(d.compatibilities).toEqual(['EC2', 'FARGATE'])
    expect(d.requiresCompatibilities).toEqual(['FARGATE'])
    expect(d.containerDefinitions![0]!.portMappings).toEqual([{ containerPort: 8080, hostPort: 8080, protocol: 'tcp' }])
    expect(d.requiresAttributes!.map((a) => a.name)).toEqual(
      expect.arrayContaining([
        'ecs.capability.task-eni',
        'com.amazonaws.ecs.capability.docker-remote-api.1.18',
        'com.amazonaws.ecs.capability.logging-driver.awslogs',
        'com.amazonaws.ecs.capability.docker-remote-api.1.19',
        'ecs.capability.execution-role-awslogs',
      ]),
    )
  })

  it("answers validation failures as ClientException with ECS's message", async () => {
    const e = await clientError(
      register(td('bad', { requiresCompatibilities: ['FARGATE'], networkMode: 'awsvpc', cpu: '256', memory: '4096' })),
    )
    expect(e.name).toBe('ClientException')
    expect(e.message).toBe(
      'No Fargate configuration exists for given values: 256 CPU, 4096 memory. See the Amazon ECS documentation for the valid values.',
    )
    const raw = await t.call('RegisterTaskDefinition', { family: 'bad', containerDefinitions: [{ name: 'app' }] })
    expect(raw.status).toBe(400)
    expect(raw.body).toEqual({ __type: 'ClientException', message: 'Container.image should not be null or empty.' })
    // A rejected registration uses no revision.
    expect((await register(td('bad'))).taskDefinition!.revision).toBe(1)
  })

  it('describes by family (latest ACTIVE), family:revision and ARN; unknown is a ClientException', async () => {
    for (let i = 0; i < 3; i++) await register(td('desc'))
    await t.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: 'desc:3' }))
    const latest = await t.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'desc' }))
    expect(latest.taskDefinition!.revision).toBe(2)
    // ECS answers a top-level `tags: []` without include TAGS
    expect(latest.tags).toEqual([])
    const inactive = await t.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'desc:3' }))
    expect(inactive.taskDefinition!.status).toBe('INACTIVE')
    const byArn = await t.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn('desc', 1) }))
    expect(byArn.taskDefinition!.revision).toBe(1)
    for (const ref of ['nope', 'desc:9', 'nope:1', arn('nope', 1)]) {
      const e = await clientError(t.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: ref })))
      expect(e.name, ref).toBe('ClientException')
      expect(e.message, ref).toBe('Unable to describe task definition.')
    }
  })

  it('checks tags on registration and serves them to ListTagsForResource', async () => {
    const e = await clientError(register(td('badtags', { tags: [{ key: 'aws:reserved', value: 'x' }] })))
    expect(e.name).toBe('InvalidParameterException')
    const r = await t.call('ListTagsForResource', { resourceArn: arn('reg', 1) })
    expect(r.body).toEqual({ tags: [{ key: 'team', value: 'a' }] })
  })

  it('describes tags with include TAGS', async () => {
    await register(td('tagged', { tags: [{ key: 'k', value: 'v' }] }))
    const out = await t.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'tagged', include: ['TAGS'] }))
    expect(out.tags).toEqual([{ key: 'k', value: 'v' }])
    const none = await t.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'reg:1', include: ['TAGS'] }))
    expect(none.tags).toEqual([{ key: 'team', value: 'a' }])
    const untagged = await t.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'desc:1', include: ['TAGS'] }))
    expect(untagged.tags).toEqual([])
  })

  it('deregisters: revision required, unknown refused, result INACTIVE with deregisteredAt', async () => {
    await register(td('dereg'))
    let e = await clientError(t.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: 'dereg' })))
    expect(e.name).toBe('ClientException')
    e = await clientError(t.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: 'dereg:7' })))
    expect(e.name).toBe('ClientException')
    expect(e.message).toBe('The specified task definition does not exist.')
    const out = await t.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: arn('dereg', 1) }))
    expect(out.taskDefinition!.status).toBe('INACTIVE')
    expect(out.taskDefinition!.deregisteredAt).toEqual(new Date(NOW))
    e = await clientError(t.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'dereg' })))
    expect(e.message).toBe('Unable to describe task definition.')
  })

  it('deletes only INACTIVE revisions, with failures for the rest; revisions are never reused', async () => {
    await register(td('del'))
    await register(td('del'))
    await t.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: 'del:2' }))
    const out = await t.ecs.send(
      new DeleteTaskDefinitionsCommand({ taskDefinitions: ['del:1', 'del:2', 'del:9', 'del', 'arn:aws:ecs:us-east-1:000000000000:cluster/x'] }),
    )
    expect(out.taskDefinitions!.map((d) => [d.taskDefinitionArn, d.status])).toEqual([[arn('del', 2), 'DELETE_IN_PROGRESS']])
    expect(out.taskDefinitions![0]!.deleteRequestedAt).toEqual(new Date(NOW))
    expect(out.failures).toEqual([
      { arn: arn('del', 1), reason: 'The specified task definition is still in ACTIVE status. Please deregister the target and try again.' },
      { arn: arn('del', 9), reason: 'The specified task definition does not exist. Specify a valid account, family, revision and try again.' },
      { arn: 'del', reason: 'The specified task definition identifier is invalid. Specify a valid name or ARN and try again.' },
      {
        arn: 'arn:aws:ecs:us-east-1:000000000000:cluster/x',
        reason: 'The specified task definition identifier is invalid. Specify a valid name or ARN and try again.',
      },
    ])
    // Still describable while the deletion is in progress; listed only under that status.
    const d = await t.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'del:2' }))
    expect(d.taskDefinition!.status).toBe('DELETE_IN_PROGRESS')
    const listed = await t.ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: 'del', status: 'DELETE_IN_PROGRESS' }))
    expect(listed.taskDefinitionArns).toEqual([arn('del', 2)])
    const inactive = await t.ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: 'del', status: 'INACTIVE' }))
    expect(inactive.taskDefinitionArns).toEqual([])

    expect((await register(td('del'))).taskDefinition!.revision).toBe(3)
  })

  it('deletes 1 to 10 entries', async () => {
    let r = await t.call('DeleteTaskDefinitions', { taskDefinitions: [] })
    expect(r.body.__type).toBe('InvalidParameterException')
    r = await t.call('DeleteTaskDefinitions', { taskDefinitions: Array.from({ length: 11 }, (_, i) => `x:${i + 1}`) })
    expect(r.body.__type).toBe('InvalidParameterException')
    r = await t.call('DeleteTaskDefinitions', { taskDefinitions: Array.from({ length: 10 }, (_, i) => `x:${i + 1}`) })
    expect(r.status).toBe(200)
    expect(r.body.failures).toHaveLength(10)
  })

  it('lists ACTIVE by default, familyPrefix as the exact family, sorted ASC or DESC', async () => {
    for (const f of ['ls-b', 'ls-a', 'ls-b', 'ls-a2', 'ls-a']) await register(td(f))
    for (let i = 0; i < 9; i++) await register(td('ls-a')) // revisions 3..11: numeric, not lexicographic, order
    await t.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: 'ls-a:2' }))

    const exact = await t.ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: 'ls-a' }))
    expect(exact.taskDefinitionArns).toEqual([1, 3, 4, 5, 6, 7, 8, 9, 10, 11].map((r) => arn('ls-a', r)))
    const desc = await t.ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: 'ls-a', sort: 'DESC' }))
    expect(desc.taskDefinitionArns).toEqual([...exact.taskDefinitionArns!].reverse())
    const inactive = await t.ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: 'ls-a', status: 'INACTIVE' }))
    expect(inactive.taskDefinitionArns).toEqual([arn('ls-a', 2)])

    const everything = (await t.ecs.send(new ListTaskDefinitionsCommand({}))).taskDefinitionArns!
    const ours = everything.filter((a) => a.includes('/ls-'))
    expect(ours).toEqual([...exact.taskDefinitionArns!, arn('ls-a2', 1), arn('ls-b', 1), arn('ls-b', 2)])
    const everythingDesc = (await t.ecs.send(new ListTaskDefinitionsCommand({ sort: 'DESC' }))).taskDefinitionArns!
    expect(everythingDesc).toEqual([...everything].reverse())
  })

  it('pages ListTaskDefinitions with maxResults and nextToken', async () => {
    const pages = await all(paginateListTaskDefinitions({ client: t.ecs, pageSize: 3 }, { familyPrefix: 'ls-a' }))
    expect(pages.map((p) => p.taskDefinitionArns!.length)).toEqual([3, 3, 3, 1])
    expect(pages.flatMap((p) => p.taskDefinitionArns)).toEqual([1, 3, 4, 5, 6, 7, 8, 9, 10, 11].map((r) => arn('ls-a', r)))
    const r = await t.call('ListTaskDefinitions', { maxResults: 101 })
    expect(r.body.__type).toBe('InvalidParameterException')
    const r0 = await t.call('ListTaskDefinitions', { maxResults: 0 })
    expect(r0.body.__type).toBe('InvalidParameterException')
  })

  it('lists families by real prefix and status, paged', async () => {
    await register(td('fam-active'))
    await register(td('fam-mixed'))
    await register(td('fam-mixed'))
    await register(td('fam-gone'))
    await t.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: 'fam-mixed:1' }))
    await t.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: 'fam-gone:1' }))
    const families = async (status?: 'ACTIVE' | 'INACTIVE' | 'ALL') =>
      (await t.ecs.send(new ListTaskDefinitionFamiliesCommand({ familyPrefix: 'fam-', status }))).families
    expect(await families()).toEqual(['fam-active', 'fam-gone', 'fam-mixed'])
    expect(await families('ALL')).toEqual(['fam-active', 'fam-gone', 'fam-mixed'])
    expect(await families('ACTIVE')).toEqual(['fam-active', 'fam-mixed'])
    expect(await families('INACTIVE')).toEqual(['fam-gone'])

    const pages = await all(paginateListTaskDefinitionFamilies({ client: t.ecs, pageSize: 2 }, { familyPrefix: 'fam' }))
    expect(pages.map((p) => p.families)).toEqual([['fam-active', 'fam-gone'], ['fam-mixed']])
  })

  it('gives 20 concurrent registrations of one family revisions 1..20', async () => {
    const outs = await Promise.all(Array.from({ length: 20 }, () => register(td('burst'))))
    const revs = outs.map((o) => o.taskDefinition!.revision!).sort((a, b) => a - b)
    expect(revs).toEqual(Array.from({ length: 20 }, (_, i) => i + 1))
    const listed = await t.ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: 'burst' }))
    expect(listed.taskDefinitionArns).toEqual(revs.map((r) => arn('burst', r)))
  })

  it('keeps regions apart', async () => {
    const eu = new ECSClient({
      endpoint: t.endpoint,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
    })
    try {
      const out = await eu.send(new RegisterTaskDefinitionCommand(td('reg')))
      expect(out.taskDefinition!.taskDefinitionArn).toBe('arn:aws:ecs:eu-west-1:000000000000:task-definition/reg:1')
      const list = await eu.send(new ListTaskDefinitionsCommand({}))
      expect(list.taskDefinitionArns).toEqual(['arn:aws:ecs:eu-west-1:000000000000:task-definition/reg:1'])
      const e = await clientError(eu.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn('reg', 1) })))
      expect(e.message).toBe('Unable to describe task definition.')
    } finally {
      eu.destroy()
    }
  })
})

describe('task definitions across a restart', () => {
  it('keeps definitions and revision counters (never reusing a deleted revision)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kecs-td-'))
    try {
      let t = await startTestInstance({ dir })
      for (let i = 0; i < 3; i++) await t.ecs.send(new RegisterTaskDefinitionCommand(td('keep')))
      await t.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: 'keep:3' }))
      await t.ecs.send(new DeleteTaskDefinitionsCommand({ taskDefinitions: ['keep:3'] }))
      await t.stop()

      t = await startTestInstance({ dir })
      try {
        const d = await t.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'keep' }))
        expect(d.taskDefinition!.revision).toBe(2)
        const gone = await t.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'keep:3' }))
        expect(gone.taskDefinition!.status).toBe('DELETE_IN_PROGRESS')
        const next = await t.ecs.send(new RegisterTaskDefinitionCommand(td('keep')))
        expect(next.taskDefinition!.revision).toBe(4)
        const list = await t.ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: 'keep' }))
        expect(list.taskDefinitionArns).toEqual([1, 2, 4].map((r) => arn('keep', r)))
      } finally {
        await t.stop()
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
