import { withClusterFromArns } from './cluster-from-arn.js'
import { EcsError, unsupportedFeature } from './errors.js'
import type { RequestContext } from './context.js'
import { operation } from './model/index.js'
import { serializeOutput } from './model/serialize.js'
import { validateInput } from './model/validate.js'
import type { EcsDeps, HandlerMap, OperationName } from './types.js'
import { handlers as allHandlers } from './handlers.js'

/** Any entry of a HandlerMap, called with the input the validator checked. */
type AnyHandler = (input: unknown, ctx: RequestContext, deps: EcsDeps) => Promise<unknown>

/**
 * Runs one operation: looks it up in the model, validates the input against its shape, calls the
 * handler, and reduces its result to the output shape (members only, at any depth; timestamps as
 * epoch seconds). Knows every operation of the model; one without a handler answers UnsupportedFeature.
 */
export async function dispatch(
  opName: string,
  body: unknown,
  ctx: RequestContext,
  deps: EcsDeps,
  handlers: HandlerMap = allHandlers,
): Promise<unknown> {
  const op = operation(opName)
  if (!op) throw new EcsError('UnknownOperationException', `Unknown operation ${opName}`)
  const input = withClusterFromArns(opName, validateInput(op.input?.shape, body))
  // The model knows the operation, so its name is one of the table's; the input was validated against its shape.
  const handler = Object.hasOwn(handlers, opName) ? (handlers[opName as OperationName] as AnyHandler | undefined) : undefined
  if (!handler) {
    throw unsupportedFeature(`The operation ${opName} is not supported by KECS yet.`)
  }
  const out = await handler(input, ctx, deps)
  return serializeOutput(opName, out)
}
