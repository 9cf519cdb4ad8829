import { createHash, createHmac, timingSafeEqual } from 'node:crypto'

/**
 * AWS Signature Version 4, as AWS documents it ("Create a signed AWS API request"): the credential
 * scope KECS routes by, and the verifier `kecs start --auth sigv4` checks every AWS call with.
 * Pure: no I/O, the clock and the key lookup are given.
 *
 * Both ways to sign are verified:
 * - header:  `Authorization: AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/ecs/aws4_request,
 *             SignedHeaders=host;x-amz-date, Signature=<hex>` with `X-Amz-Date` (or `Date`);
 * - query:   `X-Amz-Algorithm`, `X-Amz-Credential`, `X-Amz-Date`, `X-Amz-Expires`, `X-Amz-SignedHeaders`,
 *            `X-Amz-Signature` (presigned URLs).
 * The payload hash is `x-amz-content-sha256` when given (`UNSIGNED-PAYLOAD` as is; a hex hash must be
 * the body's), else the SHA-256 of the body. A session token (`X-Amz-Security-Token`) goes to the key
 * lookup with the access key. Clock skew: 15 minutes either way, as AWS allows; a presigned URL is
 * good from its date until `X-Amz-Expires` seconds later (at most 7 days).
 */
export interface SigV4Scope {
  accessKeyId: string
  region: string
  service: string
}

const SCOPE = /([^/,\s=]+)\/\d{8}\/([a-z0-9-]+)\/([a-z0-9-]+)\/aws4_request/

export function sigv4Scope(authorization: string | undefined | null, credentialParam?: string | null): SigV4Scope | undefined {
  const text = authorization?.includes('Credential=') ? authorization.slice(authorization.indexOf('Credential=') + 11) : credentialParam
  const m = text ? SCOPE.exec(text) : null
  return m ? { accessKeyId: m[1]!, region: m[2]!, service: m[3]! } : undefined
}

export const ALGORITHM = 'AWS4-HMAC-SHA256'
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD'
/** How far a request's date may be from the server's clock, either way. */
export const MAX_SKEW_MS = 15 * 60 * 1000
/** The longest a presigned URL may be valid (`X-Amz-Expires`), in seconds: 7 days. */
export const MAX_EXPIRES_SECONDS = 7 * 24 * 60 * 60

/** A request as it came in, before anything decoded it. */
export interface SigV4Request {
  method: string
  /** The path as sent on the wire (still percent-encoded), without the query. */
  path: string
  /** The query string as sent, without the `?`. */
  query: string
  /** A header's value by lower-case name (several values joined with `,`), or undefined. */
  header(name: string): string | undefined
  body: Uint8Array
}

/**
 * The secret access key for an access key id and the session token the request carries (undefined
 * when it carries none); undefined when the key is unknown or the token does not belong to it.
 */
export type SecretLookup = (accessKeyId: string, sessionToken: string | undefined) => string | undefined

/**
 * Why a request was refused:
 * - `missing`: no signature at all;
 * - `incomplete`: an Authorization header or presigned query that cannot be read;
 * - `unknown-key`: an access key (or session token) KECS does not know;
 * - `mismatch`: the signature is not the one the secret gives;
 * - `expired`: the date is outside the clock skew, or a presigned URL has expired;
 * - `content-hash`: `x-amz-content-sha256` is not the body's hash (or not a hash).
 */
export type RefusalReason = 'missing' | 'incomplete' | 'unknown-key' | 'mismatch' | 'expired' | 'content-hash'

export interface Refusal {
  ok: false
  reason: RefusalReason
  message: string
}

export interface Verified {
  ok: true
  accessKeyId: string
  region: string
  service: string
  sessionToken?: string
  presigned: boolean
}

