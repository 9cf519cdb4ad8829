import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { packageRoot } from '../../lib/package-root.js'

/**
 * The botocore models of the neighbour services (documentation removed), beside the sources; in dist/
 * we look back into src/ (shipped in the package, as the ECS model is).
 */
export interface AwsShapeRef {
  shape: string
  locationName?: string
  xmlNamespace?: unknown
}
export interface AwsShape {
  type: 'structure' | 'list' | 'map' | 'string' | 'integer' | 'long' | 'double' | 'boolean' | 'timestamp' | 'blob' | 'float'
  members?: Record<string, AwsShapeRef & { idempotencyToken?: boolean; jsonvalue?: boolean }>
  required?: string[]
  member?: AwsShapeRef
  key?: AwsShapeRef
  value?: AwsShapeRef
  enum?: string[]
  min?: number
  max?: number
  pattern?: string
  sensitive?: boolean
  exception?: boolean
  fault?: boolean
  error?: { code?: string; httpStatusCode?: number; senderFault?: boolean }
  timestampFormat?: string
  flattened?: boolean
}
export interface AwsOperation {
  name: string
  input?: AwsShapeRef
  output?: AwsShapeRef & { resultWrapper?: string }
  errors?: AwsShapeRef[]
}
export interface AwsModel {
  metadata: {
    protocol: string
    apiVersion: string
    endpointPrefix: string
    signingName?: string
    targetPrefix?: string
    jsonVersion?: string
    xmlNamespace?: string
    serviceId: string
  }
  operations: Record<string, AwsOperation>
  shapes: Record<string, AwsShape>
}
export interface AwsPaginator {
  input_token?: string | string[]
  output_token?: string | string[]
  limit_key?: string
  result_key?: string | string[]
}

const here = dirname(fileURLToPath(import.meta.url))

function modelPath(file: string): string {
  const root = packageRoot(import.meta.url)
  for (const p of [join(here, file), join(here, '..', '..', '..', 'src', 'aws', 'models', file), ...(root ? [join(root, 'src', 'aws', 'models', file)] : [])]) {
    try {
      readFileSync(p, { flag: 'r' })
      return p
    } catch {
      /* try next */
    }
  }
  throw new Error(`AWS model file ${file} not found`)
}

const cache = new Map<string, unknown>()

function load<T>(file: string): T {
  let v = cache.get(file)
  if (!v) cache.set(file, (v = JSON.parse(readFileSync(modelPath(file), 'utf8'))))
  return v as T
}

/** A service model by file name (`ssm-2014-11-06.service.json`), parsed once. */
export const loadModel = (file: string): AwsModel => load<AwsModel>(file)

/** The paginators beside a service model (`ssm-2014-11-06.paginators.json`). */
export const loadPaginators = (serviceFile: string): Record<string, AwsPaginator> =>
  load<{ pagination: Record<string, AwsPaginator> }>(serviceFile.replace('.service.json', '.paginators.json')).pagination
