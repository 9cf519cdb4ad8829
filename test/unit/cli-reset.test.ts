import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { resetInstance, resetSummary } from '../../src/cli/reset.js'
import { CliError } from '../../src/lib/errors.js'

const home = mkdtempSync(join(tmpdir(), 'kecs-reset-home-'))
afterAll(() => rmSync(home, { recursive: true, force: true }))

describe('kecs reset output', () => {
  it('sums up what went, kinds in order, underscores as spaces', () => {
    expect(resetSummary('default', { reset: true, ms: 42, removed: { tasks: 5, clusters: 2, task_definitions: 3, namespaces: 2 } })).toBe(
      'Reset KECS "default" in 42 ms: removed 12 (2 clusters, 2 namespaces, 3 task definitions, 5 tasks)',
    )
  })

  it('says so when there was nothing', () => {
    expect(resetSummary('ci', { reset: true, ms: 3, removed: {} })).toBe('Reset KECS "ci" in 3 ms: it was already empty')
  })

  it('an instance that is not running is the CLI error other commands give', async () => {
    const err = await resetInstance('nothere', home).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(CliError)
    expect((err as CliError).message).toBe('KECS "nothere" is not running')
    expect((err as CliError).hint).toBe('Start it with: kecs start -d --name nothere')
  })
})
