import { operation, shape } from './index.js'

/**
 * The output half of the codec: a value reduced to what a model shape declares, recursively through
 * structures, lists and maps, so no internal field reaches a client at any depth. Members keep the
 * value's own order (docs are built in ECS's order); a value of the wrong kind for its shape (an
 * object where a string belongs, a scalar where a structure belongs) is dropped, not sent.
 */
export type TimestampFormat = 'epoch-seconds' | 'iso'

/** Epoch seconds as EventBridge writes them: ISO-8601, milliseconds, `Z`. */
export const isoOf = (epochSeconds: number) => new Date(Math.round(epochSeconds * 1000)).toISOString()

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

export function serializeShape(shapeName: string, value: unknown, timestamps: TimestampFormat = 'epoch-seconds'): unknown {
  if (value === null) return null
  const s = shape(shapeName)
  if (s.document) return structuredClone(value)
  switch (s.type) {
    case 'structure': {
      if (!isRecord(value)) return undefined
      const members = s.members ?? {}
      const out: Record<string, unknown> = {}
      for (const name in value) {
        const v = value[name]
        if (v === undefined || !Object.hasOwn(members, name) || !Object.hasOwn(value, name)) continue
        const shown = serializeShape(members[name]!.shape, v, timestamps)
        if (shown !== undefined) out[name] = shown
      }
      return out
    }
    case 'list': {
      if (!Array.isArray(value)) return undefined
      const out: unknown[] = []
      for (const v of value) {
        const shown = serializeShape(s.member!.shape, v, timestamps)
        if (shown !== undefined) out.push(shown)
      }
      return out
    }
    case 'map': {
      if (!isRecord(value)) return undefined
      const out: Record<string, unknown> = {}
      for (const k in value) {
        if (!Object.hasOwn(value, k)) continue
        const shown = serializeShape(s.value!.shape, value[k], timestamps)
        if (shown !== undefined) out[k] = shown
      }
      return out
    }
    case 'timestamp':
      return timestamp(value, timestamps)
    case 'blob':
      if (value instanceof Uint8Array) return Buffer.from(value).toString('base64')
      return typeof value === 'string' ? value : undefined
    default:
      return typeof value === 'object' ? undefined : value
  }
}

/** A timestamp held as epoch seconds, a Date or an ISO string, in the format wanted. */
function timestamp(value: unknown, format: TimestampFormat): unknown {
  let seconds: number
  if (typeof value === 'number') seconds = value
  else if (value instanceof Date) seconds = value.getTime() / 1000
  else if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) seconds = Date.parse(value) / 1000
  else return undefined
  return format === 'iso' ? isoOf(seconds) : seconds
}

/** A handler's result as the wire carries it: only the members of the operation's output shape. */
export function serializeOutput(opName: string, value: unknown): Record<string, unknown> {
  const out = operation(opName)?.output
  if (!out) return {}
  return (serializeShape(out.shape, value ?? {}) as Record<string, unknown> | undefined) ?? {}
}
