import { Hono, type MiddlewareHandler } from 'hono'
import { KECS_VERSION } from '../lib/version.js'
import type { Metrics } from './metrics.js'

export interface AdminInfo {
  ready: () => boolean
  /** Extra facts /ready reports, e.g. the cluster provider. */
  details: () => Record<string, unknown>
  /** What `kecs status` shows (pid, uptime, resource counts): the CLI asks here, never the locked store. */
  status?: () => Record<string, unknown>
  /** `POST /reset` (`kecs reset`): empties the instance; answers what it removed. */
  reset?: () => Promise<{ reset: true; ms: number; removed: Record<string, number> }>
  /** Runs before every route: the local-only guard (a page of another site must not `POST /reset`). */
  guard?: MiddlewareHandler
}

/**
 * The admin endpoint: `/health` (process alive), `/ready` (serving), `/status` (JSON for `kecs status`),
 * `/metrics` (Prometheus text), `POST /reset` (empties the instance, `kecs reset`).
 */
export function createAdminApp(metrics: Metrics, info: AdminInfo): Hono {
  const app = new Hono()
  if (info.guard) app.use('*', info.guard)
  app.get('/health', (c) => c.json({ status: 'ok' }))
  app.get('/ready', (c) =>
    info.ready() ? c.json({ status: 'ready', ...info.details() }) : c.json({ status: 'starting', ...info.details() }, 503),
  )
  app.get('/status', (c) =>
    c.json({ status: info.ready() ? 'ready' : 'starting', version: KECS_VERSION, ...info.details(), ...info.status?.() }),
  )
  app.post('/reset', async (c) => {
    if (!info.reset) return c.json({ message: 'this instance cannot be reset' }, 404)
    if (!info.ready()) return c.json({ message: 'the instance is still starting' }, 503)
    try {
      return c.json(await info.reset())
    } catch (e) {
      return c.json({ message: `reset failed: ${(e as Error).message}` }, 500)
    }
  })
  app.get('/metrics', (c) => c.text(metrics.render(), 200, { 'Content-Type': 'text/plain; version=0.0.4' }))
  app.notFound((c) => c.json({ message: `No route for ${c.req.method} ${new URL(c.req.url).pathname}` }, 404))
  return app
}
