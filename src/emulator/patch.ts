import { KubeStatusError } from './types.js'

/**
 * The three PATCH flavours of the Kubernetes API: JSON merge patch (RFC 7386), strategic merge patch
 * (lists merged by key, `$patch` / `$retainKeys` / `$setElementOrder` / `$deleteFromPrimitiveList`
 * directives) and JSON patch (RFC 6902). All are pure: they return a new document.
 */
type Json = null | boolean | number | string | Json[] | { [k: string]: Json }
type JsonObject = { [k: string]: Json }

const isObject = (v: unknown): v is JsonObject => v !== null && typeof v === 'object' && !Array.isArray(v)
const clone = <T>(v: T): T => (v === undefined ? v : structuredClone(v))

const invalidPatch = (msg: string) => new KubeStatusError(400, 'BadRequest', msg)

/** RFC 7386: objects merge recursively, null deletes, everything else (arrays too) replaces. */
export function mergePatch(target: unknown, patch: unknown): any {
  if (!isObject(patch)) return clone(patch)
  const out: JsonObject = isObject(target) ? clone(target) : {}
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k]
    else out[k] = mergePatch(out[k], v)
  }
  return out
}

// ---------------------------------------------------------------------------------------------
// Strategic merge patch

/**
 * How a list field merges: by a key field, as a set of primitives, or (default) replaced whole.
 * `path` holds the field names from the root, without list indexes, e.g.
 * ['spec', 'template', 'spec', 'containers', 'ports'].
 */
export type ListStrategy = { mergeKey: string } | { primitiveSet: true } | undefined

const CONTAINER_LISTS = new Set(['containers', 'initContainers', 'ephemeralContainers'])

export function listStrategy(path: string[], kind?: string): ListStrategy {
  const field = path[path.length - 1]
  const parent = path[path.length - 2]
  switch (field) {
    case 'containers':
    case 'initContainers':
    case 'ephemeralContainers':
    case 'volumes':
    case 'imagePullSecrets':
    case 'env':
      return { mergeKey: 'name' }
    case 'volumeMounts':
      return { mergeKey: 'mountPath' }
    case 'volumeDevices':
      return { mergeKey: 'devicePath' }
    case 'hostAliases':
      return { mergeKey: 'ip' }
    case 'conditions':
      return { mergeKey: 'type' }
    case 'readinessGates':
      return { mergeKey: 'conditionType' }
    case 'ownerReferences':
      return { mergeKey: 'uid' }
    case 'finalizers':
      return parent === 'metadata' ? { primitiveSet: true } : undefined
    case 'ports':
      if (parent && CONTAINER_LISTS.has(parent)) return { mergeKey: 'containerPort' }
      // Service.spec.ports merge by port; Endpoints subsets[].ports are atomic.
      if (path.length === 2 && parent === 'spec' && (kind === undefined || kind === 'Service')) return { mergeKey: 'port' }
      return undefined
    case 'topologySpreadConstraints':
      return { mergeKey: 'topologyKey' }
    case 'podIPs':
    case 'hostIPs':
      return { mergeKey: 'ip' }
    default:
      return undefined
  }
}

const SET_ORDER = '$setElementOrder/'
const DELETE_PRIMITIVE = '$deleteFromPrimitiveList/'

/** Applies a strategic merge patch. `kind` disambiguates list keys (Service ports vs others). */
export function strategicMergePatch(original: unknown, patch: unknown, kind?: string): any {
  if (!isObject(patch)) throw invalidPatch('strategic merge patch must be a JSON object')
  return smpObject(isObject(original) ? original : {}, patch, [], kind)
}

function smpObject(original: JsonObject, patch: JsonObject, path: string[], kind?: string): JsonObject {
  const directive = patch['$patch']
  if (directive === 'replace') {
    const rest = { ...patch }
    delete rest['$patch']
    return stripDirectives(rest) as JsonObject
  }
  if (directive === 'delete') return {}
  if (directive !== undefined && directive !== 'merge') throw invalidPatch(`unknown patch type: ${String(directive)}`)

  const out: JsonObject = clone(original)
  const retain = patch['$retainKeys']
  if (retain !== undefined) {
    if (!Array.isArray(retain)) throw invalidPatch('$retainKeys must be a list of field names')
    const keep = new Set(retain.map(String))
    for (const k of Object.keys(out)) if (!keep.has(k)) delete out[k]
  }

  const orders: Record<string, Json[]> = {}
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$patch' || k === '$retainKeys') continue
    if (k.startsWith(SET_ORDER)) {
      if (!Array.isArray(v)) throw invalidPatch(`${k} must be a list`)
      orders[k.slice(SET_ORDER.length)] = v
      continue
    }
    if (k.startsWith(DELETE_PRIMITIVE)) {
      const field = k.slice(DELETE_PRIMITIVE.length)
      if (!Array.isArray(v)) throw invalidPatch(`${k} must be a list`)
      const cur = out[field]
      if (Array.isArray(cur)) out[field] = cur.filter((x) => !v.some((d) => deepEqual(d, x)))
      continue
    }
    if (v === null) {
      delete out[k]
      continue
    }
    const childPath = [...path, k]
    const cur = out[k]
    if (Array.isArray(v)) {
      out[k] = smpList(Array.isArray(cur) ? cur : [], v, childPath, kind)
    } else if (isObject(v)) {
      if (v['$patch'] === 'delete') delete out[k]
      else out[k] = smpObject(isObject(cur) ? cur : {}, v, childPath, kind)
    } else {
      out[k] = v
    }
  }

  for (const [field, order] of Object.entries(orders)) {
    const cur = out[field]
    if (Array.isArray(cur)) out[field] = applyOrder(cur, order, listStrategy([...path, field], kind))
  }
  return out
}

