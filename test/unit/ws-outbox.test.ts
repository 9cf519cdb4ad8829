import { describe, expect, it } from 'vitest'
import type { EcsEvent } from '../../src/events/bus.js'
import { Outbox, type Sink } from '../../src/server/ws-outbox.js'

/** A socket stand-in: writes add to bufferedAmount until flush() empties it and fires 'drain'. */
class FakeSink implements Sink {
  frames: string[] = []
  bufferedAmount = 0
  private drains: (() => void)[] = []
  constructor(private readonly blockAfterBytes = Infinity) {}
  send(frame: string) {
    this.frames.push(frame)
    if (this.bufferedAmount + frame.length > this.blockAfterBytes || this.bufferedAmount > 0) this.bufferedAmount += frame.length
  }
  whenDrained(cb: () => void) {
    this.drains.push(cb)
  }
  flush() {
    this.bufferedAmount = 0
    const d = this.drains
    this.drains = []
    for (const cb of d) cb()
  }
  get waiting() {
    return this.drains.length
  }
}

const ev = (i: number) => ({ id: `e${i}` }) as EcsEvent
const opts = (o: Partial<ConstructorParameters<typeof Outbox>[1]> = {}) => ({
  highWaterBytes: 10,
  maxQueue: 3,
  frameOf: (e: EcsEvent) => e.id,
  droppedFrame: (n: number, after: string | undefined) => `dropped ${n} after ${after}`,
  ...o,
})

describe('Outbox', () => {
  it('writes at once while the sink keeps up', () => {
    const sink = new FakeSink()
    const box = new Outbox(sink, opts())
    for (let i = 0; i < 100; i++) expect(box.pushEvent(ev(i))).toBe(true)
    expect(sink.frames).toHaveLength(100)
    expect(box.queued).toBe(0)
    expect(box.sent).toBe(100)
    expect(box.idle).toBe(true)
  })

  it('queues while the sink buffers past the high-water mark, drops beyond maxQueue, then says how many', () => {
    const sink = new FakeSink(0) // every write stays buffered until flush()
    const box = new Outbox(sink, opts({ highWaterBytes: 4 }))
    // e0, e1 go out (buffered 2, 4 bytes); then the sink is at the mark: e2..e4 queue, e5..e9 drop.
    for (let i = 0; i < 10; i++) box.pushEvent(ev(i))
    expect(sink.frames).toEqual(['e0', 'e1'])
    expect(box.queued).toBe(3)
    expect(box.droppedTotal).toBe(5)
    expect(box.idle).toBe(false)
    expect(sink.waiting).toBe(1) // one drain wait, not one per event

    sink.flush() // sends two more, blocks again
    expect(sink.frames).toEqual(['e0', 'e1', 'e2', 'e3'])
    sink.flush() // e4, then the notice at the place of the gap
    sink.flush()
    expect(sink.frames).toEqual(['e0', 'e1', 'e2', 'e3', 'e4', 'dropped 5 after e4'])
    expect(box.queued).toBe(0)

    // Later events flow again, after the notice.
    sink.flush()
    box.pushEvent(ev(10))
    expect(sink.frames.at(-1)).toBe('e10')
  })

  it('puts the notice before the next event when room frees up mid-stream', () => {
    const sink = new FakeSink(0)
    const box = new Outbox(sink, opts({ highWaterBytes: 1, maxQueue: 1 }))
    box.pushEvent(ev(0)) // sent, now blocked
    box.pushEvent(ev(1)) // queued
    box.pushEvent(ev(2)) // dropped
    box.pushEvent(ev(3)) // dropped
    sink.flush() // e1 goes; queue empty, drops pending: notice queued and (blocked) waits
    box.pushEvent(ev(4))
    sink.flush()
    sink.flush()
    expect(sink.frames).toEqual(['e0', 'e1', 'dropped 2 after e1', 'e4'])
  })

  it('sends a replay progressively as one queue item', () => {
    const sink = new FakeSink(0)
    const box = new Outbox(sink, opts({ highWaterBytes: 4, maxQueue: 2 }))
    box.pushReplay(Array.from({ length: 10 }, (_, i) => ev(i)))
    box.pushEvent(ev(10)) // live, after the replay: queued, not dropped
    expect(box.droppedTotal).toBe(0)
    for (let i = 0; i < 10; i++) sink.flush()
    expect(sink.frames).toEqual(Array.from({ length: 11 }, (_, i) => `e${i}`))
  })

  it('never drops control frames, and stops after close()', () => {
    const sink = new FakeSink(0)
    const box = new Outbox(sink, opts({ highWaterBytes: 1, maxQueue: 1 }))
    box.pushFrame('hello')
    box.pushFrame('a')
    box.pushFrame('b')
    box.close()
    sink.flush()
    expect(sink.frames).toEqual(['hello'])
    expect(box.pushEvent(ev(1))).toBe(false)
  })
})
