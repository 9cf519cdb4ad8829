import { invalidParameter } from '../errors.js'

/**
 * ECS's cluster query language (ListContainerInstances `filter`, `memberOf` expressions):
 * `subject operator [argument]`, joined with `&&`/`and`, `||`/`or`, `!`/`not` and parentheses.
 * Parsed once into a tree, evaluated per container instance against its facts.
 */

export type Operator = '==' | '!=' | '>' | '>=' | '<' | '<=' | 'exists' | '!exists' | 'in' | '!in' | '=~' | '!~'

export type Query =
  | { kind: 'and' | 'or'; left: Query; right: Query }
  | { kind: 'not'; expr: Query }
  | { kind: 'test'; subject: string; op: Operator; values: string[] }

/** What an expression can ask about one container instance. */
export interface InstanceFacts {
  attributes: Map<string, string | undefined>
  ec2InstanceId: string
  agentConnected: boolean
  agentVersion: string
  /** epoch milliseconds */
  registeredAt: number
  runningTasksCount: number
  /** the `group` of every task on the instance that is meant to run */
  taskGroups: string[]
}

const WORD_OPERATORS: Record<string, Operator> = {
  equals: '==',
  not_equals: '!=',
  greater_than: '>',
  greater_than_equal: '>=',
  less_than: '<',
  less_than_equal: '<=',
  exists: 'exists',
  not_exists: '!exists',
  in: 'in',
  not_in: '!in',
  matches: '=~',
  not_matches: '!~',
}
const SYMBOL_OPERATORS: Operator[] = ['!exists', '==', '!=', '>=', '<=', '>', '<', '!in', '=~', '!~']

const EQUALITY: Operator[] = ['==', '!=', 'in', '!in', '=~', '!~']
const ORDERED: Operator[] = ['==', '!=', '>', '>=', '<', '<=']

/** Which operators each subject takes (attribute:<name> takes them all). */
function allowedOperators(subject: string): Operator[] | undefined {
  if (subject.startsWith('attribute:') && subject.length > 'attribute:'.length) return undefined
  switch (subject) {
    case 'agentConnected':
    case 'ec2InstanceId':
    case 'task:group':
      return EQUALITY
    case 'agentVersion':
    case 'registeredAt':
    case 'runningTasksCount':
      return ORDERED
    default:
      throw bad(`unknown subject '${subject}'`)
  }
}

// ECS's text for an invalid expression is not documented: this one names what is wrong.
const bad = (why: string) => invalidParameter(`Invalid cluster query expression: ${why}.`)

const MAX_LENGTH = 2000

export function parseQuery(text: string): Query {
  if (text.length > MAX_LENGTH) throw bad(`longer than ${MAX_LENGTH} characters`)
  const p = new Parser(text)
  const q = p.or()
  p.skip()
  if (!p.done()) throw bad(`unexpected '${p.rest()}'`)
  return q
}

class Parser {
  private i = 0
  constructor(private readonly s: string) {}

  done = () => this.i >= this.s.length
  rest = () => this.s.slice(this.i)
  skip(): void {
    while (this.i < this.s.length && /\s/.test(this.s[this.i]!)) this.i++
  }

  /** Consumes a symbol or a whole keyword (case-insensitive) when next. */
  private take(...tokens: string[]): boolean {
    this.skip()
    for (const t of tokens) {
      const next = this.s.slice(this.i, this.i + t.length)
      if (next.toLowerCase() !== t) continue
      if (/^[a-z_]+$/.test(t) && /[\w.:-]/.test(this.s[this.i + t.length] ?? '')) continue
      this.i += t.length
      return true
    }
    return false
  }

  or(): Query {
    let left = this.and()
    while (this.take('||', 'or')) left = { kind: 'or', left, right: this.and() }
    return left
  }

  and(): Query {
    let left = this.unary()
    while (this.take('&&', 'and')) left = { kind: 'and', left, right: this.unary() }
    return left
  }

  unary(): Query {
    this.skip()
    if (this.s.startsWith('!', this.i) && !this.s.startsWith('!=', this.i)) {
      this.i++
      return { kind: 'not', expr: this.unary() }
    }
    if (this.take('not')) return { kind: 'not', expr: this.unary() }
    if (this.take('(')) {
      const q = this.or()
      if (!this.take(')')) throw bad('missing )')
      return q
    }
    return this.test()
  }

  test(): Query {
    const subject = this.word()
    if (!subject) throw bad(this.done() ? 'expression ends early' : `expected a subject at '${this.rest()}'`)
    const op = this.operator()
    if (!op) throw bad(`expected an operator after '${subject}'`)
    const allowed = allowedOperators(subject)
    if (allowed && !allowed.includes(op)) throw bad(`'${subject}' does not take the operator ${op}`)
    if (op === 'exists' || op === '!exists') return { kind: 'test', subject, op, values: [] }
    if (op === 'in' || op === '!in') return { kind: 'test', subject, op, values: this.list() }
    const value = this.value()
    if (value === undefined) throw bad(`expected a value after '${subject} ${op}'`)
    if (op === '=~' || op === '!~') regex(value)
    return { kind: 'test', subject, op, values: [value] }
  }

  private word(): string {
    this.skip()
    const m = /^[A-Za-z][\w.:/-]*/.exec(this.rest())
    if (!m) return ''
    this.i += m[0].length
    return m[0]
  }

