import {
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  Watch,
  type V1DaemonSet,
  type V1Deployment,
  type V1Namespace,
  type V1Node,
  type V1OwnerReference,
  type V1PersistentVolumeClaim,
  type V1Pod,
  type V1Secret,
  type V1Service,
} from '@kubernetes/client-node'

/**
 * A thin wrapper over @kubernetes/client-node 1.4.0 (docs/architecture.md#what-kubectl-and-client-node-need), built from a kubeconfig:
 * the few calls KECS makes, with "already there" and "already gone" answered as success. One code
 * path for Kind, an existing cluster and the emulator: all of them are reached over HTTP(S) from the
 * kubeconfig, never in-process.
 *
 * Pods handed out are plain JSON (timestamps as ISO strings), whether they came from a list (which
 * client-node turns into classes with Dates) or from a watch (raw JSON), so callers see one shape.
 */
export class KubeClient {
  readonly core: CoreV1Api
  readonly apps: AppsV1Api

  constructor(readonly kc: KubeConfig) {
    this.core = kc.makeApiClient(CoreV1Api)
    this.apps = kc.makeApiClient(AppsV1Api)
  }

  static fromKubeconfig(path: string, context?: string): KubeClient {
    const kc = new KubeConfig()
    kc.loadFromFile(path)
    if (context) {
      if (!kc.getContextObject(context)) throw new Error(`kubeconfig ${path} has no context "${context}"`)
      kc.setCurrentContext(context)
    }
    return new KubeClient(kc)
  }

  /** The API server this client talks to (for messages). */
  get server(): string {
    return this.kc.getCurrentCluster()?.server ?? '(no cluster in kubeconfig)'
  }

  /**
   * Creates the namespace unless it exists. A namespace still terminating (deleted a moment ago,
   * e.g. a cluster deleted and created again) is waited for, up to `waitMs`, then created anew.
   */
  async ensureNamespace(ns: V1Namespace, waitMs = 60_000): Promise<void> {
    const name = ns.metadata!.name!
    const deadline = Date.now() + waitMs
    for (;;) {
      const existing = await this.readNamespace(name)
      if (existing && !existing.metadata?.deletionTimestamp && existing.status?.phase !== 'Terminating') return
      if (!existing) {
        try {
          await this.core.createNamespace({ body: ns })
          return
        } catch (err) {
          if (statusOf(err) !== 409) throw err
          continue // created meanwhile (or terminating): look again
        }
      }
      if (Date.now() > deadline) throw new Error(`namespace ${name} is still terminating after ${Math.round(waitMs / 1000)}s`)
      await sleep(200)
    }
  }

  async readNamespace(name: string): Promise<V1Namespace | undefined> {
    try {
      return await this.core.readNamespace({ name })
    } catch (err) {
      if (statusOf(err) === 404) return undefined
      throw err
    }
  }

  /** Deletes a namespace and everything in it (Kubernetes removes the pods); false when it was not there. */
  async deleteNamespace(name: string): Promise<boolean> {
    try {
      await this.core.deleteNamespace({ name, propagationPolicy: 'Background' })
      return true
    } catch (err) {
      if (statusOf(err) === 404) return false
      throw err
    }
  }

  /** Names of the namespaces with the given label selector (KECS's own: `kecs.dev/managed-by=kecs`). */
  async listNamespaceNames(labelSelector: string): Promise<string[]> {
    return (await this.core.listNamespace({ labelSelector })).items.map((n) => n.metadata!.name!)
  }

  async createPod(pod: V1Pod): Promise<V1Pod> {
    const created = await this.core.createNamespacedPod({ namespace: pod.metadata!.namespace!, body: pod })
    return plain(created)
  }

  async getPod(namespace: string, name: string): Promise<V1Pod | undefined> {
    try {
      return plain(await this.core.readNamespacedPod({ namespace, name }))
    } catch (err) {
      if (statusOf(err) === 404) return undefined
      throw err
    }
  }

