import { KubeStatusError } from '../types.js'

/** Small helpers on stored objects: keys, times, snapshots, list pages. */
export const objectKey = (namespace: string | undefined, name: string | undefined) => `${namespace ?? ''}/${name ?? ''}`

/** RFC 3339 without fractions, as Kubernetes prints metav1.Time. */
export const kubeTime = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')

export function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o)
    for (const v of Object.values(o)) deepFreeze(v)
  }
  return o
}

/**
 * Drops null-valued fields, as decoding into the API types does (`creationTimestamp: null` in a pod
 * template, sent by kubectl rollout undo, must not change the template's hash).
 */
export function stripNulls<T>(v: T): T {
  if (Array.isArray(v)) {
    for (const x of v) stripNulls(x)
  } else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (x === null) delete (v as Record<string, unknown>)[k]
      else stripNulls(x)
    }
  }
  return v
}

export function encodeContinue(key: string, rv: number): string {
  return Buffer.from(JSON.stringify({ k: key, rv })).toString('base64url')
}

export function decodeContinue(token: string): string {
  try {
    const v = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'))
    if (typeof v.k === 'string') return v.k
  } catch {
    /* fall through */
  }
  throw new KubeStatusError(400, 'BadRequest', 'continue key is not valid: illegal base64 data')
}
