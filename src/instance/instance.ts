import { networkInterfaces } from 'node:os'
import { join } from 'node:path'
import type { ClusterContext, ClusterHandle, ClusterProvider } from '../cluster/providers.js'
import { metadataBaseUrl } from '../ecs/metadata/paths.js'
import { ServiceScheduler } from '../ecs/services/scheduler.js'
import { TaskLogs } from '../ecs/tasks/task-logs.js'
import { DEFAULT_STOPPED_RETENTION_MS } from '../ecs/tasks/runtime.js'
import { newSignals, type ClusterRuntime, type EcsCore, type EcsDeps } from '../ecs/types.js'
import { EventBus } from '../events/bus.js'
import type { HostPortProblem } from '../kube/host-ports.js'
import { kubeLogSource } from '../kube/pod-logs.js'
import { listen, type Listening } from '../lib/listen.js'
import { defaultAdminHost, HostAllowList, isWildcardAddress } from '../lib/local-hosts.js'
import { systemClock, toTimers, type Clock, type Timers } from '../lib/timers.js'
import { createAdminApp } from '../server/admin-app.js'
import { mountUi } from '../server/ui-app.js'
import { awsSecretResolver } from '../kube/aws-secret-resolver.js'
import { createAwsRouter } from '../server/aws-app.js'
import { authGuard, authKeys, type AuthCredential } from '../server/auth.js'
import type { RefusalReason } from '../aws/protocol/sigv4.js'
import { parseAwsEndpoint } from '../server/aws-forward.js'
import { createEcsApp, jsonNotFound, type EcsAppOptions } from '../server/ecs-app.js'
import { BUILT_IN_HOSTS, localOnly, type LocalOnly } from '../server/local-only.js'
import { Metrics } from '../server/metrics.js'
import { resourceCounts } from '../server/resource-counts.js'
import { mountTaskEndpoints } from '../server/task-endpoints.js'
import { createWsHub, type WsHub } from '../server/ws-hub.js'
import { openRepos, type Repos } from '../ecs/repos.js'
import type { LogsState } from '../aws/logs/state.js'
import { openAwsServices, type OpenedService } from '../aws/registry.js'
import { awslogsLaunchCheck, awslogsSink } from './awslogs.js'
import type { CloudMapState } from '../aws/servicediscovery/state.js'
import { cloudMapRegistrar, cloudMapZones, type CloudMapRegistrar } from './cloudmap.js'
import { CloudMapDns } from '../kube/cloudmap-dns.js'
import { Store } from '../store/store.js'
import { wipeStore } from '../store/wipe.js'
import { deleteKecsNamespaces } from '../kube/reset-namespaces.js'
import { buildKube, type KubeParts } from './kube.js'
import type { SecretResolver } from '../kube/secret-resolver.js'

/**
 * Once the API listens: the cluster makes 169.254.170.2:80 (where SDKs fetch task role credentials)
 * reach it from every pod (at `forPods`, KECS's address as pods see it). A failure is logged: tasks
 * still run, only the link-local address is missing.
 */
async function routeLinkLocal(cluster: ClusterHandle | undefined, forPods: string, log: (line: string) => void): Promise<void> {
  if (!cluster?.routeLinkLocal) return
  try {
    log(await cluster.routeLinkLocal(forPods))
  } catch (err) {
    log(`Warning: 169.254.170.2 (task credentials) is not routed to KECS: ${(err as Error).message}`)
  }
}

