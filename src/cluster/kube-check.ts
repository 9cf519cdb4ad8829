import { existsSync } from 'node:fs'
import {
  ApiException,
  CoreV1Api,
  KubeConfig,
  Observable,
  VersionApi,
  type ConfigurationOptions,
  type V1Node,
} from '@kubernetes/client-node'
import { humanMs } from '../lib/duration.js'
import { CliError } from '../lib/errors.js'

/**
 * Checks a cluster before KECS serves on it: the API answers, a node is Ready. Every call has a
 * short timeout, so an unreachable API is a clear error, never a hang (client-node has none itself).
 */
export const CALL_TIMEOUT_MS = 5_000

export interface KubeTarget {
  kc: KubeConfig
  /** The API server URL of the chosen context. */
  server: string
  context: string
}

/** Loads a kubeconfig file (or the default one: KUBECONFIG, ~/.kube/config) and picks the context. */
export function loadKubeconfig(opts: { path?: string; context?: string; what?: string }): KubeTarget {
  const kc = new KubeConfig()
  const what = opts.what ?? 'kubeconfig'
  if (opts.path !== undefined) {
    if (!existsSync(opts.path)) throw new CliError(`${what} ${opts.path} does not exist`, 'Pass the path of a kubeconfig file with --kubeconfig.')
    try {
      kc.loadFromFile(opts.path)
    } catch (e) {
      throw new CliError(`${what} ${opts.path} cannot be read: ${firstLine(e)}`, 'Check that it is a valid kubeconfig (kubectl --kubeconfig <path> config view).')
    }
  } else {
    try {
      kc.loadFromDefault()
    } catch (e) {
      throw new CliError(`the default kubeconfig cannot be read: ${firstLine(e)}`, 'Pass one with --kubeconfig <path>.')
    }
  }
  const source = opts.path ?? 'the default kubeconfig'
  if (opts.context !== undefined) {
    if (!kc.getContextObject(opts.context)) {
      const have = kc.getContexts().map((c) => c.name)
      throw new CliError(
        `context "${opts.context}" is not in ${source}`,
        have.length ? `Contexts there: ${have.join(', ')}.` : 'It has no contexts.',
      )
    }
    kc.setCurrentContext(opts.context)
  }
  const context = kc.getCurrentContext()
  const cluster = kc.getCurrentCluster()
  if (!context || !cluster) {
    throw new CliError(`${source} has no current context or cluster`, 'Choose one with --context <name>.')
  }
  return { kc, server: cluster.server, context }
}

/**
 * Per-call options that abort the request after `ms`. The generated clients take an optional second
 * argument of ConfigurationOptions; this middleware sets the fetch signal.
 */
export function withCallTimeout(ms: number): ConfigurationOptions {
  return {
    middleware: [
      {
        pre: (ctx) => {
          ctx.setSignal(AbortSignal.timeout(ms) as never)
          return new Observable(Promise.resolve(ctx))
        },
        post: (res) => new Observable(Promise.resolve(res)),
      },
    ],
    middlewareMergeStrategy: 'append',
  }
}

/**
 * The signal bounds the HTTP request; this bounds everything around it too (an exec credential
 * plugin, DNS), a little later so the signal's clearer error usually wins.
 */
export function bounded<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error('timed out'), { name: 'TimeoutError' })), ms + 1000)
  })
  return Promise.race([p, late]).finally(() => clearTimeout(timer))
}

