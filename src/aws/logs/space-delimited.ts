import { FilterPatternError } from './filter-pattern-error.js'

type LogMatcher = (message: string) => boolean

/**
 * Space-delimited filter patterns: `[ip, user, ..., status_code = 4*, bytes > 1000]`. The message is
 * split at spaces, text in `"..."` or `[...]` being one field (without its delimiters); the pattern
 * names each field, `...` standing for any number of them. A field may carry conditions on the
 * named fields: `= != < <= > >=`, `*` wildcards in strings, joined with `&&` / `||`.
 * Without `...` the message must have exactly as many fields as the pattern.
 */
const INVALID = 'Invalid filter pattern'

type Cond = { field: string; op: string; value: string; num?: number }
type Expr = { or: Cond[][] } // OR of ANDs
type Slot = { ellipsis: true } | { name: string; expr?: Expr }

export function compileSpaceDelimited(body: string): LogMatcher {
  const slots = splitTopLevel(body).map(parseSlot)
  if (slots.length === 0) throw new FilterPatternError(INVALID)
  const conds = slots.filter((s): s is { name: string; expr: Expr } => 'name' in s && !!s.expr)
  return (message) => {
    const fields = splitMessage(message)
    const binding = bind(slots, fields)
    if (!binding) return false
    return conds.every((s) => s.expr.or.some((all) => all.every((c) => test(c, binding.get(c.field)))))
  }
}

/** Splits the pattern's body at commas outside quotes. */
function splitTopLevel(body: string): string[] {
  const out: string[] = []
  let cur = ''
  let quoted = false
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!
    if (c === '"' && body[i - 1] !== '\\') quoted = !quoted
    if (c === ',' && !quoted) {
      out.push(cur.trim())
      cur = ''
    } else cur += c
  }
  if (quoted) throw new FilterPatternError(INVALID)
  if (cur.trim() !== '' || out.length) out.push(cur.trim())
  if (out.some((s) => s === '')) throw new FilterPatternError(INVALID)
  return out
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

function parseSlot(s: string): Slot {
  if (s === '...') return { ellipsis: true }
  if (NAME.test(s)) return { name: s }
  const first = /^([A-Za-z_][A-Za-z0-9_]*)\s*(=|!=|<=|>=|<|>)/.exec(s)
  if (!first) throw new FilterPatternError(INVALID)
  const or: Cond[][] = []
  for (const alt of splitOn(s, '||')) or.push(splitOn(alt, '&&').map(parseCond))
  return { name: first[1]!, expr: { or } }
}

function splitOn(s: string, sep: string): string[] {
  const out: string[] = []
  let cur = ''
  let quoted = false
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '"') quoted = !quoted
    if (!quoted && s.startsWith(sep, i)) {
      out.push(cur)
      cur = ''
      i += sep.length - 1
    } else cur += s[i]
  }
  out.push(cur)
  return out.map((x) => x.trim())
}

function parseCond(s: string): Cond {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)\s*(=|!=|<=|>=|<|>)\s*(.+)$/.exec(s)
  if (!m) throw new FilterPatternError(INVALID)
  let value = m[3]!.trim()
  const quoted = value.startsWith('"')
  if (quoted) {
    if (!value.endsWith('"') || value.length < 2) throw new FilterPatternError(INVALID)
    value = value.slice(1, -1)
  } else if (!/^[A-Za-z0-9_.\-*:/@]+$/.test(value)) throw new FilterPatternError(INVALID)
  const num = !quoted && /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : undefined
  if (num === undefined && m[2] !== '=' && m[2] !== '!=') throw new FilterPatternError(INVALID)
  return { field: m[1]!, op: m[2]!, value, num }
}

/** The message's fields: runs of non-space, or "..." / [...] groups without their delimiters. */
export function splitMessage(m: string): string[] {
  const out: string[] = []
  let i = 0
  while (i < m.length) {
    if (m[i] === ' ' || m[i] === '\t') {
      i++
      continue
    }
    const close = m[i] === '"' ? '"' : m[i] === '[' ? ']' : undefined
    if (close) {
      const end = m.indexOf(close, i + 1)
      if (end > 0) {
        out.push(m.slice(i + 1, end))
        i = end + 1
        continue
      }
    }
    let j = i
    while (j < m.length && m[j] !== ' ' && m[j] !== '\t') j++
    out.push(m.slice(i, j))
    i = j
  }
  return out
}

/** Assigns fields to the named slots (`...` takes any number); the first assignment that fits. */
function bind(slots: Slot[], fields: string[]): Map<string, string> | undefined {
  const out = new Map<string, string>()
  const go = (si: number, fi: number): boolean => {
    if (si === slots.length) return fi === fields.length
    const slot = slots[si]!
    if ('ellipsis' in slot) {
      for (let k = fi; k <= fields.length; k++) if (go(si + 1, k)) return true
      return false
    }
    if (fi >= fields.length) return false
    out.set(slot.name, fields[fi]!)
    return go(si + 1, fi + 1)
  }
  return go(0, 0) ? out : undefined
}

function test(c: Cond, v: string | undefined): boolean {
  if (v === undefined) return false
  if (c.num !== undefined) {
    const x = Number(v)
    if (v.trim() === '' || !Number.isFinite(x)) return false
    switch (c.op) {
      case '=': return x === c.num
      case '!=': return x !== c.num
      case '<': return x < c.num
      case '<=': return x <= c.num
      case '>': return x > c.num
      default: return x >= c.num
    }
  }
  const re = new RegExp(`^${c.value.split('*').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 's')
  return c.op === '=' ? re.test(v) : !re.test(v)
}