/** One signature's parts, from either the Authorization header or the presigned query. */
interface Parsed {
  presigned: boolean
  accessKeyId: string
  scopeDate: string
  region: string
  service: string
  signedHeaders: string[]
  signature: string
  /** `YYYYMMDDTHHMMSSZ`. */
  date: string
  expiresSeconds?: number
  sessionToken?: string
  /** The query pairs that go into the canonical query (a presigned URL's signature left out). */
  query: [string, string][]
}

const refuse = (reason: RefusalReason, message: string): Refusal => ({ ok: false, reason, message })

/** The message AWS gives for a signature that does not match. */
export const MISMATCH_MESSAGE =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.'

/** Checks a request's SigV4 signature; `now` is the server's clock in ms. */
export function verifySigV4(req: SigV4Request, lookup: SecretLookup, now: number, opts: { maxSkewMs?: number } = {}): Verified | Refusal {
  const parsed = parse(req)
  if ('ok' in parsed) return parsed
  const secret = lookup(parsed.accessKeyId, parsed.sessionToken)
  if (secret === undefined) return refuse('unknown-key', 'The security token included in the request is invalid.')

  const time = basicToMs(parsed.date)
  const skew = opts.maxSkewMs ?? MAX_SKEW_MS
  const minutes = `${Math.round(skew / 60_000)} min.`
  if (time > now + skew) {
    return refuse('expired', `Signature not yet current: ${parsed.date} is still later than ${msToBasic(now + skew)} (${msToBasic(now)} + ${minutes})`)
  }
  if (parsed.presigned) {
    if (now > time + parsed.expiresSeconds! * 1000) return refuse('expired', 'Request has expired')
  } else if (time < now - skew) {
    return refuse('expired', `Signature expired: ${parsed.date} is now earlier than ${msToBasic(now - skew)} (${msToBasic(now)} - ${minutes})`)
  }

  const payload = payloadHash(req, parsed)
  if (typeof payload !== 'string') return payload
  const canonical = canonicalRequest(req.method, canonicalPath(req.path, parsed.service), parsed.query, parsed.signedHeaders, req.header, payload)
  const scope = `${parsed.scopeDate}/${parsed.region}/${parsed.service}/aws4_request`
  const expected = signature(secret, parsed.scopeDate, parsed.region, parsed.service, stringToSign(parsed.date, scope, canonical))
  if (!sameHex(expected, parsed.signature)) return refuse('mismatch', MISMATCH_MESSAGE)
  return {
    ok: true,
    accessKeyId: parsed.accessKeyId,
    region: parsed.region,
    service: parsed.service,
    presigned: parsed.presigned,
    ...(parsed.sessionToken !== undefined ? { sessionToken: parsed.sessionToken } : {}),
  }
}

/** True when the request carries any signature (header or presigned query), readable or not. */
export function hasSignature(req: Pick<SigV4Request, 'header' | 'query'>): boolean {
  if (req.header('authorization') !== undefined) return true
  return queryPairs(req.query).some(([k]) => PRESIGN_PARAMS.includes(k))
}

const PRESIGN_PARAMS = ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Signature', 'X-Amz-Date', 'X-Amz-SignedHeaders', 'X-Amz-Expires']

function parse(req: SigV4Request): Parsed | Refusal {
  const authorization = req.header('authorization')
  const pairs = queryPairs(req.query)
  const presigned = pairs.some(([k]) => k === 'X-Amz-Algorithm' || k === 'X-Amz-Signature' || k === 'X-Amz-Credential')
  if (authorization !== undefined && presigned) {
    return refuse(
      'incomplete',
      'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified',
    )
  }
  if (presigned) return parseQuery(req, pairs)
  if (authorization === undefined) return refuse('missing', 'Missing Authentication Token')
  return parseHeader(req, authorization, pairs)
}

