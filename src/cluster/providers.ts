import { CliError } from '../lib/errors.js'
import type { Emulator } from '../emulator/index.js'
import type { Timers } from '../lib/timers.js'
import type { Store } from '../store/store.js'
import { emulatedProvider } from './emulated.js'
import { kindUnavailable } from './prereqs.js'
import { defaultRunner } from './runner.js'

/**
 * Cluster providers: what gives a KECS instance its Kubernetes cluster (docs/architecture.md#cluster-providers).
 * A provider is registered by name; `kecs start --cluster <name>` looks it up here.
 */
export interface ClusterContext {
  /** The instance directory (`$KECS_HOME/instances/<name>`): where a provider keeps its kubeconfig. */
  instanceDir: string
  /** The instance name. */
  name: string
  /** `--kubeconfig` and `--context`, for providers that use an existing cluster. */
  kubeconfig?: string
  context?: string
  log: (line: string) => void
  /** The instance's open store: the emulated cluster keeps its objects there. */
  store?: Store
  /** The emulated cluster's speed (2 = every simulated delay halved); default `KECS_EMULATOR_SPEED` or 1. */
  emulatorSpeed?: number
  /** The instance's timers: the emulated cluster runs on the same clock. */
  timers?: Timers
}

export interface ClusterHandle {
  /** Kubeconfig that reaches the cluster (recorded in instance.json for `kubectl --kubeconfig`). */
  kubeconfigPath?: string
  /** One line for humans, e.g. `kind cluster kecs-default (context kind-kecs-default)`. */
  describe: string
  /** Called when the instance shuts down (a Kind cluster is kept; `kecs stop --delete-cluster` deletes it). */
  stop(): Promise<void>
  /**
   * KECS's API address as pods on this cluster reach it (AWS_ENDPOINT_URL_ECS, task metadata), given the
   * address KECS listens on. Absent: the same address (pods of the emulated cluster run in-process).
   */
  endpointForPods?(endpoint: string): string
  /**
   * Called once KECS's API listens, with its address as pods reach it: makes 169.254.170.2:80 (the
   * address SDKs prefix to AWS_CONTAINER_CREDENTIALS_RELATIVE_URI) answer from every pod, as the ECS
   * agent's iptables rule does; resolves to a line for the instance log. Absent: nothing to route (the
   * emulated cluster's pods run in process).
   */
  routeLinkLocal?(endpointForPods: string): Promise<string>
  /** The cluster provisions PersistentVolumeClaims on a default StorageClass (EBS volumes configured at launch). */
  persistentVolumes?: boolean
  /** The emulated cluster's emulator, in this process (tests, bench). */
  emulator?: Emulator
  /** Simulated time on this cluster runs this many times faster than the clock (the emulator's speed); absent: 1. */
  timeScale?: number
}

export interface ClusterProvider {
  name: string
  /** Why the provider cannot run on this machine (no Docker, no kind...), or undefined when it can. */
  unavailable?(): Promise<string | undefined>
  start(ctx: ClusterContext): Promise<ClusterHandle>
  /** Deletes what `start` created, for `kecs stop --delete-cluster`. Absent: nothing to delete. */
  deleteCluster?(ctx: ClusterContext): Promise<void>
}

/** What `--cluster` accepts. */
export const CLUSTER_CHOICES = ['auto', 'kind', 'existing', 'emulated'] as const

/** `--cluster auto` takes the first usable of these: Kind when Docker and kind work, else the emulator. */
export const AUTO_ORDER = ['kind', 'emulated'] as const

/** The instance runs the ECS API alone: requests are stored and answered, nothing is scheduled. */
export const noCluster: ClusterProvider = {
  name: 'none',
  async start() {
    return { describe: 'no cluster (ECS API and store only; tasks are not run)', async stop() {} }
  },
}

const registry = new Map<string, ClusterProvider>()

/** Registers a provider under its name; returns a function that removes it again (for tests). */
export function registerProvider(provider: ClusterProvider): () => void {
  const previous = registry.get(provider.name)
  registry.set(provider.name, provider)
  return () => {
    if (registry.get(provider.name) !== provider) return
    if (previous) registry.set(provider.name, previous)
    else registry.delete(provider.name)
  }
}

// Built-in providers, one line each. Kind's and the existing cluster's code (and the Kubernetes client
// it pulls in) is loaded when a start or delete needs it: `kecs start -d`, `kecs stop` and `kecs status`
// in the parent process must not pay for it.
const kind = () => import('./kind/provider.js').then((m) => m.kindProvider)
registerProvider(emulatedProvider)
registerProvider({
  name: 'kind',
  unavailable: () => kindUnavailable(defaultRunner),
  start: async (ctx) => (await kind()).start(ctx),
  deleteCluster: async (ctx) => (await kind()).deleteCluster!(ctx),
})
registerProvider({
  name: 'existing',
  start: async (ctx) => (await import('./existing/provider.js')).existingProvider.start(ctx),
})

export function getProvider(name: string): ClusterProvider | undefined {
  if (name === noCluster.name) return noCluster
  return registry.get(name)
}

export function registeredProviders(): string[] {
  return [...registry.keys()].sort()
}

export interface ResolvedProvider {
  provider: ClusterProvider
  /** What `--cluster auto` decided and why, to show loudly. */
  note?: string
}

/** Turns `--cluster` into a provider, or a one-line error saying plainly what is not available. */
export async function resolveProvider(choice: string): Promise<ResolvedProvider> {
  if (choice === 'auto') {
    const skipped: string[] = []
    for (const name of AUTO_ORDER) {
      const p = registry.get(name)
      if (!p) {
        skipped.push(`${name}: not available yet`)
        continue
      }
      const why = await p.unavailable?.()
      if (!why) {
        const because = skipped.length ? ` (${skipped.join('; ')})` : ''
        return { provider: p, note: `--cluster auto: using the ${name} cluster provider${because}` }
      }
      skipped.push(`${name}: ${why}`)
    }
    return {
      provider: noCluster,
      note: `--cluster auto: no cluster provider is usable (${skipped.join('; ')}); running the ECS API without a cluster`,
    }
  }
  if (!(CLUSTER_CHOICES as readonly string[]).includes(choice)) {
    throw new CliError(`unknown cluster provider "${choice}"`, `Use one of: ${CLUSTER_CHOICES.join(', ')}.`)
  }
  const provider = registry.get(choice)
  if (!provider) {
    const have = registeredProviders()
    throw new CliError(
      `the "${choice}" cluster provider is not available yet in this version of KECS`,
      `Available: ${have.length ? have.join(', ') : 'none'}; --cluster auto runs the ECS API without a cluster.`,
    )
  }
  const why = await provider.unavailable?.()
  if (why) throw new CliError(`cannot use --cluster ${choice}: ${why}`)
  return { provider }
}
