import { listValue, type DuckDBValue } from '@duckdb/node-api'
import type { Store, WriteOp } from '../../store/store.js'

/**
 * The `log_events` table (migration 5): one row per event, appended and never rewritten, so a put
 * costs what it adds however long the stream is. Reads are SQL range scans in (timestamp, seq) order;
 * `seq` is the event's number within its stream (insertion order breaks timestamp ties).
 */
export interface EventRow {
  stream: string
  timestamp: number
  ingestionTime: number
  seq: number
  message: string
}

/** A place between two events of one stream: events at or before it are "before". */
export interface Cut {
  timestamp: number
  seq: number
}

/** The same across the streams of a group (FilterLogEvents orders by time, then stream, then seq). */
export interface GroupCut extends Cut {
  stream: string
}

/**
 * One statement per batch: the columns as lists, zipped by unnest (binding seven parameters per row
 * costs about ten times more).
 */
export function stageInsert(scope: string, group: string, rows: EventRow[]): WriteOp[] {
  if (rows.length === 0) return []
  const col = <T extends DuckDBValue>(f: (r: EventRow) => T) => listValue(rows.map(f))
  return [
    {
      op: 'sql',
      sql: `INSERT INTO log_events SELECT $1, $2, unnest($3::VARCHAR[]), unnest($4::BIGINT[]), unnest($5::BIGINT[]), unnest($6::BIGINT[]), unnest($7::VARCHAR[])`,
      params: [scope, group, col((r) => r.stream), col((r) => r.timestamp), col((r) => r.ingestionTime), col((r) => r.seq), col((r) => r.message)],
    },
  ]
}

export function stageDeleteEvents(scope: string, group: string, stream?: string): WriteOp {
  return stream === undefined
    ? { op: 'sql', sql: 'DELETE FROM log_events WHERE scope = $1 AND log_group = $2', params: [scope, group] }
    : { op: 'sql', sql: 'DELETE FROM log_events WHERE scope = $1 AND log_group = $2 AND log_stream = $3', params: [scope, group, stream] }
}

interface Raw {
  log_stream: string
  ts: bigint | number
  ingestion: bigint | number
  seq: bigint | number
  message: string
}

const toRow = (r: Raw): EventRow => ({ stream: r.log_stream, timestamp: Number(r.ts), ingestionTime: Number(r.ingestion), seq: Number(r.seq), message: r.message })

export interface StreamQuery {
  startTime?: number
  endTime?: number
  /** Events after this cut, oldest first... */
  after?: Cut
  /** ...or events at or before this cut, newest first (then returned oldest first). */
  atOrBefore?: Cut
  /** Without a cut: the oldest (head) or newest events. */
  fromHead?: boolean
  limit: number
}

/** One stream's events in time order (GetLogEvents). */
export async function readStream(store: Store, scope: string, group: string, stream: string, q: StreamQuery): Promise<EventRow[]> {
  const params: DuckDBValue[] = [scope, group, stream]
  const where = ['scope = $1', 'log_group = $2', 'log_stream = $3']
  const p = (v: DuckDBValue) => `$${params.push(v)}`
  if (q.startTime !== undefined) where.push(`ts >= ${p(q.startTime)}`)
  if (q.endTime !== undefined) where.push(`ts < ${p(q.endTime)}`)
  let desc = !q.fromHead
  if (q.after) {
    const t = p(q.after.timestamp)
    where.push(`(ts > ${t} OR (ts = ${t} AND seq > ${p(q.after.seq)}))`)
    desc = false
  } else if (q.atOrBefore) {
    const t = p(q.atOrBefore.timestamp)
    where.push(`(ts < ${t} OR (ts = ${t} AND seq <= ${p(q.atOrBefore.seq)}))`)
    desc = true
  }
  const order = desc ? 'ts DESC, seq DESC' : 'ts, seq'
  const rows = await store.query<Raw>(
    `SELECT log_stream, ts, ingestion, seq, message FROM log_events WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT ${p(q.limit)}`,
    params,
  )
  const out = rows.map(toRow)
  return desc ? out.reverse() : out
}

export interface GroupQuery {
  streams?: string[]
  streamPrefix?: string
  startTime?: number
  endTime?: number
  after?: GroupCut
  limit: number
}

/** A group's events across streams, oldest first (FilterLogEvents scans these in chunks). */
export async function readGroup(store: Store, scope: string, group: string, q: GroupQuery): Promise<EventRow[]> {
  const params: DuckDBValue[] = [scope, group]
  const where = ['scope = $1', 'log_group = $2']
  const p = (v: DuckDBValue) => `$${params.push(v)}`
  if (q.streams) where.push(q.streams.length ? `log_stream IN (${q.streams.map((s) => p(s)).join(', ')})` : 'FALSE')
  if (q.streamPrefix !== undefined) where.push(`starts_with(log_stream, ${p(q.streamPrefix)})`)
  if (q.startTime !== undefined) where.push(`ts >= ${p(q.startTime)}`)
  if (q.endTime !== undefined) where.push(`ts < ${p(q.endTime)}`)
  if (q.after) {
    const t = p(q.after.timestamp)
    const s = p(q.after.stream)
    where.push(`(ts > ${t} OR (ts = ${t} AND (log_stream > ${s} OR (log_stream = ${s} AND seq > ${p(q.after.seq)}))))`)
  }
  const rows = await store.query<Raw>(
    `SELECT log_stream, ts, ingestion, seq, message FROM log_events WHERE ${where.join(' AND ')} ORDER BY ts, log_stream, seq LIMIT ${p(q.limit)}`,
    params,
  )
  return rows.map(toRow)
}
