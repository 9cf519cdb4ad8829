import type { ResourceType } from '../types.js'

/** A request path resolved against the served types. */
export type Route =
  | { kind: 'version' }
  | { kind: 'health' }
  | { kind: 'api' }
  | { kind: 'apis' }
  | { kind: 'group'; group: string }
  | { kind: 'resources'; group: string; version: string }
  | { kind: 'openapi-v3-root' }
  | { kind: 'openapi-v3'; group: string; version: string }
  | {
      kind: 'resource'
      type: ResourceType
      namespace?: string
      name?: string
      subresource?: string
      /** The old `/api/v1/watch/...` path form. */
      watchPath: boolean
    }
  | { kind: 'unknown' }

/**
 * Parses `/api/v1/namespaces/{ns}/pods/{name}/{sub}`, `/apis/apps/v1/deployments`, the discovery and
 * OpenAPI paths. `/api/v1/namespaces/{name}[/status]` is the namespace object itself.
 */
export function parseRoute(pathname: string, types: ResourceType[]): Route {
  const segs = pathname.split('/').filter(Boolean).map(decodeURIComponent)
  if (segs.length === 1 && segs[0] === 'version') return { kind: 'version' }
  if (segs.length === 1 && ['healthz', 'livez', 'readyz'].includes(segs[0]!)) return { kind: 'health' }
  if (segs[0] === 'openapi' && segs[1] === 'v3') {
    if (segs.length === 2) return { kind: 'openapi-v3-root' }
    if (segs[2] === 'api' && segs.length === 4) return { kind: 'openapi-v3', group: '', version: segs[3]! }
    if (segs[2] === 'apis' && segs.length === 5) return { kind: 'openapi-v3', group: segs[3]!, version: segs[4]! }
    return { kind: 'unknown' }
  }
  let group: string
  let version: string
  let rest: string[]
  if (segs[0] === 'api') {
    if (segs.length === 1) return { kind: 'api' }
    group = ''
    version = segs[1]!
    rest = segs.slice(2)
  } else if (segs[0] === 'apis') {
    if (segs.length === 1) return { kind: 'apis' }
    if (segs.length === 2) return { kind: 'group', group: segs[1]! }
    group = segs[1]!
    version = segs[2]!
    rest = segs.slice(3)
  } else return { kind: 'unknown' }

  if (rest.length === 0) return { kind: 'resources', group, version }
  const served = types.filter((t) => t.group === group && t.version === version)
  const find = (resource: string | undefined) => served.find((t) => t.resource === resource)
  let watchPath = false
  if (rest[0] === 'watch') {
    watchPath = true
    rest = rest.slice(1)
  }
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    const nested = find(rest[2])
    if (nested?.namespaced) {
      if (rest.length > 5) return { kind: 'unknown' }
      return { kind: 'resource', type: nested, namespace: rest[1], name: rest[3], subresource: rest[4], watchPath }
    }
  }
  const t = find(rest[0])
  if (!t || rest.length > 3) return { kind: 'unknown' }
  return { kind: 'resource', type: t, name: rest[1], subresource: rest[2], watchPath }
}
