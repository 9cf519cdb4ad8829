import type { EcsEvent } from '../events/bus.js'

/** Where an outbox writes: a WebSocket, or a fake in unit tests. */
export interface Sink {
  send(frame: string): void
  /** Bytes written but not yet handed to the kernel (ws `bufferedAmount`). */
  readonly bufferedAmount: number
  /** Calls `cb` once the sink has flushed what it buffered (socket 'drain'). */
  whenDrained(cb: () => void): void
}

export interface OutboxOptions {
  /** Stop writing while the sink buffers this many bytes; queue instead. */
  highWaterBytes: number
  /** At most this many queued events (a replay counts as one); events beyond are dropped (and counted). */
  maxQueue: number
  /** The text frame of an event (the hub caches it per event, so 100 clients share one string). */
  frameOf(e: EcsEvent): string
  /** The frame telling the client that `dropped` events after event `after` were not sent. */
  droppedFrame(dropped: number, after: string | undefined): string
}

type Item = { frame: string } | { event: EcsEvent } | { replay: EcsEvent[]; pos: number }

/**
 * One subscriber's bounded send queue. Publishing never waits on a client: an event is written at
 * once while the socket keeps up, queued while it buffers more than `highWaterBytes`, and dropped
 * once `maxQueue` items wait. Memory per client is bounded by highWaterBytes plus maxQueue
 * references (frames are shared). A notice takes the place of the dropped events in the stream, so
 * the client learns how many it missed and after which event.
 */
export class Outbox {
  private queue: Item[] = []
  private head = 0
  /** Queued events and replays (control frames are not counted: they are few and never dropped). */
  private queuedEvents = 0
  private waiting = false
  private closed = false
  /** Events dropped since the last notice. */
  private pendingDrops = 0
  /** The last event id queued or sent, i.e. where a gap starts. */
  private lastEventId: string | undefined
  sent = 0
  droppedTotal = 0

  constructor(
    private readonly sink: Sink,
    private readonly opts: OutboxOptions,
  ) {}

  get queued(): number {
    return this.queue.length - this.head
  }

  /** Nothing queued and the socket keeps up: a good moment for a heartbeat. */
  get idle(): boolean {
    return this.queued === 0 && this.sink.bufferedAmount < this.opts.highWaterBytes
  }

  /** Returns false when the event was dropped. */
  pushEvent(event: EcsEvent): boolean {
    if (this.closed) return false
    if (this.queuedEvents >= this.opts.maxQueue) {
      this.pendingDrops++
      this.droppedTotal++
      return false
    }
    this.flushDropNotice()
    this.enqueue({ event })
    this.lastEventId = event.id
    this.pump()
    return true
  }

  /** Replayed events are one queue item, sent progressively: a long replay does not fill the queue. */
  pushReplay(events: EcsEvent[]): void {
    if (this.closed || events.length === 0) return
    this.flushDropNotice()
    this.enqueue({ replay: events, pos: 0 })
    this.lastEventId = events[events.length - 1]!.id
    this.pump()
  }

  /** Control frames (subscribed, notices, heartbeats) are few; they are never dropped. */
  pushFrame(frame: string): void {
    if (this.closed) return
    this.enqueue({ frame })
    this.pump()
  }

  close(): void {
    this.closed = true
    this.queue = []
    this.head = 0
    this.queuedEvents = 0
  }

  private enqueue(item: Item) {
    this.queue.push(item)
    if (!('frame' in item)) this.queuedEvents++
  }

  private flushDropNotice() {
    if (this.pendingDrops === 0) return
    this.enqueue({ frame: this.opts.droppedFrame(this.pendingDrops, this.lastEventId) })
    this.pendingDrops = 0
  }

  private readonly drained = () => {
    this.waiting = false
    this.pump()
  }

  /** Writes while the sink keeps up; otherwise waits (once) for its drain. */
  private pump(): void {
    while (!this.closed) {
      if (this.queued === 0) {
        // Drops happened while the queue was full and it has drained since: tell the client now
        // rather than at the next event, which may never come.
        if (this.pendingDrops === 0) break
        this.flushDropNotice()
        continue
      }
      if (this.sink.bufferedAmount >= this.opts.highWaterBytes) {
        if (!this.waiting) {
          this.waiting = true
          this.sink.whenDrained(this.drained)
        }
        return
      }
      const item = this.queue[this.head]!
      let frame: string
      if ('replay' in item) {
        frame = this.opts.frameOf(item.replay[item.pos++]!)
        if (item.pos >= item.replay.length) this.shift()
        this.sent++
      } else if ('event' in item) {
        frame = this.opts.frameOf(item.event)
        this.shift()
        this.sent++
      } else {
        frame = item.frame
        this.shift()
      }
      this.sink.send(frame)
    }
    if (this.queued === 0 && this.head > 0) {
      this.queue = []
      this.head = 0
    }
  }

  private shift() {
    if (!('frame' in this.queue[this.head]!)) this.queuedEvents--
    this.queue[this.head++] = undefined as unknown as Item
    // Compact now and then so the array does not grow with everything ever queued.
    if (this.head >= 1024 && this.head * 2 >= this.queue.length) {
      this.queue = this.queue.slice(this.head)
      this.head = 0
    }
  }
}
