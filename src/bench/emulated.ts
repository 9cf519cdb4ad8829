import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startEmulator } from '../emulator/index.js'
import { attachKube } from '../kube/attach.js'
import type { BenchContext } from './types.js'

export type Emulator = Awaited<ReturnType<typeof startEmulator>>

/**
 * Runs `fn` with the bench instance attached to an emulator on its own store, as `kecs start
 * --cluster emulated` does; detaches, closes the emulator and removes its directory afterwards.
 */
export async function withEmulatedCluster<T>(ctx: BenchContext, fn: (emu: Emulator) => Promise<T>, prefix = 'kecs-bench-emu-'): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  const emu = await startEmulator({ store: ctx.instance.repos.store, dir, port: 0 })
  let kube: Awaited<ReturnType<typeof attachKube>> | undefined
  try {
    kube = await attachKube(ctx.instance.deps, { kubeconfigPath: emu.kubeconfigPath!, ecsEndpoint: ctx.endpoint })
    return await fn(emu)
  } finally {
    await kube?.stop()
    await emu.close()
    rmSync(dir, { recursive: true, force: true })
  }
}
