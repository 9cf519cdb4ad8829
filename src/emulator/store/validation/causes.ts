import { KubeStatusError } from '../../types.js'

/** One field error, as the API server lists it in a 422's details.causes. */
export interface Cause {
  field: string
  message: string
  reason:
    | 'FieldValueRequired'
    | 'FieldValueInvalid'
    | 'FieldValueDuplicate'
    | 'FieldValueNotSupported'
    | 'FieldValueForbidden'
    | 'FieldValueNotFound'
    | 'FieldValueTypeInvalid'
}

export const required = (field: string, detail?: string): Cause => ({
  field,
  reason: 'FieldValueRequired',
  message: detail ? `Required value: ${detail}` : 'Required value',
})
export const invalid = (field: string, value: unknown, detail: string): Cause => ({
  field,
  reason: 'FieldValueInvalid',
  message: `Invalid value: ${show(value)}: ${detail}`,
})
export const duplicate = (field: string, value: unknown): Cause => ({
  field,
  reason: 'FieldValueDuplicate',
  message: `Duplicate value: ${show(value)}`,
})
export const unsupported = (field: string, value: unknown, supported: readonly unknown[]): Cause => ({
  field,
  reason: 'FieldValueNotSupported',
  message: `Unsupported value: ${show(value)}: supported values: ${supported.map((s) => JSON.stringify(s)).join(', ')}`,
})
export const forbidden = (field: string, detail: string): Cause => ({ field, reason: 'FieldValueForbidden', message: `Forbidden: ${detail}` })

/** A value as the API server prints it in a message: Go's %q for strings, map literals for label maps. */
export function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v)
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    return `map[string]string{${Object.entries(v as Record<string, unknown>)
      .map(([k, x]) => `${JSON.stringify(k)}:${JSON.stringify(x)}`)
      .join(', ')}}`
  }
  return JSON.stringify(v)
}

/** The 422 Invalid error for a list of causes (the API server's message format). */
export function invalidError(kind: string, name: string | undefined, causes: Cause[], group?: string): KubeStatusError {
  const parts = causes.map((c) => `${c.field}: ${c.message}`)
  const message = `${kind} "${name ?? ''}" is invalid: ${parts.length === 1 ? parts[0] : `[${parts.join(', ')}]`}`
  return new KubeStatusError(422, 'Invalid', message, {
    name,
    group,
    kind,
    causes: causes.map((c) => ({ reason: c.reason, message: c.message, field: c.field })),
  })
}

export const causeKey = (c: Cause) => `${c.field}\u0000${c.reason}`

/** Keeps the first cause per field and reason. */
export function dedupeCauses(causes: Cause[]): Cause[] {
  const seen = new Set<string>()
  return causes.filter((c) => {
    const key = causeKey(c)
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}
