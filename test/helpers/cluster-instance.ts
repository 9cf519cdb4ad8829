import { CoreV1Api, KubeConfig } from '@kubernetes/client-node'
import { emulatedProvider } from '../../src/cluster/emulated.js'
import type { InstanceOptions } from '../../src/instance/instance.js'
import type { KubeParts } from '../../src/instance/kube.js'
import { startTestInstance, type TestInstance } from './instance.js'

/**
 * An in-process KECS instance on the emulated cluster, wired exactly as `kecs start --cluster emulated`
 * wires it (src/instance): the emulator runs on the instance's own store, its kubeconfig in the
 * instance directory.
 */
export interface ClusterInstance extends TestInstance {
  /** The emulated cluster as a client sees it. */
  emu: { kc: KubeConfig; url: string; kubeconfigPath: string }
  kube: KubeParts
  core: CoreV1Api
  /** Stops the instance; keeps its directory when asked (restart tests). */
  stopAll(opts?: { keepDirs?: boolean }): Promise<void>
}

export async function startClusterInstance(
  o: { dir?: string; speed?: number } & Partial<Pick<InstanceOptions, 'hostPorts' | 'stoppedTaskRetentionMs' | 'log' | 'secretResolver' | 'injectEndpoint'>> = {},
): Promise<ClusterInstance> {
  const { dir, speed, ...rest } = o
  const t = await startTestInstance({
    ...(dir ? { dir } : {}),
    ...rest,
    cluster: { provider: emulatedProvider, emulatorSpeed: speed ?? 10 },
  })
  const kubeconfigPath = t.instance.cluster!.kubeconfigPath!
  const kc = new KubeConfig()
  kc.loadFromFile(kubeconfigPath)
  return {
    ...t,
    emu: { kc, url: kc.getCurrentCluster()!.server, kubeconfigPath },
    // A getter: after a reset the instance has fresh controllers.
    get kube() {
      return t.instance.kube!
    },
    core: kc.makeApiClient(CoreV1Api),
    async stopAll(opts = {}) {
      if (opts.keepDirs) {
        t.ecs.destroy()
        await t.instance.close()
      }
      else await t.stop()
    },
  }
}