function smpList(original: Json[], patch: Json[], path: string[], kind?: string): Json[] {
  const strategy = listStrategy(path, kind)
  // A `{"$patch": "replace"}` element replaces the whole list with the other elements.
  if (patch.some((e) => isObject(e) && e['$patch'] === 'replace' && Object.keys(e).length === 1)) {
    return patch.filter((e) => !(isObject(e) && e['$patch'] === 'replace')).map(stripDirectives)
  }
  if (!strategy) return patch.map(stripDirectives)
  if ('primitiveSet' in strategy) {
    const out = [...original]
    for (const v of patch) if (!out.some((x) => deepEqual(x, v))) out.push(v)
    return out
  }
  const key = strategy.mergeKey
  const out: Json[] = original.map((e) => clone(e))
  for (const el of patch) {
    if (!isObject(el)) {
      out.push(el)
      continue
    }
    const idx = out.findIndex((o) => isObject(o) && el[key] !== undefined && deepEqual(o[key]!, el[key]!))
    if (el['$patch'] === 'delete') {
      if (idx >= 0) out.splice(idx, 1)
      continue
    }
    if (idx >= 0) out[idx] = smpObject(out[idx] as JsonObject, el, path, kind)
    else out.push(smpObject({}, el, path, kind))
  }
  return out
}

/** `$setElementOrder`: listed elements first, in that order; the rest keep their relative order. */
function applyOrder(list: Json[], order: Json[], strategy: ListStrategy): Json[] {
  const keyOf = (e: Json): Json | undefined =>
    strategy && 'mergeKey' in strategy ? (isObject(e) ? e[strategy.mergeKey] : undefined) : e
  const wanted = order.map((o) => (strategy && 'mergeKey' in strategy && isObject(o) ? o[strategy.mergeKey] : o))
  const ordered: Json[] = []
  const used = new Set<number>()
  for (const w of wanted) {
    const i = list.findIndex((e, j) => !used.has(j) && w !== undefined && deepEqual(keyOf(e) ?? null, w ?? null))
    if (i >= 0) {
      used.add(i)
      ordered.push(list[i]!)
    }
  }
  list.forEach((e, j) => {
    if (!used.has(j)) ordered.push(e)
  })
  return ordered
}

/** Removes `$`-directives from a value that is being taken over as a whole. */
function stripDirectives(v: Json): Json {
  if (Array.isArray(v)) return v.map(stripDirectives)
  if (!isObject(v)) return v
  const out: JsonObject = {}
  for (const [k, x] of Object.entries(v)) {
    if (k.startsWith('$')) continue
    out[k] = stripDirectives(x)
  }
  return out
}

// ---------------------------------------------------------------------------------------------
// JSON patch (RFC 6902)

const unprocessable = (msg: string) =>
  new KubeStatusError(422, 'Invalid', msg, { causes: [{ field: 'patch', message: msg, reason: 'FieldValueInvalid' }] })

function parsePointer(p: unknown): string[] {
  if (typeof p !== 'string') throw invalidPatch('json patch: path must be a string')
  if (p === '') return []
  if (!p.startsWith('/')) throw invalidPatch(`json patch: invalid JSON pointer "${p}"`)
  return p
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
}

function resolveParent(doc: Json, tokens: string[], op: string): { parent: Json; last: string } {
  let cur = doc
  for (const t of tokens.slice(0, -1)) {
    if (Array.isArray(cur)) {
      const i = arrayIndex(t, cur.length - 1, op)
      cur = cur[i]!
    } else if (isObject(cur)) {
      if (!(t in cur)) throw unprocessable(`json patch ${op} operation does not apply: doc is missing path: "/${tokens.join('/')}"`)
      cur = cur[t]!
    } else throw unprocessable(`json patch ${op} operation does not apply: doc is missing path: "/${tokens.join('/')}"`)
    if (cur === undefined) throw unprocessable(`json patch ${op} operation does not apply: doc is missing path: "/${tokens.join('/')}"`)
  }
  return { parent: cur, last: tokens[tokens.length - 1]! }
}

function arrayIndex(t: string, max: number, op: string): number {
  if (!/^(0|[1-9][0-9]*)$/.test(t)) throw unprocessable(`json patch ${op}: invalid array index "${t}"`)
  const i = Number(t)
  if (i > max) throw unprocessable(`json patch ${op}: array index ${i} out of bounds`)
  return i
}

