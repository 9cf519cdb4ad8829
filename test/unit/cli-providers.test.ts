import { describe, expect, it } from 'vitest'
import { CliError } from '../../src/cli/errors.js'
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
  it('auto runs without a cluster when no provider is usable, and says why', async () => {
    const r = await resolveProvider('auto')
    expect(r.provider).toBe(noCluster)
    expect(r.note).toMatch(/kind: not available yet/)
    expect(r.note).toMatch(/emulated: not available yet/)
    expect(r.note).toMatch(/without a cluster/)
  })

  it('says plainly that a named provider is not available yet', async () => {
    for (const name of ['kind', 'existing', 'emulated']) {
      const err = await resolveProvider(name).catch((e) => e)
      expect(err).toBeInstanceOf(CliError)
      expect(err.message).toBe(`the "${name}" cluster provider is not available yet in this version of KECS`)
      expect(err.hint).toMatch(/--cluster auto/)
    }
    await expect(resolveProvider('minikube')).rejects.toThrow(/unknown cluster provider/)
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
    expect(getProvider('emulated')).toBeUndefined()
    expect(getProvider('none')).toBe(noCluster)
  })
})
