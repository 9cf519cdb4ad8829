import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { logsService, type LogsState } from '../../src/aws/logs/index.js'
import { AWS_SERVICES } from '../../src/aws/registry.js'
import { AwsError, type AwsContext } from '../../src/aws/service.js'
import { Store } from '../../src/store/store.js'

/** CloudWatch Logs handlers on an in-memory store, with model-shaped input as the codec passes it. */
const NOW = Date.UTC(2026, 0, 10, 12)
const ACCOUNT = '123456789012'
const REGION = 'eu-west-1'
let store: Store
let state: LogsState
let now = NOW

const ctx = (operation: string, over: Partial<AwsContext> = {}): AwsContext => ({
  region: REGION,
  account: ACCOUNT,
  requestId: 'req',
  operation,
  principalArn: `arn:aws:iam::${ACCOUNT}:root`,
  now: () => now,
  ...over,
})

async function call(op: string, input: Record<string, unknown> = {}, over: Partial<AwsContext> = {}): Promise<any> {
  const h = logsService.handlers[op]
  if (!h) throw new Error(`no handler ${op}`)
  return (await h(input, ctx(op, over), state)) ?? {}
}

async function fails(op: string, input: Record<string, unknown>, code: string, message?: string | RegExp) {
  let err: unknown
  try {
    await call(op, input)
  } catch (e) {
    err = e
  }
  expect(err).toBeInstanceOf(AwsError)
  expect((err as AwsError).code).toBe(code)
  if (message !== undefined) expect((err as AwsError).message).toMatch(typeof message === 'string' ? new RegExp(`^${escape(message)}$`) : message)
}
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

beforeEach(async () => {
  now = NOW
  store = await Store.open(':memory:')
  state = await logsService.open(store)
})
afterEach(async () => {
  await store.close()
})

describe('the service', () => {
  it('is registered as `logs` on the JSON protocol with its model', () => {
    expect(AWS_SERVICES).toContain(logsService)
    expect(logsService).toMatchObject({ name: 'logs', protocol: 'json', modelFile: 'logs-2014-03-28.service.json' })
  })
})

