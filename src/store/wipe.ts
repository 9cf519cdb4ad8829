import type { Store } from './store.js'

/** Tables a reset keeps: the schema's and the journal's own bookkeeping, and the emulator's objects (its API deletes those). */
const KEPT = new Set(['schema_migrations', 'kube_objects', 'journal_state'])

/**
 * Empties every resource table in one transaction through the write queue (`kecs reset`) and returns
 * the rows each held. The DocTables' in-memory copies are not touched: the instance opens fresh ones.
 */
export async function wipeStore(store: Store): Promise<Record<string, number>> {
  await store.flush()
  const tables = (
    await store.query<{ name: string }>(
      "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'main' AND table_type = 'BASE TABLE' ORDER BY table_name",
    )
  )
    .map((r) => r.name)
    .filter((t) => !KEPT.has(t))
  const counted = await store.query<{ t: string; n: bigint | number }>(
    tables.map((t) => `SELECT '${t}' AS t, count(*) AS n FROM ${t}`).join(' UNION ALL '),
  )
  await store.write(tables.map((t) => ({ op: 'sql', sql: `DELETE FROM ${t}` })))
  const removed: Record<string, number> = {}
  for (const r of counted) if (Number(r.n) > 0) removed[r.t] = Number(r.n)
  return removed
}