function parseHeader(req: SigV4Request, authorization: string, query: [string, string][]): Parsed | Refusal {
  const text = authorization.trim()
  const space = text.indexOf(' ')
  const algorithm = space < 0 ? text : text.slice(0, space)
  const fields = new Map<string, string>()
  const problems: string[] = []
  if (algorithm === ALGORITHM) {
    for (const part of text.slice(space + 1).split(',')) {
      const p = part.trim()
      if (p === '') continue
      const eq = p.indexOf('=')
      if (eq < 0) return refuse('incomplete', `'${p}' not a valid key=value pair (missing equal-sign) in Authorization header: '${authorization}'.`)
      fields.set(p.slice(0, eq).trim(), p.slice(eq + 1).trim())
    }
  } else if (algorithm.startsWith('AWS4-')) {
    return refuse('incomplete', `Unsupported AWS 'algorithm': '${algorithm}' (KECS verifies ${ALGORITHM} signatures)`)
  }
  for (const name of ['Credential', 'Signature', 'SignedHeaders']) {
    if (!fields.get(name)) problems.push(`Authorization header requires '${name}' parameter.`)
  }
  const amzDate = req.header('x-amz-date')
  const httpDate = req.header('date')
  if (amzDate === undefined && httpDate === undefined) problems.push("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
  if (problems.length) return refuse('incomplete', `${problems.join(' ')} Authorization=${authorization}`)

  const date = amzDate !== undefined ? amzDate.trim() : httpDateToBasic(httpDate!)
  if (!date || !BASIC_DATE.test(date)) {
    return refuse('incomplete', `Date must be in ISO-8601 'basic format'. Got '${amzDate ?? httpDate}'. See http://en.wikipedia.org/wiki/ISO_8601`)
  }
  const token = req.header('x-amz-security-token')
  return finish(
    {
      presigned: false,
      credential: fields.get('Credential')!,
      signedHeaders: fields.get('SignedHeaders')!,
      signature: fields.get('Signature')!,
      date,
      sessionToken: token,
      query,
    },
    'Authorization header',
  )
}

function parseQuery(req: SigV4Request, pairs: [string, string][]): Parsed | Refusal {
  const get = (k: string) => pairs.find(([name]) => name === k)?.[1]
  const missing = ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Signature', 'X-Amz-SignedHeaders', 'X-Amz-Date', 'X-Amz-Expires'].filter((k) => !get(k))
  if (missing.length) {
    return refuse('incomplete', `${missing.map((k) => `AWS query-string parameters must include '${k}'.`).join(' ')} Re-examine the query-string parameters.`)
  }
  if (get('X-Amz-Algorithm') !== ALGORITHM) {
    return refuse('incomplete', `X-Amz-Algorithm only supports "${ALGORITHM}" (got "${get('X-Amz-Algorithm')}")`)
  }
  const date = get('X-Amz-Date')!
  if (!BASIC_DATE.test(date)) return refuse('incomplete', `X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd'T'HHmmss'Z'" (got "${date}")`)
  const expires = get('X-Amz-Expires')!
  if (!/^\d+$/.test(expires)) return refuse('incomplete', 'X-Amz-Expires should be a number')
  const seconds = Number(expires)
  if (seconds < 1 || seconds > MAX_EXPIRES_SECONDS) {
    return refuse(
      'incomplete',
      `X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than ${MAX_EXPIRES_SECONDS} seconds`,
    )
  }
  // A token may travel in the query (SDK presigners put it there) or, rarely, as a header.
  const token = get('X-Amz-Security-Token') ?? req.header('x-amz-security-token')
  return finish(
    {
      presigned: true,
      credential: get('X-Amz-Credential')!,
      signedHeaders: get('X-Amz-SignedHeaders')!,
      signature: get('X-Amz-Signature')!,
      date,
      expiresSeconds: seconds,
      sessionToken: token,
      query: pairs.filter(([k]) => k !== 'X-Amz-Signature'),
    },
    'X-Amz-Credential',
  )
}

/** The credential scope and signed headers, checked the same way for both mechanisms. */
function finish(
  p: { presigned: boolean; credential: string; signedHeaders: string; signature: string; date: string; expiresSeconds?: number; sessionToken?: string; query: [string, string][] },
  where: string,
): Parsed | Refusal {
  const parts = p.credential.split('/')
  if (parts.length !== 5 || parts.some((x) => x === '')) {
    return refuse('incomplete', `Credential should be a 5-part value: <access key id>/<date>/<region>/<service>/aws4_request (got '${p.credential}' in the ${where}).`)
  }
  const [accessKeyId, scopeDate, region, service, terminator] = parts as [string, string, string, string, string]
  if (terminator !== 'aws4_request') return refuse('incomplete', `Credential should be scoped with a valid terminator: 'aws4_request', not '${terminator}'.`)
  if (!/^\d{8}$/.test(scopeDate)) return refuse('incomplete', `Credential should be scoped to a valid date (YYYYMMDD), not '${scopeDate}'.`)
  if (scopeDate !== p.date.slice(0, 8)) {
    return refuse(
      'mismatch',
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scopeDate}' != '${p.date.slice(0, 8)}', from '${p.date}'.`,
    )
  }
  const signedHeaders = p.signedHeaders.split(';').map((h) => h.trim().toLowerCase())
  if (signedHeaders.some((h) => h === '')) return refuse('incomplete', `SignedHeaders must be a ';'-separated list of header names (got '${p.signedHeaders}').`)
  if (!signedHeaders.includes('host') && !signedHeaders.includes(':authority')) {
    return refuse('incomplete', "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")
  }
  if (!/^[0-9a-fA-F]{64}$/.test(p.signature)) return refuse('mismatch', MISMATCH_MESSAGE)
  return {
    presigned: p.presigned,
    accessKeyId,
    scopeDate,
    region,
    service,
    signedHeaders,
    signature: p.signature,
    date: p.date,
    expiresSeconds: p.expiresSeconds,
    sessionToken: p.sessionToken,
    query: p.query,
  }
}

