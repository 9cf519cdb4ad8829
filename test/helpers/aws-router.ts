import { Hono } from 'hono'
import type { AwsService } from '../../src/aws/service.js'
import { createAwsRouter, type AwsRouterOptions } from '../../src/server/aws-app.js'
import { Metrics } from '../../src/server/metrics.js'

/**
 * The neighbour router on a bare Hono app, as the instance mounts it beside ECS: `POST /` asks the
 * router first (an unanswered call is "ECS"), and requests no route matched ask it again.
 */
export function routerApp(services: AwsService<any>[], opts: Partial<AwsRouterOptions> = {}) {
  const metrics = new Metrics()
  const lines: { operation: string; status: number; error?: string }[] = []
  const errors: unknown[] = []
  const router = createAwsRouter({
    services: new Map(services.map((service) => [service.name, { service, state: { service: service.name } }])),
    metrics,
    account: '123456789012',
    region: 'us-east-1',
    now: () => Date.UTC(2026, 0, 2, 3, 4, 5),
    onRequest: (l) => lines.push(l),
    onError: (e) => errors.push(e),
    ...opts,
  })
  const app = new Hono()
  app.post('/', async (c) => (await router.post(c)) ?? c.json({ answeredBy: 'ecs' }))
  app.notFound(async (c) => (await router.other(c)) ?? c.json({ answeredBy: 'not-found' }, 404))
  return { app, metrics, lines, errors }
}

export const scope = (service: string, region = 'eu-west-1') =>
  `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260102/${region}/${service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc`

export const jsonCall = (target: string, body: unknown, headers: Record<string, string> = {}) => ({
  method: 'POST',
  headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': target, ...headers },
  body: typeof body === 'string' ? body : JSON.stringify(body),
})

export const formCall = (params: Record<string, string>, headers: Record<string, string> = {}) => ({
  method: 'POST',
  headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8', ...headers },
  body: new URLSearchParams(params).toString(),
})
