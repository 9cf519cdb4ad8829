import { shape } from '../../src/ecs/model/index.js'

/**
 * Where a value strays from a model shape: members the shape does not have, at any depth, and values
 * of the wrong kind (timestamps must be epoch-second numbers on the wire, ISO strings in events).
 * Written apart from the serializer, so a test can hold the serializer's output against the model.
 */
export function shapeViolations(shapeName: string, value: unknown, timestamps: 'epoch-seconds' | 'iso' = 'epoch-seconds', path = '$'): string[] {
  if (value === undefined || value === null) return []
  const s = shape(shapeName)
  if (s.document) return []
  const isObject = typeof value === 'object' && !Array.isArray(value)
  switch (s.type) {
    case 'structure': {
      if (!isObject) return [`${path}: ${shapeName} wants an object, got ${JSON.stringify(value)}`]
      const members = s.members ?? {}
      return Object.entries(value as object).flatMap(([k, v]) =>
        Object.hasOwn(members, k)
          ? shapeViolations(members[k]!.shape, v, timestamps, `${path}.${k}`)
          : v === undefined
            ? []
            : [`${path}.${k}: not a member of ${shapeName}`],
      )
    }
    case 'list':
      if (!Array.isArray(value)) return [`${path}: ${shapeName} wants a list`]
      return value.flatMap((v, i) => shapeViolations(s.member!.shape, v, timestamps, `${path}[${i}]`))
    case 'map':
      if (!isObject) return [`${path}: ${shapeName} wants a map`]
      return Object.entries(value as object).flatMap(([k, v]) => shapeViolations(s.value!.shape, v, timestamps, `${path}.${k}`))
    case 'timestamp':
      if (timestamps === 'iso') return typeof value === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(value) ? [] : [`${path}: not an ISO timestamp`]
      return typeof value === 'number' ? [] : [`${path}: not epoch seconds`]
    case 'string':
      return typeof value === 'string' ? [] : [`${path}: not a string`]
    case 'boolean':
      return typeof value === 'boolean' ? [] : [`${path}: not a boolean`]
    case 'integer':
    case 'long':
    case 'double':
    case 'float':
      return typeof value === 'number' ? [] : [`${path}: not a number`]
    default:
      return []
  }
}
