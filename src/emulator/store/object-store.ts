import { randomUUID } from 'node:crypto'
import { systemClock, type Clock } from '../../lib/timers.js'
import type { Store } from '../../store/store.js'
import { deepEqual } from '../patch.js'
import { compileFilter } from '../selectors.js'
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
import { alreadyExists, checkPreconditions, notFound, notServed } from './errors.js'
import { NamespaceLifecycle } from './namespace-lifecycle.js'
import { decodeContinue, deepFreeze, encodeContinue, kubeTime, objectKey, stripNulls } from './objects.js'
import { groupVersion, RESOURCE_TYPES } from './resource-types.js'
import { strategyFor } from './strategies/index.js'
import type { Strategy, StrategyContext } from './strategy.js'
import { invalidError } from './validation/causes.js'
import { decode, validateObject, type SchemaError } from './validation/index.js'
import { WatchHub, type WatchRequest } from './watch-hub.js'

export { kubeTime, objectKey } from './objects.js'
export { notFound } from './errors.js'

export interface ObjectStoreOptions {
  clock?: Clock
  /**
   * How many recent changes a watch can resume from (default 1,000, as the API server's watch cache
   * keeps about that many per resource): an older resourceVersion gets 410 Gone and the client relists.
   * Each entry holds the object version it carries, so this bounds the superseded versions kept.
   */
  historySize?: number
  /**
   * At most this many core/v1 Events are kept (default 2,000); the oldest go first. The API server
   * keeps Events an hour (expireEvents does that too); a cap keeps thousands of pods from holding
   * four Events each in memory.
   */
  maxEvents?: number
}

const TABLE = 'kube_objects'
/** The row holding the resourceVersion counter, so a restart continues the sequence. */
const RV_KEY = '_meta/resourceVersion'
const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease']
const GENERATE_CHARS = 'bcdfghjklmnpqrstvwxz2456789'
/**
 * Kinds kept in memory only, never written to DuckDB: core/v1 Events (about a dozen per pod, the
 * bulk of the emulator's writes). Kubernetes expires them after an hour anyway; here they are also
 * bounded in number and do not survive a restart.
 */
const MEMORY_ONLY = new Set(['events'])
const DEFAULT_MAX_EVENTS = 2_000

/** Opens the emulator's object store on the instance's DuckDB store, loading every saved object. */
export async function openObjectStore(store: Store, opts: ObjectStoreOptions = {}): Promise<KubeObjectStore> {
  const os = new KubeObjectStore(store, opts)
  await os.load()
  await os.bootstrap()
  return os
}

/**
 * The in-memory object store (one map per resource, one resourceVersion sequence) with write-through
 * to DuckDB: the generic core of the API server's registry. Each kind's rules live in its strategy
 * (strategies/); this file knows no kind. Every change happens synchronously in memory (so a
 * read-modify-write in one tick is atomic), gets the next resourceVersion, is frozen, recorded in the
 * watch history and dispatched to watchers in order; the returned promise resolves when it is durable.
 */
export class KubeObjectStore implements ObjectStore {
  readonly types: ResourceType[] = RESOURCE_TYPES
  private readonly byResource = new Map<string, ResourceType>()
  private readonly byKind = new Map<string, ResourceType>()
  private readonly objects = new Map<string, Map<string, KubeObject>>()
  private rv = 0
  private readonly hub: WatchHub
  private readonly clock: Clock
  private readonly ctx: StrategyContext
  private readonly namespaces: NamespaceLifecycle
  private readonly maxEvents: number

