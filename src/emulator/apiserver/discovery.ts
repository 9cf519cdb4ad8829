import { createHash } from 'node:crypto'
import { groupVersion } from '../store/resource-types.js'
import type { ResourceType } from '../types.js'

/**
 * Discovery documents (legacy form, which kubectl 1.32 falls back to when answered plain JSON), the
 * version document (its `minor` picks the binary behind the gcloud kubectl dispatcher), and the minimal
 * OpenAPI v3 that lets `kubectl apply` run with validation on. See docs/architecture.md#what-kubectl-and-client-node-need.
 */
export const KUBE_VERSION = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.0',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2024-12-11T00:00:00Z',
  goVersion: 'go1.23.3',
  compiler: 'gc',
  platform: 'linux/amd64',
  emulated: 'kecs',
}

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch']

export function apiVersions(serverAddress: string) {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  }
}

function groups(types: ResourceType[]): Map<string, string[]> {
  const out = new Map<string, string[]>()
  for (const t of types) {
    if (!t.group) continue
    const versions = out.get(t.group) ?? []
    if (!versions.includes(t.version)) versions.push(t.version)
    out.set(t.group, versions)
  }
  return out
}

export function apiGroup(types: ResourceType[], group: string) {
  const versions = groups(types).get(group)
  if (!versions) return undefined
  const gvs = versions.map((v) => ({ groupVersion: `${group}/${v}`, version: v }))
  return { kind: 'APIGroup', apiVersion: 'v1', name: group, versions: gvs, preferredVersion: gvs[0] }
}

export function apiGroupList(types: ResourceType[]) {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: [...groups(types).keys()].map((g) => {
      const { name, versions, preferredVersion } = apiGroup(types, g)!
      return { name, versions, preferredVersion }
    }),
  }
}

/** The APIResourceList of one group-version, or undefined when it is not served. */
export function apiResourceList(types: ResourceType[], group: string, version: string) {
  const served = types.filter((t) => t.group === group && t.version === version)
  if (served.length === 0) return undefined
  const resources: Record<string, unknown>[] = []
  for (const t of served) {
    const verbs = t.resource === 'namespaces' ? ALL_VERBS.filter((v) => v !== 'deletecollection') : ALL_VERBS
    const r: Record<string, unknown> = {
      name: t.resource,
      singularName: t.singular,
      namespaced: t.namespaced,
      kind: t.kind,
      verbs,
      storageVersionHash: hash(`${groupVersion(t)}/${t.kind}`).slice(0, 11),
    }
    if (t.shortNames?.length) r.shortNames = t.shortNames
    if (t.categories?.length) r.categories = t.categories
    resources.push(r)
    for (const sub of t.subresources ?? []) {
      if (sub === 'scale') {
        resources.push({ name: `${t.resource}/scale`, singularName: '', namespaced: t.namespaced, group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] })
      } else if (sub === 'log') {
        resources.push({ name: `${t.resource}/log`, singularName: '', namespaced: t.namespaced, kind: 'Pod', verbs: ['get'] })
      } else {
        resources.push({ name: `${t.resource}/${sub}`, singularName: '', namespaced: t.namespaced, kind: t.kind, verbs: ['get', 'patch', 'update'] })
      }
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version, resources }
}

const hash = (s: string) => createHash('sha256').update(s).digest('hex').toUpperCase()

function gvPath(gv: { group: string; version: string }) {
  return gv.group ? `apis/${gv.group}/${gv.version}` : `api/${gv.version}`
}

/** One PATCH operation per kind, no schemas: kubectl then skips client-side validation (docs/architecture.md#what-kubectl-and-client-node-need). */
export function openApiGroupVersion(types: ResourceType[], group: string, version: string) {
  const served = types.filter((t) => t.group === group && t.version === version)
  if (served.length === 0) return undefined
  const paths: Record<string, unknown> = {}
  for (const t of served) {
    const base = `/${gvPath(t)}`
    const path = t.namespaced ? `${base}/namespaces/{namespace}/${t.resource}/{name}` : `${base}/${t.resource}/{name}`
    paths[path] = {
      patch: {
        'x-kubernetes-group-version-kind': { group: t.group, version: t.version, kind: t.kind },
        parameters: [{ name: 'fieldValidation', in: 'query', schema: { type: 'string' } }],
      },
    }
  }
  return { openapi: '3.0.0', info: { title: 'Kubernetes', version: KUBE_VERSION.gitVersion }, paths }
}

export function openApiRoot(types: ResourceType[]) {
  const seen = new Set<string>()
  const paths: Record<string, { serverRelativeURL: string }> = {}
  for (const t of types) {
    const p = gvPath(t)
    if (seen.has(p)) continue
    seen.add(p)
    const doc = openApiGroupVersion(types, t.group, t.version)
    paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${hash(JSON.stringify(doc)).slice(0, 32)}` }
  }
  return { paths }
}