/** The hash that ends the canonical request, or why the request's `x-amz-content-sha256` is refused. */
function payloadHash(req: SigV4Request, p: Parsed): string | Refusal {
  const given = req.header('x-amz-content-sha256') ?? (p.presigned ? p.query.find(([k]) => k.toLowerCase() === 'x-amz-content-sha256')?.[1] : undefined)
  if (given === undefined) {
    // S3's presigned URLs sign no payload; every other service's signature covers the body.
    if (p.presigned && p.service === 's3') return UNSIGNED_PAYLOAD
    return sha256Hex(req.body)
  }
  const value = given.trim()
  if (value === UNSIGNED_PAYLOAD) return value
  if (value.startsWith('STREAMING-')) {
    return refuse('content-hash', `KECS does not verify chunked (streaming) signatures: x-amz-content-sha256 is '${value}'. Sign the whole payload, or send UNSIGNED-PAYLOAD.`)
  }
  if (!/^[0-9a-fA-F]{64}$/.test(value)) return refuse('content-hash', 'x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-..., or a valid sha256 value.')
  if (value.toLowerCase() !== sha256Hex(req.body)) return refuse('content-hash', "The provided 'x-amz-content-sha256' header does not match what was computed.")
  return value
}

// ---- the canonical request, as AWS documents it ----

