import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const roots = new Map<string, string | undefined>()

/**
 * The KECS package's own folder (where package.json names "kecs"), found by walking up from a module's
 * URL: the same answer from src/ (tsx), dist/ and the bundled instance in dist/bundle/, whose modules sit
 * at other depths. Undefined when there is none (the caller keeps its own candidates).
 */
export function packageRoot(moduleUrl: string): string | undefined {
  const start = dirname(fileURLToPath(moduleUrl))
  if (roots.has(start)) return roots.get(start)
  let dir = start
  let found: string | undefined
  for (;;) {
    const pkg = join(dir, 'package.json')
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'kecs') {
          found = dir
          break
        }
      } catch {
        /* not ours */
      }
    }
    const up = dirname(dir)
    if (up === dir) break
    dir = up
  }
  roots.set(start, found)
  return found
}
