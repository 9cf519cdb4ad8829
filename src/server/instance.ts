import { join } from 'node:path'
import type { Clock } from '../ecs/clock.js'
import { systemClock } from '../ecs/clock.js'
import type { EcsDeps, EcsHooks } from '../ecs/types.js'
import { EventBus } from '../events/bus.js'
import { openRepos, type Repos } from '../store/repos.js'
import { Store } from '../store/store.js'
import { createAdminApp } from './admin-app.js'
import { createEcsApp, jsonNotFound } from './ecs-app.js'
import { listen, type Listening } from './listen.js'
import { Metrics } from './metrics.js'
import { resourceCounts } from './resource-counts.js'

export interface InstanceOptions {
  /** Directory holding kecs.duckdb (and later kubeconfig); ':memory:' keeps the store in memory. */
  dir: string | ':memory:'
  host?: string
  port?: number
  adminPort?: number
  clock?: Clock
  hooks?: EcsHooks
  /** Reported by /ready and `kecs status`. */
  clusterProvider?: string
  onRequest?: Parameters<typeof createEcsApp>[0]['onRequest']
  onError?: (err: unknown, requestId: string) => void
}

export interface Instance {
  deps: EcsDeps
  repos: Repos
  bus: EventBus
  metrics: Metrics
  api: Listening
  admin: Listening
  endpoint: string
  startedAt: number
  close(): Promise<void>
}

/** Opens the store. Separate from the servers so `kecs start` can show it as its own step. */
export async function openStore(dir: string | ':memory:'): Promise<Store> {
  return Store.open(dir === ':memory:' ? ':memory:' : join(dir, 'kecs.duckdb'))
}

/** One KECS instance in this process: store, ECS API, admin. */
export async function startInstance(opts: InstanceOptions, store?: Store): Promise<Instance> {
  const host = opts.host ?? '127.0.0.1'
  store ??= await openStore(opts.dir)
  const repos = await openRepos(store)
  const bus = new EventBus()
  const metrics = new Metrics()
  const deps: EcsDeps = { repos, clock: opts.clock ?? systemClock, bus, hooks: opts.hooks ?? {} }
  let ready = false

  const ecsApp = createEcsApp({ deps, metrics, onRequest: opts.onRequest, onError: opts.onError })
  jsonNotFound(ecsApp)
  metrics.gauge('kecs_resources', () => resourceCounts(repos, 'prometheus'))
  const adminApp = createAdminApp(metrics, {
    ready: () => ready,
    details: () => ({ clusterProvider: opts.clusterProvider ?? 'none' }),
  })

  let api: Listening | undefined
  let admin: Listening | undefined
  try {
    api = await listen(ecsApp, host, opts.port ?? 8080)
    admin = await listen(adminApp, host, opts.adminPort ?? 8081)
  } catch (e) {
    await api?.close()
    await store.close()
    throw e
  }
  ready = true
  const startedAt = Date.now()
  return {
    deps,
    repos,
    bus,
    metrics,
    api,
    admin,
    startedAt,
    endpoint: `http://${host.includes(':') ? `[${host}]` : host}:${api.port}`,
    async close() {
      ready = false
      await Promise.all([api!.close(), admin!.close()])
      await store!.close()
    },
  }
}
