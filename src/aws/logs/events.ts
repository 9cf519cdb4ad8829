import type { AwsHandler } from '../service.js'
import { groupNameOf } from './arns.js'
import { invalidParameter } from './errors.js'
import { readGroup, readStream, type EventRow, type GroupCut } from './events-table.js'
import { compileFilterPattern, FilterPatternError, type LogMatcher } from './filter-pattern.js'
import { scopeOf } from './groups.js'
import { decodeToken, encodeToken } from './paging.js'
import { scopeColumn, type LogsState } from './state.js'
import { sequenceToken } from './streams.js'
import { backwardToken, cutAt, cutBefore, forwardToken, parseEventsToken } from './tokens.js'

const HOUR = 3_600_000
const DAY = 24 * HOUR
/** PutLogEvents limits (fact sheet 3.2). */
export const MAX_BATCH_BYTES = 1_048_576
export const EVENT_OVERHEAD_BYTES = 26
export const MAX_EVENT_BYTES = 1_048_576 - EVENT_OVERHEAD_BYTES
/** How many rows FilterLogEvents reads per query while it looks for matches, and at most per call. */
const SCAN_CHUNK = 10_000
const SCAN_MAX = 100_000

export interface RejectedInfo {
  tooNewLogEventStartIndex?: number
  tooOldLogEventEndIndex?: number
  expiredLogEventEndIndex?: number
}

/**
 * Which events of a batch (in time order) are kept: too old (over 14 days) or expired (past the
 * group's retention) at the head, too new (over 2 hours ahead) at the tail, as AWS reports them.
 */
export function partitionBatch(timestamps: number[], now: number, retentionDays?: number): { from: number; to: number; rejected?: RejectedInfo } {
  const rejected: RejectedInfo = {}
  let from = 0
  let to = timestamps.length
  const tooOld = now - 14 * DAY
  const expired = retentionDays ? now - retentionDays * DAY : undefined
  for (let i = 0; i < timestamps.length; i++) {
    const ts = timestamps[i]!
    if (ts < tooOld) rejected.tooOldLogEventEndIndex = i
    else if (expired !== undefined && ts < expired) rejected.expiredLogEventEndIndex = i
    else break
    from = i + 1
  }
  for (let i = timestamps.length - 1; i >= from; i--) {
    if (timestamps[i]! > now + 2 * HOUR) {
      rejected.tooNewLogEventStartIndex = i
      to = i
    } else break
  }
  return Object.keys(rejected).length ? { from, to, rejected } : { from, to }
}

/** The checks AWS makes on a whole batch before taking any of it. */
export function checkBatch(events: { timestamp: number; message: string }[]): void {
  let bytes = 0
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!
    if (i > 0 && e.timestamp < events[i - 1]!.timestamp) {
      throw invalidParameter('Log events in a single PutLogEvents request must be in chronological order.')
    }
    const size = Buffer.byteLength(e.message, 'utf8')
    if (size > MAX_EVENT_BYTES) throw invalidParameter(`Log event too large: ${size} bytes exceeds limit of ${MAX_EVENT_BYTES}`) // text unverified
    bytes += size + EVENT_OVERHEAD_BYTES
  }
  if (bytes > MAX_BATCH_BYTES) throw invalidParameter(`Upload too large: ${bytes} bytes exceeds limit of ${MAX_BATCH_BYTES}`) // text unverified
  if (events.length > 1 && events.at(-1)!.timestamp - events[0]!.timestamp > DAY) {
    throw invalidParameter('The batch of log events in a single PutLogEvents request cannot span more than 24 hours.') // text from memory
  }
}

const outEvent = (e: EventRow) => ({ timestamp: e.timestamp, message: e.message, ingestionTime: e.ingestionTime })

/** A 56-digit event id, unique in the group: timestamp, a hash of the stream, the seq. */
export function eventId(e: EventRow): string {
  let h = 0x811c9dc5
  for (let i = 0; i < e.stream.length; i++) h = Math.imul(h ^ e.stream.charCodeAt(i), 0x01000193) >>> 0
  return `${String(e.timestamp).padStart(20, '0')}${String(h).padStart(10, '0')}${String(e.seq).padStart(26, '0')}`
}

const isGroupCut = (v: unknown): v is GroupCut =>
  !!v && typeof v === 'object' && Number.isSafeInteger((v as GroupCut).timestamp) && typeof (v as GroupCut).stream === 'string' && Number.isSafeInteger((v as GroupCut).seq)

function matcherOf(pattern: string | undefined): LogMatcher {
  try {
    return compileFilterPattern(pattern)
  } catch (e) {
    if (e instanceof FilterPatternError) throw invalidParameter(e.message)
    throw e
  }
}