  /** Deletes a pod, with a grace period when given (else the pod's own); false when it was not there. */
  async deletePod(namespace: string, name: string, gracePeriodSeconds?: number): Promise<boolean> {
    try {
      await this.core.deleteNamespacedPod({ namespace, name, gracePeriodSeconds })
      return true
    } catch (err) {
      if (statusOf(err) === 404) return false
      throw err
    }
  }

  /** Pods by label selector, across namespaces unless one is given, all pages; with the list's resourceVersion. */
  async listPods(opts: { labelSelector?: string; namespace?: string } = {}): Promise<{ items: V1Pod[]; resourceVersion: string }> {
    const items: V1Pod[] = []
    let cont: string | undefined
    let resourceVersion = ''
    do {
      const page = opts.namespace
        ? await this.core.listNamespacedPod({ namespace: opts.namespace, labelSelector: opts.labelSelector, limit: 500, _continue: cont })
        : await this.core.listPodForAllNamespaces({ labelSelector: opts.labelSelector, limit: 500, _continue: cont })
      for (const p of page.items) items.push(plain(p))
      resourceVersion = page.metadata?.resourceVersion ?? resourceVersion
      cont = page.metadata?._continue || undefined
    } while (cont)
    return { items, resourceVersion }
  }

  /** Creates the claim unless one of that name exists (a retried launch). */
  async ensurePersistentVolumeClaim(claim: V1PersistentVolumeClaim): Promise<void> {
    try {
      await this.core.createNamespacedPersistentVolumeClaim({ namespace: claim.metadata!.namespace!, body: claim })
    } catch (err) {
      if (statusOf(err) !== 409) throw err
    }
  }

  /** Creates the secret unless one of that name exists (an existing one is left as it is). */
  async ensureSecret(namespace: string, secret: V1Secret): Promise<void> {
    try {
      await this.core.createNamespacedSecret({ namespace, body: secret })
    } catch (err) {
      if (statusOf(err) !== 409) throw err
    }
  }

  /**
   * Writes the secret: created, or replaced when one of that name exists. With `mergeData`, keys of the
   * existing one that the new one lacks are kept (pods of an older revision may still read them).
   */
  async putSecret(secret: V1Secret, opts: { mergeData?: boolean } = {}): Promise<void> {
    const namespace = secret.metadata!.namespace!
    const name = secret.metadata!.name!
    for (let attempt = 0; ; attempt++) {
      try {
        await this.core.createNamespacedSecret({ namespace, body: secret })
        return
      } catch (err) {
        if (statusOf(err) !== 409) throw err
      }
      try {
        const current = await this.core.readNamespacedSecret({ namespace, name })
        const body: V1Secret = { ...secret, metadata: { ...secret.metadata, resourceVersion: current.metadata?.resourceVersion } }
        if (opts.mergeData) {
          const kept = Object.fromEntries(
            Object.entries(current.data ?? {}).filter(([k]) => !(k in (secret.stringData ?? {})) && !(k in (secret.data ?? {}))),
          )
          body.data = { ...kept, ...(secret.data ?? {}) }
        }
        if (sameSecret(current, body)) return // a service applied again with the same values: no write
        await this.core.replaceNamespacedSecret({ namespace, name, body })
        return
      } catch (err) {
        // deleted or changed meanwhile: once more from the top
        if ((statusOf(err) !== 404 && statusOf(err) !== 409) || attempt >= 2) throw err
      }
    }
  }

  /** Makes the secret go with its owner (the garbage collector deletes it once the owner is gone). */
  async setSecretOwner(namespace: string, name: string, owner: V1OwnerReference): Promise<void> {
    const body = [{ op: 'add', path: '/metadata/ownerReferences', value: [owner] }]
    await this.core.patchNamespacedSecret({ namespace, name, body })
  }

  /** Deletes the secrets matching a label selector in a namespace; the number deleted. */
  async deleteSecrets(namespace: string, labelSelector: string): Promise<number> {
    const list = await this.core.listNamespacedSecret({ namespace, labelSelector })
    let n = 0
    for (const s of list.items) {
      try {
        await this.core.deleteNamespacedSecret({ namespace, name: s.metadata!.name! })
        n++
      } catch (err) {
        if (statusOf(err) !== 404) throw err
      }
    }
    return n
  }

