import { createHash } from 'node:crypto'

/**
 * A fingerprint of a request's parameters but its clientToken, for idempotent operations: the same
 * token with other parameters is not the same request. Key order does not matter.
 */
export function requestFingerprint(input: object): string {
  const { clientToken: _token, ...rest } = input as Record<string, unknown>
  return createHash('sha256').update(stableJson(rest)).digest('hex')
}

function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((v as Record<string, unknown>)[k])}`)
      .join(',')}}`
  }
  return JSON.stringify(v)
}
