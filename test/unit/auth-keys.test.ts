import { describe, expect, it } from 'vitest'
import { sessionToken } from '../../src/aws/sts/tokens.js'
import { dummyCredentials } from '../../src/ecs/metadata/credentials.js'
import { isKecsSessionToken } from '../../src/lib/session-token.js'
import { authKeys, isExempt, refusalResponse } from '../../src/server/auth.js'

/** The keys behind `--auth sigv4` (src/server/auth.ts, src/lib/session-token.ts): pure parts. */
const A = { accessKeyId: 'AKIAA', secretAccessKey: 'secret-a' }
const B = { accessKeyId: 'AKIAB', secretAccessKey: 'secret-b', sessionToken: 'tok-b' }

describe('credential lookup', () => {
  const keys = authKeys([A, B])

  it('a configured key gives its secret; its session token, when it has one, must match', () => {
    expect(keys.lookup('AKIAA', undefined)).toBe('secret-a')
    expect(keys.lookup('AKIAA', 'some-token')).toBeUndefined()
    expect(keys.lookup('AKIAB', 'tok-b')).toBe('secret-b')
    expect(keys.lookup('AKIAB', undefined)).toBeUndefined()
    expect(keys.lookup('AKIAC', undefined)).toBeUndefined()
  })

  it('a KECS session token (task role, STS) gives the derived secret the minting gave', () => {
    const task = dummyCredentials('arn:aws:ecs:us-east-1:000000000000:task/default/abc', 'arn:aws:iam::000000000000:role/app', 0, keys.sessionSecret)
    expect(keys.lookup(task.AccessKeyId, task.Token)).toBe(task.SecretAccessKey)
    expect(task.SecretAccessKey).toHaveLength(40)
    const sts = sessionToken('arn:aws:sts::000000000000:assumed-role/app/ci')
    expect(isKecsSessionToken(sts)).toBe(true)
    expect(keys.lookup('ASIAANY', sts)).toBe(keys.sessionSecret('ASIAANY', sts))
    // Another token is not KECS's: no secret.
    expect(isKecsSessionToken('FwoGZXIvYXdzEXAMPLE')).toBe(false)
    expect(keys.lookup('ASIAANY', 'FwoGZXIvYXdzEXAMPLE')).toBeUndefined()
  })

  it('the keys are stable for the same credentials, in any order, and change with them', () => {
    const again = authKeys([B, A])
    expect(again.clientKey).toBe(keys.clientKey)
    expect(again.sessionSecret('ASIA1', 'tok')).toBe(keys.sessionSecret('ASIA1', 'tok'))
    const other = authKeys([{ ...A, secretAccessKey: 'rotated' }, B])
    expect(other.clientKey).not.toBe(keys.clientKey)
    expect(other.sessionSecret('ASIA1', 'tok')).not.toBe(keys.sessionSecret('ASIA1', 'tok'))
  })

  it('without a session key, task credentials stay what they were', () => {
    const c = dummyCredentials('arn:aws:ecs:us-east-1:000000000000:task/default/abc', 'arn:aws:iam::000000000000:role/app', 0)
    expect(c.SecretAccessKey).toMatch(/^[A-Za-z0-9]{40}$/)
    expect(c.SecretAccessKey).not.toBe(dummyCredentials('arn:aws:ecs:us-east-1:000000000000:task/default/abc', 'arn:aws:iam::000000000000:role/app', 0, keys.sessionSecret).SecretAccessKey)
  })
})

describe('what is exempt', () => {
  it('the UI, /status, /ws, the task metadata endpoint and a browser GET / are; AWS calls and the logs endpoint are not', () => {
    for (const p of ['/ui', '/ui/', '/ui/assets/app.js', '/ui/clusters/x', '/status', '/ws', '/metadata/v4/x', '/v2/credentials/abc', '/v2/credentials', '/v1/credentials']) {
      expect(isExempt('GET', p, '', undefined), p).toBe(true)
    }
    expect(isExempt('GET', '/', '', 'text/html,application/xhtml+xml')).toBe(true)
    expect(isExempt('GET', '/', '?Action=GetCallerIdentity', 'text/html')).toBe(false)
    expect(isExempt('POST', '/', '', 'text/html')).toBe(false)
    for (const p of ['/', '/kecs/v1/logs', '/2015-03-31/functions', '/uix', '/metadatax', '/v2/credentialsx']) expect(isExempt('POST', p, '', undefined), p).toBe(false)
  })
})

describe('refusals in each protocol', () => {
  it('JSON: __type, message and X-Amzn-ErrorType; query: the XML error with its own code and words', () => {
    const j = refusalResponse('missing', 'Missing Authentication Token', { protocol: 'json' }, 'rid')
    expect(j).toMatchObject({ status: 403, error: 'MissingAuthenticationTokenException', headers: { 'X-Amzn-ErrorType': 'MissingAuthenticationTokenException' } })
    expect(JSON.parse(j.body)).toEqual({ __type: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' })
    const q = refusalResponse('missing', 'Missing Authentication Token', { protocol: 'query', xmlns: 'https://iam.amazonaws.com/doc/2010-05-08/' }, 'rid')
    expect(q.status).toBe(403)
    expect(q.body).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type>' +
        '<Code>MissingAuthenticationToken</Code><Message>Request is missing Authentication Token</Message></Error><RequestId>rid</RequestId></ErrorResponse>',
    )
    expect(refusalResponse('unknown-key', 'm', { protocol: 'query' })).toMatchObject({ status: 403, error: 'InvalidClientTokenId' })
    expect(refusalResponse('unknown-key', 'm', { protocol: 'json' })).toMatchObject({ status: 403, error: 'UnrecognizedClientException' })
    expect(refusalResponse('mismatch', 'm', { protocol: 'query' })).toMatchObject({ status: 403, error: 'SignatureDoesNotMatch' })
    expect(refusalResponse('expired', 'm', { protocol: 'json' })).toMatchObject({ status: 403, error: 'InvalidSignatureException' })
    expect(refusalResponse('incomplete', 'm', { protocol: 'json' })).toMatchObject({ status: 400, error: 'IncompleteSignatureException' })
    expect(refusalResponse('incomplete', 'm', { protocol: 'query' })).toMatchObject({ status: 400, error: 'IncompleteSignature' })
  })
})
