import { Listr, PRESET_TIMER } from 'listr2'
import { defaultRegion } from '../ecs/context.js'
import { resolveProvider, type ClusterHandle } from '../cluster/providers.js'
import { planInstance, type Instance, type InstanceOptions, type InstanceStep } from '../instance/instance.js'
import { PortInUseError } from '../lib/listen.js'
import { StoreLockedError } from '../store/store.js'
import { httpUrl } from './admin-client.js'
import { humanMs } from '../lib/duration.js'
import { CliError } from '../lib/errors.js'
import { defaultAdminHost } from '../lib/local-hosts.js'
import { checkNotRunning } from './not-running.js'
import { instanceDir, kecsHome, nameSuffix, removeInstance, writeInstance, type InstanceRecord } from './registry.js'
import type { StartOptions } from './start-options.js'
import { describeAuth, loadAuthCredentials } from './auth-credentials.js'

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
export function explainStartError(e: unknown, o: StartOptions, provider?: string): unknown {
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
  if (provider && e instanceof Error && e.message.startsWith('cannot use the Kubernetes cluster')) {
    return new CliError(
      `could not connect ECS to the ${provider} cluster: ${e.message}`,
      'Check the cluster with kubectl, or pick another provider with --cluster.',
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

/**
 * Boots one instance in this process through the composition root (src/instance), showing its steps
 * (store, cluster, ECS API with the controllers, admin) as a listr2 task list, then records it in
 * instance.json. On failure everything opened so far is closed again.
 */
export async function bootInstance(o: StartOptions, ui: BootUi): Promise<Booted> {
  const home = o.home ?? kecsHome()
  const dir = instanceDir(o.name, home)
  checkNotRunning(dir, o.name, ui.log)
  const { provider, note } = await resolveProvider(o.cluster)
  if (note) ui.log(`Note: ${note}`)

  const region = defaultRegion()
  const adminHost = o.adminHost ?? defaultAdminHost(o.host)
  const credentials = o.auth === 'sigv4' ? loadAuthCredentials({ file: o.credentialsFile }) : undefined
  if (credentials) ui.log(`Auth: ${describeAuth(credentials)}`)
  const plan = planInstance({
    dir,
    host: o.host,
    port: o.port,
    adminHost,
    adminPort: o.adminPort,
    allowHosts: o.allowHosts,
    cluster: { provider, name: o.name, kubeconfig: o.kubeconfig, context: o.context },
    injectEndpoint: o.injectEndpoint,
    onRequest: ui.onRequest,
    onError: ui.onError,
    log: ui.log,
    awsEndpoint: o.awsEndpoint,
    ...(credentials ? { auth: { credentials } } : {}),
  })
  const titles: Record<InstanceStep['id'], [string, (result: string) => string]> = {
    store: [`Open store ${dir}/kecs.duckdb`, () => `Store ${dir}/kecs.duckdb`],
    cluster: [`Start cluster (${provider.name})`, (r) => `Cluster: ${r}`],
    api: [`Start ECS API on ${httpUrl(o.host, o.port)}`, (r) => `ECS API on ${r}`],
    admin: [`Start admin on ${httpUrl(adminHost, o.adminPort)}`, (r) => `Admin on ${r} (/ready /status /metrics)`],
  }
  const tasks = new Listr(
    plan.steps.map((step) => ({
      title: titles[step.id][0],
      rendererOptions: step.id === 'cluster' ? { persistentOutput: true, bottomBar: 5 } : undefined,
      task: async (_: unknown, task: { output: string; title: string }) => {
        // In a terminal, progress lines (with elapsed times) show under the step; plain mode prints them as lines.
        const log = ui.plain || ui.silent ? ui.log : (line: string) => void (task.output = line)
        const run = step.run(log)
        const result = step.id === 'cluster' ? await withTimeout(run, o.timeoutMs, () => clusterTimeout(provider.name, o.timeoutMs)) : await run
        if (result && step.id !== 'store') task.title = titles[step.id][1](result)
      },
    })),
    {
      renderer: ui.silent ? 'silent' : ui.plain ? 'simple' : 'default',
      exitOnError: true,
      rendererOptions: { collapseErrors: false, timer: PRESET_TIMER },
    },
  )
  try {
    await tasks.run()
  } catch (e) {
    await plan.abort().catch(() => {})
    throw explainStartError(e, o, provider.name)
  }

  const instance = plan.ready()
  const cluster = instance.cluster!
  const record: InstanceRecord = {
    name: o.name,
    pid: process.pid,
    host: o.host,
    port: instance.api.port,
    adminHost,
    adminPort: instance.admin.port,
    endpoint: httpUrl(o.host, instance.api.port),
    clusterProvider: provider.name,
    startedAt: new Date(instance.startedAt).toISOString(),
    kubeconfig: cluster.kubeconfigPath ?? null,
    region,
    awsEndpoint: o.awsEndpoint ?? null,
    auth: instance.auth ? 'sigv4' : 'none',
    // KECS's own CLI and web UI send it instead of signing; instance.json is written for its owner only.
    ...(instance.auth ? { clientKey: instance.auth.clientKey } : {}),
  }
  writeInstance(dir, record)
  let closing: Promise<void> | undefined
  return {
    dir,
    instance,
    cluster,
    record,
    shutdown: () =>
      (closing ??= (async () => {
        try {
          await instance.close() // servers, controllers, the cluster, then the store
        } finally {
          removeInstance(dir, process.pid)
        }
      })()),
  }
}

const clusterTimeout = (name: string, ms: number) =>
  new CliError(`the ${name} cluster did not start within ${humanMs(ms)}`, 'Raise --timeout, or pick another provider with --cluster.')
