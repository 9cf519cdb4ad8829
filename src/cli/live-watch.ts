import type { ChalkInstance } from 'chalk'
import type { EcsEvent } from '../events/bus.js'
import type { EventFilters } from '../events/filter.js'
import type { Api } from './api.js'
import { formatNotice } from './event-format.js'
import { streamEvents } from './event-stream.js'

/**
 * What `kecs run` and `kecs deploy` share to follow their work: the live feed (events, with a short
 * wait for it to connect) and a poll loop's pause that a live event cuts short.
 */

const CONNECT_WAIT_MS = 5_000

/** A wait that never keeps the process alive on its own. */
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref())

export interface LiveFeedIo {
  err(line: string): void
  signal: AbortSignal
  errChalk?: ChalkInstance
}

/**
 * Streams the feed's events to `onEvent` until `stop()` or the signal aborts; notices other than
 * `connected` go to `io.err`. `connected` resolves once connected, after a few seconds at most, or
 * when the stream failed (`onFailed` says how the caller carries on without it).
 */
export function liveFeed(api: Api, filters: EventFilters, io: LiveFeedIo, onEvent: (e: EcsEvent) => void, onFailed: (e: unknown) => void) {
  const ac = new AbortController()
  const onAbort = () => ac.abort()
  io.signal.addEventListener('abort', onAbort, { once: true })
  let markConnected!: () => void
  const connected = new Promise<void>((r) => (markConnected = r))
  const stream = streamEvents({
    endpoint: api.feedEndpoint,
    filters,
    signal: ac.signal,
    onEvent,
    onNotice: (n) => {
      if (n.code === 'connected') markConnected()
      else io.err(formatNotice(n, { chalk: io.errChalk }))
    },
  }).catch((e) => {
    markConnected()
    onFailed(e)
  })
  return {
    connected: Promise.race([connected, sleep(CONNECT_WAIT_MS)]),
    stop() {
      io.signal.removeEventListener('abort', onAbort)
      ac.abort()
      void stream
    },
  }
}

/** A poll loop's pause: `nap(ms)` ends after ms, when the signal aborts, or at `wake()` (a live event came). */
export function napper(signal: AbortSignal) {
  let cut: (() => void) | undefined
  return {
    wake: () => cut?.(),
    nap: (ms: number) =>
      new Promise<void>((r) => {
        const t = setTimeout(done, ms)
        signal.addEventListener('abort', done, { once: true })
        function done() {
          clearTimeout(t)
          signal.removeEventListener('abort', done)
          cut = undefined
          r()
        }
        cut = done
      }),
  }
}
