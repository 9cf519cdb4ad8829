import type { WatchEvent } from '../types.js'

export interface HistoryEntry {
  resource: string
  event: WatchEvent
}

/**
 * The bounded ring of recent changes that lets a watch resume from a resourceVersion. Every event with
 * resourceVersion > `floor` is held; older ones have been evicted (or predate a restart), and a watch
 * from before the floor gets 410 Gone, as from an etcd compaction.
 */
export class WatchHistory {
  private readonly buf: (HistoryEntry | undefined)[]
  private head = 0 // index of the oldest entry
  private size = 0

  constructor(
    readonly capacity: number,
    /** All events after this resourceVersion are in the ring. */
    public floor: number,
  ) {
    this.buf = new Array(Math.max(1, capacity))
  }

  push(entry: HistoryEntry): void {
    if (this.size === this.buf.length) {
      const oldest = this.buf[this.head]!
      this.floor = oldest.event.resourceVersion
      this.buf[this.head] = entry
      this.head = (this.head + 1) % this.buf.length
    } else {
      this.buf[(this.head + this.size) % this.buf.length] = entry
      this.size++
    }
  }

  private at(i: number): HistoryEntry {
    return this.buf[(this.head + i) % this.buf.length]!
  }

  /** Entries with resourceVersion > rv, oldest first (binary search: versions only grow). */
  since(rv: number): HistoryEntry[] {
    let lo = 0
    let hi = this.size
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (this.at(mid).event.resourceVersion <= rv) lo = mid + 1
      else hi = mid
    }
    const out: HistoryEntry[] = []
    for (let i = lo; i < this.size; i++) out.push(this.at(i))
    return out
  }
}
