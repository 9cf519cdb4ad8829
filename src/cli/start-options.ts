import { CliError } from '../lib/errors.js'
import { hostName } from '../lib/local-hosts.js'
import { DEFAULT_NAME } from './registry.js'

/** What `kecs start` was asked for, after flag parsing (the foreground and detached paths share it). */
export interface StartOptions {
  name: string
  host: string
  port: number
  /** `--admin-host`; absent: 127.0.0.1, or `host` when that is a loopback address (src/lib/local-hosts.ts). */
  adminHost?: string
  adminPort: number
  /** `--allow-host` (and KECS_ALLOW_HOSTS): host names requests may carry besides the built-in ones. */
  allowHosts?: string[]
  /** `--cluster`: auto | kind | existing | emulated. */
  cluster: string
  kubeconfig?: string
  context?: string
  /** `--timeout`, in ms: how long the cluster may take to start, and `-d` waits for /ready. */
  timeoutMs: number
  /** `--no-inject-endpoint` makes it false: containers do not get AWS_ENDPOINT_URL. Default true. */
  injectEndpoint?: boolean
  /** `--aws-endpoint` (or KECS_AWS_ENDPOINT): where calls for AWS services KECS does not serve go. */
  awsEndpoint?: string
  /** `--auth`: `sigv4` checks the signature of every AWS call (src/server/auth.ts); default `none`. */
  auth?: 'none' | 'sigv4'
  /** `--credentials-file`: an AWS shared credentials file whose keys `--auth sigv4` accepts. */
  credentialsFile?: string
  /** KECS_HOME; defaults to the environment's. */
  home?: string
}

export const START_DEFAULTS = {
  name: DEFAULT_NAME,
  host: '127.0.0.1',
  port: 8080,
  adminPort: 8081,
  cluster: 'auto',
  timeout: '180s',
} as const

/** The `start` arguments that reproduce these options (the detached child runs them in the foreground). */
export function startArgs(o: StartOptions): string[] {
  const args = ['start', '--name', o.name, '--host', o.host, '--port', String(o.port)]
  args.push('--admin-port', String(o.adminPort), '--cluster', o.cluster, '--timeout', `${o.timeoutMs}ms`)
  if (o.adminHost) args.push('--admin-host', o.adminHost)
  for (const h of o.allowHosts ?? []) args.push('--allow-host', h)
  if (o.kubeconfig) args.push('--kubeconfig', o.kubeconfig)
  if (o.context) args.push('--context', o.context)
  if (o.injectEndpoint === false) args.push('--no-inject-endpoint')
  if (o.awsEndpoint) args.push('--aws-endpoint', o.awsEndpoint)
  if (o.auth === 'sigv4') args.push('--auth', 'sigv4')
  if (o.credentialsFile) args.push('--credentials-file', o.credentialsFile)
  return args
}

/** `--allow-host` values and KECS_ALLOW_HOSTS (comma-separated), each checked to be a host name (or `*.name`). */
export function allowHosts(flags: string[] = [], env = process.env.KECS_ALLOW_HOSTS): string[] {
  const all = [...flags, ...(env ?? '').split(',')].map((h) => h.trim()).filter(Boolean)
  for (const h of all) {
    if (!hostName(h.startsWith('*.') ? h.slice(2) : h)) {
      throw new CliError(`--allow-host: "${h}" is not a host name`, 'Give a host name or address as clients send it in Host, e.g. --allow-host mybox.lan (or *.lan for every name under lan).')
    }
  }
  return [...new Set(all)]
}
