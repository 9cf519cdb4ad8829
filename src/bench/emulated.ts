import type { Emulator } from '../emulator/index.js'
import type { BenchContext } from './types.js'

export type { Emulator }

/** The emulator of a suite that declares `cluster: 'emulated'` (its instance runs on it). */
export async function withEmulatedCluster<T>(ctx: BenchContext, fn: (emu: Emulator) => Promise<T>): Promise<T> {
  const emu = ctx.instance.cluster?.emulator
  if (!emu) throw new Error('this suite needs `cluster: "emulated"`')
  return fn(emu)
}
