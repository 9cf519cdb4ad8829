import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect } from 'vitest'
import { admitForCreate, kubeObjectsIn } from '../../src/emulator/store/validation/admission.js'
import type { TaskDefinitionDoc } from '../../src/ecs/task-definitions/task-definition-doc.js'
import { unknownFields } from '../../src/emulator/store/validation/unknown-fields.js'

/**
 * Golden files for the converters: test/fixtures/convert/<name>.json holds the whole output of one
 * conversion. `UPDATE_GOLDEN=1 npx vitest run test/unit/convert-` rewrites them; review the diff.
 * Every Kubernetes object in a golden output must be one a real API server accepts (upstream schema
 * and the API server's rules, as the emulator checks them) and keeps whole (no undeclared field).
 */
const root = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'convert')

export function expectGolden(name: string, value: unknown): void {
  const file = join(root, `${name}.json`)
  const actual = JSON.parse(JSON.stringify(value)) as unknown
  expectAdmitted(name, actual)
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(dirname(file), { recursive: true })
    writeFileSync(file, `${JSON.stringify(actual, null, 2)}\n`)
    return
  }
  if (!existsSync(file)) throw new Error(`golden file ${file} is missing: run with UPDATE_GOLDEN=1 and review it`)
  expect(actual).toEqual(JSON.parse(readFileSync(file, 'utf8')))
}

/** Fails with the API server's answer for each object in `value` that a real cluster would refuse. */
export function expectAdmitted(name: string, value: unknown): void {
  const refused: string[] = []
  for (const { path, object } of kubeObjectsIn(value)) {
    try {
      admitForCreate(object)
    } catch (e) {
      refused.push(`${name} ${path} (${object.kind}): ${(e as Error).message}`)
    }
    for (const f of unknownFields(object)) refused.push(`${name} ${path} (${object.kind}): unknown field "${f}"`)
  }
  if (refused.length) throw new Error(`a real API server would refuse or drop:\n${refused.join('\n')}`)
}

export const ACCOUNT = '000000000000'
export const REGION = 'us-east-1'
export const TASK_ID = '0123456789abcdef0123456789abcdef'

export const ctx = {
  clusterName: 'default',
  clusterArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/default`,
  region: REGION,
  account: ACCOUNT,
  ecsEndpoint: 'http://kecs.example:8080',
  awsEndpoint: 'http://kecs.example:8080',
  metadataEndpoint: 'http://kecs.example:8090',
}

/** A registered task definition with one container `app`, and the fields of a row merged in. */
export function taskDef(
  container: Record<string, unknown> = {},
  task: Record<string, unknown> = {},
  more: Record<string, unknown>[] = [],
): TaskDefinitionDoc {
  return {
    family: 'web',
    revision: 3,
    taskDefinitionArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/web:3`,
    status: 'ACTIVE',
    containerDefinitions: [{ name: 'app', image: 'nginx:1.27', essential: true, ...container }, ...more],
    ...task,
  } as TaskDefinitionDoc
}
