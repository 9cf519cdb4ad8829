import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { bundleIsFresh } from '../../src/cli/instance-module.js'
import { PrereqError } from '../../src/cluster/prereqs.js'
import { CliError } from '../../src/lib/errors.js'
import { packageRoot } from '../../src/lib/package-root.js'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const tmp = mkdtempSync(join(tmpdir(), 'kecs-startup-load-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

describe('what kecs start loads', () => {
  it('a CliError made by another copy of lib/errors (the bundled instance) is still a CliError', () => {
    class OtherCopy extends Error {}
    Object.defineProperty(OtherCopy.prototype, Symbol.for('kecs.CliError'), { value: true })
    expect(new OtherCopy('x') instanceof CliError).toBe(true)
    expect(new Error('x') instanceof CliError).toBe(false)
    expect(new CliError('x') instanceof PrereqError).toBe(false) // subclasses keep the ordinary check
  })

  it('finds the package root from any depth', () => {
    expect(packageRoot(import.meta.url)).toBe(ROOT)
    expect(packageRoot(new URL('../../src/ecs/model/index.ts', import.meta.url).href)).toBe(ROOT)
  })

  it('uses the bundle only when it is at least as new as every compiled module', () => {
    const dist = join(tmp, 'dist')
    mkdirSync(join(dist, 'bundle', 'cli'), { recursive: true })
    mkdirSync(join(dist, 'ecs'), { recursive: true })
    const bundle = join(dist, 'bundle', 'cli', 'foreground.js')
    expect(bundleIsFresh(bundle, dist)).toBe(false) // no bundle
    writeFileSync(join(dist, 'ecs', 'a.js'), '')
    writeFileSync(bundle, '')
    utimesSync(join(dist, 'ecs', 'a.js'), 1000, 1000)
    utimesSync(bundle, 2000, 2000)
    expect(bundleIsFresh(bundle, dist)).toBe(true)
    utimesSync(join(dist, 'ecs', 'a.js'), 3000, 3000) // tsc ran after the bundle was made
    expect(bundleIsFresh(bundle, dist)).toBe(false)
  })
})
