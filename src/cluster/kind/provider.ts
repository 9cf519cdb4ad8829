import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { formatDuration } from '../../lib/duration.js'
import { CliError } from '../../lib/errors.js'
import { checkKind, checkKindPrereqs, kindUnavailable } from '../prereqs.js'
import { checkReachable, loadKubeconfig, waitForReadyNode } from '../kube-check.js'
import type { ClusterContext, ClusterHandle, ClusterProvider } from '../providers.js'
import { defaultRunner, type Runner } from '../runner.js'
import { KIND_CONFIG_TEMPLATE, kindClusterName, kindContext, portRanges, renderKindConfig, shortImage } from './config.js'
import { createKindCluster, deleteKindCluster, ensureNodeRunning, kindHostAddress, kindKubeconfig, LINK_LOCAL_ADDRESS, listKindClusters, routeLinkLocal } from './kind-cli.js'

export interface KindProviderOptions {
  runner?: Runner
  /** The kind config template (default: the packaged kind/cluster.yaml). */
  configTemplate?: string
  /** kind's `--wait` for the control plane. */
  wait?: string
  /** Kills `kind create` after this long (the start's own --timeout usually ends sooner). */
  createTimeoutMs?: number
  /** How long the API and a Ready node may take after create / reuse. */
  readyTimeoutMs?: number
  /** Timeout of each Kubernetes API call. */
  callTimeoutMs?: number
  isPortFree?: (port: number, host: string) => Promise<boolean>
  /** For tests: the platform deciding how pods reach the host (default process.platform). */
  platform?: NodeJS.Platform
}

export const kubeconfigFile = (instanceDir: string) => join(instanceDir, 'kubeconfig')
export const renderedConfigFile = (instanceDir: string) => join(instanceDir, 'kind-cluster.yaml')

const since = (t0: number) => formatDuration(Date.now() - t0).replace(/^0s$/, '<1s')

/**
 * `--cluster kind`: a Kind cluster `kecs-<name>` on the local Docker. Created on the first start,
 * reused afterwards (seconds, not minutes); `stop()` leaves it, `deleteCluster` removes it.
 */
