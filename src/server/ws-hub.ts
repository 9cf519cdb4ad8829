import { upgradeWebSocket, type HttpBindings } from '@hono/node-server'
import type { Hono } from 'hono'
import { randomUUID } from 'node:crypto'
import type { Duplex } from 'node:stream'
import { WebSocketServer, type WebSocket } from 'ws'
import type { EcsEvent, EventBus } from '../events/bus.js'
import {
  CLOSE_BAD_REQUEST,
  CLOSE_GOING_AWAY,
  type FeedFrame,
  type NoticeFrame,
  type SubscribeMessage,
} from '../events/feed-protocol.js'
import { FilterError, filtersFromQuery, matches, parseFilters, type EventFilters } from '../events/filter.js'
import { hostName, isLoopbackName, originName } from '../lib/local-hosts.js'
import { Outbox } from './ws-outbox.js'

export interface WsHubOptions {
  bus: EventBus
  /** Default heartbeat interval (a client may ask for another with `heartbeatMs`); 0 disables. */
  heartbeatMs?: number
  /** Per client: stop writing while the socket buffers this many bytes (default 1 MiB). */
  highWaterBytes?: number
  /** Per client: events queued beyond the socket buffer before dropping (default 1,000). */
  maxQueue?: number
  /** On close: how long clients get to answer the close frame before their socket is cut (default 250 ms). */
  closeGraceMs?: number
  /**
   * Which pages may connect, by their Origin header (absent: a non-browser client) and the request's Host.
   * The instance passes its local-only guard's rule (src/server/local-only.ts); default `originAllowed`.
   */
  originAllowed?: (origin: string | undefined, host: string | undefined) => boolean
}

export interface WsClientStats {
  filters: EventFilters
  queued: number
  sent: number
  dropped: number
  bufferedAmount: number
}

export interface WsHub {
  /** Changes on every start: clients resuming with `instance=<id>` learn that KECS restarted. */
  readonly instanceId: string
  /** The upgrade server to hand to `serve({ websocket: { server } })` (see listen.ts). */
  readonly wss: WebSocketServer
  /** Adds `GET <path>` (default `/ws`) to the API app. */
  mount(app: Hono, path?: string): void
  clients(): WsClientStats[]
  /** Closes every socket (code 1001), cutting those that do not answer in time. */
  close(): Promise<void>
}

class BadRequest extends Error {}

/**
 * Browsers let any web page open a WebSocket to 127.0.0.1 (no CORS), and events carry task details
 * (overrides, environment): only pages of this server or of a loopback origin (the UI, a dev server)
 * may connect. Non-browser clients send no Origin. (The instance's guard, src/server/local-only.ts,
 * applies the same rule with its allowed hosts to every request, this upgrade included.)
 */
export function originAllowed(origin: string | undefined, host: string | undefined): boolean {
  if (!origin) return true
  const name = originName(origin)
  if (name === undefined) return false
  return isLoopbackName(name) || (host !== undefined && name === hostName(host))
}

const MAX_HEARTBEAT_MS = 3_600_000
const iso = (d = new Date()) => d.toISOString()

/** `since` (ISO time) and `after` (event id) as they come from the query or a subscribe message. */
function parseCursor(since: unknown, after: unknown): { since?: Date; after?: string } {
  const out: { since?: Date; after?: string } = {}
  if (since !== undefined && since !== null && since !== '') {
    const t = typeof since === 'string' ? Date.parse(since) : NaN
    if (Number.isNaN(t)) throw new BadRequest(`since must be an ISO 8601 time, got ${JSON.stringify(since)}`)
    out.since = new Date(t)
  }
  if (after !== undefined && after !== null && after !== '') {
    if (typeof after !== 'string') throw new BadRequest('after must be an event id')
    out.after = after
  }
  return out
}

/**
 * The `/ws` live event feed on the API port (protocol: src/events/feed-protocol.ts). Each client
 * has its filters and a bounded Outbox; the bus listener only matches and enqueues, so publish()
 * never waits on a socket.
 */
