import type { V1Pod } from '@kubernetes/client-node'
import { DEFAULT_STOPPED_RETENTION_MS } from '../ecs/tasks/runtime.js'
import type { TaskDoc } from '../ecs/tasks/task-doc.js'
import type { EcsDeps, EcsHooks } from '../ecs/types.js'
import { metadataBaseUrl } from '../ecs/metadata/paths.js'
import { KubeClient } from './client.js'
import { HostPorts, type HostPortProblem } from './host-ports.js'
import { kubeLogSource } from './pod-logs.js'
import { MANAGED_SELECTOR, Reconciler } from './reconciler.js'
import { KubeServiceRuntime } from './services/service-runtime.js'
import { taskLogs } from './task-logs.js'
import { KubeTaskRuntime } from './task-runtime.js'

/**
 * Connects an instance's ECS side to a Kubernetes cluster (Kind, an existing one or the emulator, all
 * through a kubeconfig): sets `deps.hooks` (clusters own namespaces `kecs-<cluster>`, tasks run as
 * pods), lists the pods KECS manages and reconciles the stored tasks with them (the restart check),
 * then watches. Call it once the store is open, before or after the API listens; `stop()` detaches.
 */
export interface AttachKubeOptions {
  kubeconfigPath: string
  context?: string
  /** KECS's ECS API as seen from inside the cluster (AWS_ENDPOINT_URL_ECS). */
  ecsEndpoint: string
  /** Task metadata endpoint base URL as seen from inside the cluster; default: metadataBaseUrl(ecsEndpoint). */
  metadataEndpoint?: string
  /** How long STOPPED tasks stay describable; default one hour (also `KECS_STOPPED_TASK_RETENTION_SECONDS`). */
  stoppedTaskRetentionMs?: number
  log?: (line: string) => void
  /** Awaited before KECS deletes a task's pod, e.g. to keep the tail of its containers' logs. */
  beforePodDelete?: (task: TaskDoc, pod: V1Pod | undefined) => Promise<void>
  /**
   * Static host ports (portMappings hostPort) of ready tasks are forwarded from `host` on the KECS
   * machine (the instance's --host; default 127.0.0.1), see host-ports.ts; false turns that off.
   * `onUnavailable`: a port that cannot be served (taken, privileged, held by another group).
   */
  hostPorts?: false | { host?: string; onUnavailable?: (problem: HostPortProblem) => void }
}

export interface KubeAttachment {
  client: KubeClient
  reconciler: Reconciler
  runtime: KubeTaskRuntime
  /** Services as Deployments / DaemonSets, and their scheduler. */
  services: KubeServiceRuntime
  /** Host port forwarding (absent when turned off). */
  hostPorts?: HostPorts
  /** Stops the watch and removes the hooks (the cluster and its pods are left as they are). */
  stop(): Promise<void>
}

export async function attachKube(deps: EcsDeps, opts: AttachKubeOptions): Promise<KubeAttachment> {
  const client = KubeClient.fromKubeconfig(opts.kubeconfigPath, opts.context)
  const retentionMs = opts.stoppedTaskRetentionMs ?? retentionFromEnv() ?? DEFAULT_STOPPED_RETENTION_MS
  // Log tails kept when tasks stop (task-logs.ts): captured before KECS deletes a pod, and on any stop.
  const logs = taskLogs(deps)
  const beforePodDelete = async (task: TaskDoc, pod: V1Pod | undefined) => {
    await opts.beforePodDelete?.(task, pod)
    await logs.beforePodDelete(task)
  }
  const reconciler = new Reconciler({ deps, client, retentionMs, log: opts.log, beforePodDelete })
  const runtime = new KubeTaskRuntime(client, deps, reconciler, {
    ecsEndpoint: opts.ecsEndpoint,
    metadataEndpoint: opts.metadataEndpoint ?? metadataBaseUrl(opts.ecsEndpoint), // served under /metadata on the API port
    retentionMs,
    log: opts.log,
  })
  const services = new KubeServiceRuntime(client, deps, {
    ecsEndpoint: opts.ecsEndpoint,
    metadataEndpoint: opts.metadataEndpoint ?? metadataBaseUrl(opts.ecsEndpoint),
    log: opts.log,
  })

  const before: EcsHooks = { ...deps.hooks }
  const restore = () => {
    deps.hooks.clusterCreated = before.clusterCreated
    deps.hooks.clusterDeleted = before.clusterDeleted
    deps.hooks.tasks = before.tasks
    deps.hooks.services = before.services
  }
  // Earlier hooks (tests, other layers) still run first.
  deps.hooks.clusterCreated = async (ctx, name) => {
    await before.clusterCreated?.(ctx, name)
    await runtime.clusterCreated(ctx, name)
  }
  deps.hooks.clusterDeleted = async (ctx, name) => {
    await before.clusterDeleted?.(ctx, name)
    await runtime.clusterDeleted(ctx, name)
  }
  deps.hooks.tasks = runtime
  deps.hooks.services = services
  const stopLogs = logs.start(kubeLogSource(client.kc))
  // Host ports: its own watch of the managed pods (readiness, not task state, decides).
  const hostPorts =
    opts.hostPorts === false
      ? undefined
      : new HostPorts({ client, labelSelector: MANAGED_SELECTOR, log: opts.log, ...opts.hostPorts })
  try {
    await reconciler.start()
    await runtime.adoptClusters()
    await services.start()
    await hostPorts?.start()
  } catch (err) {
    reconciler.stop()
    await services.stop()
    await hostPorts?.stop()
    restore()
    await stopLogs()
    throw new Error(`cannot use the Kubernetes cluster at ${client.server}: ${(err as Error).message}`)
  }
  return {
    client,
    reconciler,
    runtime,
    services,
    hostPorts,
    async stop() {
      await services.stop()
      reconciler.stop()
      await hostPorts?.stop()
      restore()
      await stopLogs()
    },
  }
}

function retentionFromEnv(): number | undefined {
  const v = Number(process.env.KECS_STOPPED_TASK_RETENTION_SECONDS)
  return Number.isFinite(v) && v > 0 ? v * 1000 : undefined
}
