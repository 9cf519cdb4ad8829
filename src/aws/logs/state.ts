import { DocTable } from '../../store/doc-table.js'
import type { Store, WriteOp } from '../../store/store.js'
import { scopedKey } from '../../store/scoped-key.js'
import { groupNotFound, streamNotFound } from './errors.js'
import { readStream, stageDeleteEvents, stageInsert, type EventRow, type StreamQuery } from './events-table.js'

export interface Scope {
  account: string
  region: string
}

export interface GroupDoc extends Scope {
  name: string
  /** Epoch ms. */
  creationTime: number
  retentionInDays?: number
  kmsKeyId?: string
  logGroupClass: string
  deletionProtectionEnabled: boolean
  tags: Record<string, string>
  /** UTF-8 bytes of the events accepted (AWS updates this lazily; KECS at once). */
  storedBytes: number
}

export interface StreamDoc extends Scope {
  group: string
  name: string
  creationTime: number
  firstEventTimestamp?: number
  lastEventTimestamp?: number
  lastIngestionTime?: number
  /** The seq of the stream's last event (0: none yet). */
  lastSeq: number
  /** UTF-8 bytes of its events (what the group's storedBytes loses when the stream goes). */
  bytes?: number
}

export const groupKey = (s: Scope, name: string) => scopedKey(s, name)
/** `:` is allowed in neither group nor stream names, so it separates them without ambiguity. */
export const streamKey = (s: Scope, group: string, stream: string) => `${groupKey(s, group)}:${stream}`
export const scopeColumn = (s: Scope) => `${s.account}/${s.region}`

/**
 * CloudWatch Logs' state on the instance store: groups and streams as documents (with an in-memory
 * index of each group's streams), events in the append-only `log_events` table (events-table.ts).
 */
export class LogsState {
  private readonly byGroup = new Map<string, Map<string, StreamDoc>>()

  private constructor(
    readonly store: Store,
    readonly groups: DocTable<GroupDoc>,
    readonly streams: DocTable<StreamDoc>,
  ) {
    for (const doc of streams.values()) this.index(doc)
  }

  static async open(store: Store): Promise<LogsState> {
    const groups = await new DocTable<GroupDoc>(store, 'log_groups').load()
    const streams = await new DocTable<StreamDoc>(store, 'log_streams').load()
    return new LogsState(store, groups, streams)
  }

  private index(doc: StreamDoc) {
    const gk = groupKey(doc, doc.group)
    let m = this.byGroup.get(gk)
    if (!m) this.byGroup.set(gk, (m = new Map()))
    m.set(doc.name, doc)
  }

  group(s: Scope, name: string): GroupDoc | undefined {
    return this.groups.get(groupKey(s, name))
  }

  requireGroup(s: Scope, name: string): GroupDoc {
    const g = this.group(s, name)
    if (!g) throw groupNotFound()
    return g
  }

  /** The scope's groups, sorted by name (DescribeLogGroups' order). */
  groupsOf(s: Scope): GroupDoc[] {
    const out: GroupDoc[] = []
    for (const g of this.groups.values()) if (g.account === s.account && g.region === s.region) out.push(g)
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  }

  putGroup(doc: GroupDoc): Promise<void> {
    return this.groups.put(groupKey(doc, doc.name), doc)
  }

  /** A group goes with its streams and their events, in one job. */
  deleteGroup(s: Scope, name: string): Promise<void> {
    const gk = groupKey(s, name)
    const ops: WriteOp[] = [this.groups.stageDelete(gk)]
    for (const st of this.byGroup.get(gk)?.values() ?? []) ops.push(this.streams.stageDelete(streamKey(s, name, st.name)))
    this.byGroup.delete(gk)
    ops.push(stageDeleteEvents(scopeColumn(s), name))
    return this.store.write(ops)
  }

  stream(s: Scope, group: string, name: string): StreamDoc | undefined {
    return this.byGroup.get(groupKey(s, group))?.get(name)
  }

  requireStream(s: Scope, group: string, name: string): StreamDoc {
    const st = this.stream(s, group, name)
    if (!st) throw streamNotFound()
    return st
  }

  streamsOf(s: Scope, group: string): StreamDoc[] {
    return [...(this.byGroup.get(groupKey(s, group))?.values() ?? [])]
  }

  putStream(doc: StreamDoc): Promise<void> {
    this.index(doc)
    return this.streams.put(streamKey(doc, doc.group, doc.name), doc)
  }

  deleteStream(s: Scope, group: string, name: string): Promise<void> {
    const st = this.stream(s, group, name)
    this.byGroup.get(groupKey(s, group))?.delete(name)
    const ops: WriteOp[] = [this.streams.stageDelete(streamKey(s, group, name)), stageDeleteEvents(scopeColumn(s), group, name)]
    const g = this.group(s, group)
    if (g && st?.bytes) ops.push(this.groups.stagePut(groupKey(s, group), { ...g, storedBytes: Math.max(0, g.storedBytes - st.bytes) }))
    return this.store.write(ops)
  }

  /**
   * Appends events (already checked, in time order) to a stream: the rows, the stream's new
   * first/last timestamps and the group's stored bytes in one job. Returns the events with their seq.
   */
  append(s: Scope, group: GroupDoc, stream: StreamDoc, events: { timestamp: number; message: string }[], now: number): Promise<EventRow[]> {
    if (events.length === 0) return Promise.resolve([])
    const rows: EventRow[] = events.map((e, i) => ({ stream: stream.name, timestamp: e.timestamp, ingestionTime: now, seq: stream.lastSeq + i + 1, message: e.message }))
    const next: StreamDoc = {
      ...stream,
      lastSeq: stream.lastSeq + rows.length,
      firstEventTimestamp: Math.min(stream.firstEventTimestamp ?? Infinity, rows[0]!.timestamp),
      lastEventTimestamp: Math.max(stream.lastEventTimestamp ?? -Infinity, rows.at(-1)!.timestamp),
      lastIngestionTime: now,
    }
    let bytes = 0
    for (const r of rows) bytes += Buffer.byteLength(r.message, 'utf8')
    next.bytes = (stream.bytes ?? 0) + bytes
    const nextGroup: GroupDoc = { ...group, storedBytes: group.storedBytes + bytes }
    this.index(next)
    const ops = [
      ...stageInsert(scopeColumn(s), group.name, rows),
      this.streams.stagePut(streamKey(s, group.name, stream.name), next),
      this.groups.stagePut(groupKey(s, group.name), nextGroup),
    ]
    return this.store.write(ops).then(() => rows)
  }

  /** One stream's events (GetLogEvents). */
  readStream(s: Scope, group: string, stream: string, q: StreamQuery): Promise<EventRow[]> {
    return readStream(this.store, scopeColumn(s), group, stream, q)
  }
}