  /** The cluster's nodes; empty when KECS may not list them (an existing cluster with narrow rights). */
  async listNodes(): Promise<V1Node[]> {
    try {
      return (await this.core.listNode()).items.map(plain)
    } catch (err) {
      if (statusOf(err) === 403) return []
      throw err
    }
  }

  /** Cordon (unschedulable) or uncordon a node, as `kubectl cordon` does. */
  async setNodeUnschedulable(name: string, unschedulable: boolean): Promise<void> {
    const node = await this.core.readNode({ name })
    const body = node.spec ? [{ op: 'add', path: '/spec/unschedulable', value: unschedulable }] : [{ op: 'add', path: '/spec', value: { unschedulable } }]
    await this.core.patchNode({ name, body })
  }

  /** Watches pods matching a label selector across namespaces; see PodWatch. */
  watchPods(opts: PodWatchOptions): PodWatch {
    return new PodWatch(this, opts)
  }

  // --- workloads (services: src/kube/services) ---

  /** A Deployment, DaemonSet or Service by name; undefined when there is none. */
  async getWorkload<K extends WorkloadKind>(kind: K, namespace: string, name: string): Promise<WorkloadOf<K> | undefined> {
    try {
      return plain(await this.workloadApi(kind).read({ namespace, name })) as WorkloadOf<K>
    } catch (err) {
      if (statusOf(err) === 404) return undefined
      throw err
    }
  }

  async createWorkload<K extends WorkloadKind>(kind: K, obj: WorkloadOf<K>): Promise<WorkloadOf<K>> {
    return plain(await this.workloadApi(kind).create({ namespace: obj.metadata!.namespace!, body: obj })) as WorkloadOf<K>
  }

  /** Replaces the object (PUT); pass the current resourceVersion in `obj` to guard against lost updates. */
  async replaceWorkload<K extends WorkloadKind>(kind: K, obj: WorkloadOf<K>): Promise<WorkloadOf<K>> {
    const md = obj.metadata!
    return plain(await this.workloadApi(kind).replace({ namespace: md.namespace!, name: md.name!, body: obj })) as WorkloadOf<K>
  }

  /** Deletes the object and, in the background, what it owns (ReplicaSets, pods); false when it was not there. */
  async deleteWorkload(kind: WorkloadKind, namespace: string, name: string): Promise<boolean> {
    try {
      await this.workloadApi(kind).delete({ namespace, name, propagationPolicy: 'Background' })
      return true
    } catch (err) {
      if (statusOf(err) === 404) return false
      throw err
    }
  }

  /** Deployments or DaemonSets by label selector across namespaces, all pages; with the list's resourceVersion. */
  async listWorkloads<K extends 'Deployment' | 'DaemonSet'>(
    kind: K,
    opts: { labelSelector?: string } = {},
  ): Promise<{ items: WorkloadOf<K>[]; resourceVersion: string }> {
    const items: WorkloadOf<K>[] = []
    let cont: string | undefined
    let resourceVersion = ''
    do {
      const q = { labelSelector: opts.labelSelector, limit: 500, _continue: cont }
      const page =
        kind === 'Deployment' ? await this.apps.listDeploymentForAllNamespaces(q) : await this.apps.listDaemonSetForAllNamespaces(q)
      for (const o of page.items as WorkloadOf<K>[]) items.push(plain(o))
      resourceVersion = page.metadata?.resourceVersion ?? resourceVersion
      cont = page.metadata?._continue || undefined
    } while (cont)
    return { items, resourceVersion }
  }

  /** Watches Deployments or DaemonSets matching a label selector across namespaces (same behaviour as PodWatch). */
  watchWorkloads<K extends 'Deployment' | 'DaemonSet'>(kind: K, opts: WatchOptions<WorkloadOf<K>>): ObjectWatch<WorkloadOf<K>> {
    const path = kind === 'Deployment' ? '/apis/apps/v1/deployments' : '/apis/apps/v1/daemonsets'
    return new ObjectWatch(this.kc, path, (labelSelector) => this.listWorkloads(kind, { labelSelector }), opts)
  }

