import type { DeleteOptions, KubeObject, ResourceType } from '../types.js'
import { strategyFor } from './strategies/index.js'

/** What the namespace lifecycle needs of the store. */
export interface NamespaceHost {
  readonly types: ResourceType[]
  get(resource: string, namespace: string | undefined, name: string): KubeObject | undefined
  objectsIn(resource: string, namespace: string): KubeObject[]
  /** Commits a change of a private copy (MODIFIED or DELETED), bypassing the strategies. */
  commit(resource: string, type: 'MODIFIED' | 'DELETED', obj: KubeObject, old: KubeObject): Promise<void>
  delete(resource: string, namespace: string | undefined, name: string, opts: DeleteOptions): Promise<unknown>
  remove(resource: string, namespace: string | undefined, name: string): Promise<void>
  /** The store clock's now, as metav1.Time. */
  timestamp(): string
}

/** Workloads first, so their controllers stop making pods. */
const DELETE_ORDER = ['deployments', 'daemonsets', 'replicasets', 'pods']
const rank = (r: string) => {
  const i = DELETE_ORDER.indexOf(r)
  return i < 0 ? DELETE_ORDER.length : i
}

/**
 * Namespace deletion, as the namespace controller does it: the namespace turns Terminating, its
 * contents are deleted, and it goes once nothing but events is left (the events go with it).
 */
export class NamespaceLifecycle {
  constructor(private readonly host: NamespaceHost) {}

  async terminate(old: KubeObject): Promise<KubeObject> {
    const name = old.metadata.name!
    if (old.metadata.deletionTimestamp) return old
    const obj = structuredClone(old)
    obj.metadata.deletionTimestamp = this.host.timestamp()
    obj.metadata.deletionGracePeriodSeconds = 0
    obj.status = { ...(obj.status ?? {}), phase: 'Terminating' }
    await this.host.commit('namespaces', 'MODIFIED', obj, old)
    const deletions: Promise<unknown>[] = []
    // Everything starts in this tick.
    const types = [...this.host.types].sort((a, b) => rank(a.resource) - rank(b.resource))
    for (const rt of types) {
      if (!rt.namespaced) continue
      for (const o of this.host.objectsIn(rt.resource, name)) {
        deletions.push(this.host.delete(rt.resource, name, o.metadata.name!, { propagationPolicy: 'Background' }).catch(() => {}))
      }
    }
    await Promise.all(deletions)
    await this.finalize(name)
    return this.host.get('namespaces', undefined, name) ?? obj
  }

  /** Removes a terminating namespace once nothing that holds it is left. */
  async finalize(name: string): Promise<void> {
    const ns = this.host.get('namespaces', undefined, name)
    if (!ns?.metadata.deletionTimestamp) return
    const left: [string, KubeObject][] = []
    for (const t of this.host.types) {
      if (!t.namespaced) continue
      const objects = this.host.objectsIn(t.resource, name)
      if (strategyFor(t.kind).holdsNamespace) {
        if (objects.length) return
      } else for (const o of objects) left.push([t.resource, o])
    }
    const writes = left.map(([resource, o]) => this.host.commit(resource, 'DELETED', structuredClone(o), o))
    writes.push(this.host.remove('namespaces', undefined, name))
    await Promise.all(writes)
  }

  /** After an object went: its namespace may now be done terminating. */
  afterRemove(t: ResourceType, obj: KubeObject): void {
    const ns = obj.metadata.namespace
    if (!t.namespaced || !strategyFor(t.kind).holdsNamespace || !ns) return
    if (!this.host.get('namespaces', undefined, ns)?.metadata.deletionTimestamp) return
    void this.finalize(ns).catch((e) => console.error('kecs emulator: finalizing namespace', ns, e))
  }
}
