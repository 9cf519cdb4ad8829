import { loadModel, type AwsModel, type AwsOperation, type AwsShape } from '../models/index.js'
import type { AwsService } from '../service.js'

/**
 * A service's model made ready for its codec, once per service when the router is built: the
 * operations, its error shapes by shape name and by wire code, the code input validation answers
 * with, its fault code, and compiled `pattern`s (cached per shape).
 */
export interface ErrorInfo {
  code: string
  status: number
  sender: boolean
}

export interface CompiledService {
  service: AwsService<any>
  model: AwsModel
  name: string
  protocol: 'json' | 'query'
  /** JSON: the X-Amz-Target prefix (`AmazonSSM`); query: the Version (`2011-06-15`). */
  targetPrefix?: string
  apiVersion: string
  xmlNamespace?: string
  operation(name: string): AwsOperation | undefined
  shape(name: string): AwsShape
  /** An error by shape name (`NoSuchEntityException`) or by wire code (`NoSuchEntity`). */
  error(codeOrShape: string): ErrorInfo | undefined
  /** What invalid input answers: `ValidationException` (JSON), `ValidationError` (query), Logs' `InvalidParameterException`. */
  validationCode: string
  /** What an unexpected failure answers: the model's fault shape (`InternalServerError`, `ServiceFailure`), else `InternalFailure`. */
  fault: ErrorInfo
  /** The shape's pattern as an anchored RegExp; undefined when it cannot be used safely in JS. */
  pattern(shapeName: string): RegExp | undefined
}

/**
 * Services whose own validation errors are not `ValidationException`: CloudWatch Logs answers
 * "1 validation error detected: ..." as InvalidParameterException (fact sheet 3.3, recorded output).
 */
const VALIDATION_CODE: Record<string, string> = { logs: 'InvalidParameterException' }

export function compileService(service: AwsService<any>): CompiledService {
  const model = loadModel(service.modelFile)
  const { metadata } = model
  const errors = new Map<string, ErrorInfo>()
  let fault: ErrorInfo | undefined
  for (const [name, s] of Object.entries(model.shapes)) {
    if (!s.exception) continue
    const status = s.error?.httpStatusCode ?? (s.fault ? 500 : 400)
    const info: ErrorInfo = {
      // JSON puts the shape name in `__type`; query puts the model's error code in `<Code>`.
      code: metadata.protocol === 'query' ? (s.error?.code ?? name) : name,
      status,
      sender: s.error?.senderFault ?? (!s.fault && status < 500),
    }
    errors.set(name, info)
    if (!errors.has(info.code)) errors.set(info.code, info)
    if ((s.fault || status >= 500) && !fault && /internal|failure/i.test(name)) fault = info
  }
  const patterns = new Map<string, RegExp | undefined>()
  const protocol = metadata.protocol === 'query' ? 'query' : 'json'
  return {
    service,
    model,
    name: service.name,
    protocol,
    targetPrefix: protocol === 'json' ? metadata.targetPrefix : metadata.apiVersion,
    apiVersion: metadata.apiVersion,
    xmlNamespace: metadata.xmlNamespace,
    operation: (name) => (Object.hasOwn(model.operations, name) ? model.operations[name] : undefined),
    shape(name) {
      const s = model.shapes[name]
      if (!s) throw new Error(`${service.name} model: no shape ${name}`)
      return s
    },
    error: (c) => errors.get(c),
    validationCode: service.validationErrorCode ?? VALIDATION_CODE[service.name] ?? (protocol === 'query' ? 'ValidationError' : 'ValidationException'),
    fault: fault ?? { code: 'InternalFailure', status: 500, sender: false },
    pattern(shapeName) {
      if (patterns.has(shapeName)) return patterns.get(shapeName)
      const p = model.shapes[shapeName]?.pattern
      const re = p === undefined ? undefined : compilePattern(p)
      patterns.set(shapeName, re)
      return re
    },
  }
}

/**
 * A model pattern (Java regex, matched against the whole value) as a JS RegExp. Patterns JS cannot
 * read, and those with back-references (costly, and their Java meaning differs), are not checked.
 */
export function compilePattern(p: string): RegExp | undefined {
  let flags = ''
  if (p.startsWith('(?i)')) {
    p = p.slice(4)
    flags = 'i'
  }
  if (/\\[1-9]/.test(p)) return undefined
  for (const f of [`${flags}u`, flags]) {
    try {
      return new RegExp(`^(?:${p})$`, f)
    } catch {
      /* try without the unicode flag */
    }
  }
  return undefined
}
