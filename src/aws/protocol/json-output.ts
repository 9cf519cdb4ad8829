import type { CompiledService } from './compiled.js'

/**
 * A handler's result reduced to what the output shape declares, at any depth, for the JSON protocol:
 * members only (internal fields never leak), values of the wrong kind dropped, timestamps as epoch
 * seconds (from numbers, Dates or ISO strings), blobs as base64.
 */
export function jsonOutput(svc: CompiledService, shapeName: string, value: unknown): unknown {
  if (value === null || value === undefined) return undefined
  const s = svc.shape(shapeName)
  switch (s.type) {
    case 'structure': {
      if (!isRecord(value)) return undefined
      const out: Record<string, unknown> = {}
      for (const [name, ref] of Object.entries(s.members ?? {})) {
        if (!Object.hasOwn(value, name)) continue
        const v = jsonOutput(svc, ref.shape, value[name])
        if (v !== undefined) out[name] = v
      }
      return out
    }
    case 'list': {
      if (!Array.isArray(value)) return undefined
      const out: unknown[] = []
      for (const item of value) {
        const v = jsonOutput(svc, s.member!.shape, item)
        if (v !== undefined) out.push(v)
      }
      return out
    }
    case 'map': {
      if (!isRecord(value)) return undefined
      const out: Record<string, unknown> = {}
      for (const k of Object.keys(value)) {
        const v = jsonOutput(svc, s.value!.shape, value[k])
        if (v !== undefined) setOwn(out, k, v)
      }
      return out
    }
    case 'timestamp': {
      const seconds = epochSeconds(value)
      if (seconds === undefined) return undefined
      return s.timestampFormat === 'iso8601' ? isoTimestamp(seconds) : seconds
    }
    case 'blob':
      if (value instanceof Uint8Array) return Buffer.from(value).toString('base64')
      return typeof value === 'string' ? value : undefined
    case 'string':
      return typeof value === 'string' ? value : undefined
    case 'boolean':
      return typeof value === 'boolean' ? value : undefined
    default:
      return typeof value === 'number' && Number.isFinite(value) ? value : undefined
  }
}

/** A map entry as an own property, whatever its key (`__proto__` included). */
export function setOwn(o: Record<string, unknown>, k: string, v: unknown) {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true })
}

export const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array) && !(v instanceof Date)

/** A timestamp held as epoch seconds, a Date or a date string. */
export function epochSeconds(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.getTime() / 1000
  if (typeof value === 'string') {
    const ms = Date.parse(value)
    return Number.isNaN(ms) ? undefined : ms / 1000
  }
  return undefined
}

/** ISO-8601 as the query protocol writes it: `2019-11-13T16:45:56Z` (milliseconds only when there are some). */
export const isoTimestamp = (seconds: number) => new Date(Math.round(seconds * 1000)).toISOString().replace('.000Z', 'Z')
