import { formatDuration } from '../lib/duration.js'
import { envLines } from './env.js'
import { adminUrl, type InstanceRecord } from './registry.js'
import type { StatusReport } from './status.js'

/** `12:03:04 CreateCluster 200 3ms` (plus the error type when the call failed). */
export function requestLine(r: { operation: string; status: number; ms: number; error?: string }, now = new Date()): string {
  const time = now.toTimeString().slice(0, 8)
  return `${time} ${r.operation} ${r.status} ${Math.round(r.ms)}ms${r.error ? ` ${r.error}` : ''}`
}

/** What `start` prints once the instance is ready (foreground and `-d`). */
export function readyLines(record: InstanceRecord, opts: { logFile?: string; detached?: boolean; firstStart?: boolean } = {}): string[] {
  const lines = [
    `KECS "${record.name}" is ready (pid ${record.pid}): ${record.endpoint}`,
    `  web UI   ${uiUrl(record.endpoint)}`,
    `  admin    ${record.adminHost ? adminUrl(record) : `http://${hostPort(record.endpoint, record.adminPort)}`}  (/ready /status /metrics)`,
    `  cluster  ${record.clusterProvider}${record.kubeconfig ? `  kubeconfig ${record.kubeconfig}` : ''}`,
  ]
  if (record.auth === 'sigv4') lines.push('  auth     sigv4: every AWS call must be signed (open the web UI with `kecs ui`)')
  if (opts.logFile) lines.push(`  log      ${opts.logFile}`)
  lines.push('', 'Point AWS clients at it (or run: eval "$(kecs env)"):', ...envLines(record))
  if (opts.firstStart) lines.push('', ...firstStartLines(record))
  if (opts.detached) lines.push('', `Stop it with: kecs stop${record.name === 'default' ? '' : ` --name ${record.name}`}`)
  else lines.push('', 'Logging one line per request. Press Ctrl+C to stop.')
  return lines
}

/** The web UI's address on the API port. */
export const uiUrl = (endpoint: string) => `${endpoint.replace(/\/+$/, '')}/ui`

/** Printed once, on the first start in a new KECS_HOME: three lines on what to try next. */
export function firstStartLines(record: Pick<InstanceRecord, 'endpoint'>): string[] {
  return [
    'Try next:  eval "$(kecs env)" && aws ecs create-cluster --cluster-name demo',
    '           kecs events   every state change, live (in another terminal)',
    `           kecs ui       the web UI at ${uiUrl(record.endpoint)}`,
  ]
}

function hostPort(endpoint: string, port: number): string {
  return `${new URL(endpoint).hostname}:${port}`
}

export function statusLines(s: StatusReport): string[] {
  if (s.state !== 'running') return [s.message]
  const lines = [
    `KECS "${s.name}" is running`,
    `  pid        ${s.pid}`,
    `  endpoint   ${s.endpoint}`,
    `  admin      ${s.adminPort}${s.admin === 'ready' ? '' : ` (${s.admin})`}`,
    `  cluster    ${s.clusterProvider}`,
    `  uptime     ${s.uptimeSeconds === undefined ? '?' : formatDuration(s.uptimeSeconds * 1000)}`,
  ]
  if (s.kubeconfig) lines.push(`  kubeconfig ${s.kubeconfig}`)
  if (s.awsEndpoint) lines.push(`  forwards   other AWS services to ${s.awsEndpoint}`)
  lines.push(`  auth       ${s.auth === 'sigv4' ? 'sigv4 (every AWS call must be signed)' : 'none (unsigned calls are served)'}`)
  if (s.resources) {
    lines.push(`  resources  ${Object.entries(s.resources).map(([k, v]) => `${k}=${v}`).join(' ')}`)
  }
  return lines
}
