import { Sha256 } from '@smithy/core/checksum'
import { HttpRequest } from '@smithy/core/protocols'
import { SignatureV4 } from '@smithy/signature-v4'
import type { SigV4Request } from '../../src/aws/protocol/sigv4.js'

/**
 * Requests signed by the real AWS SDK signer (@smithy/signature-v4, what @aws-sdk/client-ecs signs
 * with), for tests of KECS's verifier. Only tests use it: src/ never imports the SDK's signer.
 */
export interface Keys {
  accessKeyId: string
  secretAccessKey: string
  sessionToken?: string
}

export interface ToSign {
  method?: string
  /** Host with port, e.g. `127.0.0.1:8080`. */
  host?: string
  path?: string
  query?: Record<string, string | string[]>
  headers?: Record<string, string>
  body?: string
  region?: string
  service?: string
  date?: Date
  /** Sign the body's hash without sending it as x-amz-content-sha256 (as most non-JS SDKs do). */
  noContentHashHeader?: boolean
}

const signer = (keys: Keys, region: string, service: string, applyChecksum = true) =>
  new SignatureV4({ credentials: keys, region, service, sha256: Sha256, uriEscapePath: service !== 's3', applyChecksum })

function request(r: ToSign) {
  const host = r.host ?? 'example.amazonaws.com'
  return new HttpRequest({
    method: r.method ?? 'POST',
    protocol: 'http:',
    hostname: host.split(':')[0]!,
    port: host.includes(':') ? Number(host.split(':')[1]) : undefined,
    path: r.path ?? '/',
    query: r.query ?? {},
    headers: { host, ...r.headers },
    body: r.body,
  })
}

/** Header signing (`Authorization: AWS4-HMAC-SHA256 ...`): the signed request's headers and path. */
export async function signHeaders(keys: Keys, r: ToSign): Promise<{ headers: Record<string, string>; path: string; query: string }> {
  const s = (await signer(keys, r.region ?? 'us-east-1', r.service ?? 'ecs', !r.noContentHashHeader).sign(request(r), { signingDate: r.date ?? new Date() })) as HttpRequest
  return { headers: s.headers, path: s.path, query: queryString(s.query) }
}

/** Query signing (a presigned URL): the query string it gives, and the headers to send with it. */
export async function presign(keys: Keys, r: ToSign & { expiresIn?: number }): Promise<{ headers: Record<string, string>; path: string; query: string }> {
  const s = (await signer(keys, r.region ?? 'us-east-1', r.service ?? 'sts').presign(request(r), {
    signingDate: r.date ?? new Date(),
    expiresIn: r.expiresIn ?? 900,
  })) as HttpRequest
  return { headers: s.headers, path: s.path, query: queryString(s.query) }
}

/** The query as the SDK puts it on the wire (RFC 3986 encoding, as the signer encodes it). */
export function queryString(q: Record<string, string | string[] | null> | undefined): string {
  const enc = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
  return Object.entries(q ?? {})
    .flatMap(([k, v]) => (v === null ? [] : (Array.isArray(v) ? v : [v]).map((x) => `${enc(k)}=${enc(x)}`)))
    .join('&')
}

/** A signed request in the form the verifier reads. */
export function asVerifiable(s: { headers: Record<string, string>; path: string; query: string }, method = 'POST', body = ''): SigV4Request {
  const lower = new Map(Object.entries(s.headers).map(([k, v]) => [k.toLowerCase(), v]))
  return { method, path: s.path, query: s.query, header: (n) => lower.get(n), body: Buffer.from(body) }
}
