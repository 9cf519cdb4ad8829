/** Value formats of the metadata endpoint, as the ECS agent (Go) writes them. */

/**
 * Go's time.Time JSON form (RFC3339Nano, UTC): fractional seconds without trailing zeros, none at all
 * on a whole second (`2020-10-08T20:09:11.44Z`, `2020-10-08T20:09:11Z`).
 */
export function rfc3339Nano(ms: number): string {
  const iso = new Date(Math.round(ms)).toISOString() // 2020-10-08T20:09:11.440Z
  return iso.replace(/\.(\d*?)0*Z$/, (_, frac: string) => (frac ? `.${frac}Z` : 'Z'))
}

/** Epoch seconds (as the store keeps timestamps) → RFC3339Nano; undefined stays undefined. */
export const timeOf = (epochSeconds: number | undefined): string | undefined =>
  epochSeconds === undefined ? undefined : rfc3339Nano(epochSeconds * 1000)

/** RFC3339 at second precision (credentials `Expiration`). */
export const rfc3339Seconds = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z')

/** Go marshals maps with their keys sorted. */
export function sortedMap(entries: Iterable<[string, string]>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) out[k] = v
  return out
}

/** Drops undefined members (Go's `omitempty` on pointers and strings), keeping key order. */
export function compact<T extends Record<string, unknown>>(o: T): T {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k]
  return o
}
