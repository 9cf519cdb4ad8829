import type { Context } from 'hono'
import { createHash, createHmac, randomUUID, timingSafeEqual } from 'node:crypto'
import { jsonError } from '../aws/protocol/json.js'
import { queryError } from '../aws/protocol/query.js'
import { verifySigV4, type RefusalReason, type SecretLookup } from '../aws/protocol/sigv4.js'
import type { WireResponse } from '../aws/protocol/wire.js'
import { isKecsSessionToken, sessionSecretFor, type SessionSecret } from '../lib/session-token.js'

/**
 * `kecs start --auth sigv4`: every AWS call on the API port must be signed (AWS Signature V4) with
 * credentials KECS was started with, or with session credentials KECS itself minted (task role
 * credentials, STS AssumeRole/GetSessionToken). What is refused gets AWS's error, in the shape of
 * the service's protocol: JSON for ECS, SSM, Secrets Manager, CloudWatch Logs, Cloud Map; the query
 * protocol's XML for STS and IAM.
 *
 * Not checked (`isExempt`), and why:
 * - `/ui` and its assets, and a browser's `GET /` (sent on to `/ui`): static files, no data;
 * - `/status`: the instance's read-only status, as on the admin port (which has no auth either);
 * - `/ws`: the live event feed (Origin-checked against other sites), read by `kecs events` and the UI;
 * - the task metadata endpoint (`/metadata/...`, `/v1/credentials`, `/v2/credentials/...`): tasks call it
 *   unsigned, as they call the ECS agent's; it is where task role credentials come from.
 * Everything else is an AWS call (or a call KECS forwards to --aws-endpoint) and is checked, the logs
 * endpoint `/kecs/v1/logs` included.
 *
 * KECS's own clients (the `kecs` CLI and the web UI) send the instance's client key instead
 * (`X-Kecs-Client-Key`): it is derived from the configured credentials, written only to the
 * instance's instance.json (mode 0600), and handed to the UI by `kecs ui` in the URL's fragment.
 */
export interface AuthCredential {
  accessKeyId: string
  secretAccessKey: string
  /** When given, requests with this key must carry this session token. */
  sessionToken?: string
  /** Where it came from (a profile of the credentials file, the environment), for messages. */
  source?: string
}

export const CLIENT_KEY_HEADER = 'x-kecs-client-key'

/** What the instance needs to check calls: built once from the configured credentials. */
export interface AuthKeys {
  lookup: SecretLookup
  /** The secret of a session credential KECS mints (task roles, STS), derived so that it verifies. */
  sessionSecret: SessionSecret
  /** KECS's own clients' key (the CLI, the web UI). */
  clientKey: string
}

/**
 * The session key is derived from the configured credentials: stable across restarts with the same
 * credentials (tasks keep working with the credentials they cached), and known to no one who does
 * not know those secrets.
 */
export function authKeys(credentials: AuthCredential[]): AuthKeys {
  const material = credentials
    .map((c) => `${c.accessKeyId}\0${c.secretAccessKey}\0${c.sessionToken ?? ''}`)
    .sort()
    .join('\n')
  const sessionKey = createHash('sha256').update(`kecs-session-key\0${material}`, 'utf8').digest()
  const sessionSecret = sessionSecretFor(sessionKey)
  return {
    lookup: credentialLookup(credentials, sessionSecret),
    sessionSecret,
    clientKey: createHmac('sha256', sessionKey).update('kecs-client-key', 'utf8').digest('base64url'),
  }
}

/**
 * The secret for a key: a configured credential (its session token, when it has one, must be the
 * request's), else a KECS session credential (the token is one KECS mints; its secret is derived).
 */
export function credentialLookup(credentials: AuthCredential[], sessionSecret: SessionSecret): SecretLookup {
  const byKey = new Map<string, AuthCredential[]>()
  for (const c of credentials) byKey.set(c.accessKeyId, [...(byKey.get(c.accessKeyId) ?? []), c])
  return (accessKeyId, token) => {
    const configured = byKey.get(accessKeyId)?.find((c) => (c.sessionToken ?? undefined) === token)
    if (configured) return configured.secretAccessKey
    if (token !== undefined && isKecsSessionToken(token)) return sessionSecret(accessKeyId, token)
    return undefined
  }
}

/** True for what the API port serves that is not an AWS call (see the list above). */
export function isExempt(method: string, path: string, search: string, accept: string | undefined): boolean {
  if (path === '/ui' || path.startsWith('/ui/')) return true
  if (path === '/ws' || path === '/status') return true
  if (path === '/metadata' || path.startsWith('/metadata/')) return true
  if (path === '/v1/credentials' || path === '/v2/credentials' || path.startsWith('/v2/credentials/')) return true
  return method === 'GET' && path === '/' && search === '' && (accept ?? '').includes('text/html')
}