  private workloadApi(kind: WorkloadKind) {
    const a = this.apps
    const c = this.core
    switch (kind) {
      case 'Deployment':
        return {
          read: (r: { namespace: string; name: string }) => a.readNamespacedDeployment(r),
          create: (r: { namespace: string; body: any }) => a.createNamespacedDeployment(r),
          replace: (r: { namespace: string; name: string; body: any }) => a.replaceNamespacedDeployment(r),
          delete: (r: { namespace: string; name: string; propagationPolicy: string }) => a.deleteNamespacedDeployment(r),
        }
      case 'DaemonSet':
        return {
          read: (r: { namespace: string; name: string }) => a.readNamespacedDaemonSet(r),
          create: (r: { namespace: string; body: any }) => a.createNamespacedDaemonSet(r),
          replace: (r: { namespace: string; name: string; body: any }) => a.replaceNamespacedDaemonSet(r),
          delete: (r: { namespace: string; name: string; propagationPolicy: string }) => a.deleteNamespacedDaemonSet(r),
        }
      case 'Service':
        return {
          read: (r: { namespace: string; name: string }) => c.readNamespacedService(r),
          create: (r: { namespace: string; body: any }) => c.createNamespacedService(r),
          replace: (r: { namespace: string; name: string; body: any }) => c.replaceNamespacedService(r),
          delete: (r: { namespace: string; name: string; propagationPolicy: string }) => c.deleteNamespacedService(r),
        }
    }
  }
}

export type WorkloadKind = 'Deployment' | 'DaemonSet' | 'Service'
export type WorkloadOf<K extends WorkloadKind> = K extends 'Deployment' ? V1Deployment : K extends 'DaemonSet' ? V1DaemonSet : V1Service

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED'

export interface WatchOptions<T> {
  labelSelector: string
  /** The complete set of matching objects: once at start, again after each relist (410 Gone, or a list retried). */
  onSync(items: T[]): void
  onEvent(type: WatchEventType, obj: T): void
  /** Problems the watch recovers from by itself (it keeps retrying); for logs. */
  onError?(err: unknown): void
  /** Longest wait between retries (ms). */
  maxBackoffMs?: number
}

export type PodWatchOptions = WatchOptions<V1Pod>

/**
 * List, then watch from the list's resourceVersion; resume from the last resourceVersion seen when
 * the stream ends (servers end watches routinely); relist when the version is too old (410 Gone, as an
 * HTTP status or an ERROR event); back off on errors. Unlike client-node's informer it never spins: a
 * stream that ends at once with nothing new waits before the next try.
 */
export class ObjectWatch<T> {
  private rv: string | undefined
  private controller: AbortController | undefined
  private generation = 0
  private stopped = false
  private backoffMs = 0
  private timer: NodeJS.Timeout | undefined

  constructor(
    private readonly kc: KubeConfig,
    /** The cluster-wide collection path, e.g. `/api/v1/pods`. */
    private readonly path: string,
    private readonly lister: (labelSelector: string) => Promise<{ items: T[]; resourceVersion: string }>,
    private readonly opts: WatchOptions<T>,
  ) {}

  /** Lists and syncs once (so the caller knows every pod before it serves), then watches. */
  async start(): Promise<void> {
    await this.list()
    this.watch()
  }

  stop(): void {
    this.stopped = true
    this.generation++
    if (this.timer) clearTimeout(this.timer)
    this.controller?.abort()
  }

  /** The resourceVersion the watch would resume from. */
  get resourceVersion(): string | undefined {
    return this.rv
  }

  private async list(): Promise<void> {
    const { items, resourceVersion } = await this.lister(this.opts.labelSelector)
    this.rv = resourceVersion
    this.opts.onSync(items)
  }

  private relist(): void {
    if (this.stopped) return
    this.list().then(
      () => this.watch(),
      (err) => {
        this.opts.onError?.(err)
        this.retry(() => this.relist())
      },
    )
  }

