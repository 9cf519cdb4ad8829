import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ssm, type SsmState } from '../../src/aws/ssm/index.js'
import { ACCOUNT, openService, REGION, type ServiceHarness } from '../helpers/aws-handler-harness.js'

let h: ServiceHarness<SsmState>
beforeEach(async () => {
  h = await openService(ssm)
})
afterEach(async () => {
  await h.close()
})

describe('SSM PutParameter / GetParameter', () => {
  it('follows the aws_ssm_parameter create and read flow', async () => {
    // Create: PutParameter with Overwrite=false and tags.
    const put = await h.call('PutParameter', {
      Name: '/app/db/host',
      Value: 'db.local',
      Type: 'String',
      Overwrite: false,
      Description: 'the db',
      Tags: [{ Key: 'env', Value: 'dev' }],
    })
    expect(put).toEqual({ Version: 1, Tier: 'Standard' })
    // Read: GetParameter WithDecryption, DescribeParameters Name/Equals, ListTagsForResource.
    const got = await h.call('GetParameter', { Name: '/app/db/host', WithDecryption: true })
    expect(got.Parameter).toEqual({
      Name: '/app/db/host',
      Type: 'String',
      Value: 'db.local',
      Version: 1,
      LastModifiedDate: h.clock.now / 1000,
      ARN: `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/app/db/host`,
      DataType: 'text',
    })
    const described = await h.call('DescribeParameters', { ParameterFilters: [{ Key: 'Name', Option: 'Equals', Values: ['/app/db/host'] }] })
    expect(described.NextToken).toBeUndefined()
    expect(described.Parameters).toHaveLength(1)
    expect(described.Parameters[0]).toMatchObject({ Name: '/app/db/host', Type: 'String', Version: 1, Tier: 'Standard', Description: 'the db', DataType: 'text' })
    expect((await h.call('ListTagsForResource', { ResourceType: 'Parameter', ResourceId: '/app/db/host' })).TagList).toEqual([{ Key: 'env', Value: 'dev' }])
    // Update: Overwrite=true, tags by AddTagsToResource.
    h.clock.now += 1000
    expect(await h.call('PutParameter', { Name: '/app/db/host', Value: 'db2.local', Overwrite: true })).toEqual({ Version: 2, Tier: 'Standard' })
    await h.call('AddTagsToResource', { ResourceType: 'Parameter', ResourceId: '/app/db/host', Tags: [{ Key: 'team', Value: 'a' }] })
    await h.call('RemoveTagsFromResource', { ResourceType: 'Parameter', ResourceId: '/app/db/host', TagKeys: ['env'] })
    expect((await h.call('ListTagsForResource', { ResourceType: 'Parameter', ResourceId: '/app/db/host' })).TagList).toEqual([{ Key: 'team', Value: 'a' }])
    const v2 = await h.call('GetParameter', { Name: '/app/db/host' })
    expect(v2.Parameter).toMatchObject({ Value: 'db2.local', Version: 2, Type: 'String' })
    // The description stays with an overwrite that gives none.
    expect((await h.call('DescribeParameters', {})).Parameters[0].Description).toBe('the db')
    // Delete; a second delete is ParameterNotFound (TF ignores it).
    await h.call('DeleteParameter', { Name: '/app/db/host' })
    expect((await h.fail('DeleteParameter', { Name: '/app/db/host' })).code).toBe('ParameterNotFound')
    const gone = await h.fail('GetParameter', { Name: '/app/db/host' })
    expect(gone.code).toBe('ParameterNotFound')
    expect(gone.message).toBe('')
  })

  it('reads by ARN and returns the plain name; a name without a slash gets one in the ARN', async () => {
    await h.call('PutParameter', { Name: 'plain', Value: 'v', Type: 'String' })
    await h.call('PutParameter', { Name: '/a/b', Value: 'w', Type: 'String' })
    const a = await h.call('GetParameter', { Name: `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/plain` })
    expect(a.Parameter.Name).toBe('plain')
    expect(a.Parameter.ARN).toBe(`arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/plain`)
    const b = await h.call('GetParameter', { Name: `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/a/b` })
    expect(b.Parameter).toMatchObject({ Name: '/a/b', Value: 'w' })
  })

  it('applies the Overwrite, Type, Tags and tier rules', async () => {
    expect((await h.fail('PutParameter', { Name: 'p', Value: 'v' })).message).toBe('A parameter type is required when you create a parameter.')
    await h.call('PutParameter', { Name: 'p', Value: 'v', Type: 'String' })
    const exists = await h.fail('PutParameter', { Name: 'p', Value: 'v2', Type: 'String' })
    expect(exists.code).toBe('ParameterAlreadyExists')
    expect(exists.message).toBe('The parameter already exists. To overwrite this value, set the overwrite option in the request to true.')
    const both = await h.fail('PutParameter', { Name: 'q', Value: 'v', Type: 'String', Overwrite: true, Tags: [{ Key: 'a', Value: 'b' }] })
    expect(both.code).toBe('ValidationException')
    expect(both.message).toContain("tags and overwrite can't be used together")
    // Advanced can't go back to Standard.
    await h.call('PutParameter', { Name: 'adv', Value: 'v', Type: 'String', Tier: 'Advanced' })
    const down = await h.fail('PutParameter', { Name: 'adv', Value: 'w', Overwrite: true, Tier: 'Standard' })
    expect(down.message).toContain("You can't downgrade a parameter from the advanced-parameter tier")
    expect(await h.call('PutParameter', { Name: 'adv', Value: 'w', Overwrite: true })).toEqual({ Version: 2, Tier: 'Advanced' })
    // Standard holds 4 KB; Intelligent-Tiering picks Advanced for more.
    expect((await h.fail('PutParameter', { Name: 'big', Value: 'x'.repeat(4097), Type: 'String' })).code).toBe('ValidationException')
    expect(await h.call('PutParameter', { Name: 'big', Value: 'x'.repeat(4097), Type: 'String', Tier: 'Intelligent-Tiering' })).toEqual({ Version: 1, Tier: 'Advanced' })
    expect((await h.fail('PutParameter', { Name: 'huge', Value: 'x'.repeat(8193), Type: 'String', Tier: 'Advanced' })).code).toBe('ValidationException')
  })

  it('enforces the name rules', async () => {
    for (const name of ['aws-thing', '/ssm/x', 'AWS', '/Ssm']) {
      const e = await h.fail('PutParameter', { Name: name, Value: 'v', Type: 'String' })
      expect(e.code).toBe('ValidationException')
      expect(e.message).toContain(`can't be prefixed with "aws" or "ssm" (case-insensitive)`)
    }
    expect((await h.fail('PutParameter', { Name: 'a b', Value: 'v', Type: 'String' })).code).toBe('ValidationException')
    expect((await h.fail('PutParameter', { Name: 'a/b', Value: 'v', Type: 'String' })).message).toBe('Parameter name must be a fully qualified name.')
    const deep = '/' + Array.from({ length: 16 }, (_, i) => `l${i}`).join('/')
    expect((await h.fail('PutParameter', { Name: deep, Value: 'v', Type: 'String' })).code).toBe('HierarchyLevelLimitExceededException')
    const ok = '/' + Array.from({ length: 15 }, (_, i) => `l${i}`).join('/')
    expect(await h.call('PutParameter', { Name: ok, Value: 'v', Type: 'String' })).toEqual({ Version: 1, Tier: 'Standard' })
    // Outer spaces are trimmed.
    await h.call('PutParameter', { Name: '  spaced ', Value: 'v', Type: 'String' })
    expect((await h.call('GetParameter', { Name: 'spaced' })).Parameter.Name).toBe('spaced')
  })

  it('checks AllowedPattern (a regex searched for in the value; empty checks nothing)', async () => {
    const e = await h.fail('PutParameter', { Name: 'n', Value: 'abc1', Type: 'String', AllowedPattern: '^[a-z]+$' })
    expect(e.code).toBe('ValidationException')
    expect(e.message).toBe('Parameter value, cannot be validated against allowedPattern: ^[a-z]+$')
    expect((await h.fail('PutParameter', { Name: 'n', Value: '123', Type: 'String', AllowedPattern: '[a-z]+' })).code).toBe('ValidationException')
    await h.call('PutParameter', { Name: 'e', Value: 'anything', Type: 'String', AllowedPattern: '' })
    await h.call('PutParameter', { Name: 'n', Value: 'abc1', Type: 'String', AllowedPattern: '[a-z]+' })
    expect((await h.call('DescribeParameters', {})).Parameters.find((p: any) => p.Name === 'n').AllowedPattern).toBe('[a-z]+')
  })

  it('records the SecureString key and hides the value without decryption', async () => {
    await h.call('PutParameter', { Name: '/s/default', Value: 'hunter2', Type: 'SecureString' })
    await h.call('PutParameter', { Name: '/s/custom', Value: 'pw', Type: 'SecureString', KeyId: 'alias/mine' })
    const meta = (await h.call('DescribeParameters', { ParameterFilters: [{ Key: 'Path', Values: ['/s'] }] })).Parameters
    expect(meta.map((p: any) => [p.Name, p.KeyId])).toEqual([
      ['/s/custom', 'alias/mine'],
      ['/s/default', 'alias/aws/ssm'],
    ])
    const hidden = (await h.call('GetParameter', { Name: '/s/default' })).Parameter.Value
    expect(hidden).not.toBe('hunter2')
    expect(Buffer.from(hidden, 'base64').toString('base64')).toBe(hidden)
    expect((await h.call('GetParameter', { Name: '/s/default', WithDecryption: true })).Parameter.Value).toBe('hunter2')
    expect((await h.fail('PutParameter', { Name: 'plainkey', Value: 'v', Type: 'String', KeyId: 'alias/x' })).code).toBe('ValidationException')
  })

  it('reads versions and labels through selectors', async () => {
    await h.call('PutParameter', { Name: '/v', Value: 'one', Type: 'String' })
    await h.call('PutParameter', { Name: '/v', Value: 'two', Overwrite: true })
    await h.call('PutParameter', { Name: '/v', Value: 'three', Overwrite: true })
    expect((await h.call('GetParameter', { Name: '/v:1' })).Parameter).toMatchObject({ Value: 'one', Version: 1, Selector: ':1', Name: '/v' })
    const label = await h.call('LabelParameterVersion', { Name: '/v', ParameterVersion: 2, Labels: ['prod', '1bad', 'awsx'] })
    expect(label).toEqual({ InvalidLabels: ['1bad', 'awsx'], ParameterVersion: 2 })
    expect((await h.call('GetParameter', { Name: '/v:prod' })).Parameter).toMatchObject({ Value: 'two', Version: 2, Selector: ':prod' })
    // Moving the label to version 3 takes it off version 2.
    expect(await h.call('LabelParameterVersion', { Name: '/v', Labels: ['prod'] })).toEqual({ InvalidLabels: [], ParameterVersion: 3 })
    const history = await h.call('GetParameterHistory', { Name: '/v' })
    expect(history.Parameters.map((p: any) => [p.Version, p.Value, p.Labels])).toEqual([
      [1, 'one', []],
      [2, 'two', []],
      [3, 'three', ['prod']],
    ])
    expect((await h.fail('GetParameter', { Name: '/v:9' })).code).toBe('ParameterVersionNotFound')
    expect((await h.fail('GetParameter', { Name: '/v:nolabel' })).code).toBe('ParameterNotFound')
    expect((await h.fail('LabelParameterVersion', { Name: '/v', ParameterVersion: 9, Labels: ['x'] })).code).toBe('ParameterVersionNotFound')
    expect(await h.call('UnlabelParameterVersion', { Name: '/v', ParameterVersion: 3, Labels: ['prod', 'other'] })).toEqual({ RemovedLabels: ['prod'], InvalidLabels: ['other'] })
    const many = Array.from({ length: 10 }, (_, i) => `l${i}`)
    await h.call('LabelParameterVersion', { Name: '/v', ParameterVersion: 1, Labels: many })
    expect((await h.fail('LabelParameterVersion', { Name: '/v', ParameterVersion: 1, Labels: ['eleven'] })).code).toBe('ParameterVersionLabelLimitExceeded')
    expect((await h.fail('GetParameterHistory', { Name: '/none' })).code).toBe('ParameterNotFound')
  })

  it('keeps 100 versions, dropping the oldest unless it is labelled', async () => {
    await h.call('PutParameter', { Name: '/many', Value: 'v1', Type: 'String' })
    await h.call('LabelParameterVersion', { Name: '/many', ParameterVersion: 1, Labels: ['keep'] })
    for (let i = 2; i <= 100; i++) await h.call('PutParameter', { Name: '/many', Value: `v${i}`, Overwrite: true })
    const e = await h.fail('PutParameter', { Name: '/many', Value: 'v101', Overwrite: true })
    expect(e.code).toBe('ParameterMaxVersionLimitExceeded')
    await h.call('UnlabelParameterVersion', { Name: '/many', ParameterVersion: 1, Labels: ['keep'] })
    expect((await h.call('PutParameter', { Name: '/many', Value: 'v101', Overwrite: true })).Version).toBe(101)
    const all: any[] = []
    let token: string | undefined
    do {
      const page = await h.call('GetParameterHistory', { Name: '/many', MaxResults: 50, NextToken: token })
      all.push(...page.Parameters)
      token = page.NextToken
    } while (token)
    expect(all).toHaveLength(100)
    expect(all[0].Version).toBe(2)
    expect((await h.fail('GetParameter', { Name: '/many:1' })).code).toBe('ParameterVersionNotFound')
  })
})

