import { randomUUID } from 'node:crypto'
import { systemClock, type Clock } from '../../lib/timers.js'
import type { Store, WriteOp } from '../../store/store.js'
import { deepEqual } from '../patch.js'
import { compileFilter, type ObjectFilter } from '../selectors.js'
import {
  KubeStatusError,
  type DeleteOptions,
  type KubeObject,
  type ListOptions,
  type ObjectStore,
  type ResourceType,
  type WatchEvent,
} from '../types.js'
import { ServiceAllocators } from './allocators.js'
import { applyDefaults, qosClass } from './defaults.js'
import { WatchHistory, type HistoryEntry } from './history.js'
import { groupVersion, qualifiedResource, RESOURCE_TYPES } from './resource-types.js'
import { invalidError, validate } from './validation.js'

export interface ObjectStoreOptions {
  clock?: Clock
  /** How many recent events a watch can resume from (default 10,000). */
  historySize?: number
}

const TABLE = 'kube_objects'
/** The row holding the resourceVersion counter, so a restart continues the sequence. */
const RV_KEY = '_meta/resourceVersion'
const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease']
const UNDELETABLE_NAMESPACES = new Set(['default', 'kube-system', 'kube-public'])
const GENERATE_CHARS = 'bcdfghjklmnpqrstvwxz2456789'

interface Watcher {
  resource: string
  namespace?: string
  filter: ObjectFilter
  cb: (e: WatchEvent) => void
  /** Highest resourceVersion delivered: replayed history and queued events never repeat. */
  lastRv: number
}

/** RFC 3339 without fractions, as Kubernetes prints metav1.Time. */
export const kubeTime = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o)
    for (const v of Object.values(o)) deepFreeze(v)
  }
  return o
}

/** Opens the emulator's object store on the instance's DuckDB store, loading every saved object. */
export async function openObjectStore(store: Store, opts: ObjectStoreOptions = {}): Promise<KubeObjectStore> {
  const os = new KubeObjectStore(store, opts)
  await os.load()
  await os.bootstrap()
  return os
}

/**
 * The in-memory object store (one map per resource, one resourceVersion sequence) with write-through
 * to DuckDB. Every change happens synchronously in memory (so a read-modify-write in one tick is
 * atomic), gets the next resourceVersion, is frozen, recorded in the watch history and dispatched to
 * watchers in order; the returned promise resolves when the row is durable.
 */
export class KubeObjectStore implements ObjectStore {
  readonly types: ResourceType[] = RESOURCE_TYPES
  private readonly byResource = new Map<string, ResourceType>()
  private readonly byKind = new Map<string, ResourceType>()
  private readonly objects = new Map<string, Map<string, KubeObject>>()
  private rv = 0
  private history: WatchHistory
  private readonly watchers = new Map<string, Set<Watcher>>()
  private readonly listeners = new Set<(resource: string, e: WatchEvent) => void>()
  private readonly queue: HistoryEntry[] = []
  private dispatching = false
  private readonly allocators = new ServiceAllocators()
  private readonly clock: Clock

  constructor(
    private readonly store: Store,
    private readonly opts: ObjectStoreOptions = {},
  ) {
    this.clock = opts.clock ?? systemClock
    for (const t of this.types) {
      this.byResource.set(t.resource, t)
      this.byKind.set(`${groupVersion(t)}/${t.kind}`, t)
      this.objects.set(t.resource, new Map())
    }
    this.history = new WatchHistory(opts.historySize ?? 10_000, 0)
  }

  get resourceVersion(): number {
    return this.rv
  }

  type(resource: string): ResourceType | undefined {
    return this.byResource.get(resource)
  }

  /** Loads every saved object; the watch history starts empty at the saved resourceVersion. */
  async load(): Promise<void> {
    const rows = await this.store.query<{ pk: string; doc: string }>(`SELECT pk, doc FROM ${TABLE}`)
    let rv = 0
    for (const row of rows) {
      const doc = JSON.parse(row.doc)
      if (row.pk === RV_KEY) {
        rv = Math.max(rv, Number(doc.resourceVersion) || 0)
        continue
      }
      const t = this.byKind.get(`${doc.apiVersion}/${doc.kind}`)
      if (!t) continue
      rv = Math.max(rv, Number(doc.metadata?.resourceVersion) || 0)
      this.map(t.resource).set(objectKey(doc.metadata?.namespace, doc.metadata?.name), deepFreeze(doc))
      if (t.kind === 'Service') this.allocators.track(doc)
    }
    this.rv = rv
    this.history = new WatchHistory(this.opts.historySize ?? 10_000, rv)
  }

