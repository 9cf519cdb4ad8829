import { KubeStatusError, type KubeObject } from './types.js'

/**
 * Label and field selectors as the Kubernetes API parses them: the string forms of `labelSelector`
 * and `fieldSelector` query parameters, and the structured LabelSelector of workload specs.
 */
export type Requirement =
  | { key: string; op: 'eq' | 'neq'; values: [string] }
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: 'exists' | 'notexists'; values: [] }

export interface LabelSelector {
  matchLabels?: Record<string, string>
  matchExpressions?: { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | string; values?: string[] }[]
}

const bad = (msg: string) => new KubeStatusError(400, 'BadRequest', msg)

/** Parses `a=b,c!=d,e in (x,y),!f,g` (the grammar of k8s.io/apimachinery/pkg/labels). */
export function parseLabelSelector(s: string | undefined): Requirement[] {
  const out: Requirement[] = []
  if (!s || !s.trim()) return out
  let i = 0
  const ws = () => {
    while (i < s.length && /\s/.test(s[i]!)) i++
  }
  const ident = () => {
    ws()
    const start = i
    while (i < s.length && /[A-Za-z0-9._\-/]/.test(s[i]!)) i++
    return s.slice(start, i)
  }
  while (i < s.length) {
    ws()
    if (s[i] === '!') {
      i++
      const key = ident()
      if (!key) throw bad(`unable to parse requirement: found '!' without a key in "${s}"`)
      out.push({ key, op: 'notexists', values: [] })
    } else {
      const key = ident()
      if (!key) throw bad(`unable to parse requirement: expected a key at position ${i} in "${s}"`)
      ws()
      if (i >= s.length || s[i] === ',') {
        out.push({ key, op: 'exists', values: [] })
      } else if (s.startsWith('!=', i)) {
        i += 2
        out.push({ key, op: 'neq', values: [ident()] })
      } else if (s.startsWith('==', i)) {
        i += 2
        out.push({ key, op: 'eq', values: [ident()] })
      } else if (s[i] === '=') {
        i += 1
        out.push({ key, op: 'eq', values: [ident()] })
      } else {
        const word = ident()
        const op = word === 'in' ? 'in' : word === 'notin' ? 'notin' : undefined
        if (!op) throw bad(`unable to parse requirement: unexpected "${word || s[i]}" after "${key}" in "${s}"`)
        ws()
        if (s[i] !== '(') throw bad(`unable to parse requirement: expected '(' after "${key} ${op}" in "${s}"`)
        i++
        const values: string[] = []
        for (;;) {
          const v = ident()
          ws()
          if (v) values.push(v)
          if (s[i] === ',') {
            i++
            continue
          }
          if (s[i] === ')') {
            i++
            break
          }
          throw bad(`unable to parse requirement: expected ',' or ')' in "${s}"`)
        }
        if (values.length === 0) throw bad(`for 'in', 'notin' operators, values set can't be empty`)
        out.push({ key, op, values })
      }
    }
    ws()
    if (i < s.length) {
      if (s[i] !== ',') throw bad(`unable to parse requirement: unexpected "${s[i]}" in "${s}"`)
      i++
    }
  }
  return out
}

export function matchRequirements(reqs: Requirement[], labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {}
  for (const r of reqs) {
    const has = Object.prototype.hasOwnProperty.call(l, r.key)
    const v = l[r.key]
    switch (r.op) {
      case 'eq':
        if (!has || v !== r.values[0]) return false
        break
      case 'neq':
        if (has && v === r.values[0]) return false
        break
      case 'in':
        if (!has || !r.values.includes(v!)) return false
        break
      case 'notin':
        if (has && r.values.includes(v!)) return false
        break
      case 'exists':
        if (!has) return false
        break
      case 'notexists':
        if (has) return false
        break
    }
  }
  return true
}