describe('SSM GetParameters / DeleteParameters', () => {
  it('lists unknown names in InvalidParameters and sorts the rest by name', async () => {
    for (const n of ['/z', '/a', 'm']) await h.call('PutParameter', { Name: n, Value: n, Type: 'String' })
    const r = await h.call('GetParameters', { Names: ['/z', 'missing', 'm', '/a', '/a:7'] })
    expect(r.Parameters.map((p: any) => p.Name)).toEqual(['/a', '/z', 'm'])
    expect(r.InvalidParameters).toEqual(['missing', '/a:7'])
    const d = await h.call('DeleteParameters', { Names: ['/z', 'nope'] })
    expect(d).toEqual({ DeletedParameters: ['/z'], InvalidParameters: ['nope'] })
    expect((await h.call('GetParameters', { Names: ['/z'] })).InvalidParameters).toEqual(['/z'])
  })
})

describe('SSM GetParametersByPath', () => {
  beforeEach(async () => {
    for (const n of ['/app/a', '/app/b', '/app/c/d', '/app/c/e/f', '/other/x', '/apple']) {
      await h.call('PutParameter', { Name: n, Value: n, Type: n.endsWith('b') ? 'SecureString' : 'String' })
    }
  })

  it('takes one level unless Recursive', async () => {
    const one = await h.call('GetParametersByPath', { Path: '/app' })
    expect(one.Parameters.map((p: any) => p.Name)).toEqual(['/app/a', '/app/b'])
    const deep = await h.call('GetParametersByPath', { Path: '/app/', Recursive: true })
    expect(deep.Parameters.map((p: any) => p.Name)).toEqual(['/app/a', '/app/b', '/app/c/d', '/app/c/e/f'])
    const filtered = await h.call('GetParametersByPath', { Path: '/app', Recursive: true, ParameterFilters: [{ Key: 'Type', Values: ['SecureString'] }] })
    expect(filtered.Parameters.map((p: any) => p.Name)).toEqual(['/app/b'])
    expect((await h.call('GetParametersByPath', { Path: '/app', ParameterFilters: [{ Key: 'KeyId', Values: ['alias/aws/ssm'] }] })).Parameters.map((p: any) => p.Name)).toEqual(['/app/b'])
  })

  it('pages with MaxResults and never returns a token on the last page', async () => {
    const names: string[] = []
    let token: string | undefined
    let pages = 0
    do {
      const r = await h.call('GetParametersByPath', { Path: '/', Recursive: true, MaxResults: 2, NextToken: token })
      names.push(...r.Parameters.map((p: any) => p.Name))
      token = r.NextToken
      pages++
    } while (token)
    expect(names).toEqual(['/app/a', '/app/b', '/app/c/d', '/app/c/e/f', '/apple', '/other/x'])
    expect(pages).toBe(3)
    expect((await h.fail('GetParametersByPath', { Path: '/', NextToken: 'garbage' })).code).toBe('InvalidNextToken')
  })

  it('filters by label, returning the labelled version', async () => {
    await h.call('PutParameter', { Name: '/app/a', Value: 'newer', Overwrite: true })
    await h.call('LabelParameterVersion', { Name: '/app/a', ParameterVersion: 1, Labels: ['stable'] })
    const r = await h.call('GetParametersByPath', { Path: '/app', ParameterFilters: [{ Key: 'Label', Option: 'Equals', Values: ['stable'] }] })
    expect(r.Parameters.map((p: any) => [p.Name, p.Value, p.Version])).toEqual([['/app/a', '/app/a', 1]])
  })

  it('rejects bad paths and filter keys', async () => {
    expect((await h.fail('GetParametersByPath', { Path: 'app' })).code).toBe('ValidationException')
    expect((await h.fail('GetParametersByPath', { Path: '/app', ParameterFilters: [{ Key: 'Name', Values: ['x'] }] })).code).toBe('InvalidFilterKey')
  })
})

