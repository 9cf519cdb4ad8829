import { DuckDBInstance, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api'
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { Journal } from './journal.js'
import { migrate } from './migrations.js'

/** One write: rows are upserted (`INSERT OR REPLACE`) or deleted by primary key; raw SQL for the rest. */
export type WriteOp =
  | { op: 'upsert'; table: string; row: DuckDBValue[] }
  | { op: 'delete'; table: string; pk: string }
  | { op: 'sql'; sql: string; params?: DuckDBValue[] }

interface Job {
  seq: number
  ops: WriteOp[]
}

/**
 * KECS writes through one connection and reads from its in-memory copies, so DuckDB's default of one
 * worker thread per core and a buffer pool of 80% of RAM only hold memory: one thread, and a pool
 * that spills to disk past 256 MB (in-memory stores cannot spill: room for them).
 */
const DUCKDB_OPTIONS = { threads: '1', memory_limit: '256MB' }

/** Ops journaled but not yet in DuckDB past which writers wait (or, while DuckDB cannot write, are refused). */
const MAX_QUEUED_OPS = 50_000
/** How often a DuckDB that failed with a disk error is tried again. */
const RETRY_MS = 1_000

/** Raised when another process holds the instance's database. */
export class StoreLockedError extends Error {}

/** A write the disk refused (full, read-only, failing): retriable once the cause is gone. */
export class StoreWriteError extends Error {
  readonly retriable = true
}

/** Disk-level failures, which a retry can outlive, as opposed to a bad statement, which it cannot. */
const isDiskError = (e: unknown) =>
  /IO Error|No space|ENOSPC|EROFS|EIO|read-only|Read-only|disk|invalidated/i.test(e instanceof Error ? e.message : String(e))

/**
 * The DuckDB store (docs/architecture.md#one-write-queue): one connection, one write queue, a journal in
 * front. A write is appended to the journal (src/store/journal.ts) and acknowledged once that is
 * fdatasync'd, so an acknowledged write survives a crash; DuckDB applies the queue behind, every job
 * queued while a commit ran in one transaction, with runs of upserts into one table folded into one
 * multi-row statement. Reads through `query` first wait for the queue, so they see every acknowledged
 * write. An in-memory store has no journal: its writes are acknowledged at once.
 */
export class Store {
  private queue: Job[] = []
  private queuedOps = 0
  private draining = false
  /** No new writes or reads (closing); `stopped`: the queue is no longer applied. */
  private closed = false
  private stopped = false
  private idle: Promise<void> = Promise.resolve()
  private markIdle: () => void = () => {}
  private journal?: Journal
  private memSeq = 0
  /** The last job queued and the last DuckDB holds; readers wait on the gap between the two. */
  private queuedSeq = 0
  private appliedSeq = 0
  private appliedWaiters: { seq: number; resolve: () => void }[] = []
  /** The disk error DuckDB keeps giving, while it does: the queue is retried every RETRY_MS. */
  private applyError?: unknown
  private roomWaiters: (() => void)[] = []
  /** Jobs the last open found in the journal and applied (a crash left DuckDB behind). */
  replayed = 0
  /** Reads in flight: closing the database under a running query crashes the process (SIGSEGV). */
  private readonly reads = new Set<Promise<unknown>>()

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly conn: DuckDBConnection,
    readonly path: string,
  ) {}

  static async open(path: string): Promise<Store> {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
    let instance: DuckDBInstance
    try {
      instance = await DuckDBInstance.create(path, DUCKDB_OPTIONS)
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e)
      const m = /Conflicting lock is held in .*\(PID (\d+)\)/.exec(msg)
      if (m || /Could not set lock/.test(msg)) {
        throw new StoreLockedError(
          `the store ${path} is in use by another KECS process${m ? ` (pid ${m[1]})` : ''}`,
        )
      }
      throw e
    }
    const conn = await instance.connect()
    const store = new Store(instance, conn, path)
    await migrate(store)
    if (path !== ':memory:') await store.openJournal()
    return store
  }

  /** Opens the journal and applies what a crash left in it, before anyone reads. */
  private async openJournal() {
    const rows = await this.query<{ seq: bigint | number }>("SELECT seq FROM journal_state WHERE pk = 'applied'")
    const applied = rows.length ? Number(rows[0]!.seq) : 0
    this.journal = Journal.open(this.path, applied)
    const records = this.journal.unapplied
    this.replayed = records.length
    for (let i = 0; i < records.length; ) {
      const batch: Job[] = []
      let n = 0
      while (i < records.length && n < 5_000) {
        batch.push(records[i]!)
        n += records[i++]!.ops.length
      }
      await this.apply(batch, { retryDiskErrors: false })
    }
    records.length = 0
    this.appliedSeq = this.queuedSeq = this.journal.lastSeq
  }

  query<T = Record<string, unknown>>(sql: string, params: DuckDBValue[] = []): Promise<T[]> {
    return this.afterQueue(() => this.read(async () => (await this.conn.runAndReadAll(sql, params)).getRowObjectsJS() as T[]))
  }

  /** Runs SQL outside the queue: for migrations and reads only. */
  exec(sql: string, params: DuckDBValue[] = []): Promise<void> {
    return this.afterQueue(() =>
      this.read(async () => {
        await this.conn.run(sql, params)
      }),
    )
  }

  /**
   * Reads see every acknowledged write: they wait until DuckDB holds what was queued before them (not
   * for an empty queue, which a busy instance never has), unless DuckDB cannot write now.
   */
  private afterQueue<T>(fn: () => Promise<T>): Promise<T> {
    if (this.appliedSeq >= this.queuedSeq || this.applyError !== undefined) return fn()
    return this.flush().then(fn)
  }

  private read<T>(fn: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error('store is closed'))
    const p = fn()
    this.reads.add(p)
    const forget = () => void this.reads.delete(p)
    p.then(forget, forget)
    return p
  }

  /** Queues one atomic job; resolves once it is durable (journaled and synced). */
  write(ops: WriteOp[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error('store is closed'))
    if (ops.length === 0) return Promise.resolve()
    if (this.applyError !== undefined && this.queuedOps >= MAX_QUEUED_OPS) {
      return Promise.reject(new StoreWriteError(`the store cannot write to disk: ${message(this.applyError)}`))
    }
    let seq: number
    try {
      seq = this.journal ? this.journal.append(ops) : ++this.memSeq
    } catch (e) {
      return Promise.reject(new StoreWriteError(`the store cannot write to disk: ${message(e)}`))
    }
    this.queue.push({ seq, ops })
    this.queuedSeq = seq
    this.queuedOps += ops.length
    if (!this.draining) void this.drain()
    const durable = this.journal ? this.journal.synced(seq).catch((e) => Promise.reject(new StoreWriteError(`the store cannot sync to disk: ${message(e)}`))) : Promise.resolve()
    if (this.queuedOps < MAX_QUEUED_OPS) return durable
    return durable.then(() => new Promise<void>((r) => this.roomWaiters.push(r)))
  }

  /** Resolves when every write queued so far has been applied to DuckDB. */
  flush(): Promise<void> {
    const seq = this.queuedSeq
    if (this.appliedSeq >= seq) return Promise.resolve()
    return new Promise((resolve) => this.appliedWaiters.push({ seq, resolve }))
  }

  private noteApplied(seq: number) {
    this.appliedSeq = seq
    if (this.appliedWaiters.length === 0) return
    const ready = this.appliedWaiters.filter((w) => w.seq <= seq)
    this.appliedWaiters = this.appliedWaiters.filter((w) => w.seq > seq)
    ready.forEach((w) => w.resolve())
  }

  private async drain() {
    this.draining = true
    this.idle = new Promise((r) => (this.markIdle = r))
    try {
      while (this.queue.length > 0 && !this.stopped) {
        const batch = this.queue.splice(0, this.queue.length)
        // Anything unexpected is treated as a disk error: retried, never a crash of the process.
        const applied = await this.apply(batch, { retryDiskErrors: true }).catch((e) => this.diskFailed(e, { retryDiskErrors: true }))
        if (!applied) {
          this.queue.unshift(...batch)
          await new Promise((r) => setTimeout(r, RETRY_MS))
          continue
        }
        for (const j of batch) this.queuedOps -= j.ops.length
        if (this.queuedOps < MAX_QUEUED_OPS / 2) this.roomWaiters.splice(0).forEach((r) => r())
      }
    } finally {
      this.draining = false
      this.roomWaiters.splice(0).forEach((r) => r())
      this.markIdle()
    }
  }

  /**
   * Commits a batch of journaled jobs with the seq of its last. A batch that fails is committed job by
   * job so the others land; a job that fails alone on a bad statement is dropped with a message (it can
   * never apply). A disk error keeps the batch for a retry (false), or, at open, fails the open.
   */
  private async apply(batch: Job[], opts: { retryDiskErrors: boolean }): Promise<boolean> {
    const last = batch.at(-1)!.seq
    try {
      await this.commit(batch.flatMap((j) => j.ops), last)
    } catch (e) {
      if (isDiskError(e)) return this.diskFailed(e, opts)
      for (const job of batch) {
        try {
          await this.commit(job.ops, job.seq)
        } catch (e2) {
          if (isDiskError(e2)) return this.diskFailed(e2, opts)
          process.stderr.write(`kecs: store: dropped write #${job.seq} that cannot apply: ${message(e2)}\n`)
          try {
            await this.commit([], job.seq)
          } catch (e3) {
            return this.diskFailed(e3, opts)
          }
        }
      }
    }
    this.applyError = undefined
    this.journal?.applied(last)
    this.noteApplied(last)
    return true
  }

  private diskFailed(e: unknown, opts: { retryDiskErrors: boolean }): false {
    if (!opts.retryDiskErrors) throw new StoreWriteError(`the store cannot apply its journal: ${message(e)}`)
    if (this.applyError === undefined) process.stderr.write(`kecs: store: cannot write to disk, retrying: ${message(e)}\n`)
    this.applyError = e
    return false
  }

  private async commit(ops: WriteOp[], seq: number) {
    const all: WriteOp[] = this.journal ? [...ops, { op: 'upsert', table: 'journal_state', row: ['applied', seq] }] : ops
    if (all.length === 0) return
    await this.conn.run('BEGIN TRANSACTION')
    try {
      for (const stmt of fold(all)) await this.conn.run(stmt.sql, stmt.params)
      await this.conn.run('COMMIT')
    } catch (e) {
      await this.conn.run('ROLLBACK').catch(() => {})
      throw e
    }
  }

  async close() {
    if (this.closed) return
    this.closed = true
    // Everything queued goes into DuckDB first, unless the disk refuses it (the journal keeps it then).
    while (this.appliedSeq < this.queuedSeq && this.applyError === undefined) {
      await Promise.race([this.flush(), new Promise((r) => setTimeout(r, RETRY_MS))])
    }
    const allApplied = this.queue.length === 0
    this.stopped = true
    await Promise.allSettled([...this.reads])
    await this.idle
    try {
      if (allApplied) await this.conn.run('CHECKPOINT')
    } catch {
      /* a read-only or failing checkpoint must not block shutdown */
    }
    // The journal goes only when DuckDB holds everything; otherwise the next open replays it.
    this.journal?.close(allApplied && this.queue.length === 0)
    this.conn.closeSync()
    this.instance.closeSync()
  }
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e))

