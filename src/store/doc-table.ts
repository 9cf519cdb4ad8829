import type { Store, WriteOp } from './store.js'

/**
 * A table of JSON documents with an in-memory copy: reads never touch DuckDB (point reads there cost
 * about a millisecond), writes update the copy at once and resolve when the commit is durable.
 */
export class DocTable<T> {
  private readonly rows = new Map<string, T>()

  constructor(
    private readonly store: Store,
    readonly table: string,
  ) {}

  async load(): Promise<this> {
    const rows = await this.store.query<{ pk: string; doc: string }>(`SELECT pk, doc FROM ${this.table}`)
    for (const r of rows) this.rows.set(r.pk, JSON.parse(r.doc) as T)
    return this
  }

  get(pk: string): T | undefined {
    return this.rows.get(pk)
  }

  has(pk: string): boolean {
    return this.rows.has(pk)
  }

  values(): IterableIterator<T> {
    return this.rows.values()
  }

  entries(): IterableIterator<[string, T]> {
    return this.rows.entries()
  }

  get size(): number {
    return this.rows.size
  }

  /** Updates the copy and returns the op, for callers that write several tables in one job. */
  stagePut(pk: string, doc: T): WriteOp {
    this.rows.set(pk, doc)
    return { op: 'upsert', table: this.table, row: [pk, JSON.stringify(doc)] }
  }

  stageDelete(pk: string): WriteOp {
    this.rows.delete(pk)
    return { op: 'delete', table: this.table, pk }
  }

  put(pk: string, doc: T): Promise<void> {
    return this.store.write([this.stagePut(pk, doc)])
  }

  delete(pk: string): Promise<void> {
    return this.store.write([this.stageDelete(pk)])
  }
}

/** Named integer counters (revisions, sequence numbers), allocated synchronously and persisted. */
export class Counters {
  private readonly values = new Map<string, number>()

  constructor(private readonly store: Store) {}

  async load(): Promise<this> {
    const rows = await this.store.query<{ pk: string; value: bigint | number }>('SELECT pk, value FROM counters')
    for (const r of rows) this.values.set(r.pk, Number(r.value))
    return this
  }

  current(name: string): number {
    return this.values.get(name) ?? 0
  }

  /** Reserves the next value at once (so concurrent callers never share one) and returns its write. */
  next(name: string): { value: number; op: WriteOp } {
    const value = this.current(name) + 1
    this.values.set(name, value)
    return { value, op: { op: 'upsert', table: 'counters', row: [name, value] } }
  }

  /** Raises a counter to at least `value`. */
  raise(name: string, value: number): WriteOp | undefined {
    if (value <= this.current(name)) return undefined
    this.values.set(name, value)
    return { op: 'upsert', table: 'counters', row: [name, value] }
  }
}
