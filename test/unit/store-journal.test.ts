import { execa } from 'execa'
import { appendFileSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { DocTable } from '../../src/store/doc-table.js'
import { Store } from '../../src/store/store.js'

const dirs: string[] = []
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'kecs-journal-'))
  dirs.push(d)
  return d
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})
const journalFiles = (dir: string) => readdirSync(dir).filter((f) => f.includes('.journal-'))

describe('Store journal', () => {
  it('keeps every acknowledged write through SIGKILL, DuckDB behind: the next open replays the journal', async () => {
    const replayed: number[] = []
    for (const killAfter of [1, 37, 400]) {
      const dir = tempDir()
      const path = join(dir, 'kecs.duckdb')
      const child = await execa(process.execPath, ['--import', 'tsx', 'test/fixtures/store/crash-writer.ts', path, String(killAfter)], { reject: false })
      expect(child.signal).toBe('SIGKILL')
      const acked = child.stdout.split('\n').filter(Boolean).map((l) => Number(l.split(' ')[1]))
      expect(acked.length).toBeGreaterThanOrEqual(killAfter)
      expect(journalFiles(dir).length).toBeGreaterThan(0)

      const s = await Store.open(path)
      replayed.push(s.replayed)
      const t = await new DocTable<{ n: number }>(s, 'clusters').load()
      for (const i of acked) expect(t.get(`k${i}`), `k${i} after a kill at ${killAfter}`).toEqual({ n: i })
      const events = await s.query<{ message: string }>('SELECT message FROM log_events')
      const messages = new Set(events.map((e) => e.message))
      for (const i of acked.filter((i) => i % 10 === 0)) expect(messages.has(`m${i}`)).toBe(true)
      // A job is one record: a doc whose log event is missing (or the reverse) would be half a job.
      for (const e of events) expect(t.get(`k${e.message.slice(1)}`)).toBeDefined()
      await s.close()
      expect(journalFiles(dir)).toEqual([]) // applied and closed: nothing left to replay
    }
    // The kills came while DuckDB was behind at least once (else this proves nothing about the journal).
    expect(Math.max(...replayed)).toBeGreaterThan(0)
  }, 60_000)

  it('drops a torn last line (a crash mid-write was never acknowledged) and keeps the lines before it', async () => {
    const dir = tempDir()
    const path = join(dir, 'kecs.duckdb')
    const child = await execa(process.execPath, ['--import', 'tsx', 'test/fixtures/store/crash-writer.ts', path, '20'], { reject: false })
    const acked = child.stdout.split('\n').filter(Boolean).length
    const [file] = journalFiles(dir)
    appendFileSync(join(dir, file!), '0badc0de [999999,[{"op":"upsert","table":"clusters","row":["torn"')
    const s = await Store.open(path)
    const t = await new DocTable<{ n: number }>(s, 'clusters').load()
    expect(t.size).toBeGreaterThanOrEqual(acked)
    expect(t.get('torn')).toBeUndefined()
    // Writes go on after a replay, numbered past what it found.
    await t.put('after', { n: -1 })
    await s.close()
    const s2 = await Store.open(path)
    expect((await new DocTable<{ n: number }>(s2, 'clusters').load()).get('after')).toEqual({ n: -1 })
    await s2.close()
  }, 30_000)

  it('reads see acknowledged writes although DuckDB applies them behind', async () => {
    const s = await Store.open(join(tempDir(), 'kecs.duckdb'))
    for (let i = 0; i < 50; i++) {
      await s.write([{ op: 'upsert', table: 'clusters', row: [`r${i}`, '{}'] }])
      const rows = await s.query<{ n: bigint }>('SELECT count(*) AS n FROM clusters')
      expect(Number(rows[0]!.n)).toBe(i + 1)
    }
    await s.close()
  })

  it('a write the disk refuses is a retriable StoreWriteError, and nothing of it is kept', async () => {
    const dir = tempDir()
    const s = await Store.open(join(dir, 'kecs.duckdb'))
    // A value the journal cannot encode stands in for a refused append: the write is refused before it is queued.
    await expect(s.write([{ op: 'upsert', table: 'clusters', row: ['x', new Date() as never] }])).rejects.toMatchObject({ retriable: true })
    await s.write([{ op: 'upsert', table: 'clusters', row: ['y', '{}'] }])
    expect((await s.query<{ pk: string }>('SELECT pk FROM clusters')).map((r) => r.pk)).toEqual(['y'])
    await s.close()
  })

  it('empties the journal once DuckDB has everything, so it does not grow with the instance', async () => {
    const dir = tempDir()
    const s = await Store.open(join(dir, 'kecs.duckdb'))
    const big = 'x'.repeat(20_000)
    for (let round = 0; round < 3; round++) {
      await Promise.all(Array.from({ length: 100 }, (_, i) => s.write([{ op: 'upsert', table: 'clusters', row: [`b${i}`, JSON.stringify({ big, round })] }])))
      await s.flush()
    }
    const sizes = journalFiles(dir).map((f) => statSync(join(dir, f)).size)
    expect(sizes.length).toBe(1)
    expect(sizes[0]!).toBeLessThan(2 * 1024 * 1024 + 100 * 20_100)
    await s.close()
  })
})
