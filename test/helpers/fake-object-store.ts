import { randomUUID } from 'node:crypto'
import type { Clock } from '../../src/lib/timers.js'
import {
  KubeStatusError,
  type DeleteOptions,
  type KubeObject,
  type ListOptions,
  type ObjectStore,
  type ResourceType,
  type WatchEvent,
} from '../../src/emulator/types.js'

/**
 * A small in-memory ObjectStore for unit tests, faithful to the contract in src/emulator/types.ts:
 * one resourceVersion sequence, frozen snapshots out, copies in, synchronous onChange after each
 * change, generation bumped on spec changes, graceful pod deletion (kept with deletionTimestamp
 * until remove()), Foreground deletion by the foregroundDeletion finalizer, Orphan stripping
 * ownerReferences. Writes resolve on a later microtask, like a durable write would.
 */
const TYPES: ResourceType[] = [
  { group: '', version: 'v1', resource: 'namespaces', singular: 'namespace', kind: 'Namespace', namespaced: false },
  { group: '', version: 'v1', resource: 'nodes', singular: 'node', kind: 'Node', namespaced: false },
  { group: '', version: 'v1', resource: 'pods', singular: 'pod', kind: 'Pod', namespaced: true },
  { group: '', version: 'v1', resource: 'services', singular: 'service', kind: 'Service', namespaced: true },
  { group: '', version: 'v1', resource: 'endpoints', singular: 'endpoints', kind: 'Endpoints', namespaced: true },
  { group: '', version: 'v1', resource: 'configmaps', singular: 'configmap', kind: 'ConfigMap', namespaced: true },
  { group: '', version: 'v1', resource: 'secrets', singular: 'secret', kind: 'Secret', namespaced: true },
  { group: '', version: 'v1', resource: 'events', singular: 'event', kind: 'Event', namespaced: true },
  { group: 'apps', version: 'v1', resource: 'deployments', singular: 'deployment', kind: 'Deployment', namespaced: true },
  { group: 'apps', version: 'v1', resource: 'replicasets', singular: 'replicaset', kind: 'ReplicaSet', namespaced: true },
  { group: 'apps', version: 'v1', resource: 'daemonsets', singular: 'daemonset', kind: 'DaemonSet', namespaced: true },
]

const gv = (t: ResourceType) => (t.group ? `${t.group}/${t.version}` : t.version)
const time = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b)

function freeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o)
    for (const v of Object.values(o)) freeze(v)
  }
  return o
}

function labelsMatch(selector: string | undefined, labels: Record<string, string> = {}): boolean {
  if (!selector) return true
  return selector.split(',').every((part) => {
    const p = part.trim()
    if (!p) return true
    const ne = p.split('!=')
    if (ne.length === 2) return labels[ne[0]!.trim()] !== ne[1]!.trim()
    const eq = p.split(/==?/)
    if (eq.length === 2) return labels[eq[0]!.trim()] === eq[1]!.trim()
    if (p.startsWith('!')) return !(p.slice(1) in labels)
    return p in labels
  })
}

function fieldsMatch(selector: string | undefined, o: KubeObject): boolean {
  if (!selector) return true
  return selector.split(',').every((part) => {
    const [path, want] = part.split('=')
    let v: any = o
    for (const seg of path!.trim().split('.')) v = v?.[seg]
    return String(v ?? '') === (want ?? '').trim()
  })
}

export class FakeObjectStore implements ObjectStore {
  readonly types = TYPES
  private rv = 0
  private readonly data = new Map<string, Map<string, KubeObject>>(TYPES.map((t) => [t.resource, new Map()]))
  private readonly listeners = new Set<(resource: string, e: WatchEvent) => void>()
  /** Every event, in order (tests inspect it). */
  readonly log: { resource: string; event: WatchEvent }[] = []

