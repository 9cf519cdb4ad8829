import { CliError } from '../../lib/errors.js'
import { humanMs } from '../../lib/duration.js'
import { commandLine, tail, type Runner, type RunResult } from '../runner.js'

/**
 * The kind commands KECS runs, each turning kind's failure into one clear error that carries kind's
 * own stderr. Everything goes through the injected runner.
 */
const QUICK_MS = 30_000

/** kind prints errors as `ERROR: failed to create cluster: ...`: that line says the most. */
function kindReason(r: RunResult): string {
  const lines = tail(r.stderr, 50)
  const err = [...lines].reverse().find((l) => /^\s*ERROR:/.test(l))
  return (err ?? lines.at(-1) ?? `exit code ${r.exitCode}`).trim()
}

function failed(what: string, cmd: string, args: string[], r: RunResult, hint?: string): CliError {
  if (r.notFound) return new CliError(`${what}: the \`${cmd}\` command is not on PATH`, hint)
  return new CliError(
    `${what}: ${kindReason(r)}`,
    hint ?? `It ran \`${commandLine(cmd, args)}\`; kind's output is above.`,
    1,
    tail(r.stderr).map((l) => `kind: ${l}`),
  )
}

/** The clusters kind knows (`kind get clusters`; "No kind clusters found." goes to stderr). */
export async function listKindClusters(run: Runner): Promise<string[]> {
  const args = ['get', 'clusters']
  const r = await run('kind', args, { timeoutMs: QUICK_MS })
  if (r.exitCode !== 0) throw failed('kind could not list its clusters', 'kind', args, r, dockerHint(r))
  return r.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
}

export interface CreateOptions {
  cluster: string
  configPath: string
  /** Where kind writes the kubeconfig (keeps the user's ~/.kube/config untouched). */
  kubeconfigPath: string
  /** kind's own --wait for the control plane, e.g. `60s`. */
  wait: string
  timeoutMs: number
  image?: string
  onLine?: (line: string) => void
}

export async function createKindCluster(run: Runner, o: CreateOptions): Promise<void> {
  const args = ['create', 'cluster', '--name', o.cluster, '--config', o.configPath, '--wait', o.wait, '--kubeconfig', o.kubeconfigPath]
  // Progress lines are shown as they come; kind's error lines are left to the error, shown once.
  const progress = (l: string) => {
    if (!/^\s*(ERROR:|Command Output:|Stack Trace:)/.test(l)) o.onLine?.(l)
  }
  const r = await run('kind', args, { timeoutMs: o.timeoutMs, onLine: o.onLine ? progress : undefined })
  if (r.timedOut) {
    throw new CliError(
      `kind did not create the cluster ${o.cluster} within ${humanMs(o.timeoutMs)}`,
      `The first start downloads the node image (about 400 MB)${o.image ? `: pull it ahead with \`docker pull ${o.image}\`` : ''}, or raise --timeout. ` +
        `A half-made cluster is removed with \`kind delete cluster --name ${o.cluster}\`.`,
    )
  }
  if (r.exitCode !== 0) {
    const out = r.stderr
    let hint = `kind's output is above. Fix the cause and run kecs start again (\`kind delete cluster --name ${o.cluster}\` removes a half-made cluster).`
    if (/port is already allocated|address already in use/i.test(out)) {
      hint = `A host port in the cluster config (${o.configPath}) is taken by another program: free it and run kecs start again.`
    } else if (/node\(s\) already exist for a cluster/i.test(out)) {
      hint = `A cluster named ${o.cluster} half exists: delete it with \`kind delete cluster --name ${o.cluster}\` and start again.`
    }
    throw failed(`kind could not create the cluster ${o.cluster}`, 'kind', args, r, hint)
  }
}

/** The cluster's kubeconfig (`kind get kubeconfig --name X`), as text. */
export async function kindKubeconfig(run: Runner, cluster: string): Promise<string> {
  const args = ['get', 'kubeconfig', '--name', cluster]
  const r = await run('kind', args, { timeoutMs: QUICK_MS })
  if (r.exitCode !== 0 || r.stdout.trim() === '') throw failed(`kind could not give the kubeconfig of ${cluster}`, 'kind', args, r)
  return r.stdout
}

export async function deleteKindCluster(run: Runner, cluster: string, kubeconfigPath?: string): Promise<void> {
  const args = ['delete', 'cluster', '--name', cluster]
  if (kubeconfigPath) args.push('--kubeconfig', kubeconfigPath)
  const r = await run('kind', args, { timeoutMs: 5 * 60_000 })
  if (r.exitCode !== 0) throw failed(`kind could not delete the cluster ${cluster}`, 'kind', args, r, dockerHint(r))
}

export async function loadDockerImage(run: Runner, cluster: string, image: string): Promise<void> {
  const args = ['load', 'docker-image', image, '--name', cluster]
  const r = await run('kind', args, { timeoutMs: 15 * 60_000 })
  if (r.exitCode !== 0) {
    const hint = /not present locally/i.test(r.stderr)
      ? `Build or pull it first (\`docker build -t ${image} .\` or \`docker pull ${image}\`); \`docker images\` lists what is there.`
      : undefined
    throw failed(`kind could not load ${image} into ${cluster}`, 'kind', args, r, hint)
  }
}

