import { defaultAdminHost, hostName, isLoopbackName, isWildcardAddress } from '../lib/local-hosts.js'

/** What a start listens on, for the warning. */
export interface Exposure {
  host: string
  port: number
  adminHost?: string
  adminPort: number
  /** `--auth`: `sigv4` requires signed requests; `none` or absent: any credentials are accepted. */
  auth?: string
}

const isLoopback = (host: string) => isLoopbackName(hostName(host) ?? '')
const where = (host: string) => (isWildcardAddress(host) ? 'every network interface' : host)

/**
 * The warning `kecs start` prints on stderr when it listens beyond loopback: what anyone who can
 * reach the address gets, and how to restrict it. Empty for a loopback address (the default).
 */
export function exposureWarning(o: Exposure): string[] {
  const adminHost = o.adminHost ?? defaultAdminHost(o.host)
  const apiOpen = !isLoopback(o.host)
  const adminOpen = !isLoopback(adminHost)
  if (!apiOpen && !adminOpen) return []
  const lines: string[] = []
  if (apiOpen) {
    const reach = isWildcardAddress(o.host) ? `this machine on port ${o.port}` : `${o.host}:${o.port}`
    lines.push(
      `Warning: --host ${o.host} listens on ${where(o.host)}: anyone who can reach ${reach} can use`,
      o.auth && o.auth !== 'none'
        ? `  - the ECS and AWS APIs (SSM, Secrets Manager, CloudWatch Logs, STS, IAM, ...), with requests signed as --auth ${o.auth} requires`
        : '  - the ECS and AWS APIs (SSM, Secrets Manager, CloudWatch Logs, STS, IAM, ...) without authentication: any credentials are accepted (--auth requires signed requests)',
      '  - the web UI (/ui) with its actions, and the live event feed (/ws)',
      '  - the task metadata and credentials endpoints (/metadata, /v2/credentials) and container logs (/kecs/v1/logs)',
      '  Requests must still name this machine: by one of its addresses, or by a name given with --allow-host (against DNS rebinding).',
    )
  }
  if (adminOpen) {
    lines.push(
      `${apiOpen ? '  Also' : 'Warning:'} the admin port listens on ${where(adminHost)} (--admin-host ${adminHost}, port ${o.adminPort}): ` +
        '/status, /metrics and POST /reset, which empties the instance.',
    )
  } else {
    lines.push(`  The admin port stays on ${adminHost}:${o.adminPort}.`)
  }
  lines.push(
    '  To restrict it: use --host 127.0.0.1 (the default), or the one address that must reach KECS (e.g. the Kind network\'s gateway ' +
      'that containers use), and a firewall; keep --admin-host on loopback.',
  )
  return lines
}
