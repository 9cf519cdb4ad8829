import { describe, expect, it } from 'vitest'
import {
  basicToMs,
  canonicalPath,
  canonicalQuery,
  hasSignature,
  MISMATCH_MESSAGE,
  queryPairs,
  sha256Hex,
  uriEncode,
  verifySigV4,
  type SecretLookup,
  type SigV4Request,
} from '../../src/aws/protocol/sigv4.js'
import { asVerifiable, presign, signHeaders } from '../helpers/sigv4.js'

/**
 * The SigV4 verifier (src/aws/protocol/sigv4.ts): AWS's published test vectors (the
 * aws-sig-v4-test-suite cases and the S3 presigned-URL example), then requests signed by the real
 * SDK signer, then every refusal with the words AWS uses.
 */

// The test suite's credentials and clock (aws-sig-v4-test-suite).
const SUITE_KEY = 'AKIDEXAMPLE'
const SUITE_SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY'
const SUITE_NOW = Date.UTC(2015, 7, 30, 12, 36, 0)
const suiteLookup: SecretLookup = (id) => (id === SUITE_KEY ? SUITE_SECRET : undefined)

function raw(method: string, target: string, headers: Record<string, string>, body = ''): SigV4Request {
  const q = target.indexOf('?')
  const lower = new Map(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]))
  return {
    method,
    path: q < 0 ? target : target.slice(0, q),
    query: q < 0 ? '' : target.slice(q + 1),
    header: (n) => lower.get(n),
    body: Buffer.from(body),
  }
}

const suiteAuth = (signed: string, sig: string) =>
  `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=${signed}, Signature=${sig}`
const suiteHeaders = (signed: string, sig: string, extra: Record<string, string> = {}) => ({
  Host: 'example.amazonaws.com',
  'X-Amz-Date': '20150830T123600Z',
  ...extra,
  Authorization: suiteAuth(signed, sig),
})

