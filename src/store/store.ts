import { DuckDBInstance, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api'
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { migrate } from './migrations.js'

/** One write: rows are upserted (`INSERT OR REPLACE`) or deleted by primary key; raw SQL for the rest. */
export type WriteOp =
  | { op: 'upsert'; table: string; row: DuckDBValue[] }
  | { op: 'delete'; table: string; pk: string }
  | { op: 'sql'; sql: string; params?: DuckDBValue[] }

interface Job {
  ops: WriteOp[]
  resolve: () => void
  reject: (e: unknown) => void
}

/**
 * KECS writes through one connection and reads from its in-memory copies, so DuckDB's default of one
 * worker thread per core and a buffer pool of 80% of RAM only hold memory: one thread, and a pool
 * that spills to disk past 256 MB (in-memory stores cannot spill: room for them).
 */
const DUCKDB_OPTIONS = { threads: '1', memory_limit: '256MB' }

/** Raised when another process holds the instance's database. */
export class StoreLockedError extends Error {}

/**
 * The DuckDB store (docs/architecture.md#one-write-queue): one connection, one write queue. Jobs queued while a commit is in
 * flight are committed together in one transaction, with runs of upserts into one table folded into one
 * multi-row statement (DuckDB is far faster at that). A job's promise resolves only after COMMIT, so an
 * acknowledged write is durable (DuckDB's WAL is synced at commit).
 */
export class Store {
  private queue: Job[] = []
  private draining = false
  private closed = false
  private idle: Promise<void> = Promise.resolve()
  private markIdle: () => void = () => {}
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
    return store
  }

  query<T = Record<string, unknown>>(sql: string, params: DuckDBValue[] = []): Promise<T[]> {
    return this.read(async () => (await this.conn.runAndReadAll(sql, params)).getRowObjectsJS() as T[])
  }

  /** Runs SQL outside the queue: for migrations and reads only. */
  exec(sql: string, params: DuckDBValue[] = []): Promise<void> {
    return this.read(async () => {
      await this.conn.run(sql, params)
    })
  }

  private read<T>(fn: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error('store is closed'))
    const p = fn()
    this.reads.add(p)
    const forget = () => void this.reads.delete(p)
    p.then(forget, forget)
    return p
  }

  /** Queues one atomic job; resolves once it is committed. */
  write(ops: WriteOp[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error('store is closed'))
    if (ops.length === 0) return Promise.resolve()
    return new Promise((resolve, reject) => {
      this.queue.push({ ops, resolve, reject })
      if (!this.draining) void this.drain()
    })
  }

  /** Resolves when every queued write has been committed. */
  flush(): Promise<void> {
    return this.draining ? this.idle : Promise.resolve()
  }

  private async drain() {
    this.draining = true
    this.idle = new Promise((r) => (this.markIdle = r))
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.queue.length)
        try {
          await this.commit(batch.flatMap((j) => j.ops))
          batch.forEach((j) => j.resolve())
        } catch {
          // Find the failing job: commit each alone so the others still land.
          for (const job of batch) {
            try {
              await this.commit(job.ops)
              job.resolve()
            } catch (e) {
              job.reject(e)
            }
          }
        }
      }
    } finally {
      this.draining = false
      this.markIdle()
    }
  }

  private async commit(ops: WriteOp[]) {
    await this.conn.run('BEGIN TRANSACTION')
    try {
      for (const stmt of fold(ops)) await this.conn.run(stmt.sql, stmt.params)
      await this.conn.run('COMMIT')
    } catch (e) {
      await this.conn.run('ROLLBACK').catch(() => {})
      throw e
    }
  }

  async close() {
    if (this.closed) return
    await this.flush()
    this.closed = true
    await Promise.allSettled([...this.reads])
    try {
      await this.conn.run('CHECKPOINT')
    } catch {
      /* a read-only or failing checkpoint must not block shutdown */
    }
    this.conn.closeSync()
    this.instance.closeSync()
  }
}

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
