import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, normalize, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * The layers of src/ (docs/architecture.md): each top-level folder may import only the folders
 * listed for it (and itself). `npm test` runs this; an import that breaks a layer fails it.
 */
export const LAYERS: Record<string, string[]> = {
  commands: ['cli', 'instance', 'server', 'kube', 'cluster', 'aws', 'ecs', 'events', 'store', 'lib'],
  bench: ['instance', 'cluster', 'emulator', 'server', 'kube', 'aws', 'ecs', 'events', 'store', 'lib'],
  cli: ['instance', 'server', 'kube', 'cluster', 'aws', 'ecs', 'events', 'store', 'lib'],
  instance: ['server', 'kube', 'cluster', 'aws', 'ecs', 'events', 'store', 'lib'],
  server: ['aws', 'ecs', 'events', 'store', 'lib'],
  kube: ['aws', 'ecs', 'events', 'store', 'lib'],
  // The neighbour AWS services (SSM, Secrets Manager, CloudWatch Logs, STS, IAM): beside ecs, never inside it.
  aws: ['store', 'lib'],
  cluster: ['emulator', 'ecs', 'events', 'store', 'lib'],
  ecs: ['events', 'store', 'lib'],
  events: ['lib'],
  emulator: ['store', 'lib'],
  store: ['lib'],
  lib: [],
  ui: [],
}

export interface Violation {
  file: string
  imports: string
  rule: string
}

const IMPORT = /(?:^|\s)(?:import|export)\s[^'"]*?from\s*['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g

function* sources(dir: string): Generator<string> {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name)
    if (e.isDirectory()) yield* sources(p)
    else if (/\.(ts|tsx)$/.test(e.name) && !e.name.endsWith('.d.ts')) yield p
  }
}

/** Every import under `srcDir` that goes to a folder its layer may not use. */
export function checkLayers(srcDir: string): Violation[] {
  const out: Violation[] = []
  for (const file of sources(srcDir)) {
    const from = relative(srcDir, file).split(sep)[0]!
    const allowed = LAYERS[from]
    const text = readFileSync(file, 'utf8')
    for (const m of text.matchAll(IMPORT)) {
      const spec = m[1] ?? m[2]!
      const target = relative(srcDir, normalize(join(dirname(file), spec)))
      const to = target.split(sep)[0]!
      if (to === from || target.startsWith('..')) continue
      if (!allowed) out.push({ file: relative(srcDir, file), imports: target, rule: `src/${from} is not a known layer` })
      else if (!allowed.includes(to)) {
        out.push({ file: relative(srcDir, file), imports: target, rule: `src/${from} may import only ${allowed.join(', ') || 'nothing of ours'}` })
      }
    }
  }
  return out
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const src = join(dirname(fileURLToPath(import.meta.url)), '..', 'src')
  const bad = checkLayers(src)
  for (const v of bad) console.error(`src/${v.file} imports src/${v.imports}: ${v.rule}`)
  if (bad.length) {
    console.error(`${bad.length} import(s) break the layers (docs/architecture.md)`)
    process.exit(1)
  }
  console.log('layers: ok')
}
