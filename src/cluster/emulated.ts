import type { ClusterProvider } from './providers.js'

/**
 * The emulated cluster: the built-in Kubernetes API (src/emulator) in this process, its objects in the
 * instance's own store so they survive a restart. Always usable: it needs no Docker.
 * `KECS_EMULATOR_SPEED` scales every simulated delay (2 = twice as fast).
 */
export const emulatedProvider: ClusterProvider = {
  name: 'emulated',
  async start(ctx) {
    if (!ctx.store) throw new Error('the emulated cluster needs the instance store')
    const raw = ctx.emulatorSpeed ?? Number(process.env.KECS_EMULATOR_SPEED)
    const speed = Number.isFinite(raw) && raw > 0 ? raw : undefined
    // Loaded here, not at import: only the process that runs the cluster needs the emulator.
    const { startEmulator } = await import('../emulator/index.js')
    const emu = await startEmulator({
      store: ctx.store,
      dir: ctx.instanceDir,
      port: 0,
      clock: ctx.timers,
      speed,
    })
    return {
      kubeconfigPath: emu.kubeconfigPath,
      describe: `emulated Kubernetes API at ${emu.url} (kubectl --kubeconfig ${emu.kubeconfigPath})`,
      stop: () => emu.close(),
      emulator: emu,
      ...(speed ? { timeScale: speed } : {}),
    }
  },
}
