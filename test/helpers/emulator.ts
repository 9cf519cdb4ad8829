import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { KubeConfig } from '@kubernetes/client-node'
import { startEmulator, type Emulator, type EmulatorOptions } from '../../src/emulator/index.js'
import { Store } from '../../src/store/store.js'

export interface TestEmulator {
  emulator: Emulator
  store: Store
  dir: string
  kc: KubeConfig
  url: string
  kubeconfigPath: string
  /** Stops the emulator and closes the store; keeps the directory (for restart tests) when asked. */
  stop(opts?: { keepDir?: boolean }): Promise<void>
}

/** An emulator on a free port with its DuckDB store and kubeconfig in a temporary directory. */
export async function startTestEmulator(
  opts: Partial<Omit<EmulatorOptions, 'store' | 'dir'>> & { dir?: string } = {},
): Promise<TestEmulator> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'kecs-emulator-'))
  const store = await Store.open(join(dir, 'kecs.duckdb'))
  const emulator = await startEmulator({ port: 0, ...opts, store, dir })
  const kc = new KubeConfig()
  kc.loadFromFile(emulator.kubeconfigPath!)
  let stopped = false
  return {
    emulator,
    store,
    dir,
    kc,
    url: emulator.url,
    kubeconfigPath: emulator.kubeconfigPath!,
    async stop(o = {}) {
      if (stopped) return
      stopped = true
      await emulator.close()
      await store.close()
      if (!o.keepDir) rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** Resolves when `check` returns a truthy value, polling the in-process store (no timing assertions). */
export async function eventually<T>(check: () => T | undefined | false | Promise<T | undefined | false>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const v = await check()
    if (v) return v
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}
