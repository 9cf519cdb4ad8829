import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const src = resolve(dirname(fileURLToPath(import.meta.url)), '../../src')

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  )
}

/** The top-level folders of src/ that a layer's modules import from (other than its own). */
function importedLayers(layer: string): Map<string, string[]> {
  const out = new Map<string, string[]>()
  for (const file of sources(join(src, layer))) {
    for (const m of readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*\(?\s*'(\.[^']+)'/g)) {
      const target = relative(src, resolve(dirname(file), m[1]!)).split('/')[0]!
      if (target === layer) continue
      out.set(target, [...(out.get(target) ?? []), relative(src, file)])
    }
  }
  return out
}

describe('layers of the ECS domain and the store', () => {
  it('src/store is generic: it imports nothing of ours but the shared kernel', () => {
    const layers = [...importedLayers('store').keys()].filter((l) => l !== 'lib')
    expect(layers).toEqual([])
  })

  it('src/ecs imports only the store, the shared kernel and the event bus (never kube, server, cli or cluster)', () => {
    const imported = importedLayers('ecs')
    const wrong = [...imported].filter(([l]) => !['store', 'lib', 'events'].includes(l))
    expect(wrong).toEqual([])
  })
})