  /** The namespaces every cluster has, each with its `default` service account. */
  async bootstrap(): Promise<void> {
    const writes: Promise<unknown>[] = []
    for (const ns of SYSTEM_NAMESPACES) {
      if (!this.get('namespaces', undefined, ns)) writes.push(this.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }))
    }
    await Promise.all(writes)
    // Terminating namespaces whose contents went while KECS was down are finished now.
    for (const ns of this.map('namespaces').values()) {
      if (ns.metadata.deletionTimestamp) void this.finalizeNamespace(ns.metadata.name!).catch(() => {})
    }
  }

  private map(resource: string): Map<string, KubeObject> {
    const m = this.objects.get(resource)
    if (!m) throw notServed(resource)
    return m
  }

  private mustType(resource: string): ResourceType {
    const t = this.byResource.get(resource)
    if (!t) throw notServed(resource)
    return t
  }

  private now(): string {
    return kubeTime(this.clock.now())
  }

  get(resource: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const t = this.byResource.get(resource)
    if (!t) return undefined
    return this.map(resource).get(objectKey(t.namespaced ? namespace : undefined, name))
  }

  list(resource: string, opts: ListOptions = {}): { items: KubeObject[]; resourceVersion: string; continue?: string } {
    const t = this.mustType(resource)
    const filter = compileFilter(opts.labelSelector, opts.fieldSelector)
    const ns = t.namespaced ? opts.namespace : undefined
    let after: string | undefined
    if (opts.continue) after = decodeContinue(opts.continue)
    const matched: [string, KubeObject][] = []
    for (const [key, obj] of this.map(resource)) {
      if (ns !== undefined && obj.metadata.namespace !== ns) continue
      if (after !== undefined && key <= after) continue
      if (!filter(obj)) continue
      matched.push([key, obj])
    }
    matched.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    const rv = String(this.rv)
    const limit = opts.limit && opts.limit > 0 ? opts.limit : undefined
    if (limit && matched.length > limit) {
      const page = matched.slice(0, limit)
      return { items: page.map((e) => e[1]), resourceVersion: rv, continue: encodeContinue(page[page.length - 1]![0], this.rv) }
    }
    return { items: matched.map((e) => e[1]), resourceVersion: rv }
  }

  async create(resource: string, input: KubeObject, opts: { dryRun?: boolean } = {}): Promise<KubeObject> {
    const t = this.mustType(resource)
    const obj = this.normalizeIncoming(t, input)
    const meta = obj.metadata
    if (t.namespaced) {
      meta.namespace ||= 'default'
      this.checkNamespaceWritable(meta.namespace, t.kind)
    } else delete meta.namespace
    if (!meta.name && meta.generateName) meta.name = this.generateName(t, meta.namespace, meta.generateName)
    applyDefaults(obj)
    validate(obj)
    if (this.get(resource, meta.namespace, meta.name!)) {
      throw new KubeStatusError(409, 'AlreadyExists', `${qualifiedResource(t)} "${meta.name}" already exists`, {
        name: meta.name,
        group: t.group,
        kind: t.resource,
      })
    }
    if (t.kind === 'Service' && !opts.dryRun) this.allocators.allocate(obj)
    meta.uid = randomUUID()
    meta.creationTimestamp = this.now()
    meta.generation = 1
    delete meta.resourceVersion
    delete meta.deletionTimestamp
    delete meta.deletionGracePeriodSeconds
    if (t.kind === 'Pod') {
      obj.status = { phase: 'Pending', qosClass: qosClass(obj.spec), ...(obj.status ?? {}) }
    }
    if (opts.dryRun) return obj
    const done = this.commit(t, 'ADDED', obj)
    const extra: Promise<unknown>[] = []
    if (t.kind === 'Namespace') {
      extra.push(
        this.create('serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: meta.name } }).catch(() => {}),
      )
    }
    await done
    await Promise.all(extra)
    return obj
  }

  async update(resource: string, input: KubeObject, opts: { subresource?: 'status'; dryRun?: boolean } = {}): Promise<KubeObject> {
    const t = this.mustType(resource)
    const incoming = this.normalizeIncoming(t, input)
    const ns = t.namespaced ? incoming.metadata.namespace || 'default' : undefined
    const name = incoming.metadata.name
    if (!name) {
      throw invalidError(t.kind, '', [{ field: 'metadata.name', message: 'Required value: name is required', reason: 'FieldValueRequired' }])
    }
    const old = this.get(resource, ns, name)
    if (!old) throw notFound(t, name)
    checkPreconditions(t, old, incoming.metadata.uid, incoming.metadata.resourceVersion)

    let obj: KubeObject
    if (opts.subresource === 'status') {
      obj = structuredClone(old)
      obj.status = incoming.status
      if (obj.status === undefined) delete obj.status
    } else {
      obj = incoming
      const meta = obj.metadata
      meta.namespace = ns
      if (!t.namespaced) delete meta.namespace
      meta.uid = old.metadata.uid
      meta.creationTimestamp = old.metadata.creationTimestamp
      meta.generation = old.metadata.generation
      if (old.metadata.deletionTimestamp) {
        meta.deletionTimestamp = old.metadata.deletionTimestamp
        meta.deletionGracePeriodSeconds = old.metadata.deletionGracePeriodSeconds
      } else {
        delete meta.deletionTimestamp
        delete meta.deletionGracePeriodSeconds
      }
      applyDefaults(obj)
      if (t.kind === 'Service') {
        // Omitted allocations are kept, as the API server carries them over from the old object.
        if (!obj.spec?.clusterIP && old.spec?.clusterIP) obj.spec.clusterIP = old.spec.clusterIP
      }
      validate(obj, old)
      if (t.kind === 'Service' && !opts.dryRun) this.allocators.allocate(obj, old)
    }
    return this.write(t, obj, old, opts.dryRun)
  }

  async mutate(
    resource: string,
    namespace: string | undefined,
    name: string,
    fn: (obj: KubeObject) => KubeObject | void | false,
  ): Promise<KubeObject | undefined> {
    const t = this.mustType(resource)
    const old = this.get(resource, namespace, name)
    if (!old) return undefined
    const draft = structuredClone(old)
    const r = fn(draft)
    if (r === false) return old
    const obj = r ?? draft
    obj.apiVersion = groupVersion(t)
    obj.kind = t.kind
    obj.metadata = { ...(obj.metadata ?? {}) }
    obj.metadata.name = old.metadata.name
    obj.metadata.namespace = old.metadata.namespace
    if (!t.namespaced) delete obj.metadata.namespace
    obj.metadata.uid = old.metadata.uid
    obj.metadata.creationTimestamp = old.metadata.creationTimestamp
    obj.metadata.generation = old.metadata.generation
    applyDefaults(obj)
    if (t.kind === 'Service') this.allocators.allocate(obj, old)
    return this.write(t, obj, old)
  }

  /** Bumps generation on spec change, skips no-op writes, removes finalized deletions, commits. */
  private async write(t: ResourceType, obj: KubeObject, old: KubeObject, dryRun = false): Promise<KubeObject> {
    if (!deepEqual(obj.spec, old.spec)) obj.metadata.generation = (old.metadata.generation ?? 0) + 1
    obj.metadata.resourceVersion = old.metadata.resourceVersion
    if (obj.metadata.finalizers && obj.metadata.finalizers.length === 0) delete obj.metadata.finalizers
    if (deepEqual(obj, old)) return old
    if (dryRun) return obj
    const meta = obj.metadata
    const finalized =
      meta.deletionTimestamp &&
      !meta.finalizers?.length &&
      t.kind !== 'Namespace' &&
      (t.kind !== 'Pod' || meta.deletionGracePeriodSeconds === 0)
    if (finalized) {
      // The last finalizer went: the object is deleted now.
      await this.commit(t, 'DELETED', obj, old)
      this.afterRemove(t, obj)
      return obj
    }
    await this.commit(t, 'MODIFIED', obj, old)
    return obj
  }

  async delete(resource: string, namespace: string | undefined, name: string, opts: DeleteOptions = {}): Promise<KubeObject | undefined> {
    const t = this.mustType(resource)
    const old = this.get(resource, namespace, name)
    if (!old) throw notFound(t, name)
    checkPreconditions(t, old, opts.preconditions?.uid, opts.preconditions?.resourceVersion, 'Precondition failed')
    if (t.kind === 'Namespace' && UNDELETABLE_NAMESPACES.has(name)) {
      throw new KubeStatusError(403, 'Forbidden', `namespaces "${name}" is forbidden: this namespace may not be deleted`, { name, kind: 'namespaces' })
    }
    if (opts.dryRun) return old
    if (t.kind === 'Namespace') return this.deleteNamespace(t, old)

    const policy = opts.propagationPolicy ?? 'Background'
    const pending: Promise<unknown>[] = []
    if (policy === 'Orphan') {
      for (const [res, dep] of this.dependents(old)) {
        pending.push(
          this.mutate(res, dep.metadata.namespace, dep.metadata.name!, (d) => {
            d.metadata.ownerReferences = d.metadata.ownerReferences?.filter((r) => r.uid !== old.metadata.uid)
            if (!d.metadata.ownerReferences?.length) delete d.metadata.ownerReferences
          }),
        )
      }
    }

    if (t.kind === 'Pod') {
      const phase = old.status?.phase
      let grace = opts.gracePeriodSeconds ?? old.spec?.terminationGracePeriodSeconds ?? 30
      // Unscheduled and finished pods have nothing to stop: they go at once, as in Kubernetes.
      if (!old.spec?.nodeName || phase === 'Succeeded' || phase === 'Failed') grace = 0
      const obj = structuredClone(old)
      if (grace === 0 && !old.metadata.finalizers?.length) {
        await this.commit(t, 'DELETED', obj, old)
        this.afterRemove(t, obj)
        await Promise.all(pending)
        return obj
      }
      // A second delete may only shorten the grace period.
      const current = old.metadata.deletionGracePeriodSeconds
      if (old.metadata.deletionTimestamp && current !== undefined && current <= grace) {
        await Promise.all(pending)
        return old
      }
      obj.metadata.deletionTimestamp = kubeTime(this.clock.now() + grace * 1000)
      obj.metadata.deletionGracePeriodSeconds = grace
      await this.commit(t, 'MODIFIED', obj, old)
      await Promise.all(pending)
      return obj
    }

    if (old.metadata.deletionTimestamp) {
      await Promise.all(pending)
      return old
    }
    const foreground = policy === 'Foreground' && this.dependents(old).length > 0
    if (foreground || old.metadata.finalizers?.length) {
      const obj = structuredClone(old)
      obj.metadata.deletionTimestamp = this.now()
      obj.metadata.deletionGracePeriodSeconds = 0
      if (foreground) obj.metadata.finalizers = [...new Set([...(obj.metadata.finalizers ?? []), 'foregroundDeletion'])]
      await this.commit(t, 'MODIFIED', obj, old)
      await Promise.all(pending)
      return obj
    }
    const obj = structuredClone(old)
    await this.commit(t, 'DELETED', obj, old)
    this.afterRemove(t, obj)
    await Promise.all(pending)
    return obj
  }

  async remove(resource: string, namespace: string | undefined, name: string): Promise<void> {
    const t = this.mustType(resource)
    const old = this.get(resource, namespace, name)
    if (!old) return
    const obj = structuredClone(old)
    await this.commit(t, 'DELETED', obj, old)
    this.afterRemove(t, obj)
  }

  watch(
    resource: string,
    opts: { namespace?: string; labelSelector?: string; fieldSelector?: string; resourceVersion?: string },
    cb: (e: WatchEvent) => void,
  ): () => void {
    const t = this.mustType(resource)
    const w: Watcher = {
      resource,
      namespace: t.namespaced ? opts.namespace : undefined,
      filter: compileFilter(opts.labelSelector, opts.fieldSelector),
      cb,
      lastRv: 0,
    }
    const from = opts.resourceVersion
    if (from === undefined || from === '' || from === '0') {
      for (const obj of this.list(resource, { namespace: w.namespace }).items) {
        if (!w.filter(obj)) continue
        cb({ type: 'ADDED', object: obj, resourceVersion: Number(obj.metadata.resourceVersion) })
      }
      w.lastRv = this.rv
    } else {
      const rv = Number(from)
      if (!Number.isInteger(rv) || rv < 0) {
        throw new KubeStatusError(400, 'BadRequest', `invalid resource version "${from}"`)
      }
      if (rv < this.history.floor) {
        throw new KubeStatusError(410, 'Gone', `too old resource version: ${rv} (${this.history.floor})`)
      }
      w.lastRv = rv
      for (const entry of this.history.since(rv)) if (entry.resource === resource) this.deliver(w, entry.event)
      // A version from the future (e.g. seen just before a crash) resumes from now.
      w.lastRv = Math.max(w.lastRv, Math.min(rv, this.rv))
    }
    let set = this.watchers.get(resource)
    if (!set) this.watchers.set(resource, (set = new Set()))
    set.add(w)
    return () => {
      set!.delete(w)
    }
  }

  onChange(cb: (resource: string, e: WatchEvent) => void): () => void {
    this.listeners.add(cb)
    return () => {
      this.listeners.delete(cb)
    }
  }

  /**
   * Removes events last seen more than `ttlMs` ago, as the API server's one-hour event TTL does, so a
   * long-lived instance does not keep every event forever. Returns how many went.
   */
  async expireEvents(ttlMs = 3_600_000): Promise<number> {
    const cutoff = this.clock.now() - ttlMs
    const t = this.mustType('events')
    const writes: Promise<void>[] = []
    for (const e of [...this.map('events').values()]) {
      const seen = Date.parse(e.series?.lastObservedTime ?? e.lastTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp ?? '')
      if (!Number.isNaN(seen) && seen < cutoff) writes.push(this.commit(t, 'DELETED', structuredClone(e), e))
    }
    await Promise.all(writes)
    return writes.length
  }

  // -------------------------------------------------------------------------------------------

  /** Copies an incoming object and fills apiVersion/kind; 400 when the body names another kind. */
  private normalizeIncoming(t: ResourceType, input: KubeObject): KubeObject {
    if (!input || typeof input !== 'object' || Array.isArray(input)) {
      throw new KubeStatusError(400, 'BadRequest', 'the body of the request was in an unknown format')
    }
    if (input.kind && input.kind !== t.kind) {
      throw new KubeStatusError(400, 'BadRequest', `the kind of the provided object (${input.kind}) does not match the resource (${t.kind})`)
    }
    if (input.apiVersion && input.apiVersion !== groupVersion(t)) {
      throw new KubeStatusError(400, 'BadRequest', `the API version in the data (${input.apiVersion}) does not match the expected API version (${groupVersion(t)})`)
    }
    const obj = stripNulls(structuredClone(input)) as KubeObject
    obj.apiVersion = groupVersion(t)
    obj.kind = t.kind
    obj.metadata = obj.metadata && typeof obj.metadata === 'object' ? obj.metadata : {}
    return obj
  }

  private checkNamespaceWritable(namespace: string, kind: string) {
    const ns = this.get('namespaces', undefined, namespace)
    if (!ns) {
      throw new KubeStatusError(404, 'NotFound', `namespaces "${namespace}" not found`, { name: namespace, kind: 'namespaces' })
    }
    // Events about the teardown (the kubelet's "Killing") are still recorded; they go with the namespace.
    if (ns.metadata.deletionTimestamp && kind !== 'Event') {
      throw new KubeStatusError(
        403,
        'Forbidden',
        `unable to create new content in namespace ${namespace} because it is being terminated`,
        { name: namespace, kind: 'namespaces' },
      )
    }
  }

  private generateName(t: ResourceType, namespace: string | undefined, prefix: string): string {
    for (;;) {
      let suffix = ''
      for (let i = 0; i < 5; i++) suffix += GENERATE_CHARS[Math.floor(Math.random() * GENERATE_CHARS.length)]
      const name = prefix.slice(0, 58) + suffix
      if (!this.get(t.resource, namespace, name)) return name
    }
  }

  /** Objects whose ownerReferences name `owner`, as [resource, object] pairs. */
  private dependents(owner: KubeObject): [string, KubeObject][] {
    const out: [string, KubeObject][] = []
    const uid = owner.metadata.uid
    for (const t of this.types) {
      if (!t.namespaced) continue
      for (const obj of this.map(t.resource).values()) {
        if (owner.metadata.namespace && obj.metadata.namespace !== owner.metadata.namespace) continue
        if (obj.metadata.ownerReferences?.some((r) => r.uid === uid)) out.push([t.resource, obj])
      }
    }
    return out
  }

  private async deleteNamespace(t: ResourceType, old: KubeObject): Promise<KubeObject> {
    const name = old.metadata.name!
    if (old.metadata.deletionTimestamp) return old
    const obj = structuredClone(old)
    obj.metadata.deletionTimestamp = this.now()
    obj.metadata.deletionGracePeriodSeconds = 0
    obj.status = { ...(obj.status ?? {}), phase: 'Terminating' }
    await this.commit(t, 'MODIFIED', obj, old)
    const deletions: Promise<unknown>[] = []
    // Workloads first, so their controllers stop making pods; everything starts in this tick.
    const order = ['deployments', 'daemonsets', 'replicasets', 'pods']
    const types = [...this.types].sort((a, b) => rank(order, a.resource) - rank(order, b.resource))
    for (const rt of types) {
      if (!rt.namespaced) continue
      for (const o of [...this.map(rt.resource).values()]) {
        if (o.metadata.namespace !== name) continue
        deletions.push(this.delete(rt.resource, name, o.metadata.name!, { propagationPolicy: 'Background' }).catch(() => {}))
      }
    }
    await Promise.all(deletions)
    await this.finalizeNamespace(name)
    return this.get('namespaces', undefined, name) ?? obj
  }

  /** Removes a terminating namespace once nothing but events is left in it (the events go with it). */
  private async finalizeNamespace(name: string): Promise<void> {
    const ns = this.get('namespaces', undefined, name)
    if (!ns?.metadata.deletionTimestamp) return
    for (const t of this.types) {
      if (!t.namespaced || t.resource === 'events') continue
      for (const o of this.map(t.resource).values()) if (o.metadata.namespace === name) return
    }
    const events = [...this.map('events').values()].filter((e) => e.metadata.namespace === name)
    const writes = events.map((e) => this.commit(this.mustType('events'), 'DELETED', structuredClone(e), e))
    writes.push(this.remove('namespaces', undefined, name))
    await Promise.all(writes)
  }

  private afterRemove(t: ResourceType, obj: KubeObject) {
    if (t.kind === 'Service') this.allocators.release(obj)
    const ns = obj.metadata.namespace
    if (t.namespaced && t.resource !== 'events' && ns && this.get('namespaces', undefined, ns)?.metadata.deletionTimestamp) {
      void this.finalizeNamespace(ns).catch((e) => console.error('kecs emulator: finalizing namespace', ns, e))
    }
  }

  /**
   * Applies one change in memory, records it and dispatches it; resolves once durable. `obj` must be a
   * private copy: it gets the next resourceVersion and is frozen.
   */
  private commit(t: ResourceType, type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: KubeObject, old?: KubeObject): Promise<void> {
    const rv = ++this.rv
    obj.metadata.resourceVersion = String(rv)
    deepFreeze(obj)
    const key = objectKey(obj.metadata.namespace, obj.metadata.name)
    const pk = `${groupVersion(t)}/${t.resource}/${key}`
    const op: WriteOp =
      type === 'DELETED' ? { op: 'delete', table: TABLE, pk } : { op: 'upsert', table: TABLE, row: [pk, JSON.stringify(obj)] }
    if (type === 'DELETED') this.map(t.resource).delete(key)
    else this.map(t.resource).set(key, obj)
    const done = this.store.write([op, { op: 'upsert', table: TABLE, row: [RV_KEY, JSON.stringify({ resourceVersion: rv })] }])
    const event: WatchEvent = { type, object: obj, resourceVersion: rv }
    if (old) event.oldObject = old
    const entry = { resource: t.resource, event }
    this.history.push(entry)
    this.dispatch(entry)
    return done
  }

  /** Delivers events in resourceVersion order, also when a listener writes from inside its callback. */
  private dispatch(entry: HistoryEntry) {
    this.queue.push(entry)
    if (this.dispatching) return
    this.dispatching = true
    try {
      for (let i = 0; i < this.queue.length; i++) {
        const { resource, event } = this.queue[i]!
        for (const l of [...this.listeners]) {
          try {
            l(resource, event)
          } catch (e) {
            console.error('kecs emulator: change listener failed', e)
          }
        }
        const set = this.watchers.get(resource)
        if (set) for (const w of [...set]) this.deliver(w, event)
      }
    } finally {
      this.queue.length = 0
      this.dispatching = false
    }
  }

  /**
   * Sends an event through a watcher's namespace and selectors. Like the API server, an object that
   * starts matching arrives as ADDED and one that stops matching as DELETED.
   */
  private deliver(w: Watcher, event: WatchEvent) {
    if (event.resourceVersion <= w.lastRv) return
    w.lastRv = event.resourceVersion
    const matches = (o: KubeObject | undefined) =>
      !!o && (w.namespace === undefined || o.metadata.namespace === w.namespace) && w.filter(o)
    let type = event.type
    if (type === 'MODIFIED') {
      const now = matches(event.object)
      const before = matches(event.oldObject ?? event.object)
      if (!now && !before) return
      if (now && !before) type = 'ADDED'
      else if (!now && before) type = 'DELETED'
    } else if (!matches(event.object)) return
    try {
      w.cb(type === event.type ? event : { ...event, type })
    } catch (e) {
      console.error('kecs emulator: watch callback failed', e)
    }
  }
}

