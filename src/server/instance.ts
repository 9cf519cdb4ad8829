import { join } from 'node:path'
import type { Clock } from '../lib/timers.js'
import { systemClock } from '../lib/timers.js'
import type { EcsDeps, EcsHooks } from '../ecs/types.js'
import { EventBus } from '../events/bus.js'
import { openRepos, type Repos } from '../store/repos.js'
import { Store } from '../store/store.js'
import { createAdminApp } from './admin-app.js'
import { mountUi } from './ui-app.js'
import { createEcsApp, jsonNotFound } from './ecs-app.js'
import { listen, type Listening } from '../lib/listen.js'
import { Metrics } from './metrics.js'
import { resourceCounts } from './resource-counts.js'
import { createWsHub, type WsHub } from './ws-hub.js'
import { mountTaskEndpoints } from './task-endpoints.js'

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
  /** The `/ws` live event feed on the API port. */
  hub: WsHub
  metrics: Metrics
  api: Listening
  admin: Listening
  endpoint: string
  startedAt: number
  close(): Promise<void>
  /**
   * Registers work to run when the instance closes: after the servers stop taking requests and before
   * the store closes (so a cluster layer that writes to the store can finish). Runs last-registered first.
   */
  onClose(fn: () => Promise<void>): void
}

/** Opens the store. Separate from the servers so `kecs start` can show it as its own step. */
export async function openStore(dir: string | ':memory:'): Promise<Store> {
  return Store.open(dir === ':memory:' ? ':memory:' : join(dir, 'kecs.duckdb'))
}

/** An instance whose store is open and apps are built, before it listens: `kecs start` shows each step. */
export interface PreparedInstance {
  listenApi(): Promise<Listening>
  listenAdmin(): Promise<Listening>
  /** Once both listen: marks the instance ready (/ready answers 200) and returns it. */
  ready(): Instance
  /** Closes whatever is open so far (servers, then the store). */
  close(): Promise<void>
}

export async function prepareInstance(opts: InstanceOptions, store?: Store): Promise<PreparedInstance> {
  const host = opts.host ?? '127.0.0.1'
  store ??= await openStore(opts.dir)
  const s = store
  let repos: Repos
  try {
    repos = await openRepos(s)
  } catch (e) {
    await s.close()
    throw e
  }
  const bus = new EventBus()
  const metrics = new Metrics()
  const deps: EcsDeps = { repos, clock: opts.clock ?? systemClock, bus, hooks: opts.hooks ?? {} }
  let ready = false
  let startedAt = Date.now()

  const ecsApp = createEcsApp({ deps, metrics, onRequest: opts.onRequest, onError: opts.onError })
  const hub = createWsHub({ bus })
  hub.mount(ecsApp)
  const taskEndpoints = mountTaskEndpoints(ecsApp, deps) // task metadata endpoint, /kecs/v1/logs
  jsonNotFound(ecsApp, opts.onError)
  metrics.gauge('kecs_resources', () => resourceCounts(repos, 'prometheus'))
  const adminApp = createAdminApp(metrics, {
    ready: () => ready,
    details: () => ({ clusterProvider: opts.clusterProvider ?? 'none' }),
    status: () => ({
      pid: process.pid,
      clusterProvider: opts.clusterProvider ?? 'none',
      startedAt: new Date(startedAt).toISOString(),
      uptimeSeconds: Math.floor((Date.now() - startedAt) / 1000),
      resources: resourceCounts(repos),
    }),
  })
  mountUi(ecsApp, { admin: adminApp }) // the web UI at /ui, and /status on the API port too

  let api: Listening | undefined
  let admin: Listening | undefined
  const closers: (() => Promise<void>)[] = []
  const close = async () => {
    ready = false
    taskEndpoints.close()
    await Promise.all([hub.close(), api?.close(), admin?.close()])
    for (const fn of closers.splice(0).reverse()) {
      await fn().catch((e) => opts.onError?.(e, 'shutdown'))
    }
    await s.close()
  }
  return {
    listenApi: async () => (api = await listen(ecsApp, host, opts.port ?? 8080, { websocket: hub.wss })),
    listenAdmin: async () => (admin = await listen(adminApp, host, opts.adminPort ?? 8081)),
    ready() {
      if (!api || !admin) throw new Error('ready() before both servers listen')
      ready = true
      startedAt = Date.now()
      return {
        deps,
        repos,
        bus,
        hub,
        metrics,
        api,
        admin,
        startedAt,
        endpoint: `http://${host.includes(':') ? `[${host}]` : host}:${api.port}`,
        close,
        onClose: (fn) => void closers.push(fn),
      }
    },
    close,
  }
}

/** One KECS instance in this process: store, ECS API, admin. */
export async function startInstance(opts: InstanceOptions, store?: Store): Promise<Instance> {
  const prepared = await prepareInstance(opts, store)
  try {
    await prepared.listenApi()
    await prepared.listenAdmin()
  } catch (e) {
    await prepared.close()
    throw e
  }
  return prepared.ready()
}