/** What one instance is made of; `kecs start`, the tests and the bench all build it here. */
export interface InstanceOptions {
  /** Directory holding kecs.duckdb (and the cluster's kubeconfig); ':memory:' keeps the store in memory. */
  dir: string | ':memory:'
  /** Where the API listens (default 127.0.0.1). */
  host?: string
  port?: number
  /** Where the admin port listens: default `host` when it is a loopback address, else 127.0.0.1. */
  adminHost?: string
  adminPort?: number
  /**
   * Host names requests may carry besides loopback, Docker Desktop's host.docker.internal, 169.254.170.2,
   * a concrete `host` and the address pods reach KECS at (`--allow-host`, KECS_ALLOW_HOSTS); `*.name` for
   * every name under it. src/server/local-only.ts
   */
  allowHosts?: string[]
  clock?: Clock | Timers
  /** The cluster to start; none: the ECS API and store alone. */
  cluster?: { provider: ClusterProvider } & Partial<Omit<ClusterContext, 'instanceDir' | 'store' | 'log'>>
  /** Without a cluster: what clusters do instead (tests). */
  clusterRuntime?: ClusterRuntime
  /** How long STOPPED tasks stay describable; default one hour (also `KECS_STOPPED_TASK_RETENTION_SECONDS`). */
  stoppedTaskRetentionMs?: number
  /** Static host ports of tasks are forwarded from the API's host; false turns that off. */
  hostPorts?: false | { onUnavailable?: (problem: HostPortProblem) => void }
  onRequest?: EcsAppOptions['onRequest']
  onError?: (err: unknown, requestId: string) => void
  /** `--aws-endpoint`: where calls for AWS services KECS does not serve are forwarded (none: they get a clear error). */
  awsEndpoint?: string
  /** Lines for the instance log (controllers' problems, ignored settings). */
  log?: (line: string) => void
  /**
   * Where tasks' `secrets[].valueFrom` and repositoryCredentials are read at task start (tests: a fake).
   * Absent: the instance's own SSM Parameter Store and Secrets Manager (src/kube/aws-secret-resolver.ts).
   */
  secretResolver?: SecretResolver
  /** false: containers do not get AWS_ENDPOINT_URL (`kecs start --no-inject-endpoint`); default true. */
  injectEndpoint?: boolean
  /**
   * `kecs start --auth sigv4`: every AWS call must be signed with one of these credentials (or with
   * session credentials KECS mints: task roles, STS); see src/server/auth.ts. Absent: nothing is checked.
   */
  auth?: {
    credentials: AuthCredential[]
    /** Called once per refused request with the reason (for the refused-request counters). */
    onRefused?: (reason: RefusalReason) => void
  }
}

export interface Instance {
  deps: EcsDeps
  repos: Repos
  bus: EventBus
  /** The `/ws` live event feed on the API port. */
  hub: WsHub
  metrics: Metrics
  logs: TaskLogs
  /** The neighbour AWS services with their state, by name (`logs`, ...). */
  aws: Map<string, OpenedService<any>>
  scheduler: ServiceScheduler
  cluster?: ClusterHandle
  /** The controllers on the cluster, when there is one. */
  kube?: KubeParts
  api: Listening
  admin: Listening
  endpoint: string
  startedAt: number
  /** `--auth sigv4`: the client key KECS's own CLI and web UI send instead of signing. */
  auth?: { mode: 'sigv4'; clientKey: string }
  /**
   * Empties the instance as if it were new, without restarting it (`kecs reset`, `POST /reset` on the
   * admin port): see [the reset step](../../docs/architecture.md#reset).
   */
  reset(): Promise<ResetResult>
  /** Stops serving (in-flight requests finish), the controllers, the cluster, then the store. */
  close(): Promise<void>
}

/** What a reset answers: how long it took and the rows (and namespaces) it removed. */
export interface ResetResult {
  reset: true
  ms: number
  removed: Record<string, number>
}

/** How long a reset waits for API calls in flight to finish before it goes on regardless. */
const RESET_DRAIN_MS = 5000

/** One step of building an instance: `kecs start` shows each; its result is a line that replaces the title. */
export interface InstanceStep {
  id: 'store' | 'cluster' | 'api' | 'admin'
  run(log: (line: string) => void): Promise<string | undefined>
}

export interface InstancePlan {
  steps: InstanceStep[]
  /** After every step ran: the instance, ready (/ready answers 200, held requests go on). */
  ready(): Instance
  /** Closes whatever the steps opened, in reverse. */
  abort(): Promise<void>
}

/**
 * The composition root, in order: store → repositories, bus, signals → cluster → kube client,
 * informers, controllers → scheduler, task logs → handler deps → apps → listen. Dependencies are fixed
 * here; API requests that arrive before the instance is ready wait for it.
 */
