import type { Context } from 'hono'
import { randomUUID } from 'node:crypto'
import { compileService, type CompiledService } from '../aws/protocol/compiled.js'
import { handleJson, jsonError } from '../aws/protocol/json.js'
import { handleQuery, queryError } from '../aws/protocol/query.js'
import { sigv4Scope, type SigV4Scope } from '../aws/protocol/sigv4.js'
import type { WireResponse } from '../aws/protocol/wire.js'
import type { OpenedService } from '../aws/registry.js'
import type { AwsContext } from '../aws/service.js'
import { principalFromToken } from '../aws/sts/tokens.js'
import { defaultAccount, defaultRegion } from '../ecs/context.js'
import { TARGET_PREFIX as ECS_TARGET_PREFIX } from '../ecs/model/index.js'
import { forward } from './aws-forward.js'
import { requestUrl } from './request-url.js'
import type { EcsAppOptions } from './ecs-app.js'
import type { SessionSecret } from '../lib/session-token.js'
import type { ErrorShape } from './auth.js'
import type { Metrics } from './metrics.js'

/**
 * The neighbour AWS services on the ECS port. ECS keeps its own route (one prefix check first);
 * everything else is routed here:
 * - JSON: by the X-Amz-Target prefix (`AmazonSSM.`, `secretsmanager.`, `Logs_20140328.`);
 * - query (form body, or GET with a query string): by the service of the SigV4 credential scope,
 *   else by `Version` (2011-06-15 STS, 2010-05-08 IAM);
 * - a call for a service KECS does not serve (unknown target prefix, a scope naming another
 *   service): forwarded to --aws-endpoint when given, else `UnknownServiceException` (400) in the
 *   protocol's shape, naming the service and the flag.
 * Each service's codec lookups are built once, here.
 */
export interface AwsRouterOptions {
  services: Map<string, OpenedService<any>>
  /** --aws-endpoint, already checked. */
  awsEndpoint?: URL
  metrics?: Metrics
  /** With `--auth sigv4`: the secrets of the session credentials STS mints (src/lib/session-token.ts). */
  sessionSecret?: SessionSecret
  onRequest?: EcsAppOptions['onRequest']
  onError?: (err: unknown, requestId: string) => void
  region?: string
  account?: string
  now?: () => number
}

export interface AwsRouter {
  /** `POST /` that is not an ECS call: the neighbour's answer, or undefined for ECS to answer as before. */
  post(c: Context): Promise<Response | undefined>
  /** A request no route matched (GET /?Action=..., another service's REST call): an answer, or undefined. */
  other(c: Context): Promise<Response | undefined>
  /**
   * How the service a request is for shapes its errors (for answers given before routing, such as a
   * refused signature): the query protocol's XML, with the service's namespace, or JSON.
   */
  errorShape(c: Context, body: Buffer): ErrorShape
}

interface Entry {
  svc: CompiledService
  state: unknown
}

const FORM = 'application/x-www-form-urlencoded'

