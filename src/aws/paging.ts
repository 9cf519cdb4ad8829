import { AwsError } from './service.js'

/**
 * Offset pagination with an opaque token. The token names the list it belongs to, so one from another
 * operation is rejected. SDK paginators stop when NextToken is absent, so the last page carries none.
 */
export function paginate<T>(
  items: T[],
  opts: { maxResults?: number; nextToken?: string; defaultMax: number; kind: string; invalidToken: () => AwsError },
): { page: T[]; nextToken?: string } {
  let start = 0
  if (opts.nextToken !== undefined && opts.nextToken !== '') {
    const decoded = decodeToken(opts.nextToken)
    if (!decoded || decoded.kind !== opts.kind || decoded.offset > items.length) throw opts.invalidToken()
    start = decoded.offset
  }
  const max = opts.maxResults && opts.maxResults > 0 ? opts.maxResults : opts.defaultMax
  const page = items.slice(start, start + max)
  const end = start + page.length
  return end < items.length ? { page, nextToken: encodeToken(opts.kind, end) } : { page }
}

function encodeToken(kind: string, offset: number): string {
  return Buffer.from(JSON.stringify({ k: kind, o: offset })).toString('base64')
}

function decodeToken(token: string): { kind: string; offset: number } | undefined {
  try {
    const v = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { k?: unknown; o?: unknown }
    if (typeof v.k === 'string' && typeof v.o === 'number' && Number.isInteger(v.o) && v.o >= 0) return { kind: v.k, offset: v.o }
  } catch {
    /* not ours */
  }
  return undefined
}

/** Epoch seconds (the JSON protocol's timestamp) from a millisecond clock. */
export const epochSeconds = (ms: number) => ms / 1000
