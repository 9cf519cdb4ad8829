import { join } from 'node:path'
import type { Clock } from '../lib/timers.js'
import type { Store } from '../store/store.js'
import { startApiServer } from './apiserver/server.js'
import { startControllers, type ControllerOptions } from './controllers/index.js'
import { writeKubeconfig } from './kubeconfig.js'
import { openObjectStore } from './store/object-store.js'
import type { ObjectStore } from './types.js'

export interface EmulatorOptions {
  /** The instance's DuckDB store: objects live in its kube_objects table. */
  store: Store
  host?: string
  /** 0 (default) picks a free port. */
  port?: number
  /** When set, the kubeconfig is written to <dir>/kubeconfig. */
  dir?: string
  /** Speeds up the simulated kubelet's lifecycle (controllers option). */
  speed?: number
  /** Injectable clock (docs/architecture.md#injected-clock-timers-and-process-runner); a clock with setTimeout drives the controllers' timers too. */
  clock?: Clock
  /** Watch history size (default 1,000 changes; an older resourceVersion gets 410 Gone). */
  historySize?: number
  /** Called for every API request once answered (streams: once ended), e.g. for request logs. */
  onApiRequest?: (info: { method: string; url: string; status: number; ms: number }) => void
  /** More controller/kubelet options (node name, lifecycle, timings, error sink), e.g. for tests. */
  controllers?: Omit<ControllerOptions, 'speed' | 'clock'>
}

export interface Emulator {
  url: string
  port: number
  kubeconfigPath?: string
  objects: ObjectStore
  /** No controller has queued or running work (for tests and benchmarks waiting for quiet). */
  idle(): boolean
  close(): Promise<void>
}

/**
 * The built-in Kubernetes: object store (on the instance's DuckDB), controllers and simulated kubelet,
 * and the HTTP API that the rest of KECS, kubectl and client-node reach it through.
 */
export async function startEmulator(opts: EmulatorOptions): Promise<Emulator> {
  const objects = await openObjectStore(opts.store, { clock: opts.clock, historySize: opts.historySize })
  const controllers = startControllers(objects, { ...opts.controllers, speed: opts.speed, clock: opts.clock })
  let api
  try {
    // The node is registered before anyone can ask for it.
    await controllers.ready
    api = await startApiServer({
      objects,
      logs: controllers.logs,
      host: opts.host,
      port: opts.port,
      clock: opts.clock,
      onRequest: opts.onApiRequest,
    })
  } catch (e) {
    await controllers.stop()
    throw e
  }
  let kubeconfigPath: string | undefined
  if (opts.dir) {
    kubeconfigPath = join(opts.dir, 'kubeconfig')
    writeKubeconfig(kubeconfigPath, api.url)
  }
  // Events live an hour, as in Kubernetes; swept every minute (unref'd: never keeps the process up).
  const sweep = setInterval(() => void objects.expireEvents().catch(() => {}), 60_000)
  sweep.unref()
  let closing: Promise<void> | undefined
  return {
    url: api.url,
    port: api.port,
    kubeconfigPath,
    objects,
    idle: () => controllers.idle(),
    close: () =>
      (closing ??= (async () => {
        clearInterval(sweep)
        await controllers.stop()
        await api.close()
        // Writes already acknowledged are durable; wait for the ones still queued.
        await opts.store.flush()
      })()),
  }
}
