import WebSocket from 'ws'
import type { EcsEvent } from '../events/bus.js'
import { CLOSE_BAD_REQUEST, type FeedFrame } from '../events/feed-protocol.js'
import { filtersToQuery, type EventFilters } from '../events/filter.js'

/** What the stream tells its user besides events: server notices, and its own connection changes. */
export interface StreamNotice {
  /** Server: dropped | replay-gap | instance-changed | error. Client: connected | disconnected. */
  code: string
  message: string
  [key: string]: unknown
}

export interface StreamEventsOptions {
  /** The instance's ECS endpoint (`http://127.0.0.1:8080`), or a resolver asked before each (re)connect. */
  endpoint: string | (() => string | Promise<string>)
  filters?: EventFilters
  /** Replay events since this time first (ISO string or Date). */
  since?: string | Date
  /** Replay events after this event id first. */
  after?: string
  onEvent: (e: EcsEvent) => void
  onNotice?: (n: StreamNotice) => void
  /** Ends the stream (the promise resolves). */
  signal?: AbortSignal
  /** Reconnect with backoff when the connection drops (default true). */
  reconnect?: boolean
  /** Backoff: first delay, doubling up to maxMs (defaults 250 ms, 5 s). */
  backoff?: { initialMs?: number; maxMs?: number }
  /** How long a WebSocket handshake may take (default 5 s). */
  connectTimeoutMs?: number
}

/** The server refused the request (bad filters, not a KECS endpoint): retrying would not help. */
export class StreamError extends Error {
  override name = 'StreamError'
}

/** ws:// URL of the feed for an ECS endpoint, with filters and the resume cursor. */
export function feedUrl(
  endpoint: string,
  filters: EventFilters = {},
  cursor: { since?: string; after?: string; instance?: string } = {},
): string {
  const u = new URL(endpoint)
  if (u.protocol === 'http:') u.protocol = 'ws:'
  else if (u.protocol === 'https:') u.protocol = 'wss:'
  u.pathname = '/ws'
  u.search = ''
  const q = filtersToQuery(filters)
  if (cursor.after) q.set('after', cursor.after)
  if (cursor.since) q.set('since', cursor.since)
  if (cursor.instance) q.set('instance', cursor.instance)
  u.search = q.toString()
  return u.toString()
}

/** Remembers the last ids seen, so an event delivered twice (e.g. after a resume) is shown once. */
class RecentIds {
  private readonly set = new Set<string>()
  private readonly order: string[] = []
  constructor(private readonly size = 2048) {}
  /** False when the id was seen already. */
  add(id: string): boolean {
    if (this.set.has(id)) return false
    this.set.add(id)
    this.order.push(id)
    if (this.order.length > this.size) this.set.delete(this.order.shift()!)
    return true
  }
}

type Outcome = { kind: 'closed'; subscribed: boolean; why: string } | { kind: 'fatal'; error: Error } | { kind: 'aborted' }

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve()
    const t = setTimeout(done, ms)
    function done() {
      clearTimeout(t)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    signal?.addEventListener('abort', done, { once: true })
  })

/** Second precision, rounded down: bus event times carry whole seconds. */
const floorToSecond = (iso: string) => new Date(Math.floor(Date.parse(iso) / 1000) * 1000).toISOString()

/**
 * Streams an instance's live events (GET /ws) until `signal` aborts. Reconnects with backoff when
 * the connection drops (the instance restarts, or is not up yet), resuming after the last event it
 * delivered so nothing is repeated or lost while the instance was up. Rejects with StreamError when
 * the server refuses the request.
 */
