import { compileFilter, type ObjectFilter } from '../selectors.js'
import { KubeStatusError, type KubeObject, type WatchEvent } from '../types.js'
import { WatchHistory, type HistoryEntry } from './history.js'

interface Watcher {
  resource: string
  namespace?: string
  filter: ObjectFilter
  cb: (e: WatchEvent) => void
  /** Highest resourceVersion delivered: replayed history and queued events never repeat. */
  lastRv: number
}

export interface WatchRequest {
  namespace?: string
  labelSelector?: string
  fieldSelector?: string
  resourceVersion?: string
}

/**
 * The store's change feed: the bounded history a watch resumes from, the watchers with their
 * namespace and selectors, and the change listeners of the controllers. Events go out in
 * resourceVersion order, also when a listener writes from inside its callback.
 */
export class WatchHub {
  private history: WatchHistory
  private readonly watchers = new Map<string, Set<Watcher>>()
  private readonly listeners = new Set<(resource: string, e: WatchEvent) => void>()
  private readonly queue: HistoryEntry[] = []
  private dispatching = false

  constructor(private readonly historySize: number) {
    this.history = new WatchHistory(historySize, 0)
  }

  /** Starts the history over at `rv` (after loading saved objects: nothing before it can be replayed). */
  reset(rv: number): void {
    this.history = new WatchHistory(this.historySize, rv)
  }

  /** Records one change and sends it to listeners and watchers. */
  publish(resource: string, event: WatchEvent): void {
    const entry = { resource, event }
    this.history.push(entry)
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
   * Adds a watcher. From no version or '0' it first gets ADDED for every current object (`current`);
   * from a version it gets the history after it, or 410 Gone when that is older than the history.
   */
  watch(resource: string, req: WatchRequest, current: () => KubeObject[], nowRv: number, cb: (e: WatchEvent) => void): () => void {
    const w: Watcher = { resource, namespace: req.namespace, filter: compileFilter(req.labelSelector, req.fieldSelector), cb, lastRv: 0 }
    const from = req.resourceVersion
    if (from === undefined || from === '' || from === '0') {
      for (const obj of current()) {
        if (!w.filter(obj)) continue
        cb({ type: 'ADDED', object: obj, resourceVersion: Number(obj.metadata.resourceVersion) })
      }
      w.lastRv = nowRv
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
      w.lastRv = Math.max(w.lastRv, Math.min(rv, nowRv))
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
