import { readFileSync, writeFileSync, mkdirSync } from 'node:fs'
import { createServer } from 'node:net'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { packageRoot } from '../../lib/package-root.js'
import { dumpYaml, loadYaml } from '@kubernetes/client-node'

/**
 * kind/cluster.yaml, shipped with the package (package.json "files") at its root: three folders up
 * from src/cluster/kind and dist/cluster/kind, found by walking up from the bundled instance.
 */
export const KIND_CONFIG_TEMPLATE = (() => {
  const root = packageRoot(import.meta.url)
  return root ? join(root, 'kind', 'cluster.yaml') : fileURLToPath(new URL('../../../kind/cluster.yaml', import.meta.url))
})()

/**
 * The Kind cluster of an instance: `kecs-<name>`. Kind names must be lowercase DNS labels (they
 * become container and host names), while instance names may hold capitals and underscores.
 */
export function kindClusterName(instanceName: string): string {
  const safe = instanceName
    .toLowerCase()
    .replace(/[^a-z0-9.-]/g, '-')
    .slice(0, 40)
  return `kecs-${safe}`
}

/** The kubeconfig context kind writes for a cluster. */
export const kindContext = (cluster: string) => `kind-${cluster}`

interface PortMapping {
  containerPort?: number
  hostPort?: number
  listenAddress?: string
  protocol?: string
}
interface KindNode {
  role?: string
  image?: string
  extraPortMappings?: PortMapping[]
  [k: string]: unknown
}
interface KindConfig {
  nodes?: KindNode[]
  [k: string]: unknown
}

export function readKindConfig(path = KIND_CONFIG_TEMPLATE): KindConfig {
  return loadYaml<KindConfig>(readFileSync(path, 'utf8'))
}

/** The node image the config pins (first node's), e.g. `kindest/node:v1.32.2@sha256:...`. */
export const nodeImage = (cfg: KindConfig): string | undefined => cfg.nodes?.find((n) => n.image)?.image

/** `kindest/node:v1.32.2` without the digest, for messages. */
export const shortImage = (image: string | undefined) => image?.replace(/@sha256:[0-9a-f]+$/, '')

/** True when nothing listens on host:port (we can bind it). */
export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer()
    srv.once('error', () => resolve(false))
    srv.listen({ port, host, exclusive: true }, () => srv.close(() => resolve(true)))
  })
}

export interface RenderedConfig {
  path: string
  image?: string
  /** Host ports left out because something already listens on them. */
  dropped: number[]
  published: number[]
}

/**
 * Writes the config `kind create` uses into the instance directory: the template, less the port
 * mappings whose host port is taken (by another instance's cluster or any program), so the create
 * does not fail with "port is already allocated".
 */
export async function renderKindConfig(o: {
  out: string
  template?: string
  isPortFree?: (port: number, host: string) => Promise<boolean>
}): Promise<RenderedConfig> {
  const cfg = readKindConfig(o.template)
  const free = o.isPortFree ?? isPortFree
  const dropped: number[] = []
  const published: number[] = []
  for (const node of cfg.nodes ?? []) {
    if (!node.extraPortMappings) continue
    const kept: PortMapping[] = []
    for (const m of node.extraPortMappings) {
      if (m.hostPort && m.hostPort > 0 && !(await free(m.hostPort, m.listenAddress ?? '0.0.0.0'))) {
        dropped.push(m.hostPort)
        continue
      }
      kept.push(m)
      if (m.hostPort) published.push(m.hostPort)
    }
    node.extraPortMappings = kept
  }
  mkdirSync(dirname(o.out), { recursive: true })
  writeFileSync(o.out, `# Rendered by KECS from ${o.template ?? KIND_CONFIG_TEMPLATE}\n${dumpYaml(cfg)}`)
  return { path: o.out, image: nodeImage(cfg), dropped, published }
}

/** `30000-30009` or `30000, 30002-30009` for messages. */
export function portRanges(ports: number[]): string {
  const s = [...ports].sort((a, b) => a - b)
  const parts: string[] = []
  for (let i = 0; i < s.length; ) {
    let j = i
    while (j + 1 < s.length && s[j + 1] === s[j]! + 1) j++
    parts.push(i === j ? `${s[i]}` : `${s[i]}-${s[j]}`)
    i = j + 1
  }
  return parts.join(', ')
}
