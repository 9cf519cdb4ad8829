import { Listr, PRESET_TIMER } from 'listr2'
import { defaultRegion } from '../ecs/context.js'
import { attachKube } from '../kube/attach.js'
import { resolveProvider, type ClusterHandle, type ClusterProvider } from '../cluster/providers.js'
import { PortInUseError } from '../lib/listen.js'
import { openStore, prepareInstance, type Instance, type InstanceOptions, type PreparedInstance } from '../server/instance.js'
import { StoreLockedError, type Store } from '../store/store.js'
import { httpUrl } from './admin-client.js'
import { humanMs } from '../lib/duration.js'
import { CliError } from '../lib/errors.js'
import { instanceDir, instanceState, kecsHome, nameSuffix, removeInstance, writeInstance, type InstanceRecord } from './registry.js'
import type { StartOptions } from './start-options.js'

/** A booted instance: its servers listen, instance.json is written. */
export interface Booted {
  dir: string
  instance: Instance
  cluster: ClusterHandle
  record: InstanceRecord
  /** Stops serving (in-flight requests finish), closes the store, stops the cluster, removes instance.json. */
  shutdown(): Promise<void>
}

export interface BootUi {
  /** Plain lines (CI, no TTY, tests) instead of the live task list. */
  plain: boolean
  /** Lines outside the task list: notes, warnings. */
  log: (line: string) => void
  /** Silences the task list entirely (library use, tests). */
  silent?: boolean
  onRequest?: InstanceOptions['onRequest']
  onError?: InstanceOptions['onError']
}

/** Errors a step can raise, turned into the one-line reason + hint the CLI contract asks for. */
export function explainStartError(e: unknown, o: StartOptions): unknown {
  if (e instanceof PortInUseError) {
    const flag = e.port === o.adminPort && e.port !== o.port ? '--admin-port' : '--port'
    return new CliError(`port ${e.port} on ${e.host} is already in use`, `Choose another with ${flag} <port>.`)
  }
  if (e instanceof StoreLockedError) {
    return new CliError(
      `instance "${o.name}" is already running: ${e.message}`,
      `Stop it with \`kecs stop${nameSuffix(o.name)}\`, or start another instance with --name <other>.`,
    )
  }
  return e
}

function withTimeout<T>(p: Promise<T>, ms: number, what: () => Error): Promise<T> {
  let timer: NodeJS.Timeout
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(what()), ms)
    }),
  ]).finally(() => clearTimeout(timer))
}

/** Fails when the instance already runs; cleans up a stale instance.json left by a killed process. */
export function checkNotRunning(dir: string, name: string, log: (line: string) => void): void {
  const st = instanceState(dir)
  if (st.state === 'running') {
    throw new CliError(
      `instance "${name}" is already running (pid ${st.record.pid}, ${st.record.endpoint})`,
      `Stop it with \`kecs stop${nameSuffix(name)}\`, or start another instance with --name <other>.`,
    )
  }
  if (st.state === 'stale') {
    removeInstance(dir)
    log(`Removed a stale instance.json for "${name}" (${st.reason}).`)
  }
}

/**
 * Boots one instance in this process, step by step (store, cluster, ECS API, admin) as a listr2 task
 * list, then records it in instance.json. On failure everything opened so far is closed again.
 */
