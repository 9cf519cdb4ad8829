import * as k8s from '@kubernetes/client-node'

/**
 * Fields of a Kubernetes object that its API type does not declare, found through the type maps of
 * @kubernetes/client-node's models (generated from the same OpenAPI). A real API server drops such
 * fields with a warning, or refuses the object with fieldValidation=Strict (kubectl apply's default);
 * client-node's serializer drops them before sending, so a converter that writes one loses it.
 */
type Attr = { name: string; baseName: string; type: string }
const models = k8s as unknown as Record<string, { attributeTypeMap?: Attr[] } | undefined>

export function unknownFields(obj: { apiVersion: string; kind: string }): string[] {
  const version = obj.apiVersion.split('/').pop()!
  const type = `${version[0]!.toUpperCase()}${version.slice(1)}${obj.kind}`
  if (!models[type]?.attributeTypeMap) return []
  return walk(obj, type, '')
}

function walk(value: unknown, type: string, path: string): string[] {
  if (value === null || value === undefined) return []
  const array = /^Array<(.*)>$/.exec(type)
  if (array) return Array.isArray(value) ? value.flatMap((v, i) => walk(v, array[1]!, `${path}[${i}]`)) : []
  const map = /^\{ \[key: string\]: (.*); \}$/.exec(type)
  if (map) {
    if (typeof value !== 'object') return []
    return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => walk(v, map[1]!, `${path}[${JSON.stringify(k)}]`))
  }
  const attrs = models[type]?.attributeTypeMap
  if (!attrs || typeof value !== 'object' || Array.isArray(value)) return []
  const out: string[] = []
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const attr = attrs.find((a) => a.baseName === k)
    const p = path ? `${path}.${k}` : k
    if (!attr) out.push(p)
    else out.push(...walk(v, attr.type, p))
  }
  return out
}
