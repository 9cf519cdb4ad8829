import { Hono, type Context, type MiddlewareHandler } from 'hono'
import { randomUUID } from 'node:crypto'
import { buildContext } from '../ecs/context.js'
import { dispatch } from '../ecs/dispatch.js'
import { EcsError } from '../ecs/errors.js'
import { operation as modelOperation, TARGET_PREFIX } from '../ecs/model/index.js'
import type { EcsDeps } from '../ecs/types.js'
import type { Metrics } from './metrics.js'
import { requestUrl } from './request-url.js'

export interface EcsAppOptions {
  deps: EcsDeps
  metrics?: Metrics
  /** Called once per request, for the foreground request log. */
  onRequest?: (line: { operation: string; status: number; ms: number; requestId: string; error?: string }) => void
  /** Unexpected failures (500) are logged here with their stack, never shown to the client. */
  onError?: (err: unknown, requestId: string) => void
  region?: string
  account?: string
  /** Run before every route, in order (the local-only guard; the instance holds requests that arrive while it starts). */
  before?: MiddlewareHandler | MiddlewareHandler[]
  /**
   * `POST /` without the ECS target prefix goes here first (the neighbour AWS services, src/server/aws-app.ts);
   * undefined: ECS answers as it always has.
   */
  neighbours?: (c: Context) => Promise<Response | undefined>
}

const JSON_11 = 'application/x-amz-json-1.1'
const ECS_PREFIX = `${TARGET_PREFIX}.`

/** AWS JSON 1.1 error body + headers (docs/architecture.md#wire-format). */
function errorResponse(c: Context, requestId: string, type: string, message: string, status: number, extra?: object) {
  return c.body(JSON.stringify({ __type: type, message, ...extra }), status as 400, {
    'Content-Type': JSON_11,
    'x-amzn-RequestId': requestId,
    'X-Amzn-ErrorType': type,
  })
}

/** The ECS endpoint: `POST /` with `X-Amz-Target: AmazonEC2ContainerServiceV20141113.<Operation>`. */
export function createEcsApp(opts: EcsAppOptions): Hono {
  const app = new Hono()
  for (const m of [opts.before ?? []].flat()) app.use('*', m)

  app.post('/', async (c) => {
    const started = performance.now()
    const requestId = randomUUID()
    const target = c.req.header('x-amz-target') ?? ''
    const isEcs = target.startsWith(ECS_PREFIX)
    if (!isEcs && opts.neighbours) {
      const answered = await opts.neighbours(c)
      if (answered) return answered
    }
    const operation = isEcs ? target.slice(ECS_PREFIX.length) : ''
    const done = (status: number, error?: string) => {
      const ms = performance.now() - started
      // Only model operations become metric labels: a client must not grow (or break) the label set.
      opts.metrics?.observe(modelOperation(operation) ? operation : 'Unknown', status, ms / 1000)
      opts.onRequest?.({ operation: operation || target || '(none)', status, ms, requestId, error })
    }

    if (!operation) {
      done(400, 'UnknownOperationException')
      return errorResponse(c, requestId, 'UnknownOperationException', `Unknown operation ${target || '(no X-Amz-Target header)'}`, 400)
    }

    let body: unknown
    const text = await c.req.text()
    try {
      body = text.trim() === '' ? {} : JSON.parse(text)
    } catch {
      done(400, 'SerializationException')
      return errorResponse(c, requestId, 'SerializationException', 'Malformed JSON in the request body.', 400)
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      done(400, 'SerializationException')
      return errorResponse(c, requestId, 'SerializationException', 'The request body must be a JSON object.', 400)
    }

    const ctx = buildContext({
      operation,
      authorization: c.req.header('authorization'),
      region: opts.region,
      account: opts.account,
      requestId,
    })
    try {
      const out = await dispatch(operation, body, ctx, opts.deps)
      done(200)
      return c.body(JSON.stringify(out), 200, { 'Content-Type': JSON_11, 'x-amzn-RequestId': requestId })
    } catch (e) {
      if (e instanceof EcsError && e.status < 500) {
        done(e.status, e.type)
        return errorResponse(c, requestId, e.type, e.message, e.status, e.extra)
      }
      opts.onError?.(e, requestId)
      done(500, 'ServerException')
      return errorResponse(c, requestId, 'ServerException', `An internal error occurred (request id ${requestId}).`, 500)
    }
  })

  return app
}

/**
 * JSON for anything that is not an ECS call: never an HTML page. `other` may answer first (a GET
 * query-protocol call, or another AWS service's call to forward).
 */
export function jsonNotFound(app: Hono, onError?: (err: unknown, requestId: string) => void, other?: (c: Context) => Promise<Response | undefined>) {
  app.notFound(async (c) => {
    const answered = await other?.(c)
    if (answered) return answered
    const type = 'UnknownOperationException'
    return c.json({ __type: type, message: `No route for ${c.req.method} ${requestUrl(c.req.url).pathname}` }, 404, {
      'x-amzn-RequestId': randomUUID(),
      'X-Amzn-ErrorType': type,
    })
  })
  app.onError((err, c) => {
    const requestId = randomUUID()
    onError?.(err, requestId)
    return c.json({ __type: 'ServerException', message: `An internal error occurred (request id ${requestId}).` }, 500, {
      'x-amzn-RequestId': requestId,
      'X-Amzn-ErrorType': 'ServerException',
    })
  })
}