describe('AWS SigV4 test suite vectors', () => {
  const cases: [string, SigV4Request][] = [
    ['get-vanilla', raw('GET', '/', suiteHeaders('host;x-amz-date', '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31'))],
    [
      'get-vanilla-query-order-key-case',
      raw('GET', '/?Param2=value2&Param1=value1', suiteHeaders('host;x-amz-date', 'b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500')),
    ],
    ['get-utf8', raw('GET', '/ሴ', suiteHeaders('host;x-amz-date', '8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85'))],
    ['post-vanilla', raw('POST', '/', suiteHeaders('host;x-amz-date', '5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b'))],
    [
      'post-x-www-form-urlencoded',
      raw(
        'POST',
        '/',
        suiteHeaders('content-length;content-type;host;x-amz-content-sha256;x-amz-date', 'd3875051da38690788ef43de4db0d8f280229d82040bfac253562e56c3f20e0b', {
          'Content-Type': 'application/x-www-form-urlencoded',
          'Content-Length': '13',
          'X-Amz-Content-Sha256': '9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e',
        }),
        'Param1=value1',
      ),
    ],
  ]
  for (const [name, req] of cases) {
    it(`${name} verifies`, () => {
      expect(verifySigV4(req, suiteLookup, SUITE_NOW)).toEqual({
        ok: true,
        accessKeyId: SUITE_KEY,
        region: 'us-east-1',
        service: 'service',
        presigned: false,
      })
    })
  }

  it('a one-character change to the signed material is a mismatch', () => {
    const r = raw('GET', '/?Param2=value2&Param1=value2', suiteHeaders('host;x-amz-date', 'b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500'))
    expect(verifySigV4(r, suiteLookup, SUITE_NOW)).toEqual({ ok: false, reason: 'mismatch', message: MISMATCH_MESSAGE })
  })

  it("the S3 presigned-URL example from AWS's documentation verifies (UNSIGNED-PAYLOAD)", () => {
    const q =
      'X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request' +
      '&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host' +
      '&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404'
    const req = raw('GET', `/test.txt?${q}`, { Host: 'examplebucket.s3.amazonaws.com' })
    const lookup: SecretLookup = (id) => (id === 'AKIAIOSFODNN7EXAMPLE' ? 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' : undefined)
    const at = Date.UTC(2013, 4, 24, 1, 0, 0)
    expect(verifySigV4(req, lookup, at)).toMatchObject({ ok: true, service: 's3', presigned: true })
    // 86,400 seconds later (and one more) it has expired.
    expect(verifySigV4(req, lookup, Date.UTC(2013, 4, 25, 0, 0, 1))).toEqual({ ok: false, reason: 'expired', message: 'Request has expired' })
  })
})

describe('canonical forms', () => {
  it('encodes as RFC 3986 (unreserved characters only stay)', () => {
    expect(uriEncode("a b+c/~_.-*!'()é")).toBe('a%20b%2Bc%2F~_.-%2A%21%27%28%29%C3%A9')
    expect(uriEncode('/a b/', true)).toBe('/a%20b/')
  })

  it('normalizes and double-encodes paths, except for S3', () => {
    expect(canonicalPath('/a/./b/../c//d/', 'ecs')).toBe('/a/c/d/')
    expect(canonicalPath('/my%20key', 'lambda')).toBe('/my%2520key')
    expect(canonicalPath('/my%20key/../x', 's3')).toBe('/my%20key/../x')
    expect(canonicalPath('', 'ecs')).toBe('/')
  })

  it('sorts the query by encoded name then value, and keeps empty values', () => {
    expect(canonicalQuery(queryPairs('b=2&a=1&A=0&a=0&flag'))).toBe('A=0&a=0&a=1&b=2&flag=')
    expect(canonicalQuery(queryPairs('k=a%20b&k2=%2B'))).toBe('k=a%20b&k2=%2B')
  })
})

// Requests as the SDK signs them: real Authorization headers, real presigned URLs.
const KEYS = { accessKeyId: 'AKIAKECSTEST0000001', secretAccessKey: 'kecs/test+secret0000000000000000000000000' }
const lookup: SecretLookup = (id, token) => (id === KEYS.accessKeyId && token === undefined ? KEYS.secretAccessKey : undefined)
const HOST = '127.0.0.1:8080'
const ECS_BODY = JSON.stringify({ clusterName: 'signed' })
const ecsCall = (date = new Date()) => ({
  host: HOST,
  headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AmazonEC2ContainerServiceV20141113.CreateCluster' },
  body: ECS_BODY,
  service: 'ecs',
  region: 'eu-west-1',
  date,
})

describe('requests signed by the SDK signer', () => {
  it('an ECS JSON call verifies, with the scope it was signed for', async () => {
    const s = await signHeaders(KEYS, ecsCall())
    expect(s.headers['x-amz-content-sha256']).toBe(sha256Hex(ECS_BODY))
    expect(verifySigV4(asVerifiable(s, 'POST', ECS_BODY), lookup, Date.now())).toEqual({
      ok: true,
      accessKeyId: KEYS.accessKeyId,
      region: 'eu-west-1',
      service: 'ecs',
      presigned: false,
    })
  })

  it('a different body is refused: the given x-amz-content-sha256 is not its hash', async () => {
    const s = await signHeaders(KEYS, ecsCall())
    const r = verifySigV4(asVerifiable(s, 'POST', JSON.stringify({ clusterName: 'other' })), lookup, Date.now())
    expect(r).toEqual({ ok: false, reason: 'content-hash', message: "The provided 'x-amz-content-sha256' header does not match what was computed." })
  })

  it('without x-amz-content-sha256 the body is still covered: the right body verifies, another is a mismatch', async () => {
    const s = await signHeaders(KEYS, { ...ecsCall(), noContentHashHeader: true })
    expect(s.headers['x-amz-content-sha256']).toBeUndefined()
    expect(verifySigV4(asVerifiable(s, 'POST', ECS_BODY), lookup, Date.now())).toMatchObject({ ok: true })
    expect(verifySigV4(asVerifiable(s, 'POST', '{"clusterName":"other"}'), lookup, Date.now())).toMatchObject({ ok: false, reason: 'mismatch' })
  })

  it('UNSIGNED-PAYLOAD is accepted as the payload hash', async () => {
    const s = await signHeaders(KEYS, { ...ecsCall(), headers: { ...ecsCall().headers, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } })
    expect(verifySigV4(asVerifiable(s, 'POST', 'anything at all'), lookup, Date.now())).toMatchObject({ ok: true })
  })

  it('a wrong secret is a mismatch, an unknown key is unknown', async () => {
    const wrong = await signHeaders({ ...KEYS, secretAccessKey: 'not-the-secret' }, ecsCall())
    expect(verifySigV4(asVerifiable(wrong, 'POST', ECS_BODY), lookup, Date.now())).toEqual({ ok: false, reason: 'mismatch', message: MISMATCH_MESSAGE })
    const unknown = await signHeaders({ ...KEYS, accessKeyId: 'AKIAUNKNOWN' }, ecsCall())
    expect(verifySigV4(asVerifiable(unknown, 'POST', ECS_BODY), lookup, Date.now())).toEqual({
      ok: false,
      reason: 'unknown-key',
      message: 'The security token included in the request is invalid.',
    })
  })

  it('a changed signed header (the target) is a mismatch', async () => {
    const s = await signHeaders(KEYS, ecsCall())
    s.headers['x-amz-target'] = 'AmazonEC2ContainerServiceV20141113.DeleteCluster'
    expect(verifySigV4(asVerifiable(s, 'POST', ECS_BODY), lookup, Date.now())).toMatchObject({ ok: false, reason: 'mismatch' })
  })

  it('header values are compared trimmed, with runs of spaces collapsed', async () => {
    const s = await signHeaders(KEYS, { ...ecsCall(), headers: { ...ecsCall().headers, 'x-custom': 'a b' } })
    s.headers['x-custom'] = '  a    b '
    expect(verifySigV4(asVerifiable(s, 'POST', ECS_BODY), lookup, Date.now())).toMatchObject({ ok: true })
  })

  it('a query with characters to encode verifies (GET query protocol)', async () => {
    const query = { Action: 'GetRole', Version: '2010-05-08', RoleName: 'a b+c/d=e&f~*' }
    const s = await signHeaders(KEYS, { method: 'GET', host: HOST, query, service: 'iam' })
    expect(verifySigV4(asVerifiable(s, 'GET'), lookup, Date.now())).toMatchObject({ ok: true, service: 'iam' })
  })

  it('session credentials: the token goes to the lookup, signed or presigned', async () => {
    const session = { accessKeyId: 'ASIAKECSSESSION00001', secretAccessKey: 'session-secret', sessionToken: 'the-token' }
    const seen: (string | undefined)[] = []
    const byToken: SecretLookup = (id, token) => {
      seen.push(token)
      return id === session.accessKeyId && token === session.sessionToken ? session.secretAccessKey : undefined
    }
    const s = await signHeaders(session, ecsCall())
    expect(s.headers['x-amz-security-token']).toBe('the-token')
    expect(verifySigV4(asVerifiable(s, 'POST', ECS_BODY), byToken, Date.now())).toMatchObject({ ok: true, sessionToken: 'the-token' })
    const p = await presign(session, { method: 'GET', host: HOST, query: { Action: 'GetCallerIdentity', Version: '2011-06-15' } })
    expect(p.query).toContain('X-Amz-Security-Token=the-token')
    expect(verifySigV4(asVerifiable(p, 'GET'), byToken, Date.now())).toMatchObject({ ok: true, presigned: true, sessionToken: 'the-token' })
    // Without its token the same key is unknown.
    delete s.headers['x-amz-security-token']
    expect(verifySigV4(asVerifiable(s, 'POST', ECS_BODY), byToken, Date.now())).toMatchObject({ ok: false, reason: 'unknown-key' })
    expect(seen).toEqual(['the-token', 'the-token', undefined])
  })

  it('a presigned STS GetCallerIdentity URL verifies until it expires', async () => {
    const signedAt = new Date(Date.UTC(2026, 0, 1, 12, 0, 0))
    const p = await presign(KEYS, { method: 'GET', host: HOST, query: { Action: 'GetCallerIdentity', Version: '2011-06-15' }, date: signedAt, expiresIn: 60 })
    const at = (s: number) => signedAt.getTime() + s * 1000
    expect(verifySigV4(asVerifiable(p, 'GET'), lookup, at(30))).toMatchObject({ ok: true, presigned: true, service: 'sts' })
    expect(verifySigV4(asVerifiable(p, 'GET'), lookup, at(61))).toEqual({ ok: false, reason: 'expired', message: 'Request has expired' })
    // A changed parameter breaks it.
    const tampered = { ...p, query: p.query.replace('GetCallerIdentity', 'GetSessionToken') }
    expect(verifySigV4(asVerifiable(tampered, 'GET'), lookup, at(30))).toMatchObject({ ok: false, reason: 'mismatch' })
  })
})

describe('clock skew: 15 minutes either way', () => {
  it('a request dated 20 minutes ago has expired, in the words AWS uses', async () => {
    const now = Date.UTC(2026, 0, 1, 12, 0, 0)
    const s = await signHeaders(KEYS, ecsCall(new Date(now - 20 * 60_000)))
    expect(verifySigV4(asVerifiable(s, 'POST', ECS_BODY), lookup, now)).toEqual({
      ok: false,
      reason: 'expired',
      message: 'Signature expired: 20260101T114000Z is now earlier than 20260101T114500Z (20260101T120000Z - 15 min.)',
    })
  })

  it('14 minutes either way is fine; 16 minutes ahead is not yet current', async () => {
    const now = Date.UTC(2026, 0, 1, 12, 0, 0)
    for (const m of [-14, 14]) {
      const s = await signHeaders(KEYS, ecsCall(new Date(now + m * 60_000)))
      expect(verifySigV4(asVerifiable(s, 'POST', ECS_BODY), lookup, now)).toMatchObject({ ok: true })
    }
    const ahead = await signHeaders(KEYS, ecsCall(new Date(now + 16 * 60_000)))
    expect(verifySigV4(asVerifiable(ahead, 'POST', ECS_BODY), lookup, now)).toEqual({
      ok: false,
      reason: 'expired',
      message: 'Signature not yet current: 20260101T121600Z is still later than 20260101T121500Z (20260101T120000Z + 15 min.)',
    })
  })

  it('a presigned URL signed in the future beyond the skew is not yet current', async () => {
    const now = Date.UTC(2026, 0, 1, 12, 0, 0)
    const p = await presign(KEYS, { method: 'GET', host: HOST, query: { Action: 'GetCallerIdentity', Version: '2011-06-15' }, date: new Date(now + 20 * 60_000) })
    expect(verifySigV4(asVerifiable(p, 'GET'), lookup, now)).toMatchObject({ ok: false, reason: 'expired' })
  })
})

describe('refusals', () => {
  const at = SUITE_NOW
  const get = (headers: Record<string, string>, target = '/') => raw('GET', target, { Host: 'example.amazonaws.com', ...headers })

  it('no signature at all: missing', () => {
    expect(verifySigV4(get({}), suiteLookup, at)).toEqual({ ok: false, reason: 'missing', message: 'Missing Authentication Token' })
    expect(hasSignature(get({}))).toBe(false)
    expect(hasSignature(get({}, '/?X-Amz-Credential=x'))).toBe(true)
  })

  it('an Authorization header without its parts: incomplete, naming each, as AWS words it', () => {
    expect(verifySigV4(get({ Authorization: 'AWS AKID:c2lnbmF0dXJl' }), suiteLookup, at)).toEqual({
      ok: false,
      reason: 'incomplete',
      message:
        "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. " +
        "Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. " +
        'Authorization=AWS AKID:c2lnbmF0dXJl',
    })
    expect(verifySigV4(get({ Authorization: 'Bearer abc', 'X-Amz-Date': '20150830T123600Z' }), suiteLookup, at)).toMatchObject({
      reason: 'incomplete',
      message: expect.stringContaining("Authorization header requires 'Credential' parameter."),
    })
  })

  it('a pair without "=": incomplete, quoting it', () => {
    const auth = 'AWS4-HMAC-SHA256 Credential= AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature'
    expect(verifySigV4(get({ Authorization: auth, 'X-Amz-Date': '20150830T123600Z' }), suiteLookup, at)).toEqual({
      ok: false,
      reason: 'incomplete',
      message: `'Signature' not a valid key=value pair (missing equal-sign) in Authorization header: '${auth}'.`,
    })
  })

  it('a bad credential scope, a date not in the basic format, host not signed: incomplete', () => {
    const date = { 'X-Amz-Date': '20150830T123600Z' }
    const sig = 'Signature=' + '0'.repeat(64)
    expect(verifySigV4(get({ ...date, Authorization: `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1, SignedHeaders=host, ${sig}` }), suiteLookup, at)).toMatchObject({
      reason: 'incomplete',
      message: expect.stringContaining('Credential should be a 5-part value'),
    })
    expect(
      verifySigV4(get({ ...date, Authorization: `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws5_request, SignedHeaders=host, ${sig}` }), suiteLookup, at),
    ).toMatchObject({ reason: 'incomplete', message: "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'." })
    expect(
      verifySigV4(
        get({ 'X-Amz-Date': '2015-08-30T12:36:00Z', Authorization: `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host, ${sig}` }),
        suiteLookup,
        at,
      ),
    ).toMatchObject({ reason: 'incomplete', message: expect.stringContaining("Date must be in ISO-8601 'basic format'") })
    expect(
      verifySigV4(get({ ...date, Authorization: `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=x-amz-date, ${sig}` }), suiteLookup, at),
    ).toMatchObject({ reason: 'incomplete', message: "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization." })
  })

  it('a credential date that is not the request date: mismatch, as AWS words it', () => {
    const r = get({
      'X-Amz-Date': '20150830T123600Z',
      Authorization: `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150829/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`,
    })
    expect(verifySigV4(r, suiteLookup, at)).toEqual({
      ok: false,
      reason: 'mismatch',
      message: "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20150829' != '20150830', from '20150830T123600Z'.",
    })
  })

  it('a presigned URL missing parameters, with a bad X-Amz-Expires, or with an Authorization header too: incomplete', () => {
    expect(verifySigV4(get({}, '/?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fsts%2Faws4_request'), suiteLookup, at)).toEqual({
      ok: false,
      reason: 'incomplete',
      message:
        "AWS query-string parameters must include 'X-Amz-Signature'. AWS query-string parameters must include 'X-Amz-SignedHeaders'. " +
        "AWS query-string parameters must include 'X-Amz-Date'. AWS query-string parameters must include 'X-Amz-Expires'. Re-examine the query-string parameters.",
    })
    const q = (expires: string) =>
      `/?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fsts%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-Expires=${expires}&X-Amz-SignedHeaders=host&X-Amz-Signature=${'0'.repeat(64)}`
    expect(verifySigV4(get({}, q('604801')), suiteLookup, at)).toMatchObject({ reason: 'incomplete', message: expect.stringContaining('X-Amz-Expires must be less than a week') })
    expect(verifySigV4(get({}, q('soon')), suiteLookup, at)).toMatchObject({ reason: 'incomplete', message: 'X-Amz-Expires should be a number' })
    expect(verifySigV4(get({ Authorization: suiteAuth('host', '0'.repeat(64)) }, q('60')), suiteLookup, at)).toMatchObject({
      reason: 'incomplete',
      message: expect.stringContaining('Only one auth mechanism allowed'),
    })
  })

  it('x-amz-content-sha256 that is neither a hash nor UNSIGNED-PAYLOAD, or a streaming one: refused', () => {
    const h = (v: string) =>
      raw('POST', '/', { ...suiteHeaders('host;x-amz-content-sha256;x-amz-date', '0'.repeat(64)), 'X-Amz-Content-Sha256': v })
    expect(verifySigV4(h('not-a-hash'), suiteLookup, at)).toMatchObject({ reason: 'content-hash', message: expect.stringContaining('must be UNSIGNED-PAYLOAD') })
    expect(verifySigV4(h('STREAMING-AWS4-HMAC-SHA256-PAYLOAD'), suiteLookup, at)).toMatchObject({ reason: 'content-hash', message: expect.stringContaining('chunked') })
  })

  it('a signature that is not 64 hex digits: mismatch', () => {
    expect(verifySigV4(get({ 'X-Amz-Date': '20150830T123600Z', Authorization: suiteAuth('host;x-amz-date', 'abc') }), suiteLookup, at)).toMatchObject({
      reason: 'mismatch',
    })
  })

  it('dates convert both ways', () => {
    expect(basicToMs('20150830T123600Z')).toBe(SUITE_NOW)
  })
})