/** RFC 3986 percent-encoding: every byte but `A-Z a-z 0-9 - _ . ~` (and `/` when asked). */
export function uriEncode(s: string, keepSlash = false): string {
  let out = ''
  for (const b of Buffer.from(s, 'utf8')) {
    const ch = String.fromCharCode(b)
    if (/[A-Za-z0-9\-_.~]/.test(ch) || (keepSlash && ch === '/')) out += ch
    else out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`
  }
  return out
}

/**
 * The canonical URI: for every service but S3, the path with `.` and `..` segments and empty
 * segments removed, then each segment URI-encoded once more (the path is already encoded on the
 * wire, so it ends up encoded twice); S3 signs the path as sent.
 */
export function canonicalPath(path: string, service: string): string {
  const p = path === '' ? '/' : path
  if (service === 's3') return p
  const segments: string[] = []
  for (const s of p.split('/')) {
    if (s === '' || s === '.') continue
    if (s === '..') segments.pop()
    else segments.push(s)
  }
  const normalized = `${p.startsWith('/') ? '/' : ''}${segments.join('/')}${segments.length > 0 && p.endsWith('/') ? '/' : ''}`
  return uriEncode(normalized, true)
}

/** `name=value` pairs of a raw query string, decoded (`+` stays a plus, as the SDKs sign it). */
export function queryPairs(query: string): [string, string][] {
  const out: [string, string][] = []
  for (const part of query.replace(/^\?/, '').split('&')) {
    if (part === '') continue
    const eq = part.indexOf('=')
    const k = eq < 0 ? part : part.slice(0, eq)
    const v = eq < 0 ? '' : part.slice(eq + 1)
    out.push([decode(k), decode(v)])
  }
  return out
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s)
  } catch {
    return s
  }
}

/** Names and values URI-encoded, sorted by name then value, joined with `&`. */
export function canonicalQuery(pairs: [string, string][]): string {
  return pairs
    .map(([k, v]) => [uriEncode(k), uriEncode(v)] as const)
    .sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&')
}

/** A header value as signed: line breaks and runs of spaces/tabs become one space, ends trimmed. */
export const canonicalHeaderValue = (v: string) => v.replace(/[\r\n]/g, ' ').replace(/[ \t]+/g, ' ').trim()

export function canonicalRequest(
  method: string,
  path: string,
  query: [string, string][],
  signedHeaders: string[],
  header: (name: string) => string | undefined,
  payloadHash: string,
): string {
  const headers = signedHeaders.map((h) => `${h}:${canonicalHeaderValue(header(h === ':authority' ? 'host' : h) ?? '')}\n`).join('')
  return `${method.toUpperCase()}\n${path}\n${canonicalQuery(query)}\n${headers}\n${signedHeaders.join(';')}\n${payloadHash}`
}

export const stringToSign = (date: string, scope: string, canonical: string) => `${ALGORITHM}\n${date}\n${scope}\n${sha256Hex(canonical)}`

export function signingKey(secret: string, scopeDate: string, region: string, service: string): Buffer {
  let key: Buffer = Buffer.from(`AWS4${secret}`, 'utf8')
  for (const part of [scopeDate, region, service, 'aws4_request']) key = createHmac('sha256', key).update(part, 'utf8').digest()
  return key
}

export function signature(secret: string, scopeDate: string, region: string, service: string, toSign: string): string {
  return createHmac('sha256', signingKey(secret, scopeDate, region, service)).update(toSign, 'utf8').digest('hex')
}

export const sha256Hex = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex')

function sameHex(a: string, b: string): boolean {
  const x = Buffer.from(a.toLowerCase(), 'utf8')
  const y = Buffer.from(b.toLowerCase(), 'utf8')
  return x.length === y.length && timingSafeEqual(x, y)
}

// ---- dates ----

const BASIC_DATE = /^\d{8}T\d{6}Z$/

/** `20260101T000000Z` → ms since epoch. */
export function basicToMs(d: string): number {
  return Date.UTC(+d.slice(0, 4), +d.slice(4, 6) - 1, +d.slice(6, 8), +d.slice(9, 11), +d.slice(11, 13), +d.slice(13, 15))
}

/** ms since epoch → `20260101T000000Z`. */
export function msToBasic(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z')
}

/** An HTTP `Date` header (`Thu, 01 Jan 2026 00:00:00 GMT`) in the basic format; undefined when unreadable. */
function httpDateToBasic(v: string): string | undefined {
  const ms = Date.parse(v)
  return Number.isFinite(ms) ? msToBasic(ms) : undefined
}
