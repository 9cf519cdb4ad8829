import type { ChalkInstance } from 'chalk'
import type { EventFilters } from '../events/filter.js'
import { parseDuration } from '../lib/duration.js'
import { CliError } from '../lib/errors.js'
import { formatEvent, formatEventJson, formatNotice, RepeatFilter } from './event-format.js'
import { streamEvents, StreamError } from './event-stream.js'
import { instanceDir, instanceState, kecsHome, nameSuffix } from './registry.js'

/** `kecs events` after flag parsing. */
export interface EventsOptions {
  /** Instance name, resolved through the registry (ignored with `endpoint`). */
  name: string
  /** An explicit ECS endpoint, e.g. http://127.0.0.1:8080. */
  endpoint?: string
  filters: EventFilters
  /** Replay first: an ISO time, or a duration back from now (`5m`, `1h`). */
  since?: string
  /** Replay first: events after this event id. */
  after?: string
  json: boolean
  home?: string
}

export interface EventsIo {
  out(line: string): void
  err(line: string): void
  signal: AbortSignal
  chalk?: ChalkInstance
}

/** `--since`: an ISO 8601 time, or a duration back from now. Returns ISO. */
export function parseSince(text: string, now = Date.now()): string {
  if (/^\d{4}-\d{2}-\d{2}/.test(text.trim())) {
    const t = Date.parse(text)
    if (Number.isNaN(t)) throw new CliError(`invalid --since "${text}"`, 'Use an ISO 8601 time (2024-05-01T12:00:00Z) or a duration (5m, 1h).')
    return new Date(t).toISOString()
  }
  return new Date(now - parseDuration(text)).toISOString()
}

/**
 * Where to connect: `--endpoint`, or the named instance's endpoint from its instance.json, read again
 * before every reconnect (a restarted instance may listen elsewhere). Fails at once when the
 * instance is not running when the command starts.
 */
export function eventsEndpoint(o: Pick<EventsOptions, 'name' | 'endpoint' | 'home'>): string | (() => string) {
  if (o.endpoint) return o.endpoint
  const dir = instanceDir(o.name, o.home ?? kecsHome())
  const first = instanceState(dir)
  if (first.state !== 'running') {
    throw new CliError(`KECS "${o.name}" is not running`, `Start it with: kecs start -d${nameSuffix(o.name)}`)
  }
  return () => {
    const st = instanceState(dir)
    if (st.state !== 'running') throw new Error(`KECS "${o.name}" is not running`)
    return st.record.endpoint
  }
}

/** Streams events to `io.out` until `io.signal` aborts; notices go to `io.err`. */
export async function runEvents(o: EventsOptions, io: EventsIo): Promise<void> {
  const endpoint = eventsEndpoint(o)
  const since = o.since ? parseSince(o.since) : undefined
  const fmt = { chalk: io.chalk }
  const repeats = new RepeatFilter()
  try {
    await streamEvents({
      endpoint,
      filters: o.filters,
      since,
      after: o.after,
      signal: io.signal,
      onEvent: (e) => {
        if (o.json) io.out(formatEventJson(e))
        else if (repeats.fresh(e)) io.out(formatEvent(e, fmt))
      },
      onNotice: (n) => io.err(formatNotice(n, fmt)),
    })
  } catch (e) {
    if (e instanceof StreamError) throw new CliError(e.message, o.endpoint ? 'Check --endpoint: it must be a KECS ECS endpoint.' : undefined)
    throw e
  }
}
