import { badToken } from './errors.js'

type Key = (string | number)[]

const cmp = (a: Key, b: Key): number => {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i]
    const y = b[i]
    if (x === y) continue
    if (x === undefined) return -1
    if (y === undefined) return 1
    return x < y ? -1 : 1
  }
  return 0
}

export const encodeToken = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url')

export function decodeToken<T>(token: string, valid: (v: unknown) => v is T): T {
  let v: unknown
  try {
    v = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'))
  } catch {
    throw badToken()
  }
  if (!valid(v)) throw badToken()
  return v
}

const isKey = (v: unknown): v is Key => Array.isArray(v) && v.every((x) => typeof x === 'string' || typeof x === 'number')

/**
 * One page of a list sorted by `keyOf` (ascending, or descending): the token is the sort key of the
 * page's last item, so items added or removed meanwhile neither repeat nor shift the rest.
 */
export function pageOf<T>(sorted: T[], keyOf: (t: T) => Key, limit: number, token: string | undefined, descending = false): { items: T[]; nextToken?: string } {
  limit = Math.max(1, Math.floor(limit) || 1) // the codec enforces 1..50; a direct caller may not
  let start = 0
  if (token !== undefined) {
    const after = decodeToken(token, isKey)
    start = sorted.findIndex((t) => (descending ? -1 : 1) * cmp(keyOf(t), after) > 0)
    if (start < 0) start = sorted.length
  }
  const items = sorted.slice(start, start + limit)
  const more = start + limit < sorted.length
  return more ? { items, nextToken: encodeToken(keyOf(items.at(-1)!)) } : { items }
}

/** Sorts by a key (the order pageOf expects). */
export const sortBy = <T>(items: T[], keyOf: (t: T) => Key, descending = false): T[] =>
  items.sort((a, b) => (descending ? -1 : 1) * cmp(keyOf(a), keyOf(b)))
