import { describe, expect, it } from 'vitest'
import { CliError } from '../../src/lib/errors.js'
import { emulatedProvider } from '../../src/cluster/emulated.js'
import {
  getProvider,
  noCluster,
  registerProvider,
  resolveProvider,
  type ClusterProvider,
} from '../../src/cluster/providers.js'

const fake = (name: string, unavailable?: string): ClusterProvider => ({
  name,
  unavailable: async () => unavailable,
  async start() {
    return { describe: `fake ${name}`, async stop() {} }
  },
})

describe('cluster providers', () => {
  it('auto falls back to the emulated cluster when kind is not usable, and says why', async () => {
    const undoKind = registerProvider(fake('kind', 'docker is not installed'))
    try {
      const r = await resolveProvider('auto')
      expect(r.provider).toBe(emulatedProvider)
      expect(r.note).toMatch(/kind: docker is not installed/)
    } finally {
      undoKind()
    }
  })

  it('runs without a cluster only when no provider is usable, and says so', async () => {
    const undo = [registerProvider(fake('kind', 'no docker')), registerProvider(fake('emulated', 'switched off'))]
    try {
      const r = await resolveProvider('auto')
      expect(r.provider).toBe(noCluster)
      expect(r.note).toMatch(/without a cluster/)
    } finally {
      undo.forEach((u) => u())
    }
  })

  it('refuses an unknown provider name', async () => {
    const err = await resolveProvider('minikube').catch((e) => e)
    expect(err).toBeInstanceOf(CliError)
    expect(err.message).toMatch(/unknown cluster provider "minikube"/)
  })

  it('uses a registered provider: auto prefers kind, then emulated, skipping unusable ones', async () => {
    const undoEmulated = registerProvider(fake('emulated'))
    try {
      expect((await resolveProvider('auto')).provider.name).toBe('emulated')
      expect((await resolveProvider('emulated')).provider.name).toBe('emulated')
      const undoKind = registerProvider(fake('kind', 'docker is not running'))
      try {
        const r = await resolveProvider('auto')
        expect(r.provider.name).toBe('emulated')
        expect(r.note).toMatch(/emulated/)
        await expect(resolveProvider('kind')).rejects.toThrow('cannot use --cluster kind: docker is not running')
      } finally {
        undoKind()
      }
    } finally {
      undoEmulated()
    }
    expect(getProvider('emulated')).toBe(emulatedProvider) // the built-in one is back
    expect(getProvider('none')).toBe(noCluster)
  })
})
