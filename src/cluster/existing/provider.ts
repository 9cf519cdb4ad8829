import { chmodSync, mkdirSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { formatDuration } from '../../lib/duration.js'
import { CliError } from '../../lib/errors.js'
import { CALL_TIMEOUT_MS, checkReachable, loadKubeconfig } from '../kube-check.js'
import type { ClusterContext, ClusterHandle, ClusterProvider } from '../providers.js'
import { checkPermissions, permissionName, REQUIRED_PERMISSIONS, type Permission } from './permissions.js'

export interface ExistingProviderOptions {
  /** Timeout of each Kubernetes API call (reachability, permission checks). */
  callTimeoutMs?: number
  permissions?: Permission[]
}

const since = (t0: number) => formatDuration(Date.now() - t0).replace(/^0s$/, '<1s')

/**
 * `--cluster existing`: any cluster a kubeconfig reaches (a team cluster, EKS, k3s). Before KECS
 * serves, the API must answer and the user must hold the permissions KECS uses; KECS never deletes
 * such a cluster.
 */
export function createExistingProvider(o: ExistingProviderOptions = {}): ClusterProvider {
  const callMs = o.callTimeoutMs ?? CALL_TIMEOUT_MS
  return {
    name: 'existing',

    async start(ctx: ClusterContext): Promise<ClusterHandle> {
      const path = ctx.kubeconfig !== undefined ? resolve(ctx.kubeconfig) : undefined
      const target = loadKubeconfig({ path, context: ctx.context })
      const where = `${target.server} (context ${target.context}${path ? ` in ${path}` : ''})`
      const fix = `Check that the cluster runs and that \`kubectl${path ? ` --kubeconfig ${path}` : ''} --context ${target.context} get ns\` works, or pass another --kubeconfig/--context.`
      const t0 = Date.now()
      ctx.log(`Checking the cluster at ${where}...`)
      let version: string
      try {
        version = await checkReachable(target, callMs)
      } catch (e) {
        throw new CliError(`cannot use the existing cluster: ${(e as Error).message}`, fix)
      }
      let report
      try {
        report = await checkPermissions(target, o.permissions ?? REQUIRED_PERMISSIONS, callMs)
      } catch (e) {
        throw new CliError(`cannot use the existing cluster: ${(e as Error).message}`, fix)
      }
      if (!report.checked) {
        ctx.log(`Warning: ${report.reason}, so KECS could not check its permissions in advance; requests will fail if some are missing.`)
      } else if (report.missing.length) {
        const names = report.missing.map(permissionName)
        throw new CliError(
          `the kubeconfig's user lacks permissions KECS needs on ${target.server}: ${names.join(', ')}`,
          `Grant them (a ClusterRole with these verbs, bound to the user; \`kubectl auth can-i ${names[0]}\` checks one), or use another --context.`,
        )
      } else {
        ctx.log(`The user may create, list and watch namespaces, pods, deployments, services and events`)
      }
      ctx.log(`Kubernetes ${version} answers at ${target.server} (${since(t0)})`)

      // The instance's kubeconfig must select the chosen context on its own (`kubectl --kubeconfig`).
      let kubeconfigPath = path
      if (!path || ctx.context !== undefined) {
        mkdirSync(ctx.instanceDir, { recursive: true })
        kubeconfigPath = join(ctx.instanceDir, 'kubeconfig')
        writeFileSync(kubeconfigPath, target.kc.exportConfig() + '\n', { mode: 0o600 })
        chmodSync(kubeconfigPath, 0o600)
      }
      return {
        kubeconfigPath,
        // assumed to have a default StorageClass, as managed clusters and Kind do
        persistentVolumes: true,
        describe: `existing cluster ${where}, Kubernetes ${version}`,
        // Not ours: stopping KECS leaves the cluster, and there is no deleteCluster.
        stop: async () => {},
      }
    },
  }
}

/** The provider `kecs start --cluster existing` uses. */
export const existingProvider = createExistingProvider()
