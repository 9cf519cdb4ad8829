import { FilterPatternError } from './filter-pattern-error.js'
import { compileSpaceDelimited } from './space-delimited.js'

/**
 * CloudWatch Logs filter patterns (FilterLogEvents `filterPattern`), compiled to a predicate on an
 * event's message. Pure: no state, no AWS types.
 *
 * - Empty (or blank): every event.
 * - Terms: `ERROR timeout` (all must appear, case-sensitive), `"quoted phrase"`, `?ERROR ?WARN` (at least
 *   one of the `?` terms), `-DEBUG` (must not appear), `%regex%` (a regular expression).
 * - JSON: `{ $.level = "error" }`, `{ $.code != 200 }`, `< <= > >= = !=`, `&&`, `||`, parentheses,
 *   `EXISTS` / `NOT EXISTS`, `IS TRUE|FALSE|NULL`, `*` wildcards in string values, `$.a.b[0]`, `$.a[*]`.
 *   Only events whose message is a JSON object or array can match.
 * - Space-delimited: `[ip, user, ..., status = 4*, bytes > 1000]` (space-delimited.ts).
 *
 * An invalid pattern throws FilterPatternError with AWS's texts ("Invalid character(s) in term '<c>'",
 * "If a filter pattern starts with '{' it must end with '}'", else "Invalid filter pattern").
 */
export { FilterPatternError }

export type LogMatcher = (message: string) => boolean

const INVALID = 'Invalid filter pattern'

export function compileFilterPattern(pattern: string | undefined): LogMatcher {
  const p = (pattern ?? '').trim()
  if (p === '') return () => true
  if (p.startsWith('{')) {
    if (!p.endsWith('}')) throw new FilterPatternError("If a filter pattern starts with '{' it must end with '}'")
    return compileJson(p.slice(1, -1))
  }
  if (p.startsWith('[')) {
    if (!p.endsWith(']')) throw new FilterPatternError(INVALID)
    return compileSpaceDelimited(p.slice(1, -1))
  }
  return compileTerms(p)
}

// ---------- terms ----------

/** Unquoted term characters: AWS documents letters, digits and `_`; `.`, `-` and `/` are accepted too (lenient, unverified). */
const TERM_CHAR = /[A-Za-z0-9_.\-/]/

function compileTerms(p: string): LogMatcher {
  const all: ((m: string) => boolean)[] = []
  const any: ((m: string) => boolean)[] = []
  const none: ((m: string) => boolean)[] = []
  let i = 0
  while (i < p.length) {
    if (/\s/.test(p[i]!)) {
      i++
      continue
    }
    let kind: 'all' | 'any' | 'none' = 'all'
    if (p[i] === '?' || p[i] === '-') {
      kind = p[i] === '?' ? 'any' : 'none'
      i++
    }
    let test: (m: string) => boolean
    if (p[i] === '"') {
      const r = readQuoted(p, i)
      i = r.end
      const phrase = r.value
      test = (m) => m.includes(phrase)
    } else if (p[i] === '%') {
      const end = p.indexOf('%', i + 1)
      if (end < 0) throw new FilterPatternError(INVALID)
      let re: RegExp
      try {
        re = new RegExp(p.slice(i + 1, end))
      } catch {
        throw new FilterPatternError(INVALID)
      }
      i = end + 1
      test = (m) => re.test(m)
    } else {
      let j = i
      while (j < p.length && !/\s/.test(p[j]!)) {
        if (!TERM_CHAR.test(p[j]!)) throw new FilterPatternError(`Invalid character(s) in term '${p[j]}'`)
        j++
      }
      if (j === i) throw new FilterPatternError(INVALID)
      const term = p.slice(i, j)
      i = j
      test = (m) => m.includes(term)
    }
    if (i < p.length && !/\s/.test(p[i]!)) throw new FilterPatternError(`Invalid character(s) in term '${p[i]}'`)
    ;(kind === 'all' ? all : kind === 'any' ? any : none).push(test)
  }
  return (m) => all.every((t) => t(m)) && (any.length === 0 || any.some((t) => t(m))) && !none.some((t) => t(m))
}

/** A `"..."` at p[i] (backslash escapes `"` and `\`): its text and the index after it. */
function readQuoted(p: string, i: number): { value: string; end: number } {
  let out = ''
  for (let j = i + 1; j < p.length; j++) {
    const c = p[j]!
    if (c === '\\' && j + 1 < p.length) {
      out += p[++j]
      continue
    }
    if (c === '"') return { value: out, end: j + 1 }
    out += c
  }
  throw new FilterPatternError(INVALID)
}