  constructor(private readonly clock: Clock = { now: () => Date.now() }) {
    for (const ns of ['default', 'kube-system']) {
      this.commit('namespaces', 'ADDED', this.fill(this.mustType('namespaces'), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }))
    }
  }

  get resourceVersion(): number {
    return this.rv
  }

  type(resource: string) {
    return TYPES.find((t) => t.resource === resource)
  }

  private mustType(resource: string): ResourceType {
    const t = this.type(resource)
    if (!t) throw new KubeStatusError(404, 'NotFound', `the server could not find the requested resource (${resource})`)
    return t
  }

  private key(t: ResourceType, ns: string | undefined, name: string) {
    return `${t.namespaced ? (ns ?? 'default') : ''}/${name}`
  }

  get(resource: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const t = this.type(resource)
    return t ? this.data.get(resource)!.get(this.key(t, namespace, name)) : undefined
  }

  list(resource: string, opts: ListOptions = {}) {
    const t = this.mustType(resource)
    const items = [...this.data.get(resource)!.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, o]) => o)
      .filter((o) => !t.namespaced || opts.namespace === undefined || o.metadata.namespace === opts.namespace)
      .filter((o) => labelsMatch(opts.labelSelector, o.metadata.labels) && fieldsMatch(opts.fieldSelector, o))
    return { items, resourceVersion: String(this.rv) }
  }

  private fill(t: ResourceType, input: KubeObject): KubeObject {
    const o = structuredClone(input)
    o.apiVersion = gv(t)
    o.kind = t.kind
    o.metadata ??= {}
    if (t.namespaced) o.metadata.namespace ||= 'default'
    else delete o.metadata.namespace
    if (!o.metadata.name && o.metadata.generateName) o.metadata.name = o.metadata.generateName + Math.random().toString(36).slice(2, 7)
    o.metadata.uid = randomUUID()
    o.metadata.creationTimestamp = time(this.clock.now())
    o.metadata.generation = 1
    if (t.kind === 'Pod') o.status = { phase: 'Pending', ...(o.status ?? {}) }
    return o
  }

  private commit(resource: string, type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: KubeObject, old?: KubeObject): void {
    const t = this.mustType(resource)
    obj.metadata.resourceVersion = String(++this.rv)
    freeze(obj)
    const k = this.key(t, obj.metadata.namespace, obj.metadata.name!)
    if (type === 'DELETED') this.data.get(resource)!.delete(k)
    else this.data.get(resource)!.set(k, obj)
    const event: WatchEvent = { type, object: obj, resourceVersion: this.rv, ...(old ? { oldObject: old } : {}) }
    this.log.push({ resource, event })
    for (const l of [...this.listeners]) l(resource, event)
  }

  private async durable(): Promise<void> {
    await Promise.resolve()
  }

  async create(resource: string, input: KubeObject): Promise<KubeObject> {
    const t = this.mustType(resource)
    const o = this.fill(t, input)
    if (t.namespaced && !this.get('namespaces', undefined, o.metadata.namespace!))
      throw new KubeStatusError(404, 'NotFound', `namespaces "${o.metadata.namespace}" not found`)
    if (this.get(resource, o.metadata.namespace, o.metadata.name!))
      throw new KubeStatusError(409, 'AlreadyExists', `${resource} "${o.metadata.name}" already exists`)
    this.commit(resource, 'ADDED', o)
    await this.durable()
    return o
  }

  async update(resource: string, input: KubeObject, opts: { subresource?: 'status' } = {}): Promise<KubeObject> {
    const t = this.mustType(resource)
    const old = this.get(resource, input.metadata.namespace, input.metadata.name!)
    if (!old) throw new KubeStatusError(404, 'NotFound', `${resource} "${input.metadata.name}" not found`)
    if (input.metadata.resourceVersion && input.metadata.resourceVersion !== old.metadata.resourceVersion)
      throw new KubeStatusError(409, 'Conflict', 'the object has been modified; please apply your changes to the latest version and try again')
    const next = opts.subresource === 'status' ? { ...structuredClone(old), status: structuredClone(input.status) } : structuredClone(input)
    next.apiVersion = gv(t)
    next.kind = t.kind
    return this.write(resource, next, old)
  }

  async mutate(resource: string, namespace: string | undefined, name: string, fn: (obj: KubeObject) => KubeObject | void | false) {
    const old = this.get(resource, namespace, name)
    if (!old) return undefined
    const draft = structuredClone(old)
    const r = fn(draft)
    if (r === false) return old
    return this.write(resource, r ?? draft, old)
  }

  private async write(resource: string, obj: KubeObject, old: KubeObject): Promise<KubeObject> {
    const m = obj.metadata
    for (const k of ['name', 'namespace', 'uid', 'creationTimestamp'] as const) {
      if (old.metadata[k] === undefined) delete m[k]
      else m[k] = old.metadata[k] as never
    }
    m.generation = old.metadata.generation
    if (!same(obj.spec, old.spec)) m.generation = (old.metadata.generation ?? 1) + 1
    m.resourceVersion = old.metadata.resourceVersion
    if (m.finalizers?.length === 0) delete m.finalizers
    if (same(obj, old)) return old
    if (m.deletionTimestamp && !m.finalizers?.length && (obj.kind !== 'Pod' || m.deletionGracePeriodSeconds === 0)) {
      this.commit(resource, 'DELETED', obj, old)
    } else this.commit(resource, 'MODIFIED', obj, old)
    await this.durable()
    return obj
  }

  private dependentsOf(owner: KubeObject): [string, KubeObject][] {
    const out: [string, KubeObject][] = []
    for (const t of TYPES)
      for (const o of this.data.get(t.resource)!.values())
        if (o.metadata.ownerReferences?.some((r) => r.uid === owner.metadata.uid)) out.push([t.resource, o])
    return out
  }

  async delete(resource: string, namespace: string | undefined, name: string, opts: DeleteOptions = {}) {
    const old = this.get(resource, namespace, name)
    if (!old) throw new KubeStatusError(404, 'NotFound', `${resource} "${name}" not found`)
    if (opts.preconditions?.uid && opts.preconditions.uid !== old.metadata.uid)
      throw new KubeStatusError(409, 'Conflict', 'Precondition failed: UID mismatch')
    const policy = opts.propagationPolicy ?? 'Background'
    if (policy === 'Orphan') {
      for (const [res, dep] of this.dependentsOf(old)) {
        await this.mutate(res, dep.metadata.namespace, dep.metadata.name!, (d) => {
          d.metadata.ownerReferences = d.metadata.ownerReferences?.filter((r) => r.uid !== old.metadata.uid)
          if (!d.metadata.ownerReferences?.length) delete d.metadata.ownerReferences
        })
      }
    }
    const obj = structuredClone(old)
    if (old.kind === 'Pod') {
      let grace = opts.gracePeriodSeconds ?? old.spec?.terminationGracePeriodSeconds ?? 30
      if (!old.spec?.nodeName || ['Succeeded', 'Failed'].includes(old.status?.phase)) grace = 0
      if (grace === 0 && !old.metadata.finalizers?.length) {
        this.commit(resource, 'DELETED', obj, old)
      } else {
        if (old.metadata.deletionTimestamp && (old.metadata.deletionGracePeriodSeconds ?? 0) <= grace) return old
        obj.metadata.deletionTimestamp = time(this.clock.now() + grace * 1000)
        obj.metadata.deletionGracePeriodSeconds = grace
        this.commit(resource, 'MODIFIED', obj, old)
      }
      await this.durable()
      return obj
    }
    if (old.metadata.deletionTimestamp) return old
    const foreground = policy === 'Foreground' && this.dependentsOf(old).length > 0
    if (foreground || old.metadata.finalizers?.length) {
      obj.metadata.deletionTimestamp = time(this.clock.now())
      obj.metadata.deletionGracePeriodSeconds = 0
      if (foreground) obj.metadata.finalizers = [...new Set([...(obj.metadata.finalizers ?? []), 'foregroundDeletion'])]
      this.commit(resource, 'MODIFIED', obj, old)
    } else this.commit(resource, 'DELETED', obj, old)
    await this.durable()
    return obj
  }

  async remove(resource: string, namespace: string | undefined, name: string): Promise<void> {
    const old = this.get(resource, namespace, name)
    if (!old) return
    this.commit(resource, 'DELETED', structuredClone(old), old)
    await this.durable()
  }

  watch(resource: string, opts: { namespace?: string }, cb: (e: WatchEvent) => void): () => void {
    return this.onChange((r, e) => {
      if (r === resource && (opts.namespace === undefined || e.object.metadata.namespace === opts.namespace)) cb(e)
    })
  }

  onChange(cb: (resource: string, e: WatchEvent) => void): () => void {
    this.listeners.add(cb)
    return () => void this.listeners.delete(cb)
  }

  /** Events (core/v1) about one object, in the order they were first recorded (current versions). */
  eventsFor(name: string): KubeObject[] {
    return this.log
      .filter((x) => x.resource === 'events' && x.event.type === 'ADDED' && x.event.object.involvedObject?.name === name)
      .map((x) => this.get('events', x.event.object.metadata.namespace, x.event.object.metadata.name!) ?? x.event.object)
  }

  /** Every stored version of one object, oldest first. */
  history(resource: string, name: string): KubeObject[] {
    return this.log.filter((x) => x.resource === resource && x.event.object.metadata.name === name).map((x) => x.event.object)
  }
}
