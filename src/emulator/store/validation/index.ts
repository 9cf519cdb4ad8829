import type { KubeObject } from '../../types.js'
import type { Strategy } from '../strategy.js'
import { causeKey, dedupeCauses, invalidError } from './causes.js'
import { schemaCauses, type SchemaError } from './schema.js'

export { decode, type SchemaError } from './schema.js'

/**
 * Validates an object as the API server does after defaulting: the kind's semantic rules, its
 * immutable fields on update (`old`), and the upstream schema's required members and enums
 * (`schemaErrors`, from decoding the object).
 * Throws 422 Invalid naming each field.
 */
export function validateObject(s: Strategy, obj: KubeObject, schemaErrors: SchemaError[], old?: KubeObject, group?: string): void {
  const own = [...s.validate(obj), ...(old ? s.validateUpdate(obj, old) : [])]
  // The kind's rules word some errors as the API server does; the schema adds only what they missed.
  const seen = new Set(own.map(causeKey))
  const causes = [...own, ...dedupeCauses(schemaCauses(obj, schemaErrors)).filter((c) => !seen.has(causeKey(c)))]
  if (causes.length) throw invalidError(obj.kind, obj.metadata?.name, causes, group)
}