/** Converts a structured LabelSelector (Deployment.spec.selector) into requirements. */
export function labelSelectorRequirements(sel: LabelSelector | undefined): Requirement[] {
  const out: Requirement[] = []
  for (const [key, value] of Object.entries(sel?.matchLabels ?? {})) out.push({ key, op: 'eq', values: [value] })
  for (const e of sel?.matchExpressions ?? []) {
    switch (e.operator) {
      case 'In':
        out.push({ key: e.key, op: 'in', values: [...(e.values ?? [])] })
        break
      case 'NotIn':
        out.push({ key: e.key, op: 'notin', values: [...(e.values ?? [])] })
        break
      case 'Exists':
        out.push({ key: e.key, op: 'exists', values: [] })
        break
      case 'DoesNotExist':
        out.push({ key: e.key, op: 'notexists', values: [] })
        break
      default:
        throw bad(`${e.operator} is not a valid label selector operator`)
    }
  }
  return out
}

/** True when `labels` match a structured LabelSelector. An empty selector matches everything. */
export function matchesLabelSelector(sel: LabelSelector | undefined, labels: Record<string, string> | undefined): boolean {
  return matchRequirements(labelSelectorRequirements(sel), labels)
}

/** The string form (`app=web,tier in (a,b)`), as Scale.status.selector and `kubectl` show it. */
export function labelSelectorToString(sel: LabelSelector | undefined): string {
  return requirementsToString(labelSelectorRequirements(sel))
}

export function requirementsToString(reqs: Requirement[]): string {
  return reqs
    .map((r) => {
      switch (r.op) {
        case 'eq':
          return `${r.key}=${r.values[0]}`
        case 'neq':
          return `${r.key}!=${r.values[0]}`
        case 'in':
          return `${r.key} in (${[...r.values].sort().join(',')})`
        case 'notin':
          return `${r.key} notin (${[...r.values].sort().join(',')})`
        case 'exists':
          return r.key
        case 'notexists':
          return `!${r.key}`
      }
    })
    .join(',')
}

export interface FieldRequirement {
  field: string
  op: 'eq' | 'neq'
  value: string
}

/** Parses `metadata.name=x,status.phase!=Running` (equality only, as the API server supports). */
export function parseFieldSelector(s: string | undefined): FieldRequirement[] {
  if (!s || !s.trim()) return []
  return splitUnescaped(s).map((part) => {
    const m = /^\s*([^!=\s]+)\s*(==|!=|=)\s*(.*?)\s*$/.exec(part)
    if (!m) throw bad(`invalid selector: '${s}'; can't understand '${part}'`)
    return { field: m[1]!, op: m[2] === '!=' ? 'neq' : 'eq', value: unescapeValue(m[3]!) }
  })
}

function splitUnescaped(s: string): string[] {
  const parts: string[] = []
  let cur = ''
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\' && i + 1 < s.length) {
      cur += s[i]! + s[i + 1]!
      i++
    } else if (s[i] === ',') {
      parts.push(cur)
      cur = ''
    } else cur += s[i]
  }
  parts.push(cur)
  return parts.filter((p) => p.trim() !== '')
}

const unescapeValue = (v: string) => v.replace(/\\(.)/g, '$1')

/** The value of a dotted field path on an object, as a string ('' when absent, like the API server). */
export function fieldValue(obj: KubeObject, path: string): string {
  let cur: unknown = obj
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return ''
    cur = (cur as Record<string, unknown>)[part]
  }
  if (cur === undefined || cur === null) return ''
  return typeof cur === 'object' ? JSON.stringify(cur) : String(cur)
}

export function matchFields(reqs: FieldRequirement[], obj: KubeObject): boolean {
  for (const r of reqs) {
    const v = fieldValue(obj, r.field)
    if (r.op === 'eq' ? v !== r.value : v === r.value) return false
  }
  return true
}

/** A compiled label + field selector for lists and watches. */
export interface ObjectFilter {
  (obj: KubeObject): boolean
}

export function compileFilter(labelSelector?: string, fieldSelector?: string): ObjectFilter {
  const labels = parseLabelSelector(labelSelector)
  const fields = parseFieldSelector(fieldSelector)
  if (labels.length === 0 && fields.length === 0) return () => true
  return (obj) => matchRequirements(labels, obj.metadata?.labels) && matchFields(fields, obj)
}