export async function bootInstance(o: StartOptions, ui: BootUi): Promise<Booted> {
  const home = o.home ?? kecsHome()
  const dir = instanceDir(o.name, home)
  checkNotRunning(dir, o.name, ui.log)
  const { provider, note } = await resolveProvider(o.cluster)
  if (note) ui.log(`Note: ${note}`)

  let store: Store | undefined
  let cluster: ClusterHandle | undefined
  let prepared: PreparedInstance | undefined
  const region = defaultRegion()
  const tasks = new Listr(
    [
      {
        title: `Open store ${dir}/kecs.duckdb`,
        task: async () => {
          store = await openStore(dir)
        },
      },
      {
        title: `Start cluster (${provider.name})`,
        rendererOptions: { persistentOutput: true, bottomBar: 5 },
        task: async (_, task) => {
          // In a terminal, progress lines (with elapsed times) show under the step; plain mode prints them as lines.
          const log = ui.plain || ui.silent ? ui.log : (line: string) => void (task.output = line)
          cluster = await startCluster(provider, o, dir, log, store)
          task.title = `Cluster: ${cluster.describe}`
        },
      },
      {
        title: `Start ECS API on ${httpUrl(o.host, o.port)}`,
        task: async (_, task) => {
          prepared = await prepareInstance(
            {
              dir,
              host: o.host,
              port: o.port,
              adminPort: o.adminPort,
              clusterProvider: provider.name,
              onRequest: ui.onRequest,
              onError: ui.onError,
            },
            store,
          )
          const api = await prepared.listenApi()
          task.title = `ECS API on ${httpUrl(o.host, api.port)}`
        },
      },
      {
        title: `Start admin on ${httpUrl(o.host, o.adminPort)}`,
        task: async (_, task) => {
          const admin = await prepared!.listenAdmin()
          task.title = `Admin on ${httpUrl(o.host, admin.port)} (/ready /status /metrics)`
        },
      },
    ],
    {
      renderer: ui.silent ? 'silent' : ui.plain ? 'simple' : 'default',
      exitOnError: true,
      rendererOptions: { collapseErrors: false, timer: PRESET_TIMER },
    },
  )
  try {
    await tasks.run()
  } catch (e) {
    await cluster?.stop().catch(() => {}) // before the store closes: the emulated cluster writes to it
    if (prepared) await prepared.close().catch(() => {})
    else await store?.close().catch(() => {})
    throw explainStartError(e, o)
  }

  const instance = prepared!.ready()
  const endpoint = httpUrl(o.host, instance.api.port)
  // Closing order: servers stop, then the ECS side detaches, then the cluster stops, then the store closes.
  instance.onClose(() => cluster!.stop())
  if (cluster!.kubeconfigPath) {
    try {
      const kube = await attachKube(instance.deps, {
        kubeconfigPath: cluster!.kubeconfigPath,
        // Only an existing cluster's kubeconfig has the user's contexts; Kind's and the emulator's have their own.
        context: provider.name === 'existing' ? o.context : undefined,
        ecsEndpoint: cluster!.endpointForPods?.(endpoint) ?? endpoint,
        log: ui.log,
        hostPorts: { host: o.host }, // task host ports listen where the API does
      })
      instance.onClose(() => kube.stop())
    } catch (e) {
      await instance.close().catch(() => {})
      throw new CliError(
        `could not connect ECS to the ${provider.name} cluster: ${e instanceof Error ? e.message : String(e)}`,
        'Check the cluster with kubectl, or pick another provider with --cluster.',
      )
    }
  }
  const record: InstanceRecord = {
    name: o.name,
    pid: process.pid,
    host: o.host,
    port: instance.api.port,
    adminPort: instance.admin.port,
    endpoint,
    clusterProvider: provider.name,
    startedAt: new Date(instance.startedAt).toISOString(),
    kubeconfig: cluster!.kubeconfigPath ?? null,
    region,
  }
  writeInstance(dir, record)
  let closing: Promise<void> | undefined
  return {
    dir,
    instance,
    cluster: cluster!,
    record,
    shutdown: () =>
      (closing ??= (async () => {
        try {
          await instance.close() // also detaches the cluster and stops it (onClose above)
        } finally {
          removeInstance(dir, process.pid)
        }
      })()),
  }
}

async function startCluster(provider: ClusterProvider, o: StartOptions, dir: string, log: (l: string) => void, store?: Store) {
  const ctx = { instanceDir: dir, name: o.name, kubeconfig: o.kubeconfig, context: o.context, log, store }
  return withTimeout(
    provider.start(ctx),
    o.timeoutMs,
    () =>
      new CliError(
        `the ${provider.name} cluster did not start within ${humanMs(o.timeoutMs)}`,
        'Raise --timeout, or pick another provider with --cluster.',
      ),
  )
}
