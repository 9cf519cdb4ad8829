import type { CompiledService } from './compiled.js'
import { setOwn } from './json-output.js'

/**
 * The query protocol's request body (`Action=..&Version=..&Tags.member.1.Key=k&Attributes.entry.1.key=..`)
 * read into a model-shaped value: dotted keys become a tree, which the input shape walks (members by
 * their serialized name, lists as `<name>.member.N` or `<name>.N` when flattened, maps as
 * `<name>.entry.N.key/value`; `Name=` alone is an empty list, as botocore sends it). Scalars are
 * coerced to numbers and booleans where they read as such; anything else is left for the validator
 * to reject with the member's path.
 */
interface FormNode {
  value?: string
  children: Map<string, FormNode>
}

function tree(params: Iterable<[string, string]>): FormNode {
  const root: FormNode = { children: new Map() }
  for (const [key, value] of params) {
    if (key === 'Action' || key === 'Version') continue
    let node = root
    for (const part of key.split('.')) {
      let next = node.children.get(part)
      if (!next) node.children.set(part, (next = { children: new Map() }))
      node = next
    }
    node.value = value
  }
  return root
}

export function formInput(svc: CompiledService, shapeName: string | undefined, params: Iterable<[string, string]>): Record<string, unknown> {
  if (!shapeName) return {}
  return (read(svc, shapeName, tree(params)) as Record<string, unknown> | undefined) ?? {}
}

/** Children with numeric keys, in index order. */
function indexed(node: FormNode | undefined): FormNode[] {
  if (!node) return []
  return [...node.children.entries()]
    .filter(([k]) => /^\d+$/.test(k))
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([, n]) => n)
}

function read(svc: CompiledService, shapeName: string, node: FormNode): unknown {
  const s = svc.shape(shapeName)
  switch (s.type) {
    case 'structure': {
      if (node.children.size === 0) return node.value
      const out: Record<string, unknown> = {}
      for (const [name, ref] of Object.entries(s.members ?? {})) {
        const child = node.children.get(ref.locationName ?? name)
        if (child) out[name] = read(svc, ref.shape, child)
      }
      return out
    }
    case 'list': {
      if (node.children.size === 0) return node.value === '' ? [] : node.value
      const items = s.flattened ? indexed(node) : indexed(node.children.get(s.member!.locationName ?? 'member'))
      return items.map((n) => read(svc, s.member!.shape, n))
    }
    case 'map': {
      if (node.children.size === 0) return node.value === '' ? {} : node.value
      const out: Record<string, unknown> = {}
      for (const entry of s.flattened ? indexed(node) : indexed(node.children.get('entry'))) {
        const k = entry.children.get(s.key!.locationName ?? 'key')?.value
        const v = entry.children.get(s.value!.locationName ?? 'value')
        if (k !== undefined && v) setOwn(out, k, read(svc, s.value!.shape, v))
      }
      return out
    }
    case 'integer':
    case 'long':
      return node.value !== undefined && /^[+-]?\d+$/.test(node.value.trim()) ? Number(node.value) : node.value
    case 'double':
    case 'float': {
      const n = node.value === undefined || node.value.trim() === '' ? NaN : Number(node.value)
      return Number.isFinite(n) ? n : node.value
    }
    case 'boolean': {
      const b = node.value?.toLowerCase()
      return b === 'true' ? true : b === 'false' ? false : node.value
    }
    default:
      return node.value
  }
}
