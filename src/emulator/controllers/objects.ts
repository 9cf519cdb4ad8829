import { fnv1a32 } from '../../lib/hash.js'
import { deepEqual } from '../patch.js'
import type { KubeObject, ObjectMeta, ObjectStore } from '../types.js'

/** Small helpers shared by the controllers and the kubelet: keys, timestamps, owner references, safe writes. */

export type OwnerReference = NonNullable<ObjectMeta['ownerReferences']>[number]

export const objKey = (ns: string | undefined, name: string) => (ns ? `${ns}/${name}` : name)

export function splitKey(key: string): [string | undefined, string] {
  const i = key.indexOf('/')
  return i < 0 ? [undefined, key] : [key.slice(0, i), key.slice(i + 1)]
}

export const keyOf = (o: KubeObject) => objKey(o.metadata.namespace, o.metadata.name ?? '')

/** Kubernetes timestamps (metav1.Time): RFC3339 with whole seconds. */
export const k8sTime = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z')

/** RFC3339 with nanoseconds, as the kubelet prefixes log lines (RFC3339NanoFixed). */
export const rfc3339Nano = (ms: number) => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z')

export function parseTime(s: unknown): number | undefined {
  if (typeof s !== 'string' || !s) return undefined
  const t = Date.parse(s)
  return Number.isNaN(t) ? undefined : t
}

export function controllerOf(o: KubeObject): OwnerReference | undefined {
  return o.metadata.ownerReferences?.find((r) => r.controller === true)
}

export const isControlledBy = (o: KubeObject, owner: KubeObject) => controllerOf(o)?.uid === owner.metadata.uid

export function controllerRef(owner: KubeObject): OwnerReference {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata.name ?? '',
    uid: owner.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  }
}

/** JSON with sorted keys: equal values give equal strings whatever the key order. */
export function stableStringify(v: unknown): string {
  if (v === undefined) return 'null'
  if (v === null || typeof v !== 'object') return JSON.stringify(v)
  if (Array.isArray(v)) return `[${v.map(stableStringify).join(',')}]`
  const o = v as Record<string, unknown>
  return `{${Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${stableStringify(o[k])}`)
    .join(',')}}`
}

/** Structural equality (keys holding undefined count as absent), without building strings: hot in every patch. */
export { deepEqual }

export const clone = <T>(v: T): T => structuredClone(v)

/**
 * Read-modify-write through store.mutate on a private copy; skips the write when fn returns false
 * or changed nothing, so controllers never loop on their own no-op updates.
 */
export async function patchObject(
  store: ObjectStore,
  resource: string,
  ns: string | undefined,
  name: string,
  fn: (obj: KubeObject) => void | false,
): Promise<KubeObject | undefined> {
  let result: KubeObject | undefined
  let skipped = false
  const written = await store.mutate(resource, ns, name, (current) => {
    const copy = clone(current)
    if (fn(copy) === false || deepEqual(copy, current)) {
      skipped = true
      result = current
      return false
    }
    return copy
  })
  return skipped ? (written ?? result) : written
}

/** The KubeStatusError code of an error, if it is one. */
export const statusCode = (err: unknown): number | undefined =>
  typeof (err as { code?: unknown })?.code === 'number' ? (err as { code: number }).code : undefined

const NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789'

/** The 5 random characters the API server appends to a generateName (same alphabet as Kubernetes). */
export function randomSuffix(n = 5): string {
  let s = ''
  for (let i = 0; i < n; i++) s += NAME_ALPHABET[Math.floor(Math.random() * NAME_ALPHABET.length)]
  return s
}

/** generateName + suffix, trimmed like the API server (base at most 58 characters). */
export const generatedName = (base: string) => `${base.length > 58 ? base.slice(0, 58) : base}${randomSuffix()}`

/** Kubernetes rand.SafeEncodeString: maps each character onto an alphabet without vowels or look-alikes. */
export function safeEncodeString(s: string): string {
  let out = ''
  for (let i = 0; i < s.length; i++) out += NAME_ALPHABET[s.charCodeAt(i) % NAME_ALPHABET.length]
  return out
}

/** A pod template hash (label pod-template-hash / controller-revision-hash): FNV of the template, salted by collisionCount. */
export function computeTemplateHash(template: unknown, collisionCount?: number): string {
  const salt = collisionCount ? `#${collisionCount}` : ''
  return safeEncodeString(String(fnv1a32(stableStringify(template) + salt)))
}