  constructor(
    private readonly store: Store,
    opts: ObjectStoreOptions = {},
  ) {
    this.clock = opts.clock ?? systemClock
    this.ctx = { allocators: new ServiceAllocators(), now: () => this.clock.now() }
    for (const t of this.types) {
      this.byResource.set(t.resource, t)
      this.byKind.set(`${groupVersion(t)}/${t.kind}`, t)
      this.objects.set(t.resource, new Map())
    }
    this.hub = new WatchHub(opts.historySize ?? 1_000)
    this.maxEvents = opts.maxEvents ?? DEFAULT_MAX_EVENTS
    this.namespaces = new NamespaceLifecycle({
      types: this.types,
      get: (r, ns, name) => this.get(r, ns, name),
      objectsIn: (r, ns) => [...this.map(r).values()].filter((o) => o.metadata.namespace === ns),
      commit: (r, type, obj, old) => this.commit(this.mustType(r), type, obj, old),
      delete: (r, ns, name, o) => this.delete(r, ns, name, o),
      remove: (r, ns, name) => this.remove(r, ns, name),
      timestamp: () => this.now(),
    })
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
    let stale = false
    for (const row of rows) {
      const doc = JSON.parse(row.doc)
      if (row.pk === RV_KEY) {
        rv = Math.max(rv, Number(doc.resourceVersion) || 0)
        continue
      }
      const t = this.byKind.get(`${doc.apiVersion}/${doc.kind}`)
      if (!t) continue
      rv = Math.max(rv, Number(doc.metadata?.resourceVersion) || 0)
      if (MEMORY_ONLY.has(t.resource)) {
        stale = true // written by an older version
        continue
      }
      this.map(t.resource).set(objectKey(doc.metadata?.namespace, doc.metadata?.name), deepFreeze(doc))
      strategyFor(t.kind).track(this.ctx, doc)
    }
    this.rv = rv
    this.hub.reset(rv)
    if (stale) await this.store.write([{ op: 'sql', sql: `DELETE FROM ${TABLE} WHERE pk LIKE 'v1/events/%'` }])
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
      if (ns.metadata.deletionTimestamp) void this.namespaces.finalize(ns.metadata.name!).catch(() => {})
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
    const s = strategyFor(t.kind)
    const [obj, schemaErrors] = this.normalizeIncoming(t, input)
    const meta = obj.metadata
    if (t.namespaced) {
      meta.namespace ||= 'default'
      this.checkNamespaceWritable(meta.namespace, s)
    } else delete meta.namespace
    if (!meta.name && meta.generateName) meta.name = this.generateName(t, meta.namespace, meta.generateName)
    s.defaults(obj)
    validateObject(s, obj, schemaErrors, undefined, t.group)
    if (this.get(resource, meta.namespace, meta.name!)) throw alreadyExists(t, meta.name!)
    if (!opts.dryRun) s.allocate(this.ctx, obj)
    meta.uid = randomUUID()
    meta.creationTimestamp = this.now()
    meta.generation = 1
    delete meta.resourceVersion
    delete meta.deletionTimestamp
    delete meta.deletionGracePeriodSeconds
    s.prepareForCreate(obj)
    if (opts.dryRun) return obj
    const done = this.commit(t, 'ADDED', obj)
    const extra = s.companions(obj).map((c) => this.create(c.resource, c.object).catch(() => {}))
    await done
    await Promise.all(extra)
    return obj
  }

