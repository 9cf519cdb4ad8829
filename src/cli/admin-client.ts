/** Small HTTP helpers for the admin endpoint (`/ready`, `/status`): the CLI never opens the store. */

/** Where a client connects for a server bound to `host` (a wildcard bind is reached on loopback). */
export function connectHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1'
  if (host === '::' || host === '[::]') return '::1'
  return host
}

export function httpUrl(host: string, port: number, path = ''): string {
  const h = connectHost(host)
  return `http://${h.includes(':') ? `[${h}]` : h}:${port}${path}`
}

/** GET a JSON document; undefined when the server does not answer in time. */
export async function getJson(
  url: string,
  timeoutMs = 2000,
): Promise<{ status: number; body: Record<string, unknown> } | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) })
    const text = await res.text()
    let body: Record<string, unknown> = {}
    try {
      body = JSON.parse(text) as Record<string, unknown>
    } catch {
      /* not JSON: keep the status only */
    }
    return { status: res.status, body }
  } catch {
    return undefined
  }
}
