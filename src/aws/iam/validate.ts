import { loadModel, type AwsModel, type AwsShape } from '../models/index.js'
import { validationError } from './errors.js'

/**
 * Checks a decoded input against the operation's model shape: required members, string lengths and
 * patterns, enums, integer ranges and list sizes. Handlers may be called directly (tests, other
 * services), so they do not rely on the codec having done it. The message is the AWS one:
 * "1 validation error detected: Value 'x' at 'roleName' failed to satisfy constraint: ...".
 */
export const MODEL_FILE = 'iam-2010-05-08.service.json'

const patterns = new Map<string, RegExp | null>()

function regex(pattern: string): RegExp | null {
  let re = patterns.get(pattern)
  if (re !== undefined) return re
  // Model patterns are Java regexes matched whole; `\p{L}` needs the `u` flag.
  try {
    re = new RegExp(`^(?:${pattern})$`, 'u')
  } catch {
    try {
      re = new RegExp(`^(?:${pattern})$`)
    } catch {
      re = null
    }
  }
  patterns.set(pattern, re)
  return re
}

const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1)
const show = (v: unknown) => (typeof v === 'string' ? `'${v}'` : JSON.stringify(v))

function check(model: AwsModel, shapeName: string, value: unknown, at: string, out: string[]): void {
  const shape: AwsShape | undefined = model.shapes[shapeName]
  if (!shape || value === undefined || value === null) return
  const fail = (constraint: string): void => {
    out.push(`Value ${show(value)} at '${at}' failed to satisfy constraint: Member must ${constraint}`)
  }
  switch (shape.type) {
    case 'structure': {
      if (typeof value !== 'object' || Array.isArray(value)) return fail('be a structure')
      const v = value as Record<string, unknown>
      for (const req of shape.required ?? []) {
        if (v[req] === undefined || v[req] === null) {
          out.push(`Value null at '${at ? `${at}.` : ''}${lowerFirst(req)}' failed to satisfy constraint: Member must not be null`)
        }
      }
      for (const [name, ref] of Object.entries(shape.members ?? {})) {
        check(model, ref.shape, v[name], `${at ? `${at}.` : ''}${lowerFirst(name)}`, out)
      }
      return
    }
    case 'list': {
      if (!Array.isArray(value)) return fail('be a list')
      if (shape.min !== undefined && value.length < shape.min) fail(`have length greater than or equal to ${shape.min}`)
      if (shape.max !== undefined && value.length > shape.max) fail(`have length less than or equal to ${shape.max}`)
      value.forEach((item, i) => check(model, shape.member!.shape, item, `${at}.${i + 1}.member`, out))
      return
    }
    case 'string': {
      if (typeof value !== 'string') return fail('be a string')
      if (shape.min !== undefined && value.length < shape.min) fail(`have length greater than or equal to ${shape.min}`)
      if (shape.max !== undefined && value.length > shape.max) fail(`have length less than or equal to ${shape.max}`)
      if (shape.enum && !shape.enum.includes(value)) fail(`satisfy enum value set: [${shape.enum.join(', ')}]`)
      const re = shape.pattern ? regex(shape.pattern) : null
      if (re && value.length > 0 && !re.test(value)) fail(`satisfy regular expression pattern: ${shape.pattern}`)
      return
    }
    case 'integer':
    case 'long': {
      if (typeof value !== 'number' || !Number.isInteger(value)) return fail('be an integer')
      if (shape.min !== undefined && value < shape.min) fail(`have value greater than or equal to ${shape.min}`)
      if (shape.max !== undefined && value > shape.max) fail(`have value less than or equal to ${shape.max}`)
      return
    }
    case 'boolean':
      if (typeof value !== 'boolean') fail('be a boolean')
      return
    default:
      return
  }
}

/** Throws ValidationError when `input` breaks the model's constraints for `operation`. */
export function validateInput(operation: string, input: unknown): void {
  const model = loadModel(MODEL_FILE)
  const shape = model.operations[operation]?.input?.shape
  if (!shape) return
  const out: string[] = []
  check(model, shape, input ?? {}, '', out)
  if (out.length) {
    throw validationError(`${out.length} validation error${out.length > 1 ? 's' : ''} detected: ${out.join('; ')}`)
  }
}