export function createKindProvider(o: KindProviderOptions = {}): ClusterProvider {
  const run = o.runner ?? defaultRunner
  return {
    name: 'kind',
    unavailable: () => kindUnavailable(run),

    async start(ctx: ClusterContext): Promise<ClusterHandle> {
      const cluster = kindClusterName(ctx.name)
      let t0 = Date.now()
      ctx.log('Checking Docker and kind...')
      const tools = await checkKindPrereqs(run)
      ctx.log(`Docker ${tools.dockerVersion} and kind ${tools.kindVersion} are ready (${since(t0)})`)

      mkdirSync(ctx.instanceDir, { recursive: true })
      const kubeconfigPath = kubeconfigFile(ctx.instanceDir)
      const existing = await listKindClusters(run)
      let created = false
      if (existing.includes(cluster)) {
        ctx.log(`Reusing the Kind cluster ${cluster}`)
        await ensureNodeRunning(run, cluster, ctx.log)
      } else {
        const rendered = await renderKindConfig({
          out: renderedConfigFile(ctx.instanceDir),
          template: o.configTemplate ?? KIND_CONFIG_TEMPLATE,
          isPortFree: o.isPortFree,
        })
        if (rendered.dropped.length) {
          ctx.log(
            `Warning: host ports ${portRanges(rendered.dropped)} are in use; the cluster will not publish those NodePorts on 127.0.0.1`,
          )
        }
        t0 = Date.now()
        ctx.log(
          `Creating the Kind cluster ${cluster} (node image ${shortImage(rendered.image) ?? 'kind default'}` +
            `${rendered.published.length ? `, host ports ${portRanges(rendered.published)}` : ''}); ` +
            'the first time this downloads the node image and takes a few minutes...',
        )
        await createKindCluster(run, {
          cluster,
          configPath: rendered.path,
          kubeconfigPath,
          wait: o.wait ?? '60s',
          timeoutMs: o.createTimeoutMs ?? 15 * 60_000,
          image: rendered.image,
          onLine: (l) => ctx.log(`  kind: ${l.trim()}`),
        })
        created = true
        ctx.log(`Created the Kind cluster ${cluster} in ${since(t0)}`)
      }

      // Fetched on every start: the API server's host port changes when Docker restarts the node.
      const kubeconfig = await kindKubeconfig(run, cluster)
      writeFileSync(kubeconfigPath, kubeconfig, { mode: 0o600 })
      chmodSync(kubeconfigPath, 0o600) // it holds the cluster's admin key; kind may have created it 0644

      t0 = Date.now()
      const target = loadKubeconfig({ path: kubeconfigPath, what: `the kubeconfig kind gave for ${cluster}` })
      const readyMs = o.readyTimeoutMs ?? 60_000
      let version: string
      let nodes: string[]
      try {
        version = await checkReachable(target, o.callTimeoutMs)
        nodes = await waitForReadyNode(target, { timeoutMs: readyMs, callTimeoutMs: o.callTimeoutMs })
      } catch (e) {
        throw new CliError(
          `the Kind cluster ${cluster} is not usable: ${(e as Error).message}`,
          `Look at it with \`kubectl --kubeconfig ${kubeconfigPath} get nodes\`; \`kecs stop --delete-cluster${ctx.name === 'default' ? '' : ` --name ${ctx.name}`}\` ` +
            'deletes it so the next start creates a fresh one.',
        )
      }
      ctx.log(`Kubernetes ${version} answers at ${target.server}; node ${nodes.join(', ')} is Ready (${since(t0)})`)
      ctx.log(`kubectl: kubectl --kubeconfig ${kubeconfigPath} get pods -A`)

      const platform = o.platform ?? process.platform
      const hostForPods = await kindHostAddress(run, platform)
      return {
        kubeconfigPath,
        // Kind ships a default StorageClass (local-path)
        persistentVolumes: true,
        describe: `Kind cluster ${cluster} (Kubernetes ${version}, ${created ? 'created' : 'reused'}; context ${target.context})`,
        endpointForPods: (endpoint) => podEndpoint(endpoint, hostForPods, platform, ctx.log),
        // Set again on every start (the node's rules are lost when Docker restarts it, and the port may differ).
        routeLinkLocal: async (endpointForPods) =>
          `pods reach task credentials at ${LINK_LOCAL_ADDRESS}:80 → ${await routeLinkLocal(run, cluster, endpointForPods)}`,
        // The cluster stays for a fast restart; `kecs stop --delete-cluster` removes it.
        stop: async () => {},
      }
    },

    async deleteCluster(ctx: ClusterContext): Promise<void> {
      const cluster = kindClusterName(ctx.name)
      await checkKind(run)
      const existing = await listKindClusters(run)
      if (!existing.includes(cluster)) {
        ctx.log(`There is no Kind cluster ${cluster}: nothing to delete.`)
      } else {
        const t0 = Date.now()
        ctx.log(`Deleting the Kind cluster ${cluster}...`)
        await deleteKindCluster(run, cluster, kubeconfigFile(ctx.instanceDir))
        ctx.log(`Deleted the Kind cluster ${cluster} (${since(t0)})`)
      }
      rmSync(kubeconfigFile(ctx.instanceDir), { force: true })
      rmSync(renderedConfigFile(ctx.instanceDir), { force: true })
    },
  }
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]'])
const ANY = new Set(['0.0.0.0', '::', '[::]'])

/**
 * KECS's address as pods in the Kind node container see it: 127.0.0.1 there is the pod itself, so
 * a loopback or wildcard listen address becomes the host's address on the kind network. On Linux a
 * loopback-only listener is not reachable from containers at all: say so once, with the fix.
 */
export function podEndpoint(endpoint: string, hostForPods: string | undefined, platform: NodeJS.Platform, log: (l: string) => void): string {
  const url = new URL(endpoint)
  const host = url.hostname
  if (!hostForPods || !(LOOPBACK.has(host) || ANY.has(host))) return endpoint
  url.hostname = hostForPods
  const forPods = url.toString().replace(/\/$/, '')
  if (platform === 'linux' && LOOPBACK.has(host)) {
    log(
      `Note: containers in the Kind cluster reach KECS at ${forPods}, but KECS listens on ${host} only, so tasks that call ` +
        `the ECS API or the task metadata endpoint cannot reach it. Start KECS with --host ${hostForPods} (or --host 0.0.0.0) for that.`,
    )
  }
  return forPods
}

export { kindClusterName, kindContext }

/** The provider `kecs start --cluster kind` uses (real docker and kind through execa). */
export const kindProvider = createKindProvider()
