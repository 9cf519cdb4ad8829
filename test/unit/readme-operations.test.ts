import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { PARTIAL } from '../../scripts/operation-notes.js'
import { END, README, START, operationsTable, withOperationsTable } from '../../scripts/operations-table.js'
import { handlers } from '../../src/ecs/handlers.js'
import { operationNames } from '../../src/ecs/model/index.js'

describe("README's operations table", () => {
  const readme = readFileSync(README, 'utf8')

  it('is what `npm run docs` generates (run it after adding a handler)', () => {
    expect(readme).toContain(START)
    expect(readme).toContain(END)
    expect(withOperationsTable(readme)).toBe(readme)
  })

  it('lists all 88 operations, marked by the handler registry', () => {
    const table = operationsTable()
    const rows = table.split('\n').filter((l) => /^\| \w+ \| (implemented|partial|not yet) \|/.test(l))
    expect(rows).toHaveLength(88)
    for (const op of operationNames) {
      const status = !Object.hasOwn(handlers, op) ? 'not yet' : Object.hasOwn(PARTIAL, op) ? 'partial' : 'implemented'
      expect(rows.find((r) => r.startsWith(`| ${op} |`))).toMatch(new RegExp(`^\\| ${op} \\| ${status} \\|`))
    }
    expect(table).toContain(`${Object.keys(handlers).filter((k) => operationNames.includes(k)).length} of 88 operations answer`)
  })

  it('names what is missing for every partial operation, and only for implemented ones', () => {
    for (const [op, note] of Object.entries(PARTIAL)) {
      expect(operationNames, op).toContain(op)
      expect(Object.hasOwn(handlers, op), op).toBe(true)
      expect(note.length, op).toBeGreaterThan(10)
    }
  })

  it('replaces only what is between the markers', () => {
    const doc = `# T\n\n${START}\nold\n${END}\n\ntail\n`
    expect(withOperationsTable(doc, 'NEW')).toBe(`# T\n\n${START}\nNEW\n${END}\n\ntail\n`)
    expect(() => withOperationsTable('no markers', 'x')).toThrow(/markers/)
  })
})
