import type { KubeObject, ResourceType, WatchEvent } from '../types.js'
import type { Controller, ControllerContext } from './context.js'
import { parseTime, patchObject, statusCode, type OwnerReference } from './objects.js'
import { WorkQueue } from '../../lib/work-queue.js'

export const FOREGROUND = 'foregroundDeletion'
const EVENT_TTL_MS = 60 * 60 * 1000
const EVENT_SWEEP_MS = 10 * 60 * 1000

interface Ref {
  resource: string
  namespace?: string
  name: string
}

const refKey = (r: Ref) => `${r.resource}\t${r.namespace ?? ''}\t${r.name}`
function parseRefKey(k: string): Ref {
  const [resource, ns, name] = k.split('\t')
  return { resource: resource!, namespace: ns || undefined, name: name! }
}

/**
 * The garbage collector. Background: a dependent whose owners are all gone is deleted (owners
 * that are partly gone are dropped from its ownerReferences). Foreground: an owner carrying the
 * foregroundDeletion finalizer has its dependents deleted (blocking ones in foreground too) and
 * loses the finalizer, and so goes, once no blocking dependent is left. Also expires Events after
 * an hour, as the API server's TTL does.
 */
export class GarbageCollector implements Controller {
  private readonly queue: WorkQueue
  /** owner uid → dependents */
  private readonly dependents = new Map<string, Set<string>>()
  /** dependent → owner uids it is indexed under */
  private readonly ownersOf = new Map<string, string[]>()
  /** uid → where the object is */
  private readonly where = new Map<string, Ref>()
  private readonly byKind = new Map<string, ResourceType>()
  private cancelSweep?: () => void

  constructor(private readonly ctx: ControllerContext) {
    this.queue = new WorkQueue('garbage-collector', (k) => this.sync(k), ctx.timers, ctx.onError)
    for (const t of ctx.store.types) this.byKind.set(`${t.group ? `${t.group}/` : ''}${t.version}/${t.kind}`, t)
  }

  get idle() {
    return this.queue.idle
  }

  start(): void {
    for (const t of this.ctx.store.types) {
      for (const o of this.ctx.store.list(t.resource).items) this.observe(t.resource, o, true)
    }
    this.scheduleSweep()
  }

  async stop(): Promise<void> {
    this.cancelSweep?.()
    await this.queue.stop()
  }

  handle(resource: string, e: WatchEvent): void {
    const o = e.object
    if (e.type === 'DELETED') {
      const k = refKey(this.refOf(resource, o))
      this.unindex(k)
      if (o.metadata.uid) {
        this.where.delete(o.metadata.uid)
        for (const dep of this.dependents.get(o.metadata.uid) ?? []) this.queue.add(`dep\t${dep}`)
      }
      // an owner deleting in the foreground may be waiting for this one
      for (const r of o.metadata.ownerReferences ?? []) this.queue.add(`fg\t${r.uid}`)
    } else if (e.type === 'ADDED' || e.type === 'MODIFIED') {
      const refsChanged = e.type === 'ADDED' || JSON.stringify(e.oldObject?.metadata.ownerReferences ?? []) !== JSON.stringify(o.metadata.ownerReferences ?? [])
      this.observe(resource, o, refsChanged)
    }
  }

  private refOf(resource: string, o: KubeObject): Ref {
    return { resource, namespace: o.metadata.namespace, name: o.metadata.name ?? '' }
  }

  private observe(resource: string, o: KubeObject, checkOwners: boolean): void {
    const ref = this.refOf(resource, o)
    const k = refKey(ref)
    if (o.metadata.uid) this.where.set(o.metadata.uid, ref)
    const owners = (o.metadata.ownerReferences ?? []).map((r) => r.uid)
    const before = this.ownersOf.get(k) ?? []
    if (before.join() !== owners.join()) {
      this.unindex(k)
      for (const uid of owners) {
        let set = this.dependents.get(uid)
        if (!set) this.dependents.set(uid, (set = new Set()))
        set.add(k)
      }
      if (owners.length) this.ownersOf.set(k, owners)
    }
    if (checkOwners && owners.length) this.queue.add(`dep\t${k}`)
    if (o.metadata.deletionTimestamp && o.metadata.finalizers?.includes(FOREGROUND) && o.metadata.uid) this.queue.add(`fg\t${o.metadata.uid}`)
  }

  private unindex(k: string): void {
    for (const uid of this.ownersOf.get(k) ?? []) {
      const set = this.dependents.get(uid)
      set?.delete(k)
      if (set && set.size === 0) this.dependents.delete(uid)
    }
    this.ownersOf.delete(k)
  }