// ---------- JSON ----------

type Tok =
  | { t: 'sel'; path: PathStep[] }
  | { t: 'op'; v: '=' | '!=' | '<' | '<=' | '>' | '>=' }
  | { t: 'and' | 'or' | 'lp' | 'rp' }
  | { t: 'str'; v: string; quoted: boolean }
  | { t: 'num'; v: number; raw: string }
  | { t: 'word'; v: string }

type PathStep = { key: string } | { index: number } | { every: true }

type Node =
  | { k: 'and' | 'or'; a: Node; b: Node }
  | { k: 'cmp'; path: PathStep[]; op: string; value: Tok }
  | { k: 'exists'; path: PathStep[]; not: boolean }
  | { k: 'is'; path: PathStep[]; what: 'TRUE' | 'FALSE' | 'NULL' }

function lexJson(s: string): Tok[] {
  const out: Tok[] = []
  let i = 0
  while (i < s.length) {
    const c = s[i]!
    if (/\s/.test(c)) {
      i++
      continue
    }
    if (c === '(' || c === ')') {
      out.push({ t: c === '(' ? 'lp' : 'rp' })
      i++
    } else if (s.startsWith('&&', i) || s.startsWith('||', i)) {
      out.push({ t: s[i] === '&' ? 'and' : 'or' })
      i += 2
    } else if (/[=!<>]/.test(c)) {
      const two = s.slice(i, i + 2)
      if (two === '!=' || two === '<=' || two === '>=') {
        out.push({ t: 'op', v: two })
        i += 2
      } else if (c === '=' || c === '<' || c === '>') {
        out.push({ t: 'op', v: c })
        i++
      } else throw new FilterPatternError(INVALID)
    } else if (c === '$') {
      const r = readPath(s, i)
      out.push({ t: 'sel', path: r.path })
      i = r.end
    } else if (c === '"') {
      const r = readQuoted(s, i)
      out.push({ t: 'str', v: r.value, quoted: true })
      i = r.end
    } else {
      let j = i
      while (j < s.length && /[A-Za-z0-9_.\-+*:/@]/.test(s[j]!)) j++
      if (j === i) throw new FilterPatternError(`Invalid character(s) in term '${c}'`)
      const raw = s.slice(i, j)
      i = j
      if (/^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(raw)) out.push({ t: 'num', v: Number(raw), raw })
      else if (/^(EXISTS|NOT|IS|TRUE|FALSE|NULL)$/.test(raw)) out.push({ t: 'word', v: raw })
      else out.push({ t: 'str', v: raw, quoted: false })
    }
  }
  return out
}

/** `$.a.b[0].c[*]` (keys may hold `-`, as `$.detail-type`). */
function readPath(s: string, i: number): { path: PathStep[]; end: number } {
  const path: PathStep[] = []
  let j = i + 1
  while (j < s.length) {
    if (s[j] === '.') {
      let k = j + 1
      while (k < s.length && /[A-Za-z0-9_\-@$]/.test(s[k]!)) k++
      if (k === j + 1) throw new FilterPatternError(`Invalid character(s) in term '${s.slice(i, k + 1)}'`)
      path.push({ key: s.slice(j + 1, k) })
      j = k
    } else if (s[j] === '[') {
      const close = s.indexOf(']', j)
      if (close < 0) throw new FilterPatternError(INVALID)
      const inner = s.slice(j + 1, close).trim()
      if (inner === '*') path.push({ every: true })
      else if (/^\d+$/.test(inner)) path.push({ index: Number(inner) })
      else throw new FilterPatternError(INVALID)
      j = close + 1
    } else break
  }
  if (path.length === 0) throw new FilterPatternError(INVALID)
  return { path, end: j }
}

