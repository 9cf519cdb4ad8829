import { fnv1a32 } from '../lib/hash.js'
import { invalidParameter } from './errors.js'
import { paginators, type Paginator } from './model/index.js'
import type { OperationInput, OperationName, OperationOutput } from './types.js'

/**
 * List* calls page as the model's paginators file says: the request's `limit_key` (maxResults) and
 * `input_token`, the page under `result_key` and the next token under `output_token`. The page sizes
 * are ECS's documented ones (default when maxResults is absent, and the largest accepted).
 */
const PAGE_SIZES = {
  ListAccountSettings: { defaultMax: 10, limit: 10 },
  ListAttributes: { defaultMax: 100, limit: 100 },
  ListContainerInstances: { defaultMax: 100, limit: 100 },
  // Gateway page sizes are not documented: the List* default of 100 (marked as unconfirmed)
  ListGatewayClusterAssociations: { defaultMax: 100, limit: 100 },
  ListGatewayRoutes: { defaultMax: 100, limit: 100 },
  ListGateways: { defaultMax: 100, limit: 100 },
  ListClusters: { defaultMax: 100, limit: 100 },
  ListServices: { defaultMax: 10, limit: 100 },
  ListServicesByNamespace: { defaultMax: 10, limit: 100 },
  ListServiceDeployments: { defaultMax: 20, limit: 100 },
  ListTaskDefinitionFamilies: { defaultMax: 100, limit: 100 },
  ListTaskDefinitions: { defaultMax: 100, limit: 100 },
  ListTasks: { defaultMax: 100, limit: 100 },
} satisfies Partial<Record<OperationName, { defaultMax: number; limit: number }>>

export type PagedOperation = keyof typeof PAGE_SIZES

/** Operations that page but are newer than the paginators file (same token names as the others). */
const NOT_IN_PAGINATORS: Record<string, Paginator> = {
  ListServiceDeployments: { input_token: 'nextToken', output_token: 'nextToken', limit_key: 'maxResults', result_key: 'serviceDeployments' },
}

export function paginatorOf(op: PagedOperation): Paginator {
  const p = Object.hasOwn(paginators, op) ? paginators[op] : NOT_IN_PAGINATORS[op]
  if (!p) throw new Error(`no paginator for ${op}`)
  return p
}

export const pageSizes = (op: PagedOperation) => PAGE_SIZES[op]

/**
 * One page of a List* answer, in the operation's output shape: `{ <result_key>: page, <output_token>?: token }`.
 * `filters` are what the request filtered by, so a token is refused with other filters.
 */
export function listPage<Op extends PagedOperation>(
  op: Op,
  items: unknown[],
  input: Partial<OperationInput<Op>>,
  filters?: unknown,
): OperationOutput<Op> {
  const p = paginatorOf(op)
  const request = input as Record<string, unknown>
  const { page, nextToken } = paginate(items, {
    maxResults: request[p.limit_key] as number | undefined,
    nextToken: request[p.input_token] as string | undefined,
    ...PAGE_SIZES[op],
    filters,
  })
  const out: Record<string, unknown> = { [p.result_key]: page }
  if (nextToken !== undefined) out[p.output_token] = nextToken
  // The member names come from the paginators file, so the compiler cannot see the output type.
  return out as OperationOutput<Op>
}

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