describe('SSM DescribeParameters', () => {
  beforeEach(async () => {
    await h.call('PutParameter', { Name: '/svc/web/url', Value: 'u', Type: 'String', Tags: [{ Key: 'team', Value: 'web' }] })
    await h.call('PutParameter', { Name: '/svc/web/key', Value: 'k', Type: 'SecureString', KeyId: 'alias/web' })
    await h.call('PutParameter', { Name: '/svc/db/pass', Value: 'p', Type: 'SecureString' })
    await h.call('PutParameter', { Name: 'flat', Value: 'f', Type: 'StringList' })
  })
  const names = async (input: Record<string, unknown>) => (await h.call('DescribeParameters', input)).Parameters.map((p: any) => p.Name)

  it('filters by name, type, key, path and tag', async () => {
    expect(await names({ ParameterFilters: [{ Key: 'Name', Values: ['flat'] }] })).toEqual(['flat'])
    expect(await names({ ParameterFilters: [{ Key: 'Name', Option: 'BeginsWith', Values: ['/svc/web'] }] })).toEqual(['/svc/web/key', '/svc/web/url'])
    expect(await names({ ParameterFilters: [{ Key: 'Name', Option: 'Contains', Values: ['pass', 'fla'] }] })).toEqual(['/svc/db/pass', 'flat'])
    expect(await names({ ParameterFilters: [{ Key: 'Type', Values: ['SecureString'] }] })).toEqual(['/svc/db/pass', '/svc/web/key'])
    expect(await names({ ParameterFilters: [{ Key: 'KeyId', Values: ['alias/web'] }] })).toEqual(['/svc/web/key'])
    expect(await names({ ParameterFilters: [{ Key: 'Path', Option: 'OneLevel', Values: ['/svc'] }] })).toEqual([])
    expect(await names({ ParameterFilters: [{ Key: 'Path', Option: 'Recursive', Values: ['/svc'] }] })).toEqual(['/svc/db/pass', '/svc/web/key', '/svc/web/url'])
    expect(await names({ ParameterFilters: [{ Key: 'tag:team', Values: ['web'] }] })).toEqual(['/svc/web/url'])
    expect(await names({ ParameterFilters: [{ Key: 'tag:team' }] })).toEqual(['/svc/web/url'])
    expect(await names({ ParameterFilters: [{ Key: 'tag:team', Option: 'BeginsWith', Values: ['w'] }] })).toEqual(['/svc/web/url'])
    expect(await names({ ParameterFilters: [{ Key: 'Tier', Values: ['Advanced'] }] })).toEqual([])
    expect(await names({ ParameterFilters: [{ Key: 'DataType', Values: ['text'] }, { Key: 'Type', Option: 'BeginsWith', Values: ['StringL'] }] })).toEqual(['flat'])
    expect(await names({ ParameterFilters: [{ Key: 'Type', Values: ['SecureString'] }, { Key: 'Path', Option: 'Recursive', Values: ['/svc/web'] }] })).toEqual(['/svc/web/key'])
    expect(await names({ Filters: [{ Key: 'Name', Values: ['/svc/db'] }] })).toEqual(['/svc/db/pass'])
    expect(await names({ Filters: [{ Key: 'Type', Values: ['StringList'] }] })).toEqual(['flat'])
  })

  it('rejects mixing Filters with ParameterFilters and bad keys or options', async () => {
    const e = await h.fail('DescribeParameters', { Filters: [{ Key: 'Name', Values: ['a'] }], ParameterFilters: [{ Key: 'Name', Values: ['a'] }] })
    expect(e.code).toBe('ValidationException')
    expect(e.message).toBe('You can use either Filters or ParameterFilters in a single request.')
    expect((await h.fail('DescribeParameters', { ParameterFilters: [{ Key: 'Color', Values: ['a'] }] })).code).toBe('InvalidFilterKey')
    expect((await h.fail('DescribeParameters', { ParameterFilters: [{ Key: 'Name', Option: 'Recursive', Values: ['a'] }] })).code).toBe('InvalidFilterOption')
    expect((await h.fail('DescribeParameters', { ParameterFilters: [{ Key: 'Name' }] })).code).toBe('InvalidFilterValue')
  })

  it('pages to the end with MaxResults', async () => {
    const first = await h.call('DescribeParameters', { MaxResults: 3 })
    expect(first.Parameters).toHaveLength(3)
    expect(first.NextToken).toBeTypeOf('string')
    const second = await h.call('DescribeParameters', { MaxResults: 3, NextToken: first.NextToken })
    expect(second.Parameters.map((p: any) => p.Name)).toEqual(['flat'])
    expect(second.NextToken).toBeUndefined()
  })
})