  async update(resource: string, input: KubeObject, opts: { subresource?: 'status'; dryRun?: boolean } = {}): Promise<KubeObject> {
    const t = this.mustType(resource)
    const s = strategyFor(t.kind)
    const [incoming, schemaErrors] = this.normalizeIncoming(t, input)
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
      // The status subresource writes .status only.
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
      s.defaults(obj)
      s.prepareForUpdate(obj, old)
      validateObject(s, obj, schemaErrors, old, t.group)
      if (!opts.dryRun) s.allocate(this.ctx, obj, old)
    }
    return this.write(t, s, obj, old, opts.dryRun)
  }

  async mutate(
    resource: string,
    namespace: string | undefined,
    name: string,
    fn: (obj: KubeObject) => KubeObject | void | false,
  ): Promise<KubeObject | undefined> {
    const t = this.mustType(resource)
    const s = strategyFor(t.kind)
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
    s.defaults(obj)
    s.allocate(this.ctx, obj, old)
    return this.write(t, s, obj, old)
  }

  /** Bumps generation as the strategy says, skips no-op writes, removes finalized deletions, commits. */
  private async write(t: ResourceType, s: Strategy, obj: KubeObject, old: KubeObject, dryRun = false): Promise<KubeObject> {
    if (s.generationChanged(obj, old)) obj.metadata.generation = (old.metadata.generation ?? 0) + 1
    obj.metadata.resourceVersion = old.metadata.resourceVersion
    if (obj.metadata.finalizers && obj.metadata.finalizers.length === 0) delete obj.metadata.finalizers
    if (deepEqual(obj, old)) return old
    if (dryRun) return obj
    const meta = obj.metadata
    if (meta.deletionTimestamp && !meta.finalizers?.length && s.removeWhenFinalized(obj)) {
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
    const s = strategyFor(t.kind)
    const old = this.get(resource, namespace, name)
    if (!old) throw notFound(t, name)
    checkPreconditions(t, old, opts.preconditions?.uid, opts.preconditions?.resourceVersion, 'Precondition failed')
    s.checkDelete(old)
    if (opts.dryRun) return old
    if (s.terminates) return this.namespaces.terminate(old)

    const pending = (opts.propagationPolicy ?? 'Background') === 'Orphan' ? this.orphanDependents(old) : []
    try {
      const grace = s.gracePeriod(old, opts)
      return grace === undefined ? await this.deleteNow(t, old, opts) : await this.deleteGracefully(t, old, grace)
    } finally {
      await Promise.all(pending)
    }
  }

  /** Graceful deletion: deletionTimestamp `grace` seconds ahead; the kubelet removes the object. */
  private async deleteGracefully(t: ResourceType, old: KubeObject, grace: number): Promise<KubeObject> {
    const obj = structuredClone(old)
    if (grace === 0 && !old.metadata.finalizers?.length) {
      await this.commit(t, 'DELETED', obj, old)
      this.afterRemove(t, obj)
      return obj
    }
    // A second delete may only shorten the grace period.
    const current = old.metadata.deletionGracePeriodSeconds
    if (old.metadata.deletionTimestamp && current !== undefined && current <= grace) return old
    obj.metadata.deletionTimestamp = kubeTime(this.clock.now() + grace * 1000)
    obj.metadata.deletionGracePeriodSeconds = grace
    await this.commit(t, 'MODIFIED', obj, old)
    return obj
  }

  /** Removal at once, unless finalizers or foreground propagation (dependents first) hold the object. */
  private async deleteNow(t: ResourceType, old: KubeObject, opts: DeleteOptions): Promise<KubeObject> {
    if (old.metadata.deletionTimestamp) return old
    const foreground = opts.propagationPolicy === 'Foreground' && this.dependents(old).length > 0
    const obj = structuredClone(old)
    if (foreground || old.metadata.finalizers?.length) {
      obj.metadata.deletionTimestamp = this.now()
      obj.metadata.deletionGracePeriodSeconds = 0
      if (foreground) obj.metadata.finalizers = [...new Set([...(obj.metadata.finalizers ?? []), 'foregroundDeletion'])]
      await this.commit(t, 'MODIFIED', obj, old)
      return obj
    }
    await this.commit(t, 'DELETED', obj, old)
    this.afterRemove(t, obj)
    return obj
  }

  /** Orphan propagation: the dependents lose their owner reference to `owner`. */
  private orphanDependents(owner: KubeObject): Promise<unknown>[] {
    return this.dependents(owner).map(([res, dep]) =>
      this.mutate(res, dep.metadata.namespace, dep.metadata.name!, (d) => {
        d.metadata.ownerReferences = d.metadata.ownerReferences?.filter((r) => r.uid !== owner.metadata.uid)
        if (!d.metadata.ownerReferences?.length) delete d.metadata.ownerReferences
      }),
    )
  }

  async remove(resource: string, namespace: string | undefined, name: string): Promise<void> {
    const t = this.mustType(resource)
    const old = this.get(resource, namespace, name)
    if (!old) return
    const obj = structuredClone(old)
    await this.commit(t, 'DELETED', obj, old)
    this.afterRemove(t, obj)
  }

  watch(resource: string, opts: WatchRequest, cb: (e: WatchEvent) => void): () => void {
    const t = this.mustType(resource)
    const namespace = t.namespaced ? opts.namespace : undefined
    return this.hub.watch(resource, { ...opts, namespace }, () => this.list(resource, { namespace }).items, this.rv, cb)
  }

  onChange(cb: (resource: string, e: WatchEvent) => void): () => void {
    return this.hub.onChange(cb)
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

  /**
   * Copies an incoming object and fills apiVersion/kind; 400 when the body names another kind or a
   * field has a type the API types cannot decode. Returns the object's other schema errors.
   */
  private normalizeIncoming(t: ResourceType, input: KubeObject): [KubeObject, SchemaError[]] {
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
    return [obj, decode(obj, t.version)]
  }

  /** The namespace must exist, and a terminating one takes no new content (but the kind's exceptions). */
  private checkNamespaceWritable(namespace: string, s: Strategy) {
    const ns = this.get('namespaces', undefined, namespace)
    if (!ns) {
      throw new KubeStatusError(404, 'NotFound', `namespaces "${namespace}" not found`, { name: namespace, kind: 'namespaces' })
    }
    if (ns.metadata.deletionTimestamp && !s.allowedInTerminatingNamespace) {
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

  private afterRemove(t: ResourceType, obj: KubeObject) {
    strategyFor(t.kind).release(this.ctx, obj)
    this.namespaces.afterRemove(t, obj)
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
    const objects = this.map(t.resource)
    if (type === 'DELETED') objects.delete(key)
    else objects.set(key, obj)
    const memoryOnly = MEMORY_ONLY.has(t.resource)
    // The resourceVersion row goes with the next durable write (it carries the latest value).
    const done = memoryOnly
      ? Promise.resolve()
      : this.store.write([
          type === 'DELETED' ? { op: 'delete', table: TABLE, pk } : { op: 'upsert', table: TABLE, row: [pk, JSON.stringify(obj)] },
          { op: 'upsert', table: TABLE, row: [RV_KEY, JSON.stringify({ resourceVersion: rv })] },
        ])
    const event: WatchEvent = { type, object: obj, resourceVersion: rv }
    if (old) event.oldObject = old
    this.hub.publish(t.resource, event)
    if (memoryOnly && type === 'ADDED' && objects.size > this.maxEvents) {
      // bounded: the oldest Event (first in insertion order) goes
      const [oldestKey, oldest] = objects.entries().next().value!
      if (oldestKey !== key) void this.commit(t, 'DELETED', structuredClone(oldest), oldest)
    }
    return done
  }
}