/** One line saying why a call to the API failed, for people (connection refused, timeout, 401...). */
export function explainKubeError(e: unknown, server: string, timeoutMs = CALL_TIMEOUT_MS): string {
  const err = e as { name?: string; code?: string | number; message?: string; type?: string; errno?: string }
  if (err?.name === 'AbortError' || err?.name === 'TimeoutError' || err?.type === 'aborted') {
    return `the Kubernetes API at ${server} did not answer within ${humanMs(timeoutMs)}`
  }
  if (e instanceof ApiException) {
    const code = e.code
    const reason = code === 401 ? 'unauthorized: the kubeconfig credentials were rejected' : code === 403 ? 'forbidden' : `HTTP ${code}`
    return `the Kubernetes API at ${server} answered ${reason}${statusMessage(e.body)}`
  }
  const msg = err?.message ?? String(e)
  if (/HTTP protocol is not allowed/i.test(msg)) {
    return `the kubeconfig's server ${server} is plain http://, which @kubernetes/client-node only accepts with insecure-skip-tls-verify: true on the cluster`
  }
  const code = typeof err?.code === 'string' ? err.code : err?.errno
  const why: Record<string, string> = {
    ECONNREFUSED: 'connection refused (nothing listens there: is the cluster running?)',
    ENOTFOUND: 'host not found',
    EHOSTUNREACH: 'host unreachable',
    ENETUNREACH: 'network unreachable',
    ETIMEDOUT: 'connection timed out',
    ECONNRESET: 'connection reset',
    CERT_HAS_EXPIRED: 'its certificate has expired',
    DEPTH_ZERO_SELF_SIGNED_CERT: 'its certificate is self-signed and not trusted by the kubeconfig',
    UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'its certificate is not trusted by the kubeconfig',
  }
  if (code && why[code]) return `cannot reach the Kubernetes API at ${server}: ${why[code]}`
  return `cannot reach the Kubernetes API at ${server}: ${firstLine(e)}`
}

function statusMessage(body: unknown): string {
  try {
    const s = typeof body === 'string' ? JSON.parse(body) : body
    return s && typeof s.message === 'string' ? ` (${s.message})` : ''
  } catch {
    return ''
  }
}

const firstLine = (e: unknown) => ((e as Error)?.message ?? String(e)).split('\n')[0]!

/** GET /version with a short timeout; returns the server's gitVersion. Throws a one-line Error. */
export async function checkReachable(t: KubeTarget, timeoutMs = CALL_TIMEOUT_MS): Promise<string> {
  const api = t.kc.makeApiClient(VersionApi)
  try {
    const v = await bounded(api.getCode({}, withCallTimeout(timeoutMs)), timeoutMs)
    return v.gitVersion ?? `${v.major}.${v.minor}`
  } catch (e) {
    throw new Error(explainKubeError(e, t.server, timeoutMs))
  }
}

export const isNodeReady = (n: V1Node) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true

export interface WaitReadyOptions {
  /** How long nodes may take to become Ready. */
  timeoutMs: number
  callTimeoutMs?: number
  /** Between polls (injectable for tests). */
  pollMs?: number
  sleep?: (ms: number) => Promise<void>
  now?: () => number
}

const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

/**
 * Polls the node list until one node is Ready; returns the Ready nodes' names. Throws a one-line
 * Error naming the nodes and their state when the time runs out, or why the API cannot be reached.
 */
export async function waitForReadyNode(t: KubeTarget, o: WaitReadyOptions): Promise<string[]> {
  const api = t.kc.makeApiClient(CoreV1Api)
  const callMs = o.callTimeoutMs ?? CALL_TIMEOUT_MS
  const now = o.now ?? Date.now
  const sleep = o.sleep ?? realSleep
  const deadline = now() + o.timeoutMs
  let last = 'no nodes yet'
  for (;;) {
    let nodes: V1Node[] | undefined
    try {
      nodes = (await bounded(api.listNode({}, withCallTimeout(callMs)), callMs)).items
    } catch (e) {
      // Right after `kind create` the API may briefly refuse; an API that never answers is the error.
      last = explainKubeError(e, t.server, callMs)
      if (e instanceof ApiException && (e.code === 401 || e.code === 403)) throw new Error(last)
    }
    if (nodes) {
      const ready = nodes.filter(isNodeReady).map((n) => n.metadata?.name ?? '?')
      if (ready.length) return ready
      last = nodes.length
        ? nodes.map((n) => `${n.metadata?.name}: ${notReadyReason(n)}`).join('; ')
        : 'the cluster has no nodes'
    }
    if (now() >= deadline) throw new Error(`no Kubernetes node became Ready within ${humanMs(o.timeoutMs)} (${last})`)
    await sleep(Math.min(o.pollMs ?? 1000, Math.max(0, deadline - now())))
  }
}

function notReadyReason(n: V1Node): string {
  const c = n.status?.conditions?.find((x) => x.type === 'Ready')
  if (!c) return 'no Ready condition yet'
  return `Ready=${c.status}${c.reason ? ` (${c.reason}${c.message ? `: ${c.message}` : ''})` : ''}`
}