describe('SSM tags and scope', () => {
  it('rejects other resource types and unknown ids', async () => {
    expect((await h.fail('ListTagsForResource', { ResourceType: 'Document', ResourceId: 'x' })).code).toBe('InvalidResourceType')
    expect((await h.fail('ListTagsForResource', { ResourceType: 'Parameter', ResourceId: 'x' })).code).toBe('InvalidResourceId')
  })

  it('keeps each account and region apart', async () => {
    await h.call('PutParameter', { Name: '/x', Value: 'east', Type: 'String' })
    await h.call('PutParameter', { Name: '/x', Value: 'west', Type: 'String' }, { region: 'us-west-2' })
    await h.call('PutParameter', { Name: '/x', Value: 'other', Type: 'String' }, { account: '111111111111' })
    expect((await h.call('GetParameter', { Name: '/x' })).Parameter.Value).toBe('east')
    expect((await h.call('GetParameter', { Name: '/x' }, { region: 'us-west-2' })).Parameter.Value).toBe('west')
    expect((await h.call('GetParameter', { Name: '/x' }, { account: '111111111111' })).Parameter.Value).toBe('other')
    expect((await h.call('DescribeParameters', {}, { region: 'eu-west-1' })).Parameters).toEqual([])
  })

  it('survives a restart', async () => {
    await h.call('PutParameter', { Name: '/keep', Value: 'one', Type: 'SecureString', KeyId: 'alias/k', Tags: [{ Key: 'a', Value: 'b' }] })
    await h.call('PutParameter', { Name: '/keep', Value: 'two', Overwrite: true })
    await h.call('LabelParameterVersion', { Name: '/keep', ParameterVersion: 1, Labels: ['first'] })
    await h.restart()
    expect((await h.call('GetParameter', { Name: '/keep:first', WithDecryption: true })).Parameter).toMatchObject({ Value: 'one', Version: 1 })
    expect((await h.call('GetParameter', { Name: '/keep', WithDecryption: true })).Parameter).toMatchObject({ Value: 'two', Version: 2 })
    expect((await h.call('ListTagsForResource', { ResourceType: 'Parameter', ResourceId: '/keep' })).TagList).toEqual([{ Key: 'a', Value: 'b' }])
    expect((await h.call('DescribeParameters', {})).Parameters[0].KeyId).toBe('alias/k')
  })
})
