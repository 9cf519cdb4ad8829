import { DuckDBListValue, listValue, type DuckDBValue } from '@duckdb/node-api'
import { closeSync, fdatasync, fdatasyncSync, fstatSync, ftruncateSync, openSync, readdirSync, readFileSync, unlinkSync, writeSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { crc32 } from 'node:zlib'
import type { WriteOp } from './store.js'

/** One journaled job: its sequence number and its ops. */
export interface JournalRecord {
  seq: number
  ops: WriteOp[]
}

/** A segment is closed and a new one begun past this size; applied segments are deleted. */
const SEGMENT_BYTES = 16 * 1024 * 1024
/** Once everything is applied, the open segment is emptied past this size. */
const TRUNCATE_BYTES = 1024 * 1024

/**
 * The store's write-ahead journal (docs/architecture.md#one-write-queue): each job is appended as one
 * line, `<crc32 hex> <json [seq, ops]>`, with one write(2) before it is acknowledged, and fdatasync'd
 * in groups (one sync covers every line written while the previous one ran). DuckDB applies the jobs
 * behind, in large transactions that also record the last applied seq; at open, lines past that seq are
 * replayed. A torn last line (a crash mid-write) fails its checksum and is dropped: it was never
 * acknowledged. Files: `<db>.journal-<first seq>`, next to the database.
 */
export class Journal {
  private fd = -1
  private size = 0
  private segments: { firstSeq: number; path: string }[] = []
  private written = 0
  private syncedSeq = 0
  private syncing = false
  private waiters: { seq: number; resolve: () => void; reject: (e: unknown) => void }[] = []

  private constructor(
    private readonly base: string,
    /** Records found past the applied seq, in order: the store replays these. */
    readonly unapplied: JournalRecord[],
  ) {}

  /** Opens the journal of `dbPath`, reading what DuckDB has not applied (`appliedSeq` is its last). */
  static open(dbPath: string, appliedSeq: number): Journal {
    const dir = dirname(dbPath)
    const prefix = `${basename(dbPath)}.journal-`
    const found = readdirSync(dir)
      .filter((f) => f.startsWith(prefix) && /^\d+$/.test(f.slice(prefix.length)))
      .map((f) => ({ firstSeq: Number(f.slice(prefix.length)), path: join(dir, f) }))
      .sort((a, b) => a.firstSeq - b.firstSeq)
    const unapplied: JournalRecord[] = []
    let last = appliedSeq
    for (const seg of found) {
      for (const rec of readSegment(seg.path)) {
        if (rec.seq > last) {
          unapplied.push(rec)
          last = rec.seq
        }
      }
    }
    const j = new Journal(join(dir, prefix), unapplied)
    j.written = j.syncedSeq = last
    // Start a fresh segment: the old ones go once the store has applied their records.
    j.segments = found
    j.begin(last + 1)
    return j
  }

  get lastSeq(): number {
    return this.written
  }

  /** Appends one job (one write(2)); throws what the file system says (ENOSPC, EROFS, EIO). */
  append(ops: WriteOp[]): number {
    const seq = this.written + 1
    const json = JSON.stringify([seq, ops.map(encodeOp)])
    const line = Buffer.from(`${crc32(json).toString(16).padStart(8, '0')} ${json}\n`)
    if (this.size > 0 && this.size + line.length > SEGMENT_BYTES) this.rotate(seq)
    const n = writeSync(this.fd, line)
    if (n !== line.length) {
      // A short write (the disk filled mid-line): cut it off so the next line starts clean.
      ftruncateSync(this.fd, this.size)
      throw Object.assign(new Error('no space left on device: short write to the journal'), { code: 'ENOSPC' })
    }
    this.size += n
    this.written = seq
    return seq
  }

  /** Resolves once job `seq` is on disk (group fdatasync). */
  synced(seq: number): Promise<void> {
    if (seq <= this.syncedSeq) return Promise.resolve()
    return new Promise((resolve, reject) => {
      this.waiters.push({ seq, resolve, reject })
      if (!this.syncing) this.sync()
    })
  }

  private sync() {
    this.syncing = true
    const upTo = this.written
    fdatasync(this.fd, (err) => {
      this.syncing = false
      const done = this.waiters.filter((w) => w.seq <= upTo)
      this.waiters = this.waiters.filter((w) => w.seq > upTo)
      if (err) done.forEach((w) => w.reject(err))
      else {
        this.syncedSeq = Math.max(this.syncedSeq, upTo)
        done.forEach((w) => w.resolve())
      }
      if (this.waiters.length > 0) this.sync()
    })
  }

  /** DuckDB has committed every job up to `seq`: segments wholly before it go, and an emptied log is cut. */
  applied(seq: number) {
    while (this.segments.length > 1 && this.segments[1]!.firstSeq <= seq + 1) {
      const old = this.segments.shift()!
      tryUnlink(old.path)
    }
    if (seq >= this.written && this.segments.length === 1 && this.size > TRUNCATE_BYTES) {
      ftruncateSync(this.fd, 0)
      this.size = 0
    }
  }

  close(allApplied: boolean) {
    if (this.fd < 0) return
    try {
      if (!allApplied) fdatasyncSync(this.fd)
    } finally {
      closeSync(this.fd)
      this.fd = -1
    }
    if (allApplied) for (const s of this.segments) tryUnlink(s.path)
  }

  private begin(firstSeq: number) {
    const path = `${this.base}${String(firstSeq).padStart(12, '0')}`
    this.fd = openSync(path, 'a')
    this.size = fstatSync(this.fd).size
    if (this.segments.at(-1)?.path !== path) this.segments.push({ firstSeq, path })
  }

  private rotate(firstSeq: number) {
    fdatasyncSync(this.fd) // what the old segment holds is on disk before anyone waits on the new one
    this.syncedSeq = this.written
    closeSync(this.fd)
    this.begin(firstSeq)
  }
}

function readSegment(path: string): JournalRecord[] {
  const out: JournalRecord[] = []
  const text = readFileSync(path, 'utf8')
  for (const line of text.split('\n')) {
    if (line.length < 10) continue
    const json = line.slice(9)
    if (line.slice(0, 8) !== crc32(json).toString(16).padStart(8, '0')) continue // torn: never acknowledged
    const [seq, ops] = JSON.parse(json) as [number, WriteOp[]]
    out.push({ seq, ops: ops.map(decodeOp) })
  }
  return out
}

function tryUnlink(path: string) {
  try {
    unlinkSync(path)
  } catch {
    /* already gone */
  }
}

type Encoded = string | number | boolean | null | { $b: string } | { $l: Encoded[] }

/** The values the store's writers use: JSON ones, bigints and lists (log events' columns). */
function encodeValue(v: DuckDBValue): Encoded {
  if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v
  if (typeof v === 'bigint') return { $b: v.toString() }
  if (v instanceof DuckDBListValue) return { $l: v.items.map(encodeValue) }
  throw new Error(`the journal cannot hold a value of type ${(v as object).constructor?.name ?? typeof v}`)
}

function decodeValue(v: Encoded): DuckDBValue {
  if (v === null || typeof v !== 'object') return v
  if ('$b' in v) return BigInt(v.$b)
  return listValue(v.$l.map(decodeValue))
}

function encodeOp(op: WriteOp): unknown {
  if (op.op === 'upsert') return { ...op, row: op.row.map(encodeValue) }
  if (op.op === 'sql' && op.params) return { ...op, params: op.params.map(encodeValue) }
  return op
}

function decodeOp(op: any): WriteOp {
  if (op.op === 'upsert') return { ...op, row: op.row.map(decodeValue) }
  if (op.op === 'sql' && op.params) return { ...op, params: op.params.map(decodeValue) }
  return op
}
