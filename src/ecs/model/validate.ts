import { invalidParameter } from '../errors.js'
import { shape, type Shape } from './index.js'

/**
 * Validates a request body against its input shape: required members, types, enums and bounds.
 * Unknown members are ignored, as AWS's JSON protocol does (newer clients may send newer fields).
 * Throws InvalidParameterException naming the member path; returns the input with nulls dropped.
 */
export function validateInput(shapeName: string | undefined, input: unknown): Record<string, unknown> {
  if (!shapeName) return {}
  if (input === null || input === undefined) input = {}
  return check(shapeName, input, '') as Record<string, unknown>
}

const where = (path: string) => (path ? `'${path}'` : 'the request')

function fail(path: string, problem: string): never {
  throw invalidParameter(`Invalid parameter at ${where(path)}: ${problem}`)
}

function check(shapeName: string, value: unknown, path: string): unknown {
  const s: Shape = shape(shapeName)
  if (s.document) return value
  switch (s.type) {
    case 'structure':
      return checkStructure(s, value, path)
    case 'list': {
      if (!Array.isArray(value)) fail(path, 'expected a list')
      bounds(s, value.length, path, 'items')
      return value.map((v, i) => {
        if (v === null) fail(`${path}[${i}]`, 'null is not allowed in a list')
        return check(s.member!.shape, v, `${path}[${i}]`)
      })
    }
    case 'map': {
      if (!isObject(value)) fail(path, 'expected a map')
      const out: Record<string, unknown> = {}
      for (const [k, v] of Object.entries(value)) {
        check(s.key!.shape, k, `${path}.${k}`)
        if (v === null) continue
        out[k] = check(s.value!.shape, v, path ? `${path}.${k}` : k)
      }
      return out
    }
    case 'string': {
      if (typeof value !== 'string') fail(path, 'expected a string')
      if (s.enum && !s.enum.includes(value)) {
        fail(path, `'${value}' is not one of [${s.enum.join(', ')}]`)
      }
      bounds(s, value.length, path, 'characters')
      return value
    }
    case 'integer':
    case 'long': {
      if (typeof value !== 'number' || !Number.isInteger(value)) fail(path, 'expected an integer')
      bounds(s, value, path)
      return value
    }
    case 'double':
    case 'float': {
      if (typeof value !== 'number' || !Number.isFinite(value)) fail(path, 'expected a number')
      bounds(s, value, path)
      return value
    }
    case 'boolean':
      if (typeof value !== 'boolean') fail(path, 'expected a boolean')
      return value
    case 'timestamp':
      if (typeof value === 'number' && Number.isFinite(value)) return value
      if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) return Date.parse(value) / 1000
      return fail(path, 'expected a timestamp (epoch seconds)')
    default:
      return value
  }
}

function checkStructure(s: Shape, value: unknown, path: string): Record<string, unknown> {
  if (!isObject(value)) fail(path, 'expected an object')
  const out: Record<string, unknown> = {}
  for (const [name, ref] of Object.entries(s.members ?? {})) {
    const v = value[name]
    if (v === null || v === undefined) continue
    out[name] = check(ref.shape, v, path ? `${path}.${name}` : name)
  }
  for (const req of s.required ?? []) {
    if (!(req in out)) {
      throw invalidParameter(`Missing required parameter '${path ? `${path}.${req}` : req}'.`)
    }
  }
  if (s.union && Object.keys(out).length > 1) fail(path, 'exactly one member may be set')
  // Keep unknown members out: handlers only see what the model defines.
  return out
}

function bounds(s: Shape, n: number, path: string, unit?: string) {
  if (s.min !== undefined && n < s.min) fail(path, unit ? `must have at least ${s.min} ${unit}` : `must be at least ${s.min}`)
  if (s.max !== undefined && n > s.max) fail(path, unit ? `must have at most ${s.max} ${unit}` : `must be at most ${s.max}`)
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}