function getAt(doc: Json, tokens: string[], op: string): Json {
  if (tokens.length === 0) return doc
  const { parent, last } = resolveParent(doc, tokens, op)
  if (Array.isArray(parent)) return parent[arrayIndex(last, parent.length - 1, op)]!
  if (isObject(parent) && last in parent) return parent[last]!
  throw unprocessable(`json patch ${op} operation does not apply: doc is missing path: "/${tokens.join('/')}"`)
}

function addAt(doc: Json, tokens: string[], value: Json, op: string): Json {
  if (tokens.length === 0) return value
  const { parent, last } = resolveParent(doc, tokens, op)
  if (Array.isArray(parent)) {
    if (last === '-') parent.push(value)
    else parent.splice(arrayIndex(last, parent.length, op), 0, value)
  } else if (isObject(parent)) parent[last] = value
  else throw unprocessable(`json patch ${op} operation does not apply: doc is missing path: "/${tokens.join('/')}"`)
  return doc
}

function removeAt(doc: Json, tokens: string[], op: string): Json {
  if (tokens.length === 0) throw unprocessable(`json patch ${op}: cannot remove the whole document`)
  const { parent, last } = resolveParent(doc, tokens, op)
  if (Array.isArray(parent)) parent.splice(arrayIndex(last, parent.length - 1, op), 1)
  else if (isObject(parent) && last in parent) delete parent[last]
  else throw unprocessable(`json patch ${op} operation does not apply: doc is missing path: "/${tokens.join('/')}"`)
  return doc
}

export function jsonPatch(doc: unknown, ops: unknown): any {
  if (!Array.isArray(ops)) throw invalidPatch('json patch must be a JSON array of operations')
  let out = clone(doc) as Json
  for (const raw of ops) {
    if (!isObject(raw)) throw invalidPatch('json patch: each operation must be an object')
    const op = raw['op']
    const path = parsePointer(raw['path'])
    switch (op) {
      case 'add':
        if (!('value' in raw)) throw invalidPatch('json patch add: missing value')
        out = addAt(out, path, clone(raw['value']!), 'add')
        break
      case 'remove':
        out = removeAt(out, path, 'remove')
        break
      case 'replace':
        if (!('value' in raw)) throw invalidPatch('json patch replace: missing value')
        getAt(out, path, 'replace')
        if (path.length === 0) out = clone(raw['value']!)
        else {
          const { parent, last } = resolveParent(out, path, 'replace')
          if (Array.isArray(parent)) parent[arrayIndex(last, parent.length - 1, 'replace')] = clone(raw['value']!)
          else (parent as JsonObject)[last] = clone(raw['value']!)
        }
        break
      case 'move': {
        const from = parsePointer(raw['from'])
        const v = getAt(out, from, 'move')
        out = removeAt(out, from, 'move')
        out = addAt(out, path, v, 'move')
        break
      }
      case 'copy': {
        const v = clone(getAt(out, parsePointer(raw['from']), 'copy'))
        out = addAt(out, path, v, 'copy')
        break
      }
      case 'test': {
        const v = getAt(out, path, 'test')
        if (!deepEqual(v, (raw['value'] ?? null) as Json)) throw unprocessable(`testing value ${raw['path'] as string} failed`)
        break
      }
      default:
        throw invalidPatch(`json patch: unexpected operation "${String(op)}"`)
    }
  }
  return out
}

// ---------------------------------------------------------------------------------------------

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false
  if (Array.isArray(a) !== Array.isArray(b)) return false
  if (Array.isArray(a)) {
    const bb = b as unknown[]
    return a.length === bb.length && a.every((x, i) => deepEqual(x, bb[i]))
  }
  const ak = Object.keys(a as object).filter((k) => (a as Record<string, unknown>)[k] !== undefined)
  const bk = Object.keys(b as object).filter((k) => (b as Record<string, unknown>)[k] !== undefined)
  if (ak.length !== bk.length) return false
  return ak.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
}

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply'

/** Maps a PATCH Content-Type to its flavour; undefined for unsupported types (415). */
export function patchTypeOf(contentType: string | undefined): PatchType | undefined {
  const ct = (contentType ?? '').split(';')[0]!.trim().toLowerCase()
  switch (ct) {
    case 'application/json-patch+json':
      return 'json'
    case 'application/merge-patch+json':
      return 'merge'
    case 'application/strategic-merge-patch+json':
      return 'strategic'
    case 'application/apply-patch+yaml':
    case 'application/apply-patch+json':
      return 'apply'
    default:
      return undefined
  }
}

export function applyPatch(type: PatchType, doc: unknown, patch: unknown, kind?: string): any {
  switch (type) {
    case 'json':
      return jsonPatch(doc, patch)
    case 'merge':
      return mergePatch(doc, patch)
    case 'strategic':
    case 'apply':
      return strategicMergePatch(doc, patch, kind)
  }
}