/** AWS's codes for each refusal: the JSON protocol's, the query protocol's, and the status. */
const CODES: Record<RefusalReason, { json: string; query: string; status: number }> = {
  missing: { json: 'MissingAuthenticationTokenException', query: 'MissingAuthenticationToken', status: 403 },
  // AWS documents IncompleteSignature as a 400 (the common errors of every API reference).
  incomplete: { json: 'IncompleteSignatureException', query: 'IncompleteSignature', status: 400 },
  'unknown-key': { json: 'UnrecognizedClientException', query: 'InvalidClientTokenId', status: 403 },
  mismatch: { json: 'InvalidSignatureException', query: 'SignatureDoesNotMatch', status: 403 },
  expired: { json: 'InvalidSignatureException', query: 'SignatureDoesNotMatch', status: 403 },
  'content-hash': { json: 'XAmzContentSHA256Mismatch', query: 'XAmzContentSHA256Mismatch', status: 400 },
}

/** The query protocol says it differently. */
const QUERY_MESSAGES: Partial<Record<RefusalReason, string>> = { missing: 'Request is missing Authentication Token' }

export interface ErrorShape {
  protocol: 'json' | 'query'
  xmlns?: string
}

/** A refusal as the service's protocol shapes its errors. */
export function refusalResponse(reason: RefusalReason, message: string, shape: ErrorShape, requestId: string = randomUUID()): WireResponse {
  const code = CODES[reason]
  return shape.protocol === 'query'
    ? queryError(requestId, code.query, QUERY_MESSAGES[reason] ?? message, code.status, true, shape.xmlns)
    : jsonError(requestId, code.json, message, code.status)
}

export interface AuthGuardOptions {
  keys: AuthKeys
  /** How a refused call's service shapes its errors (the router knows which service a call is for). */
  shape: (c: Context, body: Buffer) => ErrorShape
  now?: () => number
  /** Called once per refused request, with why (the metrics count refusals by reason). */
  onRefused?: (reason: RefusalReason) => void
  /** The request log line of a refused call. */
  onRequest?: (line: { operation: string; status: number; ms: number; requestId: string; error?: string }) => void
}

/**
 * Checks one request: undefined when it may go on (exempt, signed right, or one of KECS's own
 * clients), else the refusal to send. The body is read (and kept for the handler) to check its hash.
 */
export function authGuard(o: AuthGuardOptions): (c: Context) => Promise<Response | undefined> {
  const now = o.now ?? Date.now
  const clientKey = Buffer.from(o.keys.clientKey, 'utf8')
  return async (c) => {
    const started = performance.now()
    const url = new URL(c.req.url)
    if (isExempt(c.req.method, url.pathname, url.search, c.req.header('accept'))) return undefined
    const given = c.req.header(CLIENT_KEY_HEADER)
    if (given !== undefined) {
      const g = Buffer.from(given, 'utf8')
      if (g.length === clientKey.length && timingSafeEqual(g, clientKey)) return undefined
    }
    const body = c.req.method === 'GET' || c.req.method === 'HEAD' ? Buffer.alloc(0) : Buffer.from(await c.req.arrayBuffer())
    const result =
      given !== undefined
        ? ({ ok: false, reason: 'unknown-key', message: 'The security token included in the request is invalid.' } as const)
        : verifySigV4(
            {
              method: c.req.method,
              path: url.pathname,
              query: url.search.slice(1),
              header: (name) => c.req.header(name) ?? undefined,
              body,
            },
            o.keys.lookup,
            now(),
          )
    if (result.ok) return undefined
    const requestId = randomUUID()
    const w = refusalResponse(result.reason, result.message, o.shape(c, body), requestId)
    o.onRefused?.(result.reason)
    o.onRequest?.({ operation: `refused ${callName(c, url, body)}`, status: w.status, ms: performance.now() - started, requestId, error: w.error })
    return c.body(w.body, w.status as 403, w.headers)
  }
}

/** What the refused call was, for the request log: its target, its Action, or its method and path. */
function callName(c: Context, url: URL, body: Buffer): string {
  const target = c.req.header('x-amz-target')
  const form = (c.req.header('content-type') ?? '').startsWith('application/x-www-form-urlencoded')
  const action = url.searchParams.get('Action') ?? (form ? new URLSearchParams(body.toString('utf8')).get('Action') : null)
  const name = target ?? action ?? `${c.req.method} ${url.pathname}`
  return name.replace(/[^\x20-\x7e]/g, '?').slice(0, 80)
}
