import { invalidInput } from './errors.js'

/**
 * IAM's Marker/MaxItems/IsTruncated paging. The marker is opaque to clients: the sort key of the last
 * item returned, so a page stays right when items are added or removed between calls. The last page
 * carries IsTruncated false and no Marker.
 */
export interface Page<T> {
  items: T[]
  IsTruncated: boolean
  Marker?: string
}

const DEFAULT_MAX_ITEMS = 100

export function paginate<T>(all: T[], sortKey: (t: T) => string, input: { Marker?: string; MaxItems?: number }): Page<T> {
  const sorted = all.map((t) => ({ t, k: sortKey(t) })).sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0))
  let start = 0
  if (input.Marker !== undefined) {
    const after = decodeMarker(input.Marker)
    start = sorted.findIndex((e) => e.k > after)
    if (start < 0) start = sorted.length
  }
  const max = input.MaxItems ?? DEFAULT_MAX_ITEMS
  const slice = sorted.slice(start, start + max)
  const truncated = start + max < sorted.length
  return {
    items: slice.map((e) => e.t),
    IsTruncated: truncated,
    ...(truncated ? { Marker: encodeMarker(slice[slice.length - 1]!.k) } : {}),
  }
}

const PREFIX = 'kecs1:'

function encodeMarker(key: string): string {
  return Buffer.from(PREFIX + key, 'utf8').toString('base64')
}

function decodeMarker(marker: string): string {
  const text = Buffer.from(marker, 'base64').toString('utf8')
  if (!text.startsWith(PREFIX)) throw invalidInput('Invalid Marker.')
  return text.slice(PREFIX.length)
}