/** kind fails this way when Docker is down. */
function dockerHint(r: RunResult): string | undefined {
  return /docker|Cannot connect/i.test(r.stderr) ? 'Check that Docker is running (`docker info`).' : undefined
}

/** Starts the node container of a reused cluster when Docker stopped it (after a reboot, Docker Desktop restart). */
export async function ensureNodeRunning(run: Runner, cluster: string, log: (l: string) => void): Promise<void> {
  const node = `${cluster}-control-plane`
  const r = await run('docker', ['inspect', '--format', '{{.State.Running}}', node], { timeoutMs: QUICK_MS })
  if (r.exitCode !== 0 || r.stdout.trim() !== 'false') return
  log(`The node container ${node} is stopped; starting it.`)
  const s = await run('docker', ['start', node], { timeoutMs: 2 * 60_000 })
  if (s.exitCode !== 0) {
    throw new CliError(
      `could not start the stopped Kind node ${node}: ${tail(s.stderr, 1)[0] ?? `exit code ${s.exitCode}`}`,
      `Delete the cluster and let KECS create a fresh one: kind delete cluster --name ${cluster}`,
    )
  }
}

/**
 * The address containers on the `kind` Docker network reach the host at: the network's IPv4 gateway
 * on Linux; Docker Desktop (macOS, Windows) answers host.docker.internal instead.
 */
export async function kindHostAddress(run: Runner, platform: NodeJS.Platform = process.platform): Promise<string | undefined> {
  if (platform !== 'linux') return 'host.docker.internal'
  const r = await run('docker', ['network', 'inspect', 'kind', '--format', '{{range .IPAM.Config}}{{.Gateway}} {{end}}'], { timeoutMs: QUICK_MS })
  if (r.exitCode !== 0) return undefined
  return r.stdout.split(/\s+/).find((a) => /^\d+\.\d+\.\d+\.\d+$/.test(a))
}

/** Where SDKs fetch task role credentials (`http://169.254.170.2` + AWS_CONTAINER_CREDENTIALS_RELATIVE_URI). */
export const LINK_LOCAL_ADDRESS = '169.254.170.2'
/** The nat chain KECS owns on the node: flushed and refilled on every start, so a new port replaces the old. */
export const LINK_LOCAL_CHAIN = 'KECS-LINK-LOCAL'

/**
 * The shell script run on the node (`docker exec <node> sh -c ...`): DNAT 169.254.170.2:80 to KECS, as
 * the ECS agent's iptables rule sends it to the agent on EC2. PREROUTING catches the pods' traffic,
 * OUTPUT the node's own (hostNetwork pods). Idempotent: the jumps are added once (`-C` first), the
 * chain's one rule is replaced. A host name (Docker Desktop's host.docker.internal) is resolved on the node.
 */
export function linkLocalScript(host: string, port: number): string {
  const ipv4 = /^\d+\.\d+\.\d+\.\d+$/.test(host)
  const match = `-d ${LINK_LOCAL_ADDRESS}/32 -p tcp --dport 80`
  const lines = [
    ipv4 ? `ip=${host}` : `ip=$(getent ahostsv4 ${host} | { read -r a _; echo "$a"; })`,
    `[ -n "$ip" ] || { echo "cannot resolve ${host} on the node" >&2; exit 1; }`,
    `iptables -t nat -N ${LINK_LOCAL_CHAIN} 2>/dev/null || true`,
    `iptables -t nat -F ${LINK_LOCAL_CHAIN} || exit 1`,
    `iptables -t nat -A ${LINK_LOCAL_CHAIN} ${match} -j DNAT --to-destination "$ip:${port}" || exit 1`,
    ...['PREROUTING', 'OUTPUT'].map(
      (chain) => `iptables -t nat -C ${chain} ${match} -j ${LINK_LOCAL_CHAIN} 2>/dev/null || iptables -t nat -I ${chain} 1 ${match} -j ${LINK_LOCAL_CHAIN} || exit 1`,
    ),
  ]
  return lines.join('\n')
}

/** Runs linkLocalScript on the cluster's node; a failure is an error with the node's stderr. */
export async function routeLinkLocal(run: Runner, cluster: string, endpointForPods: string): Promise<string> {
  const url = new URL(endpointForPods)
  const host = url.hostname
  if (host.startsWith('[')) throw new Error(`KECS is reached at ${host} from the pods: only IPv4 can be routed from ${LINK_LOCAL_ADDRESS}`)
  const port = Number(url.port || 80)
  const node = `${cluster}-control-plane`
  const r = await run('docker', ['exec', node, 'sh', '-c', linkLocalScript(host, port)], { timeoutMs: QUICK_MS })
  if (r.exitCode !== 0) throw new Error(`iptables on ${node} failed: ${tail(r.stderr, 1)[0] ?? `exit code ${r.exitCode}`}`)
  return `${host}:${port}`
}
