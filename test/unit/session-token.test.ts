import { describe, expect, it } from 'vitest'
import { dummyCredentials } from '../../src/ecs/metadata/credentials.js'
import { encodeTaskRoleToken, roleArnOfSessionToken } from '../../src/lib/session-token.js'

describe('task role session tokens', () => {
  it('the credentials endpoint hands out a token that names the role', () => {
    const role = 'arn:aws:iam::123456789012:role/path/to/app-role'
    const c = dummyCredentials('arn:aws:ecs:us-east-1:123456789012:task/default/abc', role, 0)
    expect(roleArnOfSessionToken(c.Token)).toBe(role)
  })

  it('decodes whatever the opaque bytes hold (a ":" among them included)', () => {
    const role = 'arn:aws:iam::000000000000:role/r'
    expect(roleArnOfSessionToken(encodeTaskRoleToken(role, Buffer.alloc(64, 0x3a)))).toBe(role)
  })

  it('another token names no role', () => {
    expect(roleArnOfSessionToken('test')).toBeUndefined()
    expect(roleArnOfSessionToken(Buffer.from('kecs-task-role:arn:aws:iam::0:role/r:short').toString('base64'))).toBeUndefined()
    expect(roleArnOfSessionToken('not base64 !')).toBeUndefined()
  })
})
