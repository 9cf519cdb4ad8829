import type { Context, MiddlewareHandler } from 'hono'
import { randomUUID } from 'node:crypto'
import { queryError } from '../aws/protocol/query.js'
import { hostName, HostAllowList, originName } from '../lib/local-hosts.js'

/**
 * Local-only by default: KECS answers only requests meant for it. A web page cannot use KECS through
 * the browser of the developer running it:
 * - DNS rebinding: a page of evil.example whose name is made to resolve to 127.0.0.1 sends
 *   `Host: evil.example`; only this machine's loopback names, the addresses containers reach KECS at and
 *   the names given with `--allow-host` pass. A request without Host (HTTP/1.0) passes.
 * - Cross-site requests: a request with an `Origin` header (every non-GET request a browser sends, CORS
 *   reads, WebSocket upgrades: `/ws` included) must come from a page of an allowed host; non-browser
 *   clients send none. A browser's cross-site request without Origin (`<img src>`, `no-cors` fetch:
 *   Sec-Fetch-Site `cross-site`) is refused too unless it is a top-level navigation, so a GET query-protocol
 *   call (`/?Action=...`) cannot be made from another site either. KECS sends no CORS headers, so no
 *   other origin may read an answer.
 */

/** Built-in names besides the loopback ones: Docker Desktop's name for the host, the task metadata address. */
export const BUILT_IN_HOSTS = ['host.docker.internal', '169.254.170.2'] as const

export type LocalOnlyReason = 'host' | 'origin'

export interface LocalOnlyOptions {
  /** Allowed names besides loopback (which always pass): the built-in ones, --host, --allow-host, the pods' address. */
  hosts: HostAllowList
  /**
   * Read only when a name is not in `hosts` (refusals are rare): names that change while KECS runs,
   * e.g. this machine's interface addresses when it listens on every interface.
   */
  dynamic?: () => Iterable<string>
  /** Called for each refusal (the metrics count it, the request log shows it). */
  onRefused?: (reason: LocalOnlyReason, message: string) => void
}

export interface LocalOnly {
  middleware: MiddlewareHandler
  hostAllowed(name: string): boolean
  /** An Origin header from a page of an allowed host (absent: a non-browser client, allowed). */
  originAllowed(origin: string | undefined): boolean
}

const ALLOWED_TEXT = 'localhost, 127.0.0.1, [::1], host.docker.internal, the address pods reach KECS at, and names given with --allow-host'
const FLAG_TEXT = (name: string) => `start KECS with --allow-host ${name.includes(':') ? `'[${name}]'` : name} (or KECS_ALLOW_HOSTS=${name})`

export function localOnly(opts: LocalOnlyOptions): LocalOnly {
  const hostAllowed = (name: string): boolean => {
    if (opts.hosts.has(name)) return true
    // Cloud Map's DiscoverInstances goes to `data-<endpoint host>` (the SDKs' host prefix).
    if (name.startsWith('data-') && hostAllowed(name.slice(5))) return true
    for (const d of opts.dynamic?.() ?? []) if (hostName(d) === name) return true
    return false
  }
  const originAllowed = (origin: string | undefined) => {
    if (!origin) return true
    const name = originName(origin)
    return name !== undefined && hostAllowed(name)
  }

  const refuse = (c: Context, reason: LocalOnlyReason, message: string) => {
    opts.onRefused?.(reason, message)
    const requestId = randomUUID()
    const type = 'AccessDeniedException'
    // A query-protocol call (STS, IAM, ELBv2: a form body, or GET /?Action=) gets its services' XML error,
    // so the AWS CLI and SDKs show the message; everything else AWS JSON, as ECS answers.
    if (isQueryCall(c)) {
      const w = queryError(requestId, 'AccessDenied', message, 403)
      return c.body(w.body, 403, { ...w.headers, 'X-Amzn-ErrorType': 'AccessDenied' })
    }
    return c.body(JSON.stringify({ __type: type, message }), 403, {
      'Content-Type': 'application/x-amz-json-1.1',
      'x-amzn-RequestId': requestId,
      'X-Amzn-ErrorType': type,
    })
  }

  const middleware: MiddlewareHandler = async (c, next) => {
    const host = c.req.header('host')
    if (host) {
      const name = hostName(host)
      if (name === undefined || !hostAllowed(name)) {
        const shown = JSON.stringify(host.slice(0, 100))
        const fix = name ? ` To allow it, ${FLAG_TEXT(name)}.` : ''
        return refuse(c, 'host', `KECS refused this request: its Host header ${shown} is not a name of this KECS (allowed: ${ALLOWED_TEXT}).${fix}`)
      }
    }
    const origin = c.req.header('origin')
    if (origin && !originAllowed(origin)) {
      const name = originName(origin)
      const fix = name ? ` To allow pages of ${name}, ${FLAG_TEXT(name)}.` : ''
      return refuse(c, 'origin', `KECS refused this request from a page of another site (Origin ${JSON.stringify(origin.slice(0, 100))}).${fix}`)
    }
    if (!origin && c.req.header('sec-fetch-site') === 'cross-site' && !isNavigation(c)) {
      return refuse(c, 'origin', 'KECS refused this request: a browser sent it from a page of another site (Sec-Fetch-Site: cross-site).')
    }
    await next()
  }

  return { middleware, hostAllowed, originAllowed }
}

/** A top-level GET navigation (a link followed, a URL typed; not a frame): the UI may be opened from anywhere. */
function isNavigation(c: Context): boolean {
  const dest = c.req.header('sec-fetch-dest')
  return (c.req.method === 'GET' || c.req.method === 'HEAD') && c.req.header('sec-fetch-mode') === 'navigate' && (dest === undefined || dest === 'document')
}

function isQueryCall(c: Context): boolean {
  if ((c.req.header('content-type') ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded')) return true
  return c.req.method === 'GET' && new URL(c.req.url).searchParams.has('Action')
}