export function createWsHub(opts: WsHubOptions): WsHub {
  const bus = opts.bus
  const instanceId = randomUUID()
  const defaultHeartbeat = opts.heartbeatMs ?? 15_000
  const highWaterBytes = opts.highWaterBytes ?? 1024 * 1024
  const maxQueue = opts.maxQueue ?? 1_000
  const closeGraceMs = opts.closeGraceMs ?? 250
  const allowOrigin = opts.originAllowed ?? originAllowed
  const wss = new WebSocketServer({ noServer: true })
  const live = new Set<Client>()
  let closing = false

  // One JSON text per event, shared by every client that gets it.
  const frames = new WeakMap<EcsEvent, string>()
  const frameOf = (e: EcsEvent) => {
    let f = frames.get(e)
    if (f === undefined) frames.set(e, (f = `{"type":"event","event":${JSON.stringify(e)}}`))
    return f
  }
  const json = (f: FeedFrame) => JSON.stringify(f)

  /** Events to replay for a cursor, plus a notice when the cursor cannot be honoured exactly. */
  function replayFor(
    filters: EventFilters,
    cursor: { since?: Date; after?: string },
    clientInstance: string | undefined,
  ): { events: EcsEvent[]; notice?: NoticeFrame } {
    const restarted = clientInstance !== undefined && clientInstance !== instanceId
    if (!restarted && !cursor.since && !cursor.after) return { events: [] }
    const all = bus.replay()
    let from = all
    let notice: NoticeFrame | undefined
    if (restarted) {
      // Everything this instance published is new to a client of a previous one.
      const events = all.filter((e) => matches(e, filters))
      const replaying = events.length ? `; replaying its ${events.length} events` : ''
      return { events, notice: { type: 'notice', code: 'instance-changed', message: `KECS restarted${replaying}` } }
    }
    if (cursor.after) {
      const i = all.findIndex((e) => e.id === cursor.after)
      if (i >= 0) from = all.slice(i + 1)
      else {
        notice = {
          type: 'notice',
          code: 'replay-gap',
          after: cursor.after,
          message: `event ${cursor.after} is no longer kept (only the last ${all.length} are): replaying ${cursor.since ? 'since ' + iso(cursor.since) : 'all kept events'}; some may be missing`,
        }
        if (cursor.since) from = all.filter((e) => Date.parse(e.time) >= cursor.since!.getTime())
      }
    } else if (cursor.since) {
      const t = cursor.since.getTime()
      from = all.filter((e) => Date.parse(e.time) >= t)
    }
    return { events: from.filter((e) => matches(e, filters)), notice }
  }

  class Client {
    filters: EventFilters = {}
    readonly outbox: Outbox
    private readonly unsubscribe: () => void
    private timer: NodeJS.Timeout | undefined
    private readonly heartbeatMs: number
    readonly closed: Promise<void>

    constructor(
      readonly ws: WebSocket,
      socket: Duplex | undefined,
      params: URLSearchParams,
    ) {
      this.closed = new Promise((resolve) => ws.once('close', () => resolve()))
      this.outbox = new Outbox(
        {
          send: (frame) => ws.send(frame),
          get bufferedAmount() {
            return ws.bufferedAmount
          },
          whenDrained: (cb) => {
            // The socket buffers more than its high-water mark, so it emits 'drain' once flushed.
            if (socket && !socket.destroyed) socket.once('drain', cb)
            else setTimeout(cb, 20).unref()
          },
        },
        {
          highWaterBytes,
          maxQueue,
          frameOf,
          droppedFrame: (dropped, after) =>
            json({
              type: 'notice',
              code: 'dropped',
              dropped,
              after,
              message: `dropped ${dropped} events: this client reads slower than events arrive`,
            }),
        },
      )
      // Parse everything before subscribing, so a bad request leaves nothing behind.
      const hb = params.get('heartbeatMs')
      const heartbeatMs = hb === null || hb === '' ? defaultHeartbeat : Number(hb)
      if (!Number.isFinite(heartbeatMs) || heartbeatMs < 0) throw new BadRequest('heartbeatMs must be a number of milliseconds')
      this.heartbeatMs = heartbeatMs === 0 ? 0 : Math.min(Math.max(heartbeatMs, 10), MAX_HEARTBEAT_MS)
      const filters = filtersFromQuery(params)
      const cursor = parseCursor(params.get('since'), params.get('after'))

      // Subscribed first, then the replay in the same tick: nothing can be published in between,
      // so replay and live events neither overlap nor leave a gap.
      this.unsubscribe = bus.subscribe((e) => {
        try {
          if (matches(e, this.filters)) this.outbox.pushEvent(e)
        } catch {
          /* never let one client break publish() */
        }
      })
      this.subscribe(filters, cursor, params.get('instance') ?? undefined)
      if (this.heartbeatMs > 0) {
        this.timer = setInterval(() => {
          if (this.outbox.idle) this.outbox.pushFrame(json({ type: 'heartbeat', time: iso() }))
        }, this.heartbeatMs)
        this.timer.unref()
      }
    }

    subscribe(filters: EventFilters, cursor: { since?: Date; after?: string }, instance: string | undefined) {
      const { events, notice } = replayFor(filters, cursor, instance)
      this.filters = filters
      this.outbox.pushFrame(json({ type: 'subscribed', filters, replay: events.length, time: iso(), instance: instanceId, heartbeatMs: this.heartbeatMs }))
      if (notice) this.outbox.pushFrame(json(notice))
      this.outbox.pushReplay(events)
    }

    message(data: unknown) {
      let msg: SubscribeMessage
      try {
        msg = JSON.parse(typeof data === 'string' ? data : Buffer.from(data as ArrayBuffer).toString('utf8')) as SubscribeMessage
      } catch {
        this.outbox.pushFrame(json({ type: 'error', message: 'messages must be JSON, e.g. {"action":"subscribe","filters":{"cluster":"default"}}' }))
        return
      }
      if (typeof msg !== 'object' || msg === null || msg.action !== 'subscribe') {
        this.outbox.pushFrame(json({ type: 'error', message: 'unknown action: the only one is "subscribe"' }))
        return
      }
      try {
        this.subscribe(parseFilters(msg.filters), parseCursor(msg.since, msg.after), undefined)
      } catch (e) {
        if (!(e instanceof BadRequest || e instanceof FilterError)) throw e
        this.outbox.pushFrame(json({ type: 'error', message: e.message }))
      }
    }

    dispose() {
      this.unsubscribe()
      if (this.timer) clearInterval(this.timer)
      this.outbox.close()
      live.delete(this)
    }

    stats(): WsClientStats {
      return {
        filters: this.filters,
        queued: this.outbox.queued,
        sent: this.outbox.sent,
        dropped: this.outbox.droppedTotal,
        bufferedAmount: this.ws.bufferedAmount,
      }
    }
  }

  function open(ws: WebSocket, socket: Duplex | undefined, params: URLSearchParams): Client | undefined {
    if (closing) {
      ws.close(CLOSE_GOING_AWAY, 'KECS is shutting down')
      return undefined
    }
    let client: Client
    try {
      client = new Client(ws, socket, params)
    } catch (e) {
      if (!(e instanceof BadRequest || e instanceof FilterError)) throw e
      ws.send(json({ type: 'error', message: e.message }))
      // A close reason is at most 123 bytes.
      ws.close(CLOSE_BAD_REQUEST, Buffer.from(e.message).subarray(0, 123).toString())
      return undefined
    }
    live.add(client)
    ws.once('close', () => client.dispose())
    return client
  }

  return {
    instanceId,
    wss,
    mount(app, path = '/ws') {
      app.get(
        path,
        async (c, next) => {
          if (c.req.header('upgrade')?.toLowerCase() !== 'websocket') {
            return c.json({ message: `${path} is the live event feed: connect with a WebSocket client (ws://host:port${path})` }, 426)
          }
          if (!allowOrigin(c.req.header('origin'), c.req.header('host'))) {
            return c.json({ message: 'cross-origin WebSocket connections are refused' }, 403)
          }
          await next()
        },
        upgradeWebSocket(
          (c) => {
            const params = new URL(c.req.url).searchParams
            const socket = (c.env as Partial<HttpBindings> | undefined)?.incoming?.socket
            let client: Client | undefined
            return {
              onOpen: (_e, ctx) => {
                client = open(ctx.raw as unknown as WebSocket, socket, params)
              },
              onMessage: (e, _ctx) => client?.message(e.data),
            }
          },
        ),
      )
    },
    clients: () => [...live].map((c) => c.stats()),
    async close() {
      closing = true
      const sockets = [...wss.clients]
      const waits = [...live].map((c) => c.closed)
      for (const c of [...live]) c.dispose()
      for (const ws of sockets) ws.close(CLOSE_GOING_AWAY, 'KECS is shutting down')
      let timer: NodeJS.Timeout | undefined
      await Promise.race([
        Promise.all(waits),
        new Promise<void>((r) => {
          timer = setTimeout(r, closeGraceMs)
        }),
      ])
      clearTimeout(timer)
      // Clients that do not read never answer the close frame: cut them so the server can close.
      for (const ws of wss.clients) ws.terminate()
      wss.close()
    },
  }
}
