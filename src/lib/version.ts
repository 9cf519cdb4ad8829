import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { packageRoot } from './package-root.js'

/** This KECS's version, from package.json (the package's root: two levels up from src/lib and dist/lib). */
export const KECS_VERSION: string = (() => {
  try {
    const root = packageRoot(import.meta.url)
    const file = root ? join(root, 'package.json') : new URL('../../package.json', import.meta.url)
    return String(JSON.parse(readFileSync(file, 'utf8')).version ?? 'unknown')
  } catch {
    return 'unknown'
  }
})()
