import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { Counters, DocTable } from '../../src/store/doc-table.js'
import { Store } from '../../src/store/store.js'

const dirs: string[] = []
const tempDb = () => {
  const d = mkdtempSync(join(tmpdir(), 'kecs-store-'))
  dirs.push(d)
  return join(d, 'kecs.duckdb')
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

describe('Store', () => {
  it('applies migrations and records the schema version', async () => {
    const s = await Store.open(tempDb())
    const rows = await s.query<{ version: number }>('SELECT version FROM schema_migrations')
    expect(rows.map((r) => Number(r.version))).toContain(1)
    await s.close()
  })

  it('commits concurrent writes together, last write per key winning', async () => {
    const path = tempDb()
    const s = await Store.open(path)
    const t = await new DocTable<{ n: number }>(s, 'clusters').load()
    await Promise.all(Array.from({ length: 200 }, (_, i) => t.put(`k${i % 50}`, { n: i })))
    await s.close()
    const s2 = await Store.open(path)
    const t2 = await new DocTable<{ n: number }>(s2, 'clusters').load()
    expect(t2.size).toBe(50)
    expect(t2.get('k0')).toEqual({ n: 150 })
    expect(t2.get('k49')).toEqual({ n: 199 })
    await s2.close()
  })

  it('keeps the last write per key when a batch mixes upserts and deletes across tables', async () => {
    const s = await Store.open(tempDb())
    const a = await new DocTable<{ n: number }>(s, 'clusters').load()
    const b = await new DocTable<{ n: number }>(s, 'tasks').load()
    await Promise.all([
      a.put('x', { n: 1 }),
      b.put('y', { n: 1 }),
      a.delete('x'),
      b.delete('y'),
      b.put('y', { n: 2 }),
      a.put('z', { n: 3 }),
    ])
    const rows = await s.query<{ pk: string; doc: string }>(
      "SELECT pk, doc FROM clusters UNION ALL SELECT pk, doc FROM tasks ORDER BY pk",
    )
    expect(rows).toEqual([
      { pk: 'y', doc: '{"n":2}' },
      { pk: 'z', doc: '{"n":3}' },
    ])
    await s.close()
  })

  it('isolates a job that cannot apply (a bad statement, acknowledged once journaled): the others in its batch still land', async () => {
    const s = await Store.open(tempDb())
    const t = await new DocTable<{ n: number }>(s, 'clusters').load()
    const errors: string[] = []
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (errors.push(String(chunk)), true))
    try {
      await Promise.all([t.put('a', { n: 1 }), s.write([{ op: 'sql', sql: 'INSERT INTO no_such_table VALUES (1)' }]), t.put('b', { n: 2 })])
      await s.flush()
    } finally {
      spy.mockRestore()
    }
    expect(errors.join('')).toMatch(/dropped write #\d+ that cannot apply: .*no_such_table/)
    const rows = await s.query<{ pk: string }>('SELECT pk FROM clusters ORDER BY pk')
    expect(rows.map((r) => r.pk)).toEqual(['a', 'b'])
    await s.close()
  })

  it('close() waits for reads in flight (closing under a running query crashes DuckDB); later reads are refused', async () => {
    const s = await Store.open(tempDb())
    // results of many chunks: reading them takes several round trips to DuckDB's threads
    const reads = Array.from({ length: 4 }, () => s.query<{ range: bigint }>('SELECT range FROM range(100000)'))
    await s.close()
    for (const r of await Promise.all(reads)) expect(r).toHaveLength(100_000)
    await expect(s.query('SELECT 1')).rejects.toThrow('store is closed')
  })

  it('reserves counter values synchronously, never twice', async () => {
    const path = tempDb()
    const s = await Store.open(path)
    const c = await new Counters(s).load()
    const vals = Array.from({ length: 20 }, () => c.next('fam'))
    await Promise.all(vals.map((v) => s.write([v.op])))
    expect(vals.map((v) => v.value)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1))
    await s.close()
    const s2 = await Store.open(path)
    expect((await new Counters(s2).load()).current('fam')).toBe(20)
    await s2.close()
  })

  it('refuses a second open of the same file from another process with a one-line message', async () => {
    const path = tempDb()
    const s = await Store.open(path)
    const { execa } = await import('execa')
    const script = `import('${new URL('../../src/store/store.ts', import.meta.url).pathname}').then(m => m.Store.open(${JSON.stringify(path)})).then(() => console.log('opened'), e => console.log(e.constructor.name + ': ' + e.message))`
    const r = await execa('node', ['--import', 'tsx', '-e', script], { reject: false })
    expect(r.stdout).toMatch(/StoreLockedError: the store .* is in use by another KECS process/)
    await s.close()
  })
})
