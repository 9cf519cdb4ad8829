import type { AwsShape } from '../models/index.js'
import { AwsError } from '../service.js'
import type { CompiledService } from './compiled.js'
import { setOwn } from './json-output.js'

/**
 * Input validation against the operation's input shape, with AWS's own messages (the Coral
 * framework's, as recorded from SSM, STS and Logs):
 *   `1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null`
 *   `2 validation errors detected: Value '0' at 'maxResults' failed ...; Value 'x' at 'type' failed ...`
 * Paths name members with a lower-case first letter; list items are `tags.1.member.key`.
 * A value of the wrong type answers `typeErrorCode` at once (JSON: SerializationException). Unknown
 * members are dropped, as are nulls; timestamps become epoch seconds, blobs Buffers.
 */
export function validateInput(svc: CompiledService, shapeName: string | undefined, value: unknown, typeErrorCode: string): Record<string, unknown> {
  if (!shapeName) return {}
  const v = new Validator(svc, typeErrorCode)
  const out = v.check(shapeName, value ?? {}, '') as Record<string, unknown>
  if (v.problems.length) {
    const n = v.problems.length
    throw new AwsError(svc.validationCode, `${n} validation error${n === 1 ? '' : 's'} detected: ${v.problems.join('; ')}`, 400)
  }
  return out
}

const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1)
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v) && !Buffer.isBuffer(v)
const KIND: Record<string, string> = { structure: 'a structure', map: 'a map', list: 'a list', string: 'a string', boolean: 'a boolean', blob: 'a base64 string', timestamp: 'a timestamp' }

class Validator {
  readonly problems: string[] = []
  constructor(
    private readonly svc: CompiledService,
    private readonly typeErrorCode: string,
  ) {}

  private typeError(path: string, s: AwsShape, value: unknown): never {
    const want = KIND[s.type] ?? (s.type === 'integer' || s.type === 'long' ? 'an integer' : 'a number')
    const got = Array.isArray(value) ? 'a list' : value === null ? 'null' : typeof value === 'object' ? 'an object' : `a ${typeof value}`
    throw new AwsError(this.typeErrorCode, `Expected ${want} at '${path || 'the request'}', got ${got}.`, 400)
  }

  private fail(path: string, value: unknown, constraint: string, sensitive?: boolean) {
    this.problems.push(`Value ${sensitive ? '' : `${show(value)} `}at '${path}' failed to satisfy constraint: ${constraint}`)
  }

  check(shapeName: string, value: unknown, path: string): unknown {
    const s = this.svc.shape(shapeName)
    switch (s.type) {
      case 'structure': {
        if (!isRecord(value)) this.typeError(path, s, value)
        const out: Record<string, unknown> = {}
        const required = s.required ?? []
        for (const [name, ref] of Object.entries(s.members ?? {})) {
          const at = path ? `${path}.${lowerFirst(name)}` : lowerFirst(name)
          const v = Object.hasOwn(value, name) ? value[name] : undefined
          if (v === null || v === undefined) {
            if (required.includes(name)) this.fail(at, null, 'Member must not be null')
            continue
          }
          out[name] = this.check(ref.shape, v, at)
        }
        return out
      }
      case 'list': {
        if (!Array.isArray(value)) this.typeError(path, s, value)
        this.length(s, value.length, path, value)
        const out: unknown[] = []
        value.forEach((v, i) => {
          if (v !== null && v !== undefined) out.push(this.check(s.member!.shape, v, `${path}.${i + 1}.member`))
        })
        return out
      }
      case 'map': {
        if (!isRecord(value)) this.typeError(path, s, value)
        this.length(s, Object.keys(value).length, path, value)
        const out: Record<string, unknown> = {}
        for (const [k, v] of Object.entries(value)) {
          this.nested(s.key!.shape, k, path, 'Map keys must satisfy constraint')
          if (v === null || v === undefined) continue
          const vs = this.svc.shape(s.value!.shape)
          setOwn(out, k, isScalar(vs) ? this.nested(s.value!.shape, v, path, 'Map value must satisfy constraint') : this.check(s.value!.shape, v, `${path}.${k}`))
        }
        return out
      }
      case 'string': {
        if (typeof value !== 'string') this.typeError(path, s, value)
        if (s.enum && !s.enum.includes(value)) this.fail(path, value, `Member must satisfy enum value set: [${s.enum.join(', ')}]`, s.sensitive)
        const lengthOk = this.length(s, [...value].length, path, value)
        const re = lengthOk ? this.svc.pattern(shapeName) : undefined
        if (re && !re.test(value)) this.fail(path, value, `Member must satisfy regular expression pattern: ${s.pattern}`, s.sensitive)
        return value
      }
      case 'integer':
      case 'long':
      case 'double':
      case 'float': {
        const integral = s.type === 'integer' || s.type === 'long'
        if (typeof value !== 'number' || !Number.isFinite(value) || (integral && !Number.isInteger(value))) this.typeError(path, s, value)
        if (s.min !== undefined && value < s.min) this.fail(path, value, `Member must have value greater than or equal to ${s.min}`)
        if (s.max !== undefined && value > s.max) this.fail(path, value, `Member must have value less than or equal to ${s.max}`)
        return value
      }
      case 'boolean':
        if (typeof value !== 'boolean') this.typeError(path, s, value)
        return value
      case 'timestamp': {
        if (value instanceof Date) return value.getTime() / 1000
        if (typeof value === 'number' && Number.isFinite(value)) return value
        if (typeof value === 'string' && value.trim() !== '') {
          const n = /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : Date.parse(value) / 1000
          if (Number.isFinite(n)) return n
        }
        return this.typeError(path, s, value)
      }
      case 'blob': {
        if (Buffer.isBuffer(value)) return value
        if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value.replace(/\s+/g, ''))) this.typeError(path, s, value)
        const bytes = Buffer.from(value, 'base64')
        this.length(s, bytes.length, path, value, true)
        return bytes
      }
      default:
        return value
    }
  }

  /** A map key or scalar map value: its problems go in Coral's bracketed form at the map's path. */
  private nested(shapeName: string, value: unknown, path: string, lead: string): unknown {
    const before = this.problems.length
    const out = this.check(shapeName, value, path)
    if (this.problems.length > before) {
      const inner = this.problems.splice(before).map((p) => p.slice(p.indexOf('constraint: ') + 12))
      this.problems.push(`Value ${show(value)} at '${path}' failed to satisfy constraint: ${lead}: [${inner.join(', ')}]`)
    }
    return out
  }

  /** Length bounds (characters, items, entries, bytes); false when a bound failed. */
  private length(s: AwsShape, n: number, path: string, value: unknown, sensitive = s.sensitive): boolean {
    let ok = true
    if (s.min !== undefined && n < s.min) {
      this.fail(path, value, `Member must have length greater than or equal to ${s.min}`, sensitive)
      ok = false
    }
    if (s.max !== undefined && n > s.max) {
      this.fail(path, value, `Member must have length less than or equal to ${s.max}`, sensitive)
      ok = false
    }
    return ok
  }
}

const isScalar = (s: AwsShape) => s.type !== 'structure' && s.type !== 'list' && s.type !== 'map'

/** A value as Coral prints it: `null`, `'text'`, `'5'`, `'[a, b]'`; long values are cut. */
function show(value: unknown): string {
  if (value === null || value === undefined) return 'null'
  let text: string
  if (Array.isArray(value)) text = `[${value.map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v))).join(', ')}]`
  else if (typeof value === 'object') text = JSON.stringify(value)
  else text = String(value)
  return `'${text.length > 256 ? `${text.slice(0, 256)}...` : text}'`
}
