import WebSocket from 'ws'
import type { EcsEvent } from '../../src/events/bus.js'
import type { FeedFrame, SubscribedFrame } from '../../src/events/feed-protocol.js'

/** A raw `/ws` client for tests: keeps every frame and waits for the ones a test expects. */
export class FeedClient {
  readonly frames: FeedFrame[] = []
  closed?: { code: number; reason: string }
  private waiters: (() => void)[] = []

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.frames.push(JSON.parse(String(data)) as FeedFrame)
      this.wake()
    })
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: String(reason) }
      this.wake()
    })
    ws.on('error', () => {})
  }

  /** Connects to `<endpoint>/ws?<query>`; with `subscribed` (default), resolves once the server confirmed. */
  static async open(endpoint: string, query = '', opts: { subscribed?: boolean } = {}): Promise<FeedClient> {
    const c = new FeedClient(new WebSocket(`${endpoint.replace(/^http/, 'ws')}/ws${query ? `?${query}` : ''}`))
    if (opts.subscribed ?? true) await c.until(() => c.frames.some((f) => f.type === 'subscribed'), 'subscribed')
    return c
  }

  private wake() {
    const w = this.waiters
    this.waiters = []
    for (const f of w) f()
  }

  /** Resolves when cond() holds (checked on every frame); rejects if the socket closes first. */
  until(cond: () => boolean, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (cond()) return resolve()
        if (this.closed) return reject(new Error(`closed (${this.closed.code} ${this.closed.reason}) before ${what}`))
        this.waiters.push(check)
      }
      check()
    })
  }

  untilClosed(): Promise<{ code: number; reason: string }> {
    return new Promise((resolve) => {
      const check = () => (this.closed ? resolve(this.closed) : this.waiters.push(check))
      check()
    })
  }

  events(): EcsEvent[] {
    return this.frames.flatMap((f) => (f.type === 'event' ? [f.event] : []))
  }

  ids(): string[] {
    return this.events().map((e) => e.id)
  }

  subscribed(): SubscribedFrame[] {
    return this.frames.filter((f): f is SubscribedFrame => f.type === 'subscribed')
  }

  untilEvent(id: string): Promise<void> {
    return this.until(() => this.events().some((e) => e.id === id), `event ${id}`)
  }

  send(msg: unknown) {
    this.ws.send(JSON.stringify(msg))
  }

  close() {
    this.ws.terminate()
  }
}