/**
 * Drops null-valued fields, as decoding into the API types does (`creationTimestamp: null` in a pod
 * template, sent by kubectl rollout undo, must not change the template's hash).
 */
function stripNulls<T>(v: T): T {
  if (Array.isArray(v)) {
    for (const x of v) stripNulls(x)
  } else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (x === null) delete (v as Record<string, unknown>)[k]
      else stripNulls(x)
    }
  }
  return v
}

function rank(order: string[], r: string) {
  const i = order.indexOf(r)
  return i < 0 ? order.length : i
}

export const objectKey = (namespace: string | undefined, name: string | undefined) => `${namespace ?? ''}/${name ?? ''}`

function encodeContinue(key: string, rv: number): string {
  return Buffer.from(JSON.stringify({ k: key, rv })).toString('base64url')
}

function decodeContinue(token: string): string {
  try {
    const v = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'))
    if (typeof v.k === 'string') return v.k
  } catch {
    /* fall through */
  }
  throw new KubeStatusError(400, 'BadRequest', 'continue key is not valid: illegal base64 data')
}

export function notFound(t: ResourceType, name: string): KubeStatusError {
  return new KubeStatusError(404, 'NotFound', `${qualifiedResource(t)} "${name}" not found`, {
    name,
    group: t.group,
    kind: t.resource,
  })
}

function notServed(resource: string): KubeStatusError {
  return new KubeStatusError(404, 'NotFound', `the server could not find the requested resource (${resource})`)
}

function checkPreconditions(
  t: ResourceType,
  old: KubeObject,
  uid: string | undefined,
  rv: string | undefined,
  prefix?: string,
) {
  const name = old.metadata.name!
  const details = { name, group: t.group, kind: t.resource }
  if (uid && uid !== old.metadata.uid) {
    const msg = `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${old.metadata.uid}`
    throw new KubeStatusError(409, 'Conflict', `Operation cannot be fulfilled on ${qualifiedResource(t)} "${name}": ${msg}`, details)
  }
  if (rv && rv !== old.metadata.resourceVersion) {
    const msg = prefix
      ? `Precondition failed: ResourceVersion in precondition: ${rv}, ResourceVersion in object meta: ${old.metadata.resourceVersion}`
      : 'the object has been modified; please apply your changes to the latest version and try again'
    throw new KubeStatusError(409, 'Conflict', `Operation cannot be fulfilled on ${qualifiedResource(t)} "${name}": ${msg}`, details)
  }
}