export async function streamEvents(o: StreamEventsOptions): Promise<void> {
  const reconnect = o.reconnect ?? true
  const initialMs = o.backoff?.initialMs ?? 250
  const maxMs = o.backoff?.maxMs ?? 5_000
  const seen = new RecentIds()
  // Where to resume: after the last event seen, else since the first subscription (or what was asked).
  const cursor: { since?: string; after?: string; instance?: string } = {
    since: o.since === undefined ? undefined : typeof o.since === 'string' ? o.since : o.since.toISOString(),
    after: o.after,
  }
  let failures = 0
  let connectedOnce = false
  let reportedDown = false

  while (!o.signal?.aborted) {
    let outcome: Outcome
    let url: string | undefined
    try {
      const endpoint = typeof o.endpoint === 'string' ? o.endpoint : await o.endpoint()
      url = feedUrl(endpoint, o.filters, cursor)
      outcome = await connectOnce(url)
    } catch (e) {
      outcome = { kind: 'closed', subscribed: false, why: e instanceof Error ? e.message : String(e) }
    }
    if (outcome.kind === 'aborted' || o.signal?.aborted) return
    if (outcome.kind === 'fatal') throw outcome.error
    if (!reconnect) throw new StreamError(`event stream ended: ${outcome.why}`)
    if (outcome.subscribed) failures = 0
    const delay = Math.min(maxMs, initialMs * 2 ** failures) * (0.75 + Math.random() * 0.5)
    failures++
    if (!reportedDown) {
      reportedDown = true
      o.onNotice?.({ code: 'disconnected', message: `${connectedOnce ? 'lost the event stream' : 'cannot reach KECS'} (${outcome.why}): retrying`, url })
    }
    await sleep(delay, o.signal)
  }

  function connectOnce(url: string): Promise<Outcome> {
    return new Promise<Outcome>((resolve) => {
      const ws = new WebSocket(url, { handshakeTimeout: o.connectTimeoutMs ?? 5_000 })
      let subscribed = false
      let settled: Outcome | undefined
      let why = 'connection closed'
      let watchdog: NodeJS.Timeout | undefined
      let silenceMs = 0
      const finish = (out: Outcome) => {
        settled ??= out
      }
      // A link that stays silent past a few heartbeats is dead (e.g. a suspended laptop): drop it.
      const feed = () => {
        if (silenceMs <= 0) return
        clearTimeout(watchdog)
        watchdog = setTimeout(() => {
          why = `no heartbeat for ${Math.round(silenceMs / 1000)}s`
          ws.terminate()
        }, silenceMs)
      }
      const onAbort = () => {
        finish({ kind: 'aborted' })
        ws.close(1000)
        // A peer that never answers the close frame must not keep the caller waiting.
        setTimeout(() => ws.terminate(), 1000).unref()
      }
      o.signal?.addEventListener('abort', onAbort, { once: true })

      ws.on('unexpected-response', (_req, res) => {
        const status = res.statusCode ?? 0
        res.resume()
        // 404/426: something that is not a KECS feed answers there; retrying cannot fix it.
        if (status === 404 || status === 426 || status === 400) {
          finish({ kind: 'fatal', error: new StreamError(`${url} is not a KECS event feed (HTTP ${status})`) })
        } else why = `HTTP ${status}`
        ws.terminate()
      })
      ws.on('error', (e: Error & { code?: string }) => {
        why = e.code ?? e.message
      })
      ws.on('message', (data, isBinary) => {
        if (isBinary) return
        feed()
        let f: FeedFrame
        try {
          f = JSON.parse(String(data)) as FeedFrame
        } catch {
          return
        }
        switch (f.type) {
          case 'event': {
            if (!seen.add(f.event.id)) return
            cursor.after = f.event.id
            try {
              o.onEvent(f.event)
            } catch (e) {
              finish({ kind: 'fatal', error: e instanceof Error ? e : new Error(String(e)) })
              ws.terminate()
            }
            return
          }
          case 'subscribed': {
            subscribed = true
            cursor.instance = f.instance
            // Never seen an event: resuming "since we subscribed" is exact enough (second precision).
            if (!cursor.after && !cursor.since) cursor.since = floorToSecond(f.time)
            silenceMs = f.heartbeatMs > 0 ? f.heartbeatMs * 3 + 2_000 : 0
            feed()
            if (!connectedOnce || reportedDown) o.onNotice?.({ code: 'connected', message: `${connectedOnce ? 'reconnected to' : 'connected to'} ${url.split('?')[0]}`, url })
            connectedOnce = true
            reportedDown = false
            return
          }
          case 'notice':
            o.onNotice?.({ ...f })
            return
          case 'error':
            o.onNotice?.({ code: 'error', message: f.message })
            return
          default:
            return
        }
      })
      ws.on('close', (code, reason) => {
        clearTimeout(watchdog)
        o.signal?.removeEventListener('abort', onAbort)
        if (code === CLOSE_BAD_REQUEST) finish({ kind: 'fatal', error: new StreamError(`KECS refused the event stream: ${String(reason)}`) })
        const r = String(reason)
        finish({ kind: 'closed', subscribed, why: code === 1006 ? why : `${code}${r ? ` ${r}` : ''}` })
        resolve(settled!)
      })
    })
  }
}
