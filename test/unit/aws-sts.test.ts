import { describe, expect, it } from 'vitest'
import { sts } from '../../src/aws/sts/index.js'
import { dummyCredentials } from '../../src/ecs/metadata/credentials.js'
import { formCall, routerApp, scope } from '../helpers/aws-router.js'

/** STS over the query codec: who the caller is, for root, task-role and assumed-role credentials. */
const { app } = routerApp([sts])
const call = async (params: Record<string, string>, token?: string) => {
  const headers: Record<string, string> = { Authorization: scope('sts', 'us-east-1') }
  if (token) headers['X-Amz-Security-Token'] = token
  const res = await app.request('/', formCall({ Version: '2011-06-15', ...params }, headers))
  return { status: res.status, body: await res.text() }
}
const tag = (xml: string, name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1]

describe('STS', () => {
  it('names the account root for plain credentials', async () => {
    const r = await call({ Action: 'GetCallerIdentity' })
    expect(r.status).toBe(200)
    expect(tag(r.body, 'Arn')).toBe('arn:aws:iam::123456789012:root')
    expect(tag(r.body, 'UserId')).toBe('123456789012')
    expect(tag(r.body, 'Account')).toBe('123456789012')
  })

  it("names the task's role for the credentials KECS hands a task, the task id as its session", async () => {
    const creds = dummyCredentials('arn:aws:ecs:us-east-1:123456789012:task/c/0123456789abcdef0123456789abcdef', 'arn:aws:iam::123456789012:role/app/TaskRole', 0)
    const a = await call({ Action: 'GetCallerIdentity' }, creds.Token)
    const b = await call({ Action: 'GetCallerIdentity' }, creds.Token)
    expect(tag(a.body, 'Arn')).toBe('arn:aws:sts::123456789012:assumed-role/TaskRole/0123456789abcdef0123456789abcdef')
    expect(tag(a.body, 'Arn')).toBe(tag(b.body, 'Arn'))
    expect(tag(a.body, 'UserId')).toMatch(/^AROA[A-Z2-7]{17}:0123456789abcdef0123456789abcdef$/)
  })

  it('still names a stable session for a task-role token without a task id', async () => {
    const old = Buffer.concat([Buffer.from('kecs-task-role:arn:aws:iam::123456789012:role/R:'), Buffer.alloc(64, 7)]).toString('base64')
    const a = await call({ Action: 'GetCallerIdentity' }, old)
    expect(tag(a.body, 'Arn')).toMatch(/^arn:aws:sts::123456789012:assumed-role\/R\/[0-9a-f]{32}$/)
    expect(tag((await call({ Action: 'GetCallerIdentity' }, old)).body, 'Arn')).toBe(tag(a.body, 'Arn'))
  })

  it('assumes a role: credentials whose token makes GetCallerIdentity name it', async () => {
    const r = await call({ Action: 'AssumeRole', RoleArn: 'arn:aws:iam::210987654321:role/deploy', RoleSessionName: 'ci-run', DurationSeconds: '900' })
    expect(r.status).toBe(200)
    expect(r.body).toContain('<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>')
    expect(tag(r.body, 'AccessKeyId')).toMatch(/^ASIA[A-Z2-7]{16}$/)
    expect(tag(r.body, 'Expiration')).toBe('2026-01-02T03:19:05Z')
    expect(tag(r.body, 'Arn')).toBe('arn:aws:sts::210987654321:assumed-role/deploy/ci-run')
    expect(tag(r.body, 'AssumedRoleId')).toMatch(/^AROA[A-Z2-7]{17}:ci-run$/)
    const who = await call({ Action: 'GetCallerIdentity' }, tag(r.body, 'SessionToken'))
    expect(tag(who.body, 'Arn')).toBe('arn:aws:sts::210987654321:assumed-role/deploy/ci-run')
    expect(tag(who.body, 'Account')).toBe('210987654321')
    expect(tag(who.body, 'UserId')).toBe(tag(r.body, 'AssumedRoleId'))
  })

  it('rejects a RoleArn that is not a role and a bad session name as ValidationError', async () => {
    const arn = await call({ Action: 'AssumeRole', RoleArn: 'arn:aws:s3:::bucket/not-a-role', RoleSessionName: 's1' })
    expect(arn.status).toBe(400)
    expect(arn.body).toContain('<Type>Sender</Type><Code>ValidationError</Code><Message>arn:aws:s3:::bucket/not-a-role is invalid</Message>')
    const name = await call({ Action: 'AssumeRole', RoleArn: 'arn:aws:iam::123456789012:role/r', RoleSessionName: 'Session1:2' })
    expect(tag(name.body, 'Message')).toBe(
      "1 validation error detected: Value 'Session1:2' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*",
    )
  })

  it("tells a key's account", async () => {
    const r = await call({ Action: 'GetAccessKeyInfo', AccessKeyId: 'AKIAIOSFODNN7EXAMPLE' })
    expect(r.body).toContain('<GetAccessKeyInfoResult><Account>123456789012</Account></GetAccessKeyInfoResult>')
  })

  it('gives session tokens to long-term credentials only', async () => {
    const r = await call({ Action: 'GetSessionToken' })
    expect(r.status).toBe(200)
    expect(tag(r.body, 'Expiration')).toBe('2026-01-02T15:04:05Z')
    const who = await call({ Action: 'GetCallerIdentity' }, tag(r.body, 'SessionToken'))
    expect(tag(who.body, 'Arn')).toBe('arn:aws:iam::123456789012:root')
    const assumed = await call({ Action: 'AssumeRole', RoleArn: 'arn:aws:iam::123456789012:role/r', RoleSessionName: 's1' })
    const denied = await call({ Action: 'GetSessionToken' }, tag(assumed.body, 'SessionToken'))
    expect(denied.status).toBe(403)
    expect(denied.body).toContain('<Code>AccessDenied</Code>')
  })
})