  private operator(): Operator | undefined {
    this.skip()
    for (const sym of SYMBOL_OPERATORS) if (this.take(sym)) return sym
    const save = this.i
    const w = this.word().toLowerCase()
    if (w === '!') return undefined
    if (Object.hasOwn(WORD_OPERATORS, w)) return WORD_OPERATORS[w]
    this.i = save
    return undefined
  }

  /** A quoted string, or everything up to whitespace, `)`, `,` or `]`. */
  private value(): string | undefined {
    this.skip()
    const q = this.s[this.i]
    if (q === "'" || q === '"') {
      const end = this.s.indexOf(q, this.i + 1)
      if (end < 0) throw bad('unterminated quote')
      const v = this.s.slice(this.i + 1, end)
      this.i = end + 1
      return v
    }
    const m = /^[^\s),\]]+/.exec(this.rest())
    if (!m) return undefined
    this.i += m[0].length
    return m[0]
  }

  private list(): string[] {
    if (!this.take('[')) throw bad('in and not_in take a list: [a, b]')
    const out: string[] = []
    if (this.take(']')) return out
    for (;;) {
      const v = this.value()
      if (v === undefined) throw bad('expected a list value')
      out.push(v)
      if (this.take(']')) return out
      if (!this.take(',')) throw bad('expected , or ] in a list')
    }
  }
}

/** `matches` is a Java regex over the whole value; the common subset is JavaScript's too. */
function regex(pattern: string): RegExp {
  try {
    return new RegExp(`^(?:${pattern})$`)
  } catch {
    throw bad(`'${pattern}' is not a valid regular expression`)
  }
}

export function evaluate(q: Query, facts: InstanceFacts): boolean {
  switch (q.kind) {
    case 'and':
      return evaluate(q.left, facts) && evaluate(q.right, facts)
    case 'or':
      return evaluate(q.left, facts) || evaluate(q.right, facts)
    case 'not':
      return !evaluate(q.expr, facts)
    case 'test':
      return test(q, facts)
  }
}

const NEGATED: Partial<Record<Operator, Operator>> = { '!=': '==', '!in': 'in', '!~': '=~', '!exists': 'exists' }

function test(q: Extract<Query, { kind: 'test' }>, facts: InstanceFacts): boolean {
  const positive = NEGATED[q.op]
  if (positive) return !test({ ...q, op: positive }, facts)
  const values = subjectValues(q.subject, facts)
  if (q.op === 'exists') return values.length > 0
  const cmp = comparator(q.subject)
  return values.some((v) => {
    switch (q.op) {
      case '==':
        return cmp(v, q.values[0]!) === 0
      case 'in':
        return q.values.some((x) => cmp(v, x) === 0)
      case '=~':
        return regex(q.values[0]!).test(v)
      case '>':
        return cmp(v, q.values[0]!) > 0
      case '>=':
        return cmp(v, q.values[0]!) >= 0
      case '<':
        return cmp(v, q.values[0]!) < 0
      case '<=':
        return cmp(v, q.values[0]!) <= 0
      default:
        return false
    }
  })
}

/** The subject's values on the instance (none when it has no such attribute). */
function subjectValues(subject: string, f: InstanceFacts): string[] {
  if (subject.startsWith('attribute:')) {
    const name = subject.slice('attribute:'.length)
    if (!f.attributes.has(name)) return []
    return [f.attributes.get(name) ?? '']
  }
  switch (subject) {
    case 'agentConnected':
      return [String(f.agentConnected)]
    case 'agentVersion':
      return [f.agentVersion]
    case 'ec2InstanceId':
      return [f.ec2InstanceId]
    case 'registeredAt':
      return [String(f.registeredAt)]
    case 'runningTasksCount':
      return [String(f.runningTasksCount)]
    case 'task:group':
      return f.taskGroups
    default:
      return []
  }
}

type Compare = (instanceValue: string, argument: string) => number

function comparator(subject: string): Compare {
  if (subject === 'agentVersion') return (a, b) => compareVersions(a, b)
  if (subject === 'registeredAt') return (a, b) => Number(a) - parseDate(b)
  if (subject === 'runningTasksCount') return (a, b) => Number(a) - number(b)
  if (subject === 'agentConnected') return (a, b) => (a === b.toLowerCase() ? 0 : 1)
  // attributes: numerically when both sides are numbers, else as strings
  return (a, b) => {
    const x = Number(a)
    const y = Number(b)
    if (a !== '' && b !== '' && Number.isFinite(x) && Number.isFinite(y)) return x - y
    return a < b ? -1 : a > b ? 1 : 0
  }
}

function number(v: string): number {
  const n = Number(v)
  if (!Number.isFinite(n)) throw bad(`'${v}' is not a number`)
  return n
}

/** `2018-06-18T22:28:28+00:00`, `2018-06-18T22:28:28Z`, `2018-06-18T22:28:28` (UTC) or `2018-06-18`. */
function parseDate(v: string): number {
  const m = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})?)?$/.exec(v)
  if (!m) throw bad(`'${v}' is not a date`)
  const iso = m[1] ? (m[2] ? v : `${v}Z`) : `${v}T00:00:00Z`
  return Date.parse(iso)
}

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map((x) => Number.parseInt(x, 10) || 0)
  const pb = b.split('.').map((x) => Number.parseInt(x, 10) || 0)
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0)
    if (d !== 0) return d
  }
  return 0
}

/** Parses and checks an expression once; the result tests instances. */
export function compileQuery(text: string): (facts: InstanceFacts) => boolean {
  const q = parseQuery(text)
  return (facts) => evaluate(q, facts)
}
