import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { checkLayers } from '../../scripts/check-layers.js'

describe('layer check', () => {
  it('src/ keeps its layers', () => {
    expect(checkLayers(fileURLToPath(new URL('../../src', import.meta.url)))).toEqual([])
  })

  it('fails on an import that goes up a layer, or from the emulator into the ECS side', () => {
    const src = mkdtempSync(join(tmpdir(), 'kecs-layers-'))
    try {
      for (const d of ['ecs', 'kube', 'emulator', 'lib']) mkdirSync(join(src, d))
      writeFileSync(join(src, 'lib', 'a.ts'), 'export const a = 1\n')
      writeFileSync(join(src, 'kube', 'k.ts'), "import { a } from '../lib/a.js'\nexport const k = a\n")
      writeFileSync(join(src, 'ecs', 'e.ts'), "import { k } from '../kube/k.js'\nexport const e = k\n")
      writeFileSync(join(src, 'emulator', 'm.ts'), "export { e } from '../ecs/e.js'\nconst lazy = () => import('../kube/k.js')\n")
      expect(checkLayers(src).map((v) => `${v.file} -> ${v.imports}`).sort()).toEqual([
        'ecs/e.ts -> kube/k.js',
        'emulator/m.ts -> ecs/e.js',
        'emulator/m.ts -> kube/k.js',
      ])
    } finally {
      rmSync(src, { recursive: true, force: true })
    }
  })
})
