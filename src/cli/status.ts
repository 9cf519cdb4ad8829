import { getJson } from './admin-client.js'
import { adminUrl, instanceDir, instanceState, kecsHome, logFile, nameSuffix } from './registry.js'

/** What `kecs status` reports (and prints with --json). */
export interface StatusReport {
  name: string
  /** running: pid alive and admin answers; unresponsive: pid alive, admin silent; stale: pid gone. */
  state: 'running' | 'unresponsive' | 'stale' | 'stopped'
  message: string
  pid?: number
  endpoint?: string
  host?: string
  port?: number
  adminPort?: number
  clusterProvider?: string
  startedAt?: string
  uptimeSeconds?: number
  region?: string
  /** `--aws-endpoint`, when the instance forwards other AWS services' calls. */
  awsEndpoint?: string | null
  /** `sigv4` when the instance requires signed AWS calls (`--auth sigv4`), else `none`. */
  auth?: 'none' | 'sigv4'
  kubeconfig?: string | null
  /** Counts of stored resources, from the admin /status endpoint (the store is locked by the instance). */
  resources?: Record<string, number>
  admin?: 'ready' | 'starting' | 'unreachable'
  logFile: string
}

export async function instanceStatus(name: string, home = kecsHome()): Promise<StatusReport> {
  const dir = instanceDir(name, home)
  const st = instanceState(dir)
  const base = { name, logFile: logFile(dir) }
  if (st.state === 'absent') {
    return { ...base, state: 'stopped', message: `KECS "${name}" is not running. Start it with: kecs start -d${nameSuffix(name)}` }
  }
  if (st.state === 'stale') {
    return {
      ...base,
      state: 'stale',
      pid: st.record?.pid,
      message: `KECS "${name}" is not running (${st.reason}; it was not stopped cleanly). \`kecs stop${nameSuffix(name)}\` cleans up, \`kecs start\` starts it again.`,
    }
  }
  const r = st.record
  let res = await getJson(adminUrl(r, '/status'))
  // Another process on that port (this instance's admin port was taken over) is not an answer.
  if (res && typeof res.body.pid === 'number' && res.body.pid !== r.pid) res = undefined
  const body = res?.body ?? {}
  const admin = !res ? 'unreachable' : body.status === 'ready' ? 'ready' : 'starting'
  const startedMs = Date.parse(r.startedAt)
  const report: StatusReport = {
    ...base,
    state: res ? 'running' : 'unresponsive',
    message: res
      ? `KECS "${name}" is running: ${r.endpoint}`
      : `KECS "${name}" (pid ${r.pid}) does not answer on its admin port ${r.adminPort}; see ${base.logFile}`,
    pid: r.pid,
    endpoint: r.endpoint,
    host: r.host,
    port: r.port,
    adminPort: r.adminPort,
    clusterProvider: typeof body.clusterProvider === 'string' ? body.clusterProvider : r.clusterProvider,
    startedAt: r.startedAt,
    uptimeSeconds:
      typeof body.uptimeSeconds === 'number' ? body.uptimeSeconds : Math.max(0, Math.floor((Date.now() - startedMs) / 1000)),
    region: r.region,
    awsEndpoint: r.awsEndpoint ?? null,
    auth: body.auth === 'sigv4' || body.auth === 'none' ? body.auth : (r.auth ?? 'none'),
    kubeconfig: r.kubeconfig,
    admin,
  }
  if (body.resources && typeof body.resources === 'object') report.resources = body.resources as Record<string, number>
  return report
}
