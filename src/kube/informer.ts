import type { KubernetesObject } from '@kubernetes/client-node'
import type { ObjectWatch, WatchEventType, WatchOptions } from './client.js'

/**
 * A shared informer, as client-go has it: one list/watch of a kind, a cache of the objects it saw,
 * indexes over that cache, and several handlers. A relist (410 Gone) is turned into the events that
 * explain it (DELETED for what vanished), so handlers see one stream. Handlers should only enqueue
 * keys; the work is done by a level-triggered sync that reads the cache.
 */
export type InformerHandler<T> = (type: WatchEventType, obj: T, old: T | undefined) => void

export class SharedInformer<T extends KubernetesObject> {
  private readonly cache = new Map<string, T>()
  private readonly handlers: InformerHandler<T>[] = []
  private readonly indexers = new Map<string, (obj: T) => string[]>()
  private readonly indexes = new Map<string, Map<string, Set<string>>>()
  /** The values each cached object was indexed under (index functions may read other state). */
  private readonly indexed = new Map<string, [string, string[]][]>()
  private watch: ObjectWatch<T> | undefined
  private starting: Promise<void> | undefined

  constructor(
    readonly kind: string,
    private readonly makeWatch: (opts: WatchOptions<T>) => ObjectWatch<T>,
    private readonly labelSelector: string,
    private readonly log: (line: string) => void = () => {},
    /**
     * Applied to every object before it is cached (client-go's SetTransform): drops what no handler
     * reads, so thousands of cached objects cost less. It may change the object it is given.
     */
    private readonly transform: (obj: T) => T = (obj) => obj,
  ) {}

  /** Adds a handler; objects already cached are replayed to it as ADDED. */
  addHandler(handler: InformerHandler<T>): void {
    this.handlers.push(handler)
    for (const o of this.cache.values()) handler('ADDED', o, undefined)
  }

  /** Adds an index (name → the values an object is found under); add before start. */
  addIndex(name: string, fn: (obj: T) => string[]): void {
    this.indexers.set(name, fn)
    this.indexes.set(name, new Map())
  }

  /** Lists (the cache is complete when this resolves), then watches. Idempotent. */
  start(): Promise<void> {
    this.starting ??= (async () => {
      this.watch = this.makeWatch({
        labelSelector: this.labelSelector,
        onSync: (items) => this.replace(items.map(this.transform)),
        onEvent: (type, obj) => this.observe(type, this.transform(obj)),
        onError: (err) => this.log(`${this.kind} watch: ${(err as Error)?.message ?? err} (retrying)`),
      })
      await this.watch.start()
    })()
    return this.starting
  }

  stop(): void {
    this.watch?.stop()
  }

  get(key: string): T | undefined {
    return this.cache.get(key)
  }

  list(): T[] {
    return [...this.cache.values()]
  }

  byIndex(name: string, value: string): T[] {
    const keys = this.indexes.get(name)?.get(value)
    return keys ? [...keys].map((k) => this.cache.get(k)!).filter(Boolean) : []
  }

  /** The resourceVersion the watch resumes from (tests). */
  get resourceVersion(): string | undefined {
    return this.watch?.resourceVersion
  }

  private replace(items: T[]): void {
    const seen = new Set<string>()
    for (const o of items) {
      seen.add(objectKey(o))
      this.observe(this.cache.has(objectKey(o)) ? 'MODIFIED' : 'ADDED', o)
    }
    for (const [k, o] of [...this.cache]) if (!seen.has(k)) this.observe('DELETED', o)
  }

  private observe(type: WatchEventType, obj: T): void {
    const key = objectKey(obj)
    const old = this.cache.get(key)
    if (old) this.unindex(key)
    if (type === 'DELETED') this.cache.delete(key)
    else {
      this.cache.set(key, obj)
      this.index(key, obj)
    }
    for (const h of this.handlers) {
      try {
        h(type, obj, old)
      } catch (err) {
        this.log(`${this.kind} handler: ${(err as Error)?.message ?? err}`)
      }
    }
  }

  private index(key: string, obj: T): void {
    const entries: [string, string[]][] = []
    for (const [name, fn] of this.indexers) {
      const idx = this.indexes.get(name)!
      const values = fn(obj)
      entries.push([name, values])
      for (const v of values) {
        let set = idx.get(v)
        if (!set) idx.set(v, (set = new Set()))
        set.add(key)
      }
    }
    this.indexed.set(key, entries)
  }

  private unindex(key: string): void {
    for (const [name, values] of this.indexed.get(key) ?? []) {
      const idx = this.indexes.get(name)!
      for (const v of values) {
        const set = idx.get(v)
        set?.delete(key)
        if (set?.size === 0) idx.delete(v)
      }
    }
    this.indexed.delete(key)
  }
}

/** `namespace/name`, the cache key client-go uses. */
export const objectKey = (o: KubernetesObject): string => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`
