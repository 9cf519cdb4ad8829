import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { OPERATIONS_FILE, operationsSource } from '../../scripts/operations-types.js'
import { operationNames } from '../../src/ecs/model/index.js'
import { OPERATION_NAMES } from '../../src/ecs/model/operations.js'

describe('the typed operations table', () => {
  it('is generated from the model and up to date (npm run operations)', () => {
    expect(readFileSync(OPERATIONS_FILE, 'utf8')).toBe(operationsSource())
  })

  it('names every operation of the model', () => {
    expect([...OPERATION_NAMES]).toEqual(operationNames)
    expect(OPERATION_NAMES).toHaveLength(88)
  })
})