export function createAwsRouter(opts: AwsRouterOptions): AwsRouter {
  const byName = new Map<string, Entry>()
  const byTarget = new Map<string, Entry>()
  const byVersion = new Map<string, Entry>()
  for (const { service, state } of opts.services.values()) {
    const entry = { svc: compileService(service), state }
    byName.set(service.name, entry)
    if (entry.svc.protocol === 'json') byTarget.set(entry.svc.targetPrefix!, entry)
    else byVersion.set(entry.svc.apiVersion, entry)
  }
  const account = opts.account ?? defaultAccount()
  const region = opts.region ?? defaultRegion()
  const now = opts.now ?? Date.now
  const served = () => ['ecs', ...byName.keys()].join(', ')

  const context = (c: Context, scope: SigV4Scope | undefined, operation: string, token?: string | null): AwsContext => ({
    region: scope?.region ?? region,
    account,
    requestId: randomUUID(),
    operation,
    principalArn: principalFromToken(token ?? c.req.header('x-amz-security-token'), account),
    accessKeyId: scope?.accessKeyId,
    now,
    ...(opts.sessionSecret ? { sessionSecret: opts.sessionSecret } : {}),
  })

  /** Sends a codec's answer, and records it in the metrics and the request log. */
  const answer = (c: Context, w: WireResponse, label: string, line: string, requestId: string, started: number) => {
    if (w.unexpected !== undefined) opts.onError?.(w.unexpected, requestId)
    const ms = performance.now() - started
    opts.metrics?.observe(label, w.status, ms / 1000)
    opts.onRequest?.({ operation: line, status: w.status, ms, requestId, error: w.error })
    return c.body(w.body, w.status as 200, w.headers)
  }

  const json = async (c: Context, e: Entry, operation: string, scope: SigV4Scope | undefined, started: number) => {
    const ctx = context(c, scope, operation)
    const w = await handleJson(e.svc, e.state, await c.req.text(), ctx)
    const label = e.svc.operation(operation) ? `${e.svc.name}:${operation}` : `${e.svc.name}:Unknown`
    return answer(c, w, label, `${e.svc.name}:${operation || '(none)'}`, ctx.requestId, started)
  }

  const query = async (c: Context, e: Entry, params: URLSearchParams, scope: SigV4Scope | undefined, started: number) => {
    const operation = params.get('Action') ?? ''
    const ctx = context(c, scope, operation, params.get('X-Amz-Security-Token'))
    const w = await handleQuery(e.svc, e.state, params, ctx)
    const label = e.svc.operation(operation) ? `${e.svc.name}:${operation}` : `${e.svc.name}:Unknown`
    return answer(c, w, label, `${e.svc.name}:${operation || '(none)'}`, ctx.requestId, started)
  }

  /** A service KECS does not serve: forwarded, or a clear error in the protocol's shape. */
  const unserved = async (c: Context, service: string, protocol: 'json' | 'query', body: Buffer, started: number) => {
    const requestId = randomUUID()
    if (opts.awsEndpoint) {
      const line = `forward ${service.slice(0, 64)}`
      try {
        const r = await forward(opts.awsEndpoint, { method: c.req.method, url: c.req.url, headers: c.req.raw.headers, body })
        const ms = performance.now() - started
        opts.metrics?.observe('Forwarded', r.status, ms / 1000)
        opts.onRequest?.({ operation: line, status: r.status, ms, requestId })
        return new Response(r.status === 204 || r.status === 304 ? null : new Uint8Array(r.body), { status: r.status, headers: r.headers })
      } catch (e) {
        const message = `KECS could not forward this ${service} call to --aws-endpoint ${opts.awsEndpoint.href}: ${(e as Error).message}`
        const w = protocol === 'json' ? jsonError(requestId, 'ServiceUnavailable', message, 502) : queryError(requestId, 'ServiceUnavailable', message, 502, false)
        return answer(c, w, 'Forwarded', line, requestId, started)
      }
    }
    const message =
      `KECS does not serve the AWS service "${service}" (it serves ${served()}). To send calls for other services ` +
      'on to another endpoint (LocalStack, a real AWS endpoint), start KECS with --aws-endpoint <url> (or KECS_AWS_ENDPOINT).'
    const code = 'UnknownServiceException'
    const w = protocol === 'json' ? jsonError(requestId, code, message) : queryError(requestId, code, message)
    return answer(c, w, 'UnknownService', `unknown service ${service.slice(0, 64)}`, requestId, started)
  }

  const isForm = (c: Context) => (c.req.header('content-type') ?? '').toLowerCase().startsWith(FORM)

  return {
    async post(c) {
      const started = performance.now()
      const scope = sigv4Scope(c.req.header('authorization'))
      // A call signed for ECS stays ECS's, whatever else it carries: ECS answers exactly as before.
      if (scope?.service === 'ecs') return undefined
      const target = c.req.header('x-amz-target')
      if (target) {
        const dot = target.indexOf('.')
        if (dot <= 0 || target.slice(0, dot) === ECS_TARGET_PREFIX) return undefined
        const e = byTarget.get(target.slice(0, dot))
        if (e) return json(c, e, target.slice(dot + 1), scope, started)
        return unserved(c, scope?.service ?? target.slice(0, dot), 'json', await raw(c), started)
      }
      const e = scope ? byName.get(scope.service) : undefined
      if (e?.svc.protocol === 'json') return json(c, e, '', scope, started)
      const body = await raw(c)
      if (e) return query(c, e, new URLSearchParams(body.toString('utf8')), scope, started)
      if (scope) return unserved(c, scope.service, isForm(c) ? 'query' : 'json', body, started)
      if (!isForm(c)) return undefined
      const params = new URLSearchParams(body.toString('utf8'))
      const version = params.get('Version')
      const byV = version ? byVersion.get(version) : undefined
      if (byV) return query(c, byV, params, scope, started)
      if (params.has('Action')) return unserved(c, version ? `of API version ${version}` : '(no Version given)', 'query', body, started)
      return undefined
    },

    async other(c) {
      const started = performance.now()
      const url = requestUrl(c.req.url)
      const scope = sigv4Scope(c.req.header('authorization'), url.searchParams.get('X-Amz-Credential'))
      if (scope?.service === 'ecs') return undefined
      if (c.req.method === 'GET' && url.pathname === '/' && url.searchParams.has('Action')) {
        const e = scope ? byName.get(scope.service) : byVersion.get(url.searchParams.get('Version') ?? '')
        if (e?.svc.protocol === 'query') return query(c, e, url.searchParams, scope, started)
      }
      if (scope && !byName.has(scope.service)) return unserved(c, scope.service, 'json', await raw(c), started)
      return undefined
    },

    errorShape(c, body) {
      if (c.req.header('x-amz-target')) return { protocol: 'json' }
      const url = new URL(c.req.url)
      const scope = sigv4Scope(c.req.header('authorization'), url.searchParams.get('X-Amz-Credential'))
      const e = scope ? byName.get(scope.service) : undefined
      const query = (x: Entry | undefined): ErrorShape => ({ protocol: 'query', ...(x?.svc.xmlNamespace ? { xmlns: x.svc.xmlNamespace } : {}) })
      if (e) return e.svc.protocol === 'query' ? query(e) : { protocol: 'json' }
      if (scope) return { protocol: 'json' }
      const params = url.searchParams.has('Action') ? url.searchParams : isForm(c) ? new URLSearchParams(body.toString('utf8')) : undefined
      if (params?.has('Action')) return query(byVersion.get(params.get('Version') ?? ''))
      return { protocol: 'json' }
    },
  }
}

async function raw(c: Context): Promise<Buffer> {
  return Buffer.from(await c.req.arrayBuffer())
}