export const eventHandlers: Record<string, AwsHandler<LogsState>> = {
  async PutLogEvents(input, ctx, state) {
    const s = scopeOf(ctx)
    const events = (input.logEvents ?? []) as { timestamp: number; message: string }[]
    const group = state.requireGroup(s, input.logGroupName)
    const stream = state.requireStream(s, input.logGroupName, input.logStreamName)
    checkBatch(events)
    const now = ctx.now()
    const { from, to, rejected } = partitionBatch(events.map((e) => e.timestamp), now, group.retentionInDays)
    // sequenceToken is ignored: AWS no longer checks it (no InvalidSequenceToken / DataAlreadyAccepted).
    await state.append(s, group, stream, events.slice(from, to), now)
    const after = state.stream(s, group.name, stream.name) ?? stream
    return { nextSequenceToken: sequenceToken(after), ...(rejected ? { rejectedLogEventsInfo: rejected } : {}) }
  },

  async GetLogEvents(input, ctx, state) {
    const s = scopeOf(ctx)
    const group = groupNameOf(input, s)
    state.requireGroup(s, group)
    state.requireStream(s, group, input.logStreamName)
    const limit: number = input.limit ?? 10_000
    const range = { startTime: input.startTime, endTime: input.endTime }
    const token: string | undefined = input.nextToken
    if (token !== undefined) {
      const { direction, cut } = parseEventsToken(token)
      const q = direction === 'f' ? { ...range, after: cut, limit } : { ...range, atOrBefore: cut, limit }
      const rows = await state.readStream(s, group, input.logStreamName, q)
      if (rows.length === 0) {
        // At the end: the same token comes back (that is how clients know to stop).
        return { events: [], nextForwardToken: forwardToken(cut), nextBackwardToken: backwardToken(cut) }
      }
      return pageTokens(rows, direction === 'b')
    }
    const fromHead = input.startFromHead === true
    const rows = await state.readStream(s, group, input.logStreamName, { ...range, fromHead, limit })
    if (rows.length === 0) {
      const cut = { timestamp: 0, seq: 0 }
      return { events: [], nextForwardToken: forwardToken(cut), nextBackwardToken: backwardToken(cut) }
    }
    return pageTokens(rows, !fromHead)
  },

  async FilterLogEvents(input, ctx, state) {
    const s = scopeOf(ctx)
    const group = groupNameOf(input, s)
    state.requireGroup(s, group)
    if (input.logStreamNames !== undefined && input.logStreamNamePrefix !== undefined) {
      throw invalidParameter('logStreamNames and logStreamNamePrefix are mutually exclusive parameters.') // text unverified
    }
    const match = matcherOf(input.filterPattern)
    const limit: number = input.limit ?? 10_000
    let after = input.nextToken !== undefined ? decodeToken(input.nextToken, isGroupCut) : undefined
    const events: EventRow[] = []
    let scanned = 0
    let bytes = 0
    let more = false
    for (;;) {
      const rows = await readGroup(state.store, scopeColumn(s), group, {
        streams: input.logStreamNames,
        streamPrefix: input.logStreamNamePrefix,
        startTime: input.startTime,
        endTime: input.endTime,
        after,
        limit: SCAN_CHUNK,
      })
      for (const r of rows) {
        if (match(r.message)) {
          const size = Buffer.byteLength(r.message, 'utf8') + EVENT_OVERHEAD_BYTES
          if (bytes + size > MAX_RESPONSE_BYTES && events.length > 0) {
            more = true
            break
          }
          bytes += size
          events.push(r)
        }
        after = { timestamp: r.timestamp, stream: r.stream, seq: r.seq }
        scanned++
        if (events.length >= limit) break
      }
      if (more) break
      if (events.length >= limit) {
        more = true
        break
      }
      if (rows.length < SCAN_CHUNK) break
      if (scanned >= SCAN_MAX) {
        // Searched enough for one call: the client continues with the token (AWS pages like this too).
        more = true
        break
      }
    }
    return {
      events: events.map((e) => ({ logStreamName: e.stream, timestamp: e.timestamp, message: e.message, ingestionTime: e.ingestionTime, eventId: eventId(e) })),
      // Deprecated: AWS returns an empty list.
      searchedLogStreams: [],
      ...(more && after ? { nextToken: encodeToken(after) } : {}),
    }
  },
}

/** A response carries at most 1 MB of messages (AWS's cap, like the event count limit). */
const MAX_RESPONSE_BYTES = 1_048_576

/** The rows that fit the cap, kept from the start (reading forward) or from the end (backward). */
export function capRows(rows: EventRow[], fromEnd: boolean): EventRow[] {
  let bytes = 0
  const order = fromEnd ? [...rows].reverse() : rows
  const out: EventRow[] = []
  for (const r of order) {
    bytes += Buffer.byteLength(r.message, 'utf8') + EVENT_OVERHEAD_BYTES
    if (bytes > MAX_RESPONSE_BYTES && out.length > 0) break
    out.push(r)
  }
  return fromEnd ? out.reverse() : out
}

function pageTokens(all: EventRow[], fromEnd: boolean) {
  const rows = capRows(all, fromEnd)
  return {
    events: rows.map(outEvent),
    nextForwardToken: forwardToken(cutAt(rows.at(-1)!)),
    nextBackwardToken: backwardToken(cutBefore(rows[0]!)),
  }
}