describe('log groups', () => {
  it('creates a group and describes it as AWS does (arn with :*, logGroupArn without)', async () => {
    await call('CreateLogGroup', { logGroupName: '/ecs/web', tags: { team: 'a' }, kmsKeyId: 'arn:aws:kms:eu-west-1:123456789012:key/k', logGroupClass: 'INFREQUENT_ACCESS' })
    const out = await call('DescribeLogGroups', { logGroupNamePrefix: '/ecs/web' })
    expect(out).toEqual({
      logGroups: [
        {
          arn: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/ecs/web:*`,
          creationTime: NOW,
          deletionProtectionEnabled: false,
          kmsKeyId: 'arn:aws:kms:eu-west-1:123456789012:key/k',
          logGroupArn: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/ecs/web`,
          logGroupClass: 'INFREQUENT_ACCESS',
          logGroupName: '/ecs/web',
          metricFilterCount: 0,
          storedBytes: 0,
        },
      ],
    })
    await fails('CreateLogGroup', { logGroupName: '/ecs/web' }, 'ResourceAlreadyExistsException', 'The specified log group already exists')
    await fails('CreateLogGroup', { logGroupName: 'aws/mine' }, 'InvalidParameterException')
  })

  it('sets and removes retention (allowed values only)', async () => {
    await call('CreateLogGroup', { logGroupName: 'g' })
    await call('PutRetentionPolicy', { logGroupName: 'g', retentionInDays: 14 })
    expect((await call('DescribeLogGroups', {})).logGroups[0].retentionInDays).toBe(14)
    await fails('PutRetentionPolicy', { logGroupName: 'g', retentionInDays: 2 }, 'InvalidParameterException', /retentionInDays/)
    await fails('PutRetentionPolicy', { logGroupName: 'nope', retentionInDays: 7 }, 'ResourceNotFoundException', 'The specified log group does not exist.')
    await call('DeleteRetentionPolicy', { logGroupName: 'g' })
    expect((await call('DescribeLogGroups', {})).logGroups[0]).not.toHaveProperty('retentionInDays')
  })

  it('filters by prefix or pattern (not both) and pages with limit/nextToken', async () => {
    for (const n of ['/app/a', '/app/b', '/app/c', '/other/API', 'zeta']) await call('CreateLogGroup', { logGroupName: n })
    const names = (o: any) => o.logGroups.map((g: any) => g.logGroupName)
    expect(names(await call('DescribeLogGroups', { logGroupNamePrefix: '/app/' }))).toEqual(['/app/a', '/app/b', '/app/c'])
    expect(names(await call('DescribeLogGroups', { logGroupNamePattern: 'api' }))).toEqual(['/other/API'])
    await fails('DescribeLogGroups', { logGroupNamePrefix: '/a', logGroupNamePattern: 'b' }, 'InvalidParameterException', 'LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.')
    const seen: string[] = []
    let token: string | undefined
    do {
      const page = await call('DescribeLogGroups', { limit: 2, ...(token ? { nextToken: token } : {}) })
      expect(page.logGroups.length).toBeLessThanOrEqual(2)
      seen.push(...names(page))
      token = page.nextToken
    } while (token)
    expect(seen).toEqual(['/app/a', '/app/b', '/app/c', '/other/API', 'zeta'])
    await fails('DescribeLogGroups', { nextToken: 'garbage!' }, 'InvalidParameterException', 'The specified nextToken is invalid.')
  })

  it('is scoped by account and region', async () => {
    await call('CreateLogGroup', { logGroupName: 'g' })
    expect((await call('DescribeLogGroups', {}, { region: 'us-east-1' })).logGroups).toEqual([])
    expect((await call('DescribeLogGroups', {}, { account: '000000000000' })).logGroups).toEqual([])
    await call('CreateLogGroup', { logGroupName: 'g' }, { region: 'us-east-1' })
  })

  it('deletes a group with its streams and events', async () => {
    await call('CreateLogGroup', { logGroupName: 'g' })
    await call('CreateLogStream', { logGroupName: 'g', logStreamName: 's' })
    await call('PutLogEvents', { logGroupName: 'g', logStreamName: 's', logEvents: [{ timestamp: NOW, message: 'x' }] })
    await call('DeleteLogGroup', { logGroupName: 'g' })
    await fails('DeleteLogGroup', { logGroupName: 'g' }, 'ResourceNotFoundException', 'The specified log group does not exist.')
    await call('CreateLogGroup', { logGroupName: 'g' })
    await fails('GetLogEvents', { logGroupName: 'g', logStreamName: 's' }, 'ResourceNotFoundException', 'The specified log stream does not exist.')
    await call('CreateLogStream', { logGroupName: 'g', logStreamName: 's' })
    expect((await call('GetLogEvents', { logGroupName: 'g', logStreamName: 's' })).events).toEqual([])
  })
})

