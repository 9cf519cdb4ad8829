import type { KubeObject } from '../../types.js'
import { stripNulls } from '../objects.js'
import { groupVersion, RESOURCE_TYPES } from '../resource-types.js'
import { strategyFor } from '../strategies/index.js'
import { decode } from './schema.js'
import { validateObject } from './index.js'

/**
 * What the API server would answer a create of `input`, without a store: decoding (400 for wrong
 * types), defaulting, then the schema and the kind's rules (422). Throws the KubeStatusError a real
 * API server would answer; returns the defaulted object. For the converters' golden tests.
 */
export function admitForCreate(input: KubeObject): KubeObject {
  const t = RESOURCE_TYPES.find((r) => r.kind === input.kind && groupVersion(r) === input.apiVersion)
  if (!t) throw new Error(`the emulator does not serve ${input.apiVersion} ${input.kind}`)
  const obj = stripNulls(structuredClone(input))
  obj.metadata = obj.metadata && typeof obj.metadata === 'object' ? obj.metadata : {}
  if (!obj.metadata.name && obj.metadata.generateName) obj.metadata.name = `${obj.metadata.generateName}x7k2p`
  const errors = decode(obj, t.version)
  const s = strategyFor(t.kind)
  s.defaults(obj)
  validateObject(s, obj, errors, undefined, t.group)
  return obj
}

/** Every Kubernetes object (anything with apiVersion and kind) inside a value, with its JSON path. */
export function kubeObjectsIn(value: unknown, path = '$'): { path: string; object: KubeObject }[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => kubeObjectsIn(v, `${path}[${i}]`))
  if (!value || typeof value !== 'object') return []
  const o = value as Record<string, unknown>
  if (typeof o.apiVersion === 'string' && typeof o.kind === 'string') return [{ path, object: o as KubeObject }]
  return Object.entries(o).flatMap(([k, v]) => kubeObjectsIn(v, `${path}.${k}`))
}
