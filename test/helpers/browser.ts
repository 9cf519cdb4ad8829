import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT } from './cli.js'

/** Debian's chromium (or CHROMIUM_PATH): the browser the UI tests drive through playwright-core. */
export function chromiumPath(): string | undefined {
  return [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p): p is string => !!p && existsSync(p))
}

/** Where the UI tests write their screenshots (gitignored). */
export function artifactsDir(): string {
  const dir = join(ROOT, 'test-artifacts', 'ui')
  mkdirSync(dir, { recursive: true })
  return dir
}