describe('tags', () => {
  const arn = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/ecs/web`
  it('tags by ARN with or without :* (as Terraform does), and by name (legacy)', async () => {
    await call('CreateLogGroup', { logGroupName: '/ecs/web', tags: { a: '1' } })
    expect(await call('ListTagsForResource', { resourceArn: arn })).toEqual({ tags: { a: '1' } })
    await call('TagResource', { resourceArn: `${arn}:*`, tags: { b: '2' } })
    expect(await call('ListTagsForResource', { resourceArn: `${arn}:*` })).toEqual({ tags: { a: '1', b: '2' } })
    await call('UntagResource', { resourceArn: arn, tagKeys: ['a'] })
    expect(await call('ListTagsLogGroup', { logGroupName: '/ecs/web' })).toEqual({ tags: { b: '2' } })
    await call('TagLogGroup', { logGroupName: '/ecs/web', tags: { c: '3' } })
    await call('UntagLogGroup', { logGroupName: '/ecs/web', tags: ['b'] })
    expect(await call('ListTagsForResource', { resourceArn: arn })).toEqual({ tags: { c: '3' } })
  })

  it('answers unknown groups, other regions and bad ARNs cleanly', async () => {
    await fails('ListTagsForResource', { resourceArn: arn }, 'ResourceNotFoundException')
    await call('CreateLogGroup', { logGroupName: '/ecs/web' })
    await fails('ListTagsForResource', { resourceArn: arn.replace(REGION, 'us-east-1') }, 'ResourceNotFoundException')
    await fails('TagResource', { resourceArn: 'arn:aws:ecs:eu-west-1:123456789012:cluster/x', tags: { a: 'b' } }, 'InvalidParameterException')
    const many = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v']))
    await fails('TagResource', { resourceArn: arn, tags: many }, 'TooManyTagsException')
  })
})

describe('log streams', () => {
  beforeEach(async () => {
    await call('CreateLogGroup', { logGroupName: 'g' })
  })

  it('creates, describes (shape, prefix, order, paging) and deletes streams', async () => {
    for (const n of ['b', 'a', 'c/1', 'c/2']) await call('CreateLogStream', { logGroupName: 'g', logStreamName: n })
    await fails('CreateLogStream', { logGroupName: 'g', logStreamName: 'a' }, 'ResourceAlreadyExistsException', 'The specified log stream already exists')
    await fails('CreateLogStream', { logGroupName: 'nope', logStreamName: 'a' }, 'ResourceNotFoundException', 'The specified log group does not exist.')
    now = NOW + 10
    await call('PutLogEvents', { logGroupName: 'g', logStreamName: 'b', logEvents: [{ timestamp: NOW + 5, message: 'x' }] })
    now = NOW + 20
    await call('PutLogEvents', { logGroupName: 'g', logStreamName: 'a', logEvents: [{ timestamp: NOW + 1, message: 'y' }, { timestamp: NOW + 2, message: 'z' }] })
    const out = await call('DescribeLogStreams', { logGroupName: 'g' })
    const names = (o: any) => o.logStreams.map((s: any) => s.logStreamName)
    expect(names(out)).toEqual(['a', 'b', 'c/1', 'c/2'])
    expect(out.logStreams[0]).toEqual({
      arn: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:g:log-stream:a`,
      creationTime: NOW,
      firstEventTimestamp: NOW + 1,
      lastEventTimestamp: NOW + 2,
      lastIngestionTime: NOW + 20,
      logStreamName: 'a',
      storedBytes: 0,
      uploadSequenceToken: expect.stringMatching(/^\d{56}$/),
    })
    expect(out.logStreams[2]).not.toHaveProperty('firstEventTimestamp')
    expect(names(await call('DescribeLogStreams', { logGroupName: 'g', logStreamNamePrefix: 'c/' }))).toEqual(['c/1', 'c/2'])
    expect(names(await call('DescribeLogStreams', { logGroupName: 'g', descending: true }))).toEqual(['c/2', 'c/1', 'b', 'a'])
    expect(names(await call('DescribeLogStreams', { logGroupName: 'g', orderBy: 'LastEventTime', descending: true }))).toEqual(['b', 'a', 'c/2', 'c/1'])
    await fails('DescribeLogStreams', { logGroupName: 'g', orderBy: 'LastEventTime', logStreamNamePrefix: 'c' }, 'InvalidParameterException')
    // by ARN identifier too
    expect(names(await call('DescribeLogStreams', { logGroupIdentifier: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:g`, limit: 1 }))).toEqual(['a'])
    await fails('DescribeLogStreams', { logGroupName: 'g', logGroupIdentifier: 'g' }, 'ValidationException', 'LogGroup name and LogGroup ARN are mutually exclusive parameters.')
    const seen: string[] = []
    let token: string | undefined
    do {
      const page = await call('DescribeLogStreams', { logGroupName: 'g', orderBy: 'LastEventTime', limit: 3, ...(token ? { nextToken: token } : {}) })
      seen.push(...names(page))
      token = page.nextToken
    } while (token)
    expect(seen).toEqual(['c/1', 'c/2', 'a', 'b'])
    expect((await call('DescribeLogGroups', {})).logGroups[0].storedBytes).toBe(3)
    await call('DeleteLogStream', { logGroupName: 'g', logStreamName: 'a' })
    expect((await call('DescribeLogGroups', {})).logGroups[0].storedBytes).toBe(1)
    await fails('DeleteLogStream', { logGroupName: 'g', logStreamName: 'a' }, 'ResourceNotFoundException', 'The specified log stream does not exist.')
    expect(names(await call('DescribeLogStreams', { logGroupName: 'g' }))).toEqual(['b', 'c/1', 'c/2'])
  })
})

describe('PutLogEvents', () => {
  beforeEach(async () => {
    await call('CreateLogGroup', { logGroupName: 'g' })
    await call('CreateLogStream', { logGroupName: 'g', logStreamName: 's' })
  })
  const put = (logEvents: { timestamp: number; message: string }[], extra: Record<string, unknown> = {}) =>
    call('PutLogEvents', { logGroupName: 'g', logStreamName: 's', logEvents, ...extra })
  const all = async () => (await call('GetLogEvents', { logGroupName: 'g', logStreamName: 's', startFromHead: true })).events.map((e: any) => e.message)

  it('requires chronological order within a batch, and takes none of a refused batch', async () => {
    await fails(
      'PutLogEvents',
      { logGroupName: 'g', logStreamName: 's', logEvents: [{ timestamp: NOW, message: 'b' }, { timestamp: NOW - 1, message: 'a' }] },
      'InvalidParameterException',
      'Log events in a single PutLogEvents request must be in chronological order.',
    )
    expect(await all()).toEqual([])
    // equal timestamps are in order; a later batch may be older than an earlier one
    await put([{ timestamp: NOW, message: 'one' }, { timestamp: NOW, message: 'two' }])
    await put([{ timestamp: NOW - 1000, message: 'older' }])
    expect(await all()).toEqual(['older', 'one', 'two'])
  })

  it('ignores the sequence token and still returns nextSequenceToken', async () => {
    const a = await put([{ timestamp: NOW, message: 'a' }], { sequenceToken: 'whatever' })
    expect(a.nextSequenceToken).toMatch(/^\d{56}$/)
    const b = await put([{ timestamp: NOW, message: 'b' }], { sequenceToken: 'stale' })
    expect(b.nextSequenceToken).not.toBe(a.nextSequenceToken)
    expect(a).not.toHaveProperty('rejectedLogEventsInfo')
  })

  it('reports rejectedLogEventsInfo by index', async () => {
    const DAY = 86_400_000
    await call('PutRetentionPolicy', { logGroupName: 'g', retentionInDays: 1 })
    now = NOW
    const old = await put([{ timestamp: NOW - 15 * DAY, message: 'old' }])
    expect(old.rejectedLogEventsInfo).toEqual({ tooOldLogEventEndIndex: 0 })
    const expired = await put([
      { timestamp: NOW - DAY - 60_000, message: 'expired1' },
      { timestamp: NOW - DAY - 30_000, message: 'expired2' },
      { timestamp: NOW - 120_000, message: 'ok1' },
    ])
    expect(expired.rejectedLogEventsInfo).toEqual({ expiredLogEventEndIndex: 1 })
    const future = await put([
      { timestamp: NOW + 1000, message: 'ok2' },
      { timestamp: NOW + 3 * 3_600_000, message: 'future1' },
      { timestamp: NOW + 4 * 3_600_000, message: 'future2' },
    ])
    expect(future.rejectedLogEventsInfo).toEqual({ tooNewLogEventStartIndex: 1 })
    expect(future.nextSequenceToken).toMatch(/^\d{56}$/)
    expect(await all()).toEqual(['ok1', 'ok2'])
  })

  it('checks the batch limits and the group and stream', async () => {
    await fails('PutLogEvents', { logGroupName: 'g', logStreamName: 's', logEvents: [{ timestamp: NOW - 2 * 86_400_000, message: 'a' }, { timestamp: NOW, message: 'b' }] }, 'InvalidParameterException', /24 hours/)
    const big = 'x'.repeat(600_000)
    await fails('PutLogEvents', { logGroupName: 'g', logStreamName: 's', logEvents: [{ timestamp: NOW, message: big }, { timestamp: NOW, message: big }] }, 'InvalidParameterException', /too large/)
    await fails('PutLogEvents', { logGroupName: 'x', logStreamName: 's', logEvents: [{ timestamp: NOW, message: 'a' }] }, 'ResourceNotFoundException', 'The specified log group does not exist.')
    await fails('PutLogEvents', { logGroupName: 'g', logStreamName: 'x', logEvents: [{ timestamp: NOW, message: 'a' }] }, 'ResourceNotFoundException', 'The specified log stream does not exist.')
  })
})

describe('GetLogEvents', () => {
  beforeEach(async () => {
    await call('CreateLogGroup', { logGroupName: 'g' })
    await call('CreateLogStream', { logGroupName: 'g', logStreamName: 's' })
    // 7 events, two sharing a timestamp
    const ts = [1, 2, 3, 3, 4, 5, 6]
    await call('PutLogEvents', { logGroupName: 'g', logStreamName: 's', logEvents: ts.map((t, i) => ({ timestamp: NOW - 100 + t, message: `m${i}` })) })
  })
  const get = (extra: Record<string, unknown>) => call('GetLogEvents', { logGroupName: 'g', logStreamName: 's', ...extra })
  const msgs = (o: any) => o.events.map((e: any) => e.message)

  it('returns the newest events by default and the oldest from the head, with ingestionTime', async () => {
    const tail = await get({ limit: 3 })
    expect(msgs(tail)).toEqual(['m4', 'm5', 'm6'])
    expect(tail.events[0]).toEqual({ timestamp: NOW - 96, message: 'm4', ingestionTime: NOW })
    expect(tail.nextForwardToken).toMatch(/^f\/\d{56}$/)
    expect(tail.nextBackwardToken).toMatch(/^b\/\d{56}$/)
    expect(msgs(await get({ limit: 3, startFromHead: true }))).toEqual(['m0', 'm1', 'm2'])
  })

  it('pages forward until the same token comes back', async () => {
    let page = await get({ limit: 2, startFromHead: true })
    const seen = msgs(page)
    for (let i = 0; i < 10; i++) {
      const next = await get({ limit: 2, nextToken: page.nextForwardToken })
      if (next.nextForwardToken === page.nextForwardToken) {
        expect(next.events).toEqual([])
        break
      }
      seen.push(...msgs(next))
      page = next
    }
    expect(seen).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6'])
    // new events show up behind the final forward token
    await call('PutLogEvents', { logGroupName: 'g', logStreamName: 's', logEvents: [{ timestamp: NOW, message: 'late' }] })
    expect(msgs(await get({ nextToken: page.nextForwardToken }))).toEqual(['late'])
  })

  it('pages backward (across equal timestamps) until the same token comes back', async () => {
    let page = await get({ limit: 2 })
    const seen = [msgs(page)]
    for (let i = 0; i < 10; i++) {
      const prev = await get({ limit: 2, nextToken: page.nextBackwardToken })
      if (prev.nextBackwardToken === page.nextBackwardToken) {
        expect(prev.events).toEqual([])
        break
      }
      seen.unshift(msgs(prev))
      page = prev
    }
    expect(seen.flat()).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6'])
  })

  it('honours startTime (inclusive) and endTime (exclusive)', async () => {
    expect(msgs(await get({ startTime: NOW - 97, endTime: NOW - 95, startFromHead: true }))).toEqual(['m2', 'm3', 'm4'])
  })

  it('returns at most 1 MB of messages per call, continuing with the token', async () => {
    await call('CreateLogStream', { logGroupName: 'g', logStreamName: 'big' })
    const big = (c: string) => c.repeat(400_000)
    await call('PutLogEvents', { logGroupName: 'g', logStreamName: 'big', logEvents: [{ timestamp: NOW, message: big('a') }, { timestamp: NOW, message: big('b') }] })
    await call('PutLogEvents', { logGroupName: 'g', logStreamName: 'big', logEvents: [{ timestamp: NOW, message: big('c') }] })
    const first = (o: any) => o.events.map((e: any) => e.message[0])
    const head = await call('GetLogEvents', { logGroupName: 'g', logStreamName: 'big', startFromHead: true })
    expect(first(head)).toEqual(['a', 'b'])
    expect(first(await call('GetLogEvents', { logGroupName: 'g', logStreamName: 'big', nextToken: head.nextForwardToken }))).toEqual(['c'])
    expect(first(await call('GetLogEvents', { logGroupName: 'g', logStreamName: 'big' }))).toEqual(['b', 'c'])
    const f1 = await call('FilterLogEvents', { logGroupName: 'g', logStreamNames: ['big'] })
    expect(first(f1)).toEqual(['a', 'b'])
    expect(first(await call('FilterLogEvents', { logGroupName: 'g', logStreamNames: ['big'], nextToken: f1.nextToken }))).toEqual(['c'])
  })

  it('answers empty streams with tokens and refuses bad tokens', async () => {
    await call('CreateLogStream', { logGroupName: 'g', logStreamName: 'empty' })
    const out = await call('GetLogEvents', { logGroupName: 'g', logStreamName: 'empty' })
    expect(out.events).toEqual([])
    const again = await call('GetLogEvents', { logGroupName: 'g', logStreamName: 'empty', nextToken: out.nextForwardToken })
    expect(again.nextForwardToken).toBe(out.nextForwardToken)
    await fails('GetLogEvents', { logGroupName: 'g', logStreamName: 's', nextToken: 'f/123' }, 'InvalidParameterException', 'The specified nextToken is invalid.')
  })
})

describe('FilterLogEvents', () => {
  beforeEach(async () => {
    await call('CreateLogGroup', { logGroupName: 'g' })
    for (const s of ['web/1', 'web/2', 'db']) await call('CreateLogStream', { logGroupName: 'g', logStreamName: s })
    const put = (s: string, evs: [number, string][]) =>
      call('PutLogEvents', { logGroupName: 'g', logStreamName: s, logEvents: evs.map(([t, message]) => ({ timestamp: NOW - 1000 + t, message })) })
    await put('web/1', [[1, 'GET / 200'], [4, 'GET /x 500 ERROR'], [6, '{"level":"error","code":503}']])
    await put('web/2', [[2, 'GET / 200'], [4, 'POST / 201']])
    await put('db', [[3, 'ERROR deadlock'], [5, '{"level":"info","code":200}']])
  })
  const filter = (extra: Record<string, unknown>) => call('FilterLogEvents', { logGroupName: 'g', ...extra })
  const msgs = (o: any) => o.events.map((e: any) => e.message)

  it('interleaves streams in time order with logStreamName, eventId and ingestionTime', async () => {
    const out = await filter({})
    expect(msgs(out)).toEqual(['GET / 200', 'GET / 200', 'ERROR deadlock', 'GET /x 500 ERROR', 'POST / 201', '{"level":"info","code":200}', '{"level":"error","code":503}'])
    expect(out.events[0]).toEqual({ logStreamName: 'web/1', timestamp: NOW - 999, message: 'GET / 200', ingestionTime: NOW, eventId: expect.stringMatching(/^\d{56}$/) })
    expect(new Set(out.events.map((e: any) => e.eventId)).size).toBe(7)
    expect(out.searchedLogStreams).toEqual([])
    expect(out).not.toHaveProperty('nextToken')
  })

  it('filters by pattern, streams, prefix and time', async () => {
    expect(msgs(await filter({ filterPattern: 'ERROR' }))).toEqual(['ERROR deadlock', 'GET /x 500 ERROR'])
    expect(msgs(await filter({ filterPattern: '{ $.code >= 500 }' }))).toEqual(['{"level":"error","code":503}'])
    expect(msgs(await filter({ filterPattern: '?POST ?deadlock' }))).toEqual(['ERROR deadlock', 'POST / 201'])
    expect(msgs(await filter({ logStreamNames: ['db'] }))).toEqual(['ERROR deadlock', '{"level":"info","code":200}'])
    expect((await filter({ logStreamNamePrefix: 'web/' })).events.map((e: any) => e.logStreamName)).toEqual(['web/1', 'web/2', 'web/1', 'web/2', 'web/1'])
    expect(msgs(await filter({ startTime: NOW - 997, endTime: NOW - 995 }))).toEqual(['ERROR deadlock', 'GET /x 500 ERROR', 'POST / 201'])
    await fails('FilterLogEvents', { logGroupName: 'g', filterPattern: 'Status: x' }, 'InvalidParameterException', "Invalid character(s) in term ':'")
    await fails('FilterLogEvents', { logGroupName: 'g', filterPattern: '{ $.a = ' }, 'InvalidParameterException', "If a filter pattern starts with '{' it must end with '}'")
    await fails('FilterLogEvents', { logGroupName: 'nope' }, 'ResourceNotFoundException', 'The specified log group does not exist.')
  })

  it('pages with limit and nextToken', async () => {
    const seen: string[] = []
    let token: string | undefined
    let pages = 0
    do {
      const page = await filter({ limit: 2, filterPattern: '-deadlock', ...(token ? { nextToken: token } : {}) })
      expect(page.events.length).toBeLessThanOrEqual(2)
      seen.push(...msgs(page))
      token = page.nextToken
      pages++
    } while (token && pages < 10)
    expect(seen).toEqual(['GET / 200', 'GET / 200', 'GET /x 500 ERROR', 'POST / 201', '{"level":"info","code":200}', '{"level":"error","code":503}'])
    await fails('FilterLogEvents', { logGroupName: 'g', nextToken: 'nope' }, 'InvalidParameterException', 'The specified nextToken is invalid.')
  })
})

describe('restart', () => {
  it('keeps groups, streams, tags and events in the store file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kecs-logs-'))
    try {
      await store.close()
      store = await Store.open(join(dir, 'kecs.duckdb'))
      state = await logsService.open(store)
      await call('CreateLogGroup', { logGroupName: 'g', tags: { t: 'v' } })
      await call('PutRetentionPolicy', { logGroupName: 'g', retentionInDays: 30 })
      await call('CreateLogStream', { logGroupName: 'g', logStreamName: 's' })
      await call('PutLogEvents', { logGroupName: 'g', logStreamName: 's', logEvents: [{ timestamp: NOW, message: 'kept' }] })
      await store.close()
      store = await Store.open(join(dir, 'kecs.duckdb'))
      state = await logsService.open(store)
      expect((await call('DescribeLogGroups', {})).logGroups[0]).toMatchObject({ logGroupName: 'g', retentionInDays: 30, storedBytes: 4 })
      expect(await call('ListTagsLogGroup', { logGroupName: 'g' })).toEqual({ tags: { t: 'v' } })
      expect((await call('DescribeLogStreams', { logGroupName: 'g' })).logStreams[0]).toMatchObject({ logStreamName: 's', lastEventTimestamp: NOW })
      expect((await call('GetLogEvents', { logGroupName: 'g', logStreamName: 's' })).events.map((e: any) => e.message)).toEqual(['kept'])
      // seq numbering carries on after the restart
      await call('PutLogEvents', { logGroupName: 'g', logStreamName: 's', logEvents: [{ timestamp: NOW, message: 'after' }] })
      const f = await call('FilterLogEvents', { logGroupName: 'g' })
      expect(f.events.map((e: any) => e.message)).toEqual(['kept', 'after'])
      expect(f.events[0].eventId).not.toBe(f.events[1].eventId)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
