import { CliError } from '../lib/errors.js'
import { notRunning } from './api.js'
import { adminUrl, instanceDir, instanceState, kecsHome } from './registry.js'

/** What `POST /reset` answers (and `kecs reset --json` prints). */
export interface ResetReport {
  reset: true
  ms: number
  removed: Record<string, number>
}

/** Asks the running instance to empty itself (`POST /reset` on its admin port). */
export async function resetInstance(name: string, home = kecsHome(), timeoutMs = 180_000): Promise<ResetReport> {
  const st = instanceState(instanceDir(name, home))
  if (st.state !== 'running') throw notRunning(name)
  const url = adminUrl(st.record, '/reset')
  let res: Response
  try {
    res = await fetch(url, { method: 'POST', signal: AbortSignal.timeout(timeoutMs) })
  } catch (e) {
    throw new CliError(`KECS "${name}" does not answer on its admin port ${st.record.adminPort}: ${(e as Error).message}`, 'Check with: kecs status')
  }
  const body = (await res.json().catch(() => ({}))) as Partial<ResetReport> & { message?: string }
  if (!res.ok || body.reset !== true) throw new CliError(`reset failed: ${body.message ?? `HTTP ${res.status}`}`, 'See: kecs status')
  return { reset: true, ms: Number(body.ms ?? 0), removed: body.removed ?? {} }
}

/** The one-line summary: `Reset KECS "default" in 42 ms: removed 3 clusters, 5 tasks, ...`. */
export function resetSummary(name: string, r: ResetReport): string {
  const parts = Object.entries(r.removed)
    .filter(([, n]) => n > 0)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([kind, n]) => `${n} ${kind.replace(/_/g, ' ')}`)
  const total = Object.values(r.removed).reduce((a, n) => a + n, 0)
  return parts.length === 0
    ? `Reset KECS "${name}" in ${r.ms} ms: it was already empty`
    : `Reset KECS "${name}" in ${r.ms} ms: removed ${total} (${parts.join(', ')})`
}
