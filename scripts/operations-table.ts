/**
 * Generates the README's operations table: every operation of the ECS model, marked implemented when
 * src/ecs/handlers.ts registers a handler for it. `npm run docs` rewrites README.md between the
 * markers; test/unit/readme-operations.test.ts fails when the README is out of date.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { handlers } from '../src/ecs/handlers.js'
import { operationNames } from '../src/ecs/model/index.js'
import { PARTIAL } from './operation-notes.js'

export const START = '<!-- operations:start -->'
export const END = '<!-- operations:end -->'
export const README = fileURLToPath(new URL('../README.md', import.meta.url))

/** implemented, partial (with what is missing, from operation-notes.ts) or not yet, for one operation. */
export function operationStatus(name: string, implemented: object = handlers, partial: Record<string, string> = PARTIAL): [string, string] {
  if (!Object.hasOwn(implemented, name)) return ['not yet', 'answers `UnsupportedFeatureException`']
  return Object.hasOwn(partial, name) ? ['partial', partial[name]!] : ['implemented', '']
}

export function operationsTable(names: string[] = operationNames, implemented: object = handlers, partial: Record<string, string> = PARTIAL): string {
  const status = names.map((n) => [n, ...operationStatus(n, implemented, partial)] as const)
  const count = (s: string) => status.filter(([, st]) => st === s).length
  const rows = status.map(([n, st, note]) => `| ${n} | ${st} | ${note} |`)
  return [
    `${count('implemented') + count('partial')} of ${names.length} operations answer with ECS's behaviour (${count('partial')} of them partial, with what is missing); ${count('not yet')} answer \`UnsupportedFeatureException\`.`,
    '',
    '| Operation | Status | What is missing |',
    '| --- | --- | --- |',
    ...rows,
  ].join('\n')
}

/** The README text with the table between the markers replaced. */
export function withOperationsTable(readme: string, table = operationsTable()): string {
  const start = readme.indexOf(START)
  const end = readme.indexOf(END)
  if (start < 0 || end < start) throw new Error(`README.md needs the markers ${START} and ${END}`)
  return `${readme.slice(0, start + START.length)}\n${table}\n${readme.slice(end)}`
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const before = readFileSync(README, 'utf8')
  const after = withOperationsTable(before)
  if (after !== before) writeFileSync(README, after)
  console.log(after !== before ? 'README.md: operations table updated' : 'README.md: operations table already up to date')
}