  private typeOf(r: OwnerReference): ResourceType | undefined {
    return this.byKind.get(`${r.apiVersion}/${r.kind}`)
  }

  /** present | missing | unknown (a kind the emulator does not serve: left alone) */
  private ownerState(r: OwnerReference, namespace: string | undefined): 'present' | 'missing' | 'unknown' {
    const t = this.typeOf(r)
    if (!t) return 'unknown'
    const owner = this.ctx.store.get(t.resource, t.namespaced ? namespace : undefined, r.name)
    return owner && owner.metadata.uid === r.uid ? 'present' : 'missing'
  }

  private async sync(key: string): Promise<void> {
    const [kind, ...rest] = key.split('\t')
    if (kind === 'dep') return this.syncDependent(parseRefKey(rest.join('\t')))
    if (kind === 'fg') return this.syncForeground(rest[0]!)
  }

  private async syncDependent(ref: Ref): Promise<void> {
    const { store } = this.ctx
    const o = store.get(ref.resource, ref.namespace, ref.name)
    const refs = o?.metadata.ownerReferences ?? []
    if (!o || refs.length === 0) return
    const missing = refs.filter((r) => this.ownerState(r, o.metadata.namespace) === 'missing')
    if (missing.length === 0) return
    if (missing.length === refs.length) {
      if (o.metadata.deletionTimestamp) return
      try {
        await store.delete(ref.resource, ref.namespace, ref.name, { propagationPolicy: 'Background', preconditions: { uid: o.metadata.uid } })
      } catch (err) {
        if (statusCode(err) !== 404 && statusCode(err) !== 409) throw err
      }
      return
    }
    const gone = new Set(missing.map((r) => r.uid))
    await patchObject(store, ref.resource, ref.namespace, ref.name, (obj) => {
      if (obj.metadata.uid !== o.metadata.uid) return false
      obj.metadata.ownerReferences = (obj.metadata.ownerReferences ?? []).filter((r) => !gone.has(r.uid))
    })
  }

  private async syncForeground(uid: string): Promise<void> {
    const { store } = this.ctx
    const at = this.where.get(uid)
    if (!at) return
    const owner = store.get(at.resource, at.namespace, at.name)
    if (!owner || owner.metadata.uid !== uid || !owner.metadata.deletionTimestamp || !owner.metadata.finalizers?.includes(FOREGROUND)) return
    let blocking = 0
    for (const k of [...(this.dependents.get(uid) ?? [])]) {
      const r = parseRefKey(k)
      const dep = store.get(r.resource, r.namespace, r.name)
      const link = dep?.metadata.ownerReferences?.find((x) => x.uid === uid)
      if (!dep || !link) continue
      if (link.blockOwnerDeletion) blocking++
      if (dep.metadata.deletionTimestamp) continue
      try {
        await store.delete(r.resource, r.namespace, r.name, {
          propagationPolicy: link.blockOwnerDeletion ? 'Foreground' : 'Background',
          preconditions: { uid: dep.metadata.uid },
        })
      } catch (err) {
        if (statusCode(err) !== 404 && statusCode(err) !== 409) throw err
      }
    }
    if (blocking > 0) return // their DELETED events bring us back
    const after = await patchObject(store, at.resource, at.namespace, at.name, (o) => {
      if (o.metadata.uid !== uid) return false
      o.metadata.finalizers = (o.metadata.finalizers ?? []).filter((f) => f !== FOREGROUND)
    })
    // the store removes an object whose last finalizer went; make sure of it
    if (after && after.metadata.uid === uid && !after.metadata.finalizers?.length) {
      const still = store.get(at.resource, at.namespace, at.name)
      if (still && still.metadata.uid === uid) await store.remove(at.resource, at.namespace, at.name)
    }
  }

  private scheduleSweep(): void {
    if (!this.ctx.store.type('events')) return
    this.cancelSweep = this.ctx.timers.setTimeout(() => {
      void this.sweepEvents()
        .catch((err) => this.ctx.onError('event expiry', err))
        .finally(() => this.scheduleSweep())
    }, EVENT_SWEEP_MS)
  }

  /** Events live an hour after their last occurrence. */
  async sweepEvents(): Promise<void> {
    const cutoff = this.ctx.timers.now() - EVENT_TTL_MS
    for (const ev of this.ctx.store.list('events').items) {
      const last = parseTime(ev.lastTimestamp) ?? parseTime(ev.metadata.creationTimestamp) ?? Infinity
      if (last < cutoff) await this.ctx.store.remove('events', ev.metadata.namespace, ev.metadata.name!)
    }
  }
}
