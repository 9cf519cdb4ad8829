import type { V1Pod } from '@kubernetes/client-node'
import type { TaskDoc } from '../ecs/tasks/task-doc.js'
import type { EcsCore } from '../ecs/types.js'
import type { Timers } from '../lib/timers.js'
import { KubeClient } from '../kube/client.js'
import { HostPorts, type HostPortProblem } from '../kube/host-ports.js'
import { Informers } from '../kube/informers.js'
import { Reconciler } from '../kube/reconciler.js'
import { KubeServiceRuntime } from '../kube/services/service-runtime.js'
import { KubeTaskRuntime, type KubeRuntimeOptions } from '../kube/task-runtime.js'
import type { SecretResolver } from '../kube/secret-resolver.js'

/** How the instance reaches its cluster and what the pods see of KECS. */
export interface KubeOptions {
  kubeconfigPath: string
  context?: string
  /** KECS's API as pods reach it (AWS_ENDPOINT_URL_ECS); read when a pod is built (the port is known once the API listens). */
  ecsEndpoint: () => string
  /** The task metadata endpoint's base URL as pods reach it. */
  metadataEndpoint: () => string
  retentionMs: number
  /** The cluster provisions PersistentVolumeClaims (EBS volumes configured at launch); else emptyDirs. */
  persistentVolumes?: boolean
  /** Resolves tasks' `secrets[].valueFrom` and repositoryCredentials (the neighbour SSM / Secrets Manager); absent: empty Secrets. */
  secrets?: SecretResolver
  /** AWS_ENDPOINT_URL (KECS's API) in every container unless the task definition sets it; default true. */
  injectEndpoint?: boolean
  /** Awaited before KECS deletes a task's pod (log capture). */
  beforePodDelete: (task: TaskDoc, pod: V1Pod | undefined) => Promise<void>
  /** Static host ports forwarded from this address; false turns forwarding off. */
  hostPorts?: false | { host?: string; onUnavailable?: (problem: HostPortProblem) => void }
  /** Asked before a task's pod is made; a reason stops the task (the awslogs group check). */
  launchCheck?: KubeRuntimeOptions['launchCheck']
  /** A DAEMON service's desired count changed (the scheduler re-evaluates it). */
  onDaemonDesired: (serviceKey: string) => void
  timers: Timers
  log?: (line: string) => void
}

/** KECS's consumers of one cluster: shared informers and the controllers built on them. */
export interface KubeParts {
  client: KubeClient
  informers: Informers
  reconciler: Reconciler
  runtime: KubeTaskRuntime
  services: KubeServiceRuntime
  hostPorts?: HostPorts
  /** Lists every kind, runs the restart checks, then watches. */
  start(): Promise<void>
  stop(): Promise<void>
}

export function buildKube(core: EcsCore, o: KubeOptions): KubeParts {
  const client = KubeClient.fromKubeconfig(o.kubeconfigPath, o.context)
  const informers = new Informers(client, o.log)
  const reconciler: Reconciler = new Reconciler({
    deps: core,
    client,
    pods: informers.pods,
    timers: o.timers,
    retentionMs: o.retentionMs,
    log: o.log,
    beforePodDelete: o.beforePodDelete,
    // bound late: the runtime is built on the reconciler; start() runs after both exist
    resume: (task): boolean => runtime.resume(task),
  })
  const endpoints = { ecsEndpoint: o.ecsEndpoint, metadataEndpoint: o.metadataEndpoint, injectEndpoint: o.injectEndpoint, secrets: o.secrets }
  const runtime: KubeTaskRuntime = new KubeTaskRuntime(client, core, reconciler, {
    ...endpoints,
    retentionMs: o.retentionMs,
    persistentVolumes: o.persistentVolumes,
    launchCheck: o.launchCheck,
    timers: o.timers,
    log: o.log,
  })
  const services = new KubeServiceRuntime(client, core, {
    ...endpoints,
    informers,
    timers: o.timers,
    onDaemonDesired: o.onDaemonDesired,
    persistentVolumes: o.persistentVolumes,
    log: o.log,
  })
  const hostPorts =
    o.hostPorts === false ? undefined : new HostPorts({ client, pods: informers.pods, timers: o.timers, log: o.log, ...o.hostPorts })
  return {
    client,
    informers,
    reconciler,
    runtime,
    services,
    hostPorts,
    async start() {
      try {
        await informers.start()
        reconciler.start()
        await runtime.adoptClusters()
        services.start()
      } catch (err) {
        informers.stop()
        throw new Error(`cannot use the Kubernetes cluster at ${client.server}: ${(err as Error).message}`)
      }
    },
    async stop() {
      informers.stop()
      await services.stop()
      await runtime.stopLaunches()
      await reconciler.stop()
      await hostPorts?.stop()
    },
  }
}