  private retry(fn: () => void): void {
    if (this.stopped) return
    this.backoffMs = Math.min(Math.max(this.backoffMs * 2, 100), this.opts.maxBackoffMs ?? 5_000)
    if (this.timer) clearTimeout(this.timer)
    this.timer = setTimeout(() => {
      this.timer = undefined
      fn()
    }, this.backoffMs)
    this.timer.unref?.()
  }

  private watch(): void {
    if (this.stopped) return
    const gen = ++this.generation
    const startedAt = Date.now()
    let events = 0
    let gone = false
    const current = () => gen === this.generation && !this.stopped
    const w = new Watch(this.kc)
    w.watch(
      this.path,
      { labelSelector: this.opts.labelSelector, resourceVersion: this.rv, allowWatchBookmarks: true },
      (type: string, obj: any) => {
        if (!current()) return
        if (type === 'ERROR') {
          // A Status: 410 means the version is too old; anything else, start over from a fresh list too.
          gone = true
          if (obj?.code !== 410) this.opts.onError?.(new Error(`watch error: ${obj?.message ?? JSON.stringify(obj)}`))
          this.controller?.abort()
          return
        }
        const rv = obj?.metadata?.resourceVersion
        if (rv) this.rv = rv
        if (type === 'BOOKMARK') return
        if (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED') {
          events++
          this.backoffMs = 0
          this.opts.onEvent(type, obj as T)
        }
      },
      (err: any) => {
        if (!current()) return
        if (gone || err?.statusCode === 410) return this.relist()
        if (err && err.name !== 'AbortError') this.opts.onError?.(err)
        // The stream ended: resume from the last version at once if it was useful, else after a pause.
        if (!err && (events > 0 || Date.now() - startedAt > 1_000)) {
          this.backoffMs = 0
          return this.watch()
        }
        this.retry(() => this.watch())
      },
    ).then(
      (controller) => {
        if (current()) this.controller = controller
        else controller.abort()
      },
      (err) => {
        if (!current()) return
        this.opts.onError?.(err)
        this.retry(() => this.watch())
      },
    )
  }
}

/** The pod watch every pod consumer uses (task reconciler, host ports). */
export class PodWatch extends ObjectWatch<V1Pod> {
  constructor(client: KubeClient, opts: PodWatchOptions) {
    super(client.kc, '/api/v1/pods', (labelSelector) => client.listPods({ labelSelector }), opts)
  }
}

/** The HTTP status of a client-node error (ApiException.code, or a watch error's statusCode). */
export function statusOf(err: unknown): number | undefined {
  const e = err as { code?: unknown; statusCode?: unknown } | undefined
  if (typeof e?.code === 'number') return e.code
  if (typeof e?.statusCode === 'number') return e.statusCode
  return undefined
}

/** A readable one-line message for a client-node error (ApiException bodies are raw Status JSON). */
export function kubeErrorMessage(err: unknown): string {
  const e = err as { body?: unknown; message?: string } | undefined
  if (typeof e?.body === 'string') {
    try {
      const status = JSON.parse(e.body) as { message?: string }
      if (status.message) return status.message
    } catch {
      /* not JSON */
    }
  }
  return e?.message ?? String(err)
}

const plain = <T>(o: T): T => JSON.parse(JSON.stringify(o)) as T

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref?.())

/** Whether writing `next` would leave `current` as it is (data, labels, annotations). */
function sameSecret(current: V1Secret, next: V1Secret): boolean {
  const data = (s: V1Secret) => {
    const out: Record<string, string> = { ...(s.data ?? {}) }
    for (const [k, v] of Object.entries(s.stringData ?? {})) out[k] = Buffer.from(v).toString('base64')
    return out
  }
  const same = (a: Record<string, string> | undefined, b: Record<string, string> | undefined) => {
    const x = a ?? {}
    const y = b ?? {}
    return Object.keys(x).length === Object.keys(y).length && Object.entries(x).every(([k, v]) => y[k] === v)
  }
  return (
    current.type === next.type &&
    same(data(current), data(next)) &&
    same(current.metadata?.labels, next.metadata?.labels) &&
    same(current.metadata?.annotations, next.metadata?.annotations)
  )
}