export function planInstance(opts: InstanceOptions, given?: { store?: Store }): InstancePlan {
  const host = opts.host ?? '127.0.0.1'
  const adminHost = opts.adminHost ?? defaultAdminHost(host)
  // Local-only (src/server/local-only.ts): the names a request may carry in Host and Origin.
  const hosts = new HostAllowList(BUILT_IN_HOSTS)
  for (const name of [...(isWildcardAddress(host) ? [] : [host]), ...(opts.allowHosts ?? [])]) {
    if (!hosts.add(name)) throw new Error(`"${name}" is not a host name (--allow-host)`)
  }
  // Listening on every interface: this machine's addresses, read when needed (they change with the networks).
  const interfaceAddresses = isWildcardAddress(host)
    ? () => Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((a) => a.address))
    : undefined
  const timers = toTimers(opts.clock ?? systemClock)
  const log = opts.log ?? (() => {})
  const retentionMs = opts.stoppedTaskRetentionMs ?? retentionFromEnv() ?? DEFAULT_STOPPED_RETENTION_MS
  let store = given?.store
  let cluster: ClusterHandle | undefined
  let built: Built | undefined
  let api: Listening | undefined
  let admin: Listening | undefined
  let ready = false
  let release!: () => void
  const whenReady = new Promise<void>((r) => (release = r))
  let startedAt = Date.now()
  let closing: Promise<void> | undefined
  // A reset holds new requests (like start does) and waits for the API calls in flight.
  let resetting: Promise<void> | undefined
  let inFlight = 0
  let onIdle: (() => void) | undefined
  // What outlives a reset: the public feed (and its sockets), the metrics and the admin app.
  let shared: { bus: EventBus; hub: WsHub; metrics: Metrics; adminApp: ReturnType<typeof createAdminApp>; guard: LocalOnly } | undefined
  const endpoint = () => `http://${host.includes(':') ? `[${host}]` : host}:${api?.port ?? opts.port ?? 8080}`
  // --auth sigv4: the keys are fixed here, from the configured credentials (they outlive a reset).
  const keys = opts.auth ? authKeys(opts.auth.credentials) : undefined

  const close = () =>
    (closing ??= (async () => {
      ready = false
      release() // held requests go on and fail fast against what is closing
      await resetting?.catch(() => {})
      built?.taskEndpoints.close()
      await Promise.all([shared?.hub.close(), api?.close(), admin?.close()])
      built?.cloudMap?.stop()
      const steps: (() => Promise<void> | undefined)[] = [
        () => built?.kube?.stop(),
        () => built?.scheduler.stop(),
        () => built?.logs.stop(),
        () => cluster?.stop(),
      ]
      for (const step of steps) await step()?.catch((e) => opts.onError?.(e, 'shutdown'))
      await store?.close()
    })())

  const steps: InstanceStep[] = [
    {
      id: 'store',
      async run() {
        store ??= await Store.open(opts.dir === ':memory:' ? ':memory:' : join(opts.dir, 'kecs.duckdb'))
        return undefined
      },
    },
    {
      id: 'cluster',
      async run(stepLog) {
        if (!opts.cluster) return undefined
        const { provider, ...ctx } = opts.cluster
        if (opts.dir === ':memory:') throw new Error('a cluster needs an instance directory')
        cluster = await provider.start({ name: 'default', ...ctx, instanceDir: opts.dir, store, log: stepLog, timers })
        return cluster.describe
      },
    },
    {
      id: 'api',
      async run() {
        built = await build(store!, cluster)
        // Through `built`, not one app: a reset swaps in a fresh one behind the same port.
        const fetch: typeof built.app.fetch = (req, env, ctx) => built!.app.fetch(req, env, ctx)
        api = await listen({ fetch }, host, opts.port ?? 8080, { websocket: shared!.hub.wss })
        // The controllers start once the API's address is known: the pods they make carry it.
        const forPods = cluster?.endpointForPods?.(endpoint()) ?? endpoint()
        // Requests from pods name that address (a wildcard one reaches nothing by that name).
        if (!isWildcardAddress(new URL(forPods).hostname)) hosts.add(new URL(forPods).host)
        await routeLinkLocal(cluster, forPods, log)
        await built.kube?.start()
        built.scheduler.start()
        void built.cloudMap?.resync()
        return endpoint()
      },
    },
    {
      id: 'admin',
      async run() {
        admin = await listen(shared!.adminApp, adminHost, opts.adminPort ?? 8081)
        return `http://${adminHost.includes(':') ? `[${adminHost}]` : adminHost}:${admin.port}`
      },
    },
  ]

  interface Built {
    deps: EcsDeps
    logs: TaskLogs
    aws: Map<string, OpenedService<any>>
    scheduler: ServiceScheduler
    kube?: KubeParts
    app: ReturnType<typeof createEcsApp>
    taskEndpoints: { close(): void }
    /** A service's serviceRegistries: its tasks as Cloud Map instances. */
    cloudMap?: CloudMapRegistrar
  }

  /** Made once: what every build shares (the admin app reads the current build). */
  function makeShared(): NonNullable<typeof shared> {
    const bus = new EventBus()
    const metrics = new Metrics()
    const guard = localOnly({
      hosts,
      dynamic: interfaceAddresses,
      onRefused: (reason) => {
        metrics.countRefused(reason)
        opts.onRequest?.({ operation: `(refused: ${reason})`, status: 403, ms: 0, requestId: '', error: 'AccessDeniedException' })
      },
    })
    const hub = createWsHub({ bus, originAllowed: (origin) => guard.originAllowed(origin) })
    const provider = opts.cluster?.provider.name ?? 'none'
    const adminApp = createAdminApp(metrics, {
      guard: guard.middleware,
      ready: () => ready,
      details: () => ({ clusterProvider: provider }),
      status: () => ({
        pid: process.pid,
        clusterProvider: provider,
        auth: keys ? 'sigv4' : 'none',
        startedAt: new Date(startedAt).toISOString(),
        uptimeSeconds: Math.floor((Date.now() - startedAt) / 1000),
        resources: built ? resourceCounts(built.deps.repos) : {},
      }),
      reset: () => reset(),
    })
    return { bus, metrics, hub, adminApp, guard }
  }

  /** Resolves once no API call is in flight (or after `RESET_DRAIN_MS`). */
  function drained(): Promise<void> {
    if (inFlight === 0) return Promise.resolve()
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, RESET_DRAIN_MS)
      onIdle = () => {
        clearTimeout(timer)
        resolve()
      }
    })
  }

  /**
   * Holds new requests, waits for those in flight, stops the controllers, deletes KECS's namespaces,
   * empties every table in one transaction, then builds the repositories, services and controllers
   * afresh on the same store and ports, as a start would.
   */
  async function reset(): Promise<ResetResult> {
    while (resetting) await resetting.catch(() => {})
    if (!ready || !built || closing) throw new Error('the instance is not ready')
    const t0 = performance.now()
    let done!: () => void
    resetting = new Promise<void>((r) => (done = r))
    let step = 'waiting for the calls in flight'
    const old = built
    try {
      await drained()
      step = 'stopping the controllers'
      old.taskEndpoints.close()
      old.cloudMap?.stop()
      await old.kube?.stop()
      await old.scheduler.stop()
      await old.logs.stop()
      step = "deleting KECS's namespaces"
      const namespaces = old.kube ? await deleteKecsNamespaces(old.kube.client) : 0
      step = 'emptying the store'
      const removed = await wipeStore(store!)
      if (namespaces > 0) removed.namespaces = namespaces
      shared!.bus.clearHistory()
      step = 'starting the controllers again'
      built = await build(store!, cluster)
      await built.kube?.start()
      built.scheduler.start()
      void built.cloudMap?.resync()
      return { reset: true, ms: Math.round(performance.now() - t0), removed }
    } catch (e) {
      // Never leave the instance with its controllers stopped: serve again from what the store holds
      // (the wipe is one transaction: all of it or none), and say where the reset stopped.
      if (built === old && step !== 'waiting for the calls in flight') {
        try {
          built = await build(store!, cluster)
          await built.kube?.start()
          built.scheduler.start()
          void built.cloudMap?.resync()
        } catch (again) {
          process.stderr.write(`kecs: serving again after a failed reset failed: ${(again as Error).message}\n`)
        }
      }
      throw new Error(`${step}: ${(e as Error).message}`, { cause: e })
    } finally {
      resetting = undefined
      done()
    }
  }

  async function build(s: Store, c: ClusterHandle | undefined): Promise<Built> {
    const repos = await openRepos(s)
    // The neighbour services (SSM, Secrets Manager, Logs, STS, IAM): their state on the same store.
    const awsServices = await openAwsServices(s)
    shared ??= makeShared()
    const { bus, metrics, hub, adminApp, guard } = shared
    const core: EcsCore = { repos, clock: timers, bus, signals: newSignals((e) => log(`task change listener: ${(e as Error).message}`)) }
    const logs = new TaskLogs(core, retentionMs, timers)
    const cwLogs = awsServices.get('logs')?.state as LogsState | undefined
    let kube: KubeParts | undefined
    const scheduler = new ServiceScheduler({
      deps: core,
      timers,
      log,
      apply: (key) => kube?.services.changed(key),
      daemonDesired: (key) => kube?.services.daemonDesired(key),
      stopTask: (task) => kube?.runtime.stop(task) ?? Promise.resolve(),
      stableMs: stableMs(c?.timeScale),
    })
    if (c?.kubeconfigPath) {
      const podsSee = () => c.endpointForPods?.(endpoint()) ?? endpoint()
      kube = buildKube(core, {
        kubeconfigPath: c.kubeconfigPath,
        // Only an existing cluster's kubeconfig has the user's contexts; Kind's and the emulator's have their own.
        context: opts.cluster?.provider.name === 'existing' ? opts.cluster.context : undefined,
        ecsEndpoint: podsSee,
        metadataEndpoint: () => metadataBaseUrl(podsSee()),
        retentionMs,
        persistentVolumes: c.persistentVolumes ?? false,
        secrets: opts.secretResolver ?? awsSecretResolver(awsServices.get('ssm')!.state, awsServices.get('secretsmanager')!.state),
        injectEndpoint: opts.injectEndpoint,
        beforePodDelete: (task) => logs.beforePodDelete(task),
        hostPorts: opts.hostPorts === false ? false : { host, ...opts.hostPorts },
        onDaemonDesired: (key) => scheduler.schedule(key),
        // awslogs: a missing log group stops the task (unless awslogs-create-group), lines go to CloudWatch Logs.
        launchCheck: cwLogs ? awslogsLaunchCheck(cwLogs, () => timers.now()) : undefined,
        timers,
        log,
      })
      logs.start(kubeLogSource(kube.client.kc), { sink: cwLogs ? awslogsSink(cwLogs, repos, () => timers.now()) : undefined, log })
    }
    const k = kube
    const clusterRuntime: ClusterRuntime = k
      ? {
          clusterCreated: (ctx, name) => k.runtime.clusterCreated(ctx, name),
          clusterDeleted: (ctx, name) => k.runtime.clusterDeleted(ctx, name),
          setNodeSchedulable: (node, schedulable) => k.runtime.setNodeSchedulable(node, schedulable),
          tasks: k.runtime,
          services: {
            prepare: (svc, td) => k.services.prepare(svc, td),
            prepareTaskSet: (svc, ts, td) => k.services.prepareTaskSet(svc, ts, td),
            changed: (key) => {
              k.services.changed(key)
              scheduler.schedule(key)
            },
          },
        }
      : (opts.clusterRuntime ?? {})
    const deps: EcsDeps = { ...core, cluster: clusterRuntime }
    // serviceRegistries: tasks register in Cloud Map when RUNNING and deregister when they stop.
    const cloudMapState = awsServices.get('servicediscovery')?.state as CloudMapState | undefined
    const registrar = cloudMapState ? cloudMapRegistrar(cloudMapState, repos, core.signals, { log, now: () => timers.now() }) : undefined
    // Cloud Map's DNS names in the cluster (Services + Endpoints per DNS namespace, CoreDNS rewrites where there is CoreDNS).
    const dns = cloudMapState && kube ? new CloudMapDns(kube.client, () => cloudMapZones(cloudMapState), log) : undefined
    const offDns = dns && cloudMapState ? cloudMapState.changed.on(() => void dns.changed()) : undefined
    const cloudMap: CloudMapRegistrar | undefined = registrar && {
      resync: async () => {
        await registrar.resync()
        await dns?.changed()
      },
      stop: () => {
        registrar.stop()
        offDns?.()
        dns?.stop()
      },
      idle: () => registrar.idle(),
    }

    // The neighbour services on the same port as ECS.
    const aws = createAwsRouter({
      services: awsServices,
      awsEndpoint: opts.awsEndpoint ? parseAwsEndpoint(opts.awsEndpoint) : undefined,
      metrics,
      sessionSecret: keys?.sessionSecret,
      onRequest: opts.onRequest,
      onError: opts.onError,
    })
    // --auth sigv4: the one place calls are checked (before routing; src/server/auth.ts says what is exempt).
    const auth = keys
      ? authGuard({ keys, shape: aws.errorShape, now: () => timers.now(), onRefused: (reason) => (metrics.countRefused('auth'), opts.auth!.onRefused?.(reason)), onRequest: opts.onRequest })
      : undefined
    const app = createEcsApp({
      deps,
      metrics,
      onRequest: opts.onRequest,
      onError: opts.onError,
      neighbours: aws.post,
      before: [
        guard.middleware,
        // Requests that arrive while the instance starts or resets wait for it.
        async (c, next) => {
          if (!ready) await whenReady
          while (resetting) await resetting.catch(() => {})
          // API calls (POST) are what a reset waits for; /ws and log streams (GET) may stay open.
          if (c.req.method !== 'POST') return (await auth?.(c)) ?? next()
          inFlight++
          try {
            const refused = await auth?.(c)
            if (refused) return refused
            await next()
          } finally {
            if (--inFlight === 0) onIdle?.()
          }
        },
      ],
    })
    hub.mount(app)
    const taskEndpoints = mountTaskEndpoints(app, deps, logs, { sessionSecret: keys?.sessionSecret }) // task metadata endpoint, /kecs/v1/logs
    jsonNotFound(app, opts.onError, aws.other)
    metrics.gauge('kecs_resources', () => resourceCounts(repos, 'prometheus'))
    mountUi(app, { admin: adminApp }) // the web UI at /ui, and /status on the API port too
    return { deps, logs, aws: awsServices, scheduler, kube, app, taskEndpoints, cloudMap }
  }

  return {
    steps,
    abort: close,
    ready() {
      if (!built || !api || !admin) throw new Error('ready() before every step ran')
      ready = true
      startedAt = Date.now()
      release()
      const sh = shared!
      const cur = () => built!
      // Getters: after a reset these are the fresh build's.
      return {
        get deps() {
          return cur().deps
        },
        get repos() {
          return cur().deps.repos
        },
        bus: sh.bus,
        hub: sh.hub,
        metrics: sh.metrics,
        get logs() {
          return cur().logs
        },
        get aws() {
          return cur().aws
        },
        get scheduler() {
          return cur().scheduler
        },
        cluster,
        get kube() {
          return cur().kube
        },
        api,
        admin,
        endpoint: endpoint(),
        startedAt,
        ...(keys ? { auth: { mode: 'sigv4' as const, clientKey: keys.clientKey } } : {}),
        reset,
        close,
      }
    },
  }
}

/** Builds and starts an instance in this process, every step in order; on failure what opened is closed. */
export async function startInstance(opts: InstanceOptions, given?: { store?: Store }): Promise<Instance> {
  const plan = planInstance(opts, given)
  try {
    for (const step of plan.steps) await step.run(opts.log ?? (() => {}))
  } catch (e) {
    await plan.abort().catch(() => {})
    throw e
  }
  return plan.ready()
}

function retentionFromEnv(): number | undefined {
  const v = Number(process.env.KECS_STOPPED_TASK_RETENTION_SECONDS)
  return Number.isFinite(v) && v > 0 ? v * 1000 : undefined
}

/**
 * How long a deployment's tasks must stay RUNNING before it completes: a second of the cluster's time
 * (scaled on a faster emulator, never under 200 ms of the clock, so the exit of a container that
 * crashes at once reaches the scheduler first).
 */
export const STABLE_MS = 1000
const stableMs = (timeScale = 1) => Math.max(200, STABLE_MS / timeScale)
