import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

type Foreground = typeof import('./foreground.js')

/**
 * True when the bundle is at least as new as every compiled module beside it: a `tsc` run after the
 * last `npm run build` makes it stale, and then the modules themselves are loaded.
 */
export function bundleIsFresh(bundle: string, distDir: string): boolean {
  if (!existsSync(bundle)) return false
  const built = statSync(bundle).mtimeMs
  for (const entry of readdirSync(distDir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.js')) continue
    const path = join(entry.parentPath ?? entry.path, entry.name)
    if (path.startsWith(join(distDir, 'bundle')) || path.startsWith(join(distDir, 'ui'))) continue
    if (statSync(path).mtimeMs > built) return false
  }
  return true
}

/**
 * What runs an instance in this process (`kecs start` in the foreground and the child of `start -d`):
 * from dist/, the one-file bundle `npm run build` makes (scripts/build-instance.mjs), which loads in a
 * fraction of the time of its ~1,600 modules; from src/ (tsx), or with KECS_BUNDLE=0, the modules.
 */
export async function loadForeground(): Promise<Foreground> {
  const bundle = new URL('../bundle/cli/foreground.js', import.meta.url)
  const distDir = fileURLToPath(new URL('..', import.meta.url))
  if (process.env.KECS_BUNDLE !== '0' && bundleIsFresh(fileURLToPath(bundle), distDir)) return (await import(bundle.href)) as Foreground
  return import('./foreground.js')
}
