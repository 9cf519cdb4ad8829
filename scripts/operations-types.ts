/**
 * Generates src/ecs/model/operations.ts: every operation of the ECS model with its input and output
 * types from `@aws-sdk/client-ecs`, so the compiler checks each handler against its operation.
 * `npm run operations` rewrites it; test/unit/model-operations.test.ts fails when it is out of date.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { operationNames } from '../src/ecs/model/index.js'

export const OPERATIONS_FILE = fileURLToPath(new URL('../src/ecs/model/operations.ts', import.meta.url))

export function operationsSource(names: string[] = operationNames): string {
  const rows = names.map((n) => `  ${n}: { input: Sdk.${n}CommandInput; output: Sdk.${n}CommandOutput }`)
  const list = names.map((n) => `  '${n}',`)
  return [
    '// Generated from the ECS model by scripts/operations-types.ts (`npm run operations`); do not edit.',
    "import type * as Sdk from '@aws-sdk/client-ecs'",
    '',
    '/** The operations of the ECS model, each with its request and response types from the SDK. */',
    'export interface EcsOperations {',
    ...rows,
    '}',
    '',
    'export type OperationName = keyof EcsOperations',
    '',
    `/** The ${names.length} operation names, sorted by name. */`,
    'export const OPERATION_NAMES = [',
    ...list,
    '] as const satisfies readonly OperationName[]',
    '',
  ].join('\n')
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const before = readFileSync(OPERATIONS_FILE, { encoding: 'utf8', flag: 'a+' })
  const after = operationsSource()
  if (after !== before) writeFileSync(OPERATIONS_FILE, after)
  console.log(after !== before ? 'src/ecs/model/operations.ts: updated' : 'src/ecs/model/operations.ts: already up to date')
}