/**
 * Folds a batch into few statements. Within one transaction only the last write per (table, key) matters,
 * so writes are grouped per table: one DELETE ... IN (...) and multi-row INSERT OR REPLACE statements.
 * Raw SQL ops are barriers: everything before them is written first.
 */
function fold(ops: WriteOp[]): { sql: string; params: DuckDBValue[] }[] {
  const out: { sql: string; params: DuckDBValue[] }[] = []
  let pending = new Map<string, Map<string, DuckDBValue[] | null>>()
  const flush = () => {
    for (const [table, rows] of pending) {
      const deletes: string[] = []
      const upserts: DuckDBValue[][] = []
      for (const [pk, row] of rows) row === null ? deletes.push(pk) : upserts.push(row)
      for (let i = 0; i < deletes.length; i += 1000) {
        const chunk = deletes.slice(i, i + 1000)
        out.push({ sql: `DELETE FROM ${table} WHERE pk IN (${chunk.map((_, j) => `$${j + 1}`).join(', ')})`, params: chunk })
      }
      for (let i = 0; i < upserts.length; i += 500) {
        const chunk = upserts.slice(i, i + 500)
        const width = chunk[0]!.length
        const ph = chunk.map((_, r) => `(${Array.from({ length: width }, (_, c) => `$${r * width + c + 1}`).join(', ')})`)
        out.push({ sql: `INSERT OR REPLACE INTO ${table} VALUES ${ph.join(', ')}`, params: chunk.flat() })
      }
    }
    pending = new Map()
  }
  for (const op of ops) {
    if (op.op === 'sql') {
      flush()
      out.push({ sql: op.sql, params: op.params ?? [] })
      continue
    }
    let rows = pending.get(op.table)
    if (!rows) pending.set(op.table, (rows = new Map()))
    const key = op.op === 'upsert' ? String(op.row[0]) : op.pk
    rows.delete(key) // keep insertion order = order of last write
    rows.set(key, op.op === 'upsert' ? op.row : null)
  }
  flush()
  return out
}
