import { request as httpRequest, type IncomingHttpHeaders } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { requestUrl } from './request-url.js'

/**
 * `--aws-endpoint`: a call for an AWS service KECS does not serve is sent on unchanged (method,
 * path, query, headers with Authorization and Host as signed, body) to the one endpoint the user
 * gave, and its answer comes back as is. Only hop-by-hop headers are not passed (the body is
 * buffered and sent with its length). node:http, not fetch: fetch may not send the client's Host.
 */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'proxy-authorization', 'te', 'trailer', 'content-length'])
const TIMEOUT_MS = 120_000

export interface Forwarded {
  status: number
  headers: Headers
  body: Buffer
}

/** The user's --aws-endpoint, checked once at start: an http(s) URL. */
export function parseAwsEndpoint(value: string): URL {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new Error(`--aws-endpoint ${value} is not a URL (e.g. http://localhost:4566)`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`--aws-endpoint ${value} must be an http:// or https:// URL`)
  return url
}

export function forward(endpoint: URL, req: { method: string; url: string; headers: Headers; body: Buffer }): Promise<Forwarded> {
  const original = requestUrl(req.url)
  const base = endpoint.pathname.replace(/\/+$/, '')
  const headers: Record<string, string> = {}
  req.headers.forEach((v, k) => {
    if (!HOP_BY_HOP.has(k)) headers[k] = v
  })
  // The Host the client signed (a Request made in-process may carry it only in its URL).
  headers.host ??= original.host
  if (req.body.length || !['GET', 'HEAD'].includes(req.method)) headers['content-length'] = String(req.body.length)
  const send = endpoint.protocol === 'https:' ? httpsRequest : httpRequest
  return new Promise((resolve, reject) => {
    const r = send(
      {
        protocol: endpoint.protocol,
        hostname: endpoint.hostname.replace(/^\[|\]$/g, ''),
        port: endpoint.port || undefined,
        method: req.method,
        path: `${base}${original.pathname}${original.search}`,
        headers,
        timeout: TIMEOUT_MS,
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (d: Buffer) => chunks.push(d))
        res.on('error', reject)
        res.on('end', () => resolve({ status: res.statusCode ?? 502, headers: responseHeaders(res.headers), body: Buffer.concat(chunks) }))
      },
    )
    r.on('timeout', () => r.destroy(new Error(`no answer within ${TIMEOUT_MS / 1000}s`)))
    r.on('error', reject)
    r.end(req.body)
  })
}

function responseHeaders(h: IncomingHttpHeaders): Headers {
  const out = new Headers()
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined || HOP_BY_HOP.has(k)) continue
    for (const one of Array.isArray(v) ? v : [v]) out.append(k, one)
  }
  return out
}
