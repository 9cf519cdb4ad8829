import { KubeStatusError } from '../types.js'

/** The metav1.Status objects the API server answers errors (and some deletes) with. */
export interface StatusBody {
  kind: 'Status'
  apiVersion: 'v1'
  metadata: Record<string, never>
  status: 'Success' | 'Failure'
  message?: string
  reason?: string
  details?: Record<string, unknown>
  code: number
}

const reasonFor: Record<number, string> = {
  400: 'BadRequest',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  409: 'Conflict',
  410: 'Expired',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  500: 'InternalError',
}

/** Turns anything thrown into a Status: KubeStatusErrors keep code and reason, the rest are 500s. */
export function statusFromError(err: unknown): StatusBody {
  if (err instanceof KubeStatusError) {
    // Kubernetes reports a compacted resourceVersion as reason "Expired" with code 410.
    const reason = err.reason === 'Gone' ? 'Expired' : err.reason
    const body: StatusBody = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: err.message, reason, code: err.code }
    if (err.details) body.details = stripUndefined(err.details)
    return body
  }
  const message = err instanceof Error ? err.message : String(err)
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `Internal error occurred: ${message}`, reason: 'InternalError', code: 500 }
}

export function failure(code: number, message: string, details?: Record<string, unknown>): StatusBody {
  const body: StatusBody = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: reasonFor[code] ?? 'Unknown', code }
  if (details) body.details = stripUndefined(details)
  return body
}

export function success(details?: Record<string, unknown>): StatusBody {
  const body: StatusBody = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 200 }
  if (details) body.details = stripUndefined(details)
  return body
}

function stripUndefined(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(o)) if (v !== undefined && v !== '') out[k] = v
  return out
}
