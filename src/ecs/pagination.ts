import { fnv1a32 } from '../lib/hash.js'
import { invalidParameter } from './errors.js'

/**
 * Pages a sorted list the way ECS List* calls do: `maxResults` (bounded per operation) and an opaque
 * `nextToken`. The token encodes the offset and a fingerprint of the filters, so a token reused with
 * other filters is refused rather than silently mis-paging.
 */
export function paginate<T>(
  items: T[],
  opts: { maxResults?: number; nextToken?: string; defaultMax?: number; limit?: number; filters?: unknown },
): { page: T[]; nextToken?: string } {
  const limit = opts.limit ?? 100
  const max = opts.maxResults ?? opts.defaultMax ?? limit
  if (max < 1 || max > limit) {
    throw invalidParameter(`maxResults must be between 1 and ${limit}.`)
  }
  const fingerprint = fnv1a32(JSON.stringify(opts.filters ?? null)).toString(16)
  let start = 0
  if (opts.nextToken !== undefined) start = decodeToken(opts.nextToken, fingerprint)
  const page = items.slice(start, start + max)
  const end = start + page.length
  return { page, nextToken: end < items.length ? encodeToken(end, fingerprint) : undefined }
}

function encodeToken(offset: number, fingerprint: string): string {
  return Buffer.from(JSON.stringify({ o: offset, f: fingerprint })).toString('base64url')
}

function decodeToken(token: string, fingerprint: string): number {
  try {
    const t = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { o: unknown; f: unknown }
    if (typeof t.o === 'number' && Number.isInteger(t.o) && t.o >= 0 && t.f === fingerprint) return t.o
  } catch {
    /* fall through */
  }
  throw invalidParameter('Invalid nextToken. The token is not valid for this request.')
}

