// The only backends the UI reads: the ECS JSON 1.1 API, /status and the logs endpoint (and /ws, in feed.ts).
// With --auth sigv4 the API and the logs endpoint need the instance's client key (below).
import { CLIENT_KEY_HEADER, takeClientKey } from './client-key.js'

const TARGET = 'AmazonEC2ContainerServiceV20141113'

/** An API error as the API words it: `__type` and `message`. */
export class ApiError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status: number,
  ) {
    super(message)
  }
}

// --auth sigv4: the instance's client key, from `kecs ui` (src/ui/client-key.ts).
let clientKey: string | undefined
try {
  clientKey = takeClientKey(location, localStorage, (url) => history.replaceState(history.state, '', url))
} catch {
  /* no storage (a locked-down browser): the UI works only without --auth */
}

/** The headers every UI call to the API sends (the client key, when there is one). */
export const authHeaders = (): Record<string, string> => (clientKey ? { [CLIENT_KEY_HEADER]: clientKey } : {})

/** The refusals an instance with `--auth sigv4` gives a UI without (or with a stale) client key. */
const AUTH_ERRORS = new Set(['MissingAuthenticationTokenException', 'UnrecognizedClientException'])
const AUTH_HINT =
  'This KECS instance requires signed requests (kecs start --auth sigv4). Open the UI with `kecs ui`: it gives the UI the key of this instance.'

/** One ECS call; `body` may be a JSON string, sent as is (pasted JSON meets the API's own validation). */
export async function ecs<T = any>(operation: string, body: object | string = {}): Promise<T> {
  const res = await fetch('/', {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': `${TARGET}.${operation}`, ...authHeaders() },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
  const text = await res.text()
  let json: any
  try {
    json = text ? JSON.parse(text) : {}
  } catch {
    throw new ApiError('ServerException', text || `HTTP ${res.status}`, res.status)
  }
  if (!res.ok) {
    const type = String(json.__type ?? 'Error').split('#').pop()!
    if (res.status === 403 && AUTH_ERRORS.has(type)) throw new ApiError(type, AUTH_HINT, res.status)
    throw new ApiError(type, json.message ?? json.Message ?? text, res.status)
  }
  return json as T
}

export async function status(): Promise<Record<string, any>> {
  const res = await fetch('/status')
  if (!res.ok) throw new ApiError('StatusUnavailable', `/status answered HTTP ${res.status}`, res.status)
  return res.json()
}

/** Describe* takes a bounded number of names per call: chunk them. */
export async function describeAll<T>(names: string[], size: number, call: (chunk: string[]) => Promise<T[]>): Promise<T[]> {
  const out: T[] = []
  for (let i = 0; i < names.length; i += size) out.push(...(await call(names.slice(i, i + size))))
  return out
}

/** Every page of a List* call. */
export async function listAll(operation: string, body: object, key: string): Promise<string[]> {
  const out: string[] = []
  let nextToken: string | undefined
  do {
    const r: any = await ecs(operation, { ...body, ...(nextToken ? { nextToken } : {}) })
    out.push(...(r[key] ?? []))
    nextToken = r.nextToken
  } while (nextToken)
  return out
}

/**
 * Streams a container's logs (`GET /kecs/v1/logs`, as `kecs logs` reads them) into `onText` until the
 * stream ends or `signal` aborts. Resolves when it ends; rejects with the endpoint's error.
 */
export async function streamLogs(
  q: { task: string; cluster: string; container: string; follow: boolean; tail?: number },
  onText: (text: string) => void,
  signal: AbortSignal,
): Promise<void> {
  const params = new URLSearchParams({ task: q.task, cluster: q.cluster, container: q.container, follow: String(q.follow) })
  if (q.tail !== undefined) params.set('tail', String(q.tail))
  const res = await fetch(`/kecs/v1/logs?${params}`, { signal, headers: authHeaders() })
  if (!res.ok) {
    const j = await res.json().catch(() => ({}))
    if (res.status === 403 && AUTH_ERRORS.has(j.__type)) throw new ApiError(j.__type, AUTH_HINT, res.status)
    throw new ApiError(j.__type ?? 'Error', j.message ?? `HTTP ${res.status}`, res.status)
  }
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader()
  for (;;) {
    const { done, value } = await reader.read()
    if (done) return
    onText(value)
  }
}
