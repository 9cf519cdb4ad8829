import { afterEach, expect } from 'vitest'
import { loadModel, type AwsModel } from '../../src/aws/models/index.js'
import { AwsError, type AwsContext, type AwsService } from '../../src/aws/service.js'
import { Store } from '../../src/store/store.js'

/** An AwsContext as the router would build it, with an adjustable clock. */
export function awsContext(over: Partial<AwsContext> = {}): AwsContext & { clock: { ms: number } } {
  const clock = { ms: Date.UTC(2026, 0, 2, 3, 4, 5) }
  return {
    region: 'us-east-1',
    account: '000000000000',
    requestId: 'req-1',
    operation: 'Test',
    principalArn: 'arn:aws:iam::000000000000:root',
    now: () => clock.ms,
    clock,
    ...over,
  }
}

/** A service opened on a store (in memory unless a path is given), with a `call` that drives its handlers. */
export async function openService<S>(service: AwsService<S>, path = ':memory:') {
  const store = await Store.open(path)
  const state = await service.open(store)
  const ctx = awsContext()
  const call = async (operation: string, input: Record<string, unknown> = {}, c: AwsContext = ctx): Promise<any> => {
    const handler = service.handlers[operation]
    if (!handler) throw new Error(`no handler for ${operation}`)
    const out = (await handler(input, { ...c, operation }, state)) ?? {}
    // Every answer must be model-shaped, or the codec cannot serialize it.
    const model = loadModel(service.modelFile)
    const outShape = model.operations[operation]?.output?.shape
    const bad = outShape ? outputViolations(model, outShape, out) : Object.keys(out).length ? ['output for an operation without one'] : []
    if (bad.length) throw new Error(`${operation} answered off-model: ${bad.join('; ')}`)
    return out
  }
  return { store, state, ctx, call }
}

/** Asserts that `p` rejects with the AwsError `code` (and status, and message when given). */
export async function expectAwsError(p: Promise<unknown>, code: string, status?: number, message?: string | RegExp) {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  )
  expect(e, `expected ${code}`).toBeInstanceOf(AwsError)
  const err = e as AwsError
  expect(err.code).toBe(code)
  if (status !== undefined) expect(err.status).toBe(status)
  if (message !== undefined) {
    if (typeof message === 'string') expect(err.message).toBe(message)
    else expect(err.message).toMatch(message)
  }
  return err
}

/**
 * Where a handler's output strays from the model: unknown members, missing required ones, wrong
 * kinds (timestamps must be epoch-second numbers: the codec formats them).
 */
export function outputViolations(model: AwsModel, shapeName: string, value: unknown, path = '$'): string[] {
  if (value === undefined || value === null) return []
  const s = model.shapes[shapeName]!
  switch (s.type) {
    case 'structure': {
      if (typeof value !== 'object' || Array.isArray(value)) return [`${path}: wants an object`]
      const v = value as Record<string, unknown>
      const members = s.members ?? {}
      return [
        ...(s.required ?? []).filter((r) => v[r] === undefined).map((r) => `${path}.${r}: required`),
        ...Object.entries(v).flatMap(([k, x]) =>
          Object.hasOwn(members, k) ? outputViolations(model, members[k]!.shape, x, `${path}.${k}`) : [`${path}.${k}: not a member of ${shapeName}`],
        ),
      ]
    }
    case 'list':
      if (!Array.isArray(value)) return [`${path}: wants a list`]
      return value.flatMap((x, i) => outputViolations(model, s.member!.shape, x, `${path}[${i}]`))
    case 'timestamp':
      return typeof value === 'number' ? [] : [`${path}: not epoch seconds`]
    case 'string':
      return typeof value === 'string' ? [] : [`${path}: not a string`]
    case 'boolean':
      return typeof value === 'boolean' ? [] : [`${path}: not a boolean`]
    case 'integer':
    case 'long':
      return Number.isInteger(value) ? [] : [`${path}: not an integer`]
    default:
      return []
  }
}

/** A service opened afresh by each test of a file (in memory), its store closed after each test. */
export function openPerTest<S>(service: AwsService<S>): () => ReturnType<typeof openService<S>> {
  let store: Store | undefined
  afterEach(async () => {
    await store?.close()
    store = undefined
  })
  return async () => {
    const s = await openService(service)
    store = s.store
    return s
  }
}
