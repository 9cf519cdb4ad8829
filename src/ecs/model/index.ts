import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { packageRoot } from '../../lib/package-root.js'

/** The official ECS API model (docs/architecture.md#the-api-model-is-the-contract): every operation, shape, paginator and waiter. */
export interface ShapeRef {
  shape: string
}
export interface Shape {
  type: 'structure' | 'list' | 'map' | 'string' | 'integer' | 'long' | 'double' | 'boolean' | 'timestamp' | 'blob' | 'float'
  members?: Record<string, ShapeRef>
  required?: string[]
  member?: ShapeRef
  key?: ShapeRef
  value?: ShapeRef
  enum?: string[]
  min?: number
  max?: number
  pattern?: string
  union?: boolean
  exception?: boolean
  document?: boolean
}
export interface Operation {
  name: string
  input?: ShapeRef
  output?: ShapeRef
  errors?: ShapeRef[]
}
export interface ServiceModel {
  metadata: { targetPrefix: string; jsonVersion: string; apiVersion: string }
  operations: Record<string, Operation>
  shapes: Record<string, Shape>
}
export interface Paginator {
  input_token: string
  output_token: string
  limit_key: string
  result_key: string
}

const here = dirname(fileURLToPath(import.meta.url))

/** Model JSON lives beside the sources; in dist/ we look back into src/ (shipped in the package). */
function modelPath(file: string): string {
  const root = packageRoot(import.meta.url)
  const candidates = [join(here, file), join(here, '..', '..', '..', 'src', 'ecs', 'model', file), ...(root ? [join(root, 'src', 'ecs', 'model', file)] : [])]
  for (const p of candidates) {
    try {
      readFileSync(p, { flag: 'r' }).length
      return p
    } catch {
      /* try next */
    }
  }
  throw new Error(`ECS model file ${file} not found`)
}

const load = <T>(file: string): T => JSON.parse(readFileSync(modelPath(file), 'utf8')) as T

export const model: ServiceModel = load('ecs-2014-11-13.service.json')
export const paginators: Record<string, Paginator> = load<{ pagination: Record<string, Paginator> }>(
  'ecs-2014-11-13.paginators.json',
).pagination
export const waiters = load<{ waiters: Record<string, unknown> }>('ecs-2014-11-13.waiters.json').waiters

export const TARGET_PREFIX = model.metadata.targetPrefix
export const operationNames: string[] = Object.keys(model.operations).sort()

export function operation(name: string): Operation | undefined {
  return Object.hasOwn(model.operations, name) ? model.operations[name] : undefined
}

export function shape(name: string): Shape {
  const s = model.shapes[name]
  if (!s) throw new Error(`unknown shape ${name}`)
  return s
}
