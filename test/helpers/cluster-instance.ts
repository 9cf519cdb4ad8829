import { CoreV1Api } from '@kubernetes/client-node'
import { attachKube, type AttachKubeOptions, type KubeAttachment } from '../../src/kube/attach.js'
import { startTestEmulator, type TestEmulator } from './emulator.js'
import { startTestInstance, type TestInstance } from './instance.js'

/**
 * An in-process KECS instance attached to an emulated cluster, the way `kecs start --cluster emulated`
 * wires them: the emulator (its own store and kubeconfig in a temporary directory), the instance, and
 * attachKube over the kubeconfig.
 */
export interface ClusterInstance extends TestInstance {
  emu: TestEmulator
  kube: KubeAttachment
  core: CoreV1Api
  /** Stops all three; keeps the directories when asked (restart tests). */
  stopAll(opts?: { keepDirs?: boolean }): Promise<void>
}

export async function startClusterInstance(
  o: { dir?: string; emulatorDir?: string; speed?: number; attach?: Partial<AttachKubeOptions> } = {},
): Promise<ClusterInstance> {
  const emu = await startTestEmulator({ dir: o.emulatorDir, speed: o.speed ?? 10 })
  let t: TestInstance | undefined
  try {
    t = await startTestInstance(o.dir ? { dir: o.dir } : {})
    const kube = await attachKube(t.instance.deps, { kubeconfigPath: emu.kubeconfigPath, ecsEndpoint: t.endpoint, ...o.attach })
    const inst = t
    return {
      ...inst,
      emu,
      kube,
      core: emu.kc.makeApiClient(CoreV1Api),
      async stopAll(opts = {}) {
        await kube.stop()
        await inst.stop()
        await emu.stop({ keepDir: opts.keepDirs })
      },
    }
  } catch (e) {
    await t?.stop()
    await emu.stop()
    throw e
  }
}
