import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/**
 * Every test run gets its own temporary folder (TMPDIR, inherited by the test workers and the processes
 * they start), removed when the run ends: restart tests keep directories between stops, and a crashed
 * or killed worker cannot clean up after itself.
 */
export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'kecs-test-run-'))
  process.env.TMPDIR = dir
  return () => rmSync(dir, { recursive: true, force: true })
}