function parseJson(toks: Tok[]): Node {
  let i = 0
  const peek = () => toks[i]
  const or = (): Node => {
    let a = and()
    while (peek()?.t === 'or') {
      i++
      a = { k: 'or', a, b: and() }
    }
    return a
  }
  const and = (): Node => {
    let a = unary()
    while (peek()?.t === 'and') {
      i++
      a = { k: 'and', a, b: unary() }
    }
    return a
  }
  const word = (v: string) => {
    const t = peek()
    if (t?.t === 'word' && t.v === v) {
      i++
      return true
    }
    return false
  }
  const unary = (): Node => {
    const t = toks[i++]
    if (!t) throw new FilterPatternError(INVALID)
    if (t.t === 'lp') {
      const n = or()
      if (toks[i++]?.t !== 'rp') throw new FilterPatternError(INVALID)
      return n
    }
    if (t.t !== 'sel') throw new FilterPatternError(INVALID)
    if (word('EXISTS')) return { k: 'exists', path: t.path, not: false }
    if (word('NOT')) {
      if (!word('EXISTS')) throw new FilterPatternError(INVALID)
      return { k: 'exists', path: t.path, not: true }
    }
    if (word('IS')) {
      const w = toks[i++]
      if (w?.t !== 'word' || !['TRUE', 'FALSE', 'NULL'].includes(w.v)) throw new FilterPatternError(INVALID)
      return { k: 'is', path: t.path, what: w.v as 'TRUE' | 'FALSE' | 'NULL' }
    }
    const op = toks[i++]
    const value = toks[i++]
    if (op?.t !== 'op' || !value || (value.t !== 'str' && value.t !== 'num')) throw new FilterPatternError(INVALID)
    // Strings compare only with = and != (AWS's rule for string values).
    if (value.t === 'str' && op.v !== '=' && op.v !== '!=') throw new FilterPatternError(INVALID)
    return { k: 'cmp', path: t.path, op: op.v, value }
  }
  const n = or()
  if (i !== toks.length) throw new FilterPatternError(INVALID)
  return n
}

const MISSING = Symbol('missing')

/** Every value the path reaches (several through `[*]`). */
function resolve(doc: unknown, path: PathStep[]): unknown[] {
  let cur: unknown[] = [doc]
  for (const step of path) {
    const next: unknown[] = []
    for (const v of cur) {
      if ('key' in step) {
        if (v && typeof v === 'object' && !Array.isArray(v) && Object.prototype.hasOwnProperty.call(v, step.key)) next.push((v as Record<string, unknown>)[step.key])
      } else if ('index' in step) {
        if (Array.isArray(v) && step.index < v.length) next.push(v[step.index])
      } else if (Array.isArray(v)) next.push(...v)
    }
    cur = next
  }
  return cur
}

const wildcard = (pattern: string) => new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 's')

function compare(node: Extract<Node, { k: 'cmp' }>): (v: unknown) => boolean {
  const { op, value } = node
  if (value.t === 'num') {
    const n = value.v
    return (v) => {
      // Numeric strings compare as numbers too (lenient; unverified against AWS).
      const x = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : MISSING
      if (x === MISSING) return false
      switch (op) {
        case '=': return x === n
        case '!=': return x !== n
        case '<': return x < n
        case '<=': return x <= n
        case '>': return x > n
        default: return x >= n
      }
    }
  }
  const v0 = (value as { v: string }).v
  const re = v0.includes('*') ? wildcard(v0) : undefined
  const eq = (v: unknown) => typeof v === 'string' && (re ? re.test(v) : v === v0)
  return op === '=' ? eq : (v) => typeof v === 'string' && !eq(v)
}

function evaluate(n: Node): (doc: unknown) => boolean {
  switch (n.k) {
    case 'and': {
      const a = evaluate(n.a)
      const b = evaluate(n.b)
      return (d) => a(d) && b(d)
    }
    case 'or': {
      const a = evaluate(n.a)
      const b = evaluate(n.b)
      return (d) => a(d) || b(d)
    }
    case 'exists':
      return (d) => (resolve(d, n.path).length > 0) !== n.not
    case 'is': {
      const want = n.what === 'TRUE' ? true : n.what === 'FALSE' ? false : null
      return (d) => resolve(d, n.path).some((v) => v === want)
    }
    case 'cmp': {
      const c = compare(n)
      return (d) => resolve(d, n.path).some(c)
    }
  }
}

function compileJson(body: string): LogMatcher {
  const toks = lexJson(body)
  if (toks.length === 0) throw new FilterPatternError(INVALID)
  const test = evaluate(parseJson(toks))
  return (m) => {
    const s = m.trimStart()
    if (s[0] !== '{' && s[0] !== '[') return false
    let doc: unknown
    try {
      doc = JSON.parse(m)
    } catch {
      return false
    }
    return test(doc)
  }
}
