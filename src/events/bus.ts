import { EventEmitter } from 'node:events'
import { randomUUID } from 'node:crypto'

/** An ECS event in EventBridge shape (docs/architecture.md#every-state-change-is-an-event). */
export interface EcsEvent<D = Record<string, unknown>> {
  version: '0'
  id: string
  'detail-type': string
  source: 'aws.ecs'
  account: string
  time: string
  region: string
  resources: string[]
  detail: D
}

export type EventListener = (e: EcsEvent) => void

/**
 * The instance's event bus: every state change is published here, and the WebSocket hub, the CLI
 * streams and the UI read from it. Keeps a bounded history for replay on (re)connect.
 */
export class EventBus {
  private readonly emitter = new EventEmitter()
  private readonly history: EcsEvent[] = []

  constructor(private readonly capacity = 10_000) {
    this.emitter.setMaxListeners(0)
  }

  publish<D extends object>(e: {
    detailType: string
    account: string
    region: string
    resources: string[]
    detail: D
    time?: Date
  }): EcsEvent {
    const event: EcsEvent = {
      version: '0',
      id: randomUUID(),
      'detail-type': e.detailType,
      source: 'aws.ecs',
      account: e.account,
      time: (e.time ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      region: e.region,
      resources: e.resources,
      detail: e.detail as Record<string, unknown>,
    }
    this.history.push(event)
    if (this.history.length > this.capacity) this.history.splice(0, this.history.length - this.capacity)
    this.emitter.emit('event', event)
    return event
  }

  /** `kecs reset`: forgets the kept history, so no replay brings back an event of the old state. */
  clearHistory(): void {
    this.history.length = 0
  }

  subscribe(listener: EventListener): () => void {
    this.emitter.on('event', listener)
    return () => this.emitter.off('event', listener)
  }

  /** Events after the given id (exclusive), or since the given time; all kept history otherwise. */
  replay(opts: { sinceId?: string; sinceTime?: Date } = {}): EcsEvent[] {
    if (opts.sinceId) {
      const i = this.history.findIndex((e) => e.id === opts.sinceId)
      if (i >= 0) return this.history.slice(i + 1)
    }
    if (opts.sinceTime) {
      const t = opts.sinceTime.getTime()
      return this.history.filter((e) => Date.parse(e.time) >= t)
    }
    return [...this.history]
  }
}
