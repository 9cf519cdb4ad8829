import { readFileSync } from 'node:fs'

/** This KECS's version, from package.json (two levels up from both src/lib and dist/lib). */
export const KECS_VERSION: string = (() => {
  try {
    return String(JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version ?? 'unknown')
  } catch {
    return 'unknown'
  }
})()
