import { AwsError, type AwsContext } from '../service.js'
import type { CompiledService } from './compiled.js'
import { jsonOutput } from './json-output.js'
import { validateInput } from './validate.js'
import { handlerFor, toServiceError, type WireResponse } from './wire.js'

/**
 * The AWS JSON 1.1 codec (SSM, Secrets Manager, CloudWatch Logs): `POST /` with
 * `X-Amz-Target: <prefix>.<Operation>` and a JSON body; answers `application/x-amz-json-1.1`.
 * Errors are `{"__type": code, "message": ...}` with `X-Amzn-ErrorType`, 400 for client errors and
 * 500 for faults (fact sheet 0.2). Malformed JSON and values of the wrong type are
 * SerializationException; constraint failures the service's validation code.
 */
export const JSON_11 = 'application/x-amz-json-1.1'

export async function handleJson(svc: CompiledService, state: unknown, body: string, ctx: AwsContext): Promise<WireResponse> {
  try {
    const op = svc.operation(ctx.operation)
    if (!op) throw new AwsError('UnknownOperationException', `Unknown operation ${svc.targetPrefix}.${ctx.operation}`, 400)
    const handler = handlerFor(svc, op.name)
    const input = validateInput(svc, op.input?.shape, parseBody(body), 'SerializationException')
    const out = (await handler(input, ctx, state)) ?? {}
    const shown = op.output ? (jsonOutput(svc, op.output.shape, out) ?? {}) : {}
    return { status: 200, headers: { 'Content-Type': JSON_11, 'x-amzn-RequestId': ctx.requestId }, body: JSON.stringify(shown) }
  } catch (e) {
    const err = toServiceError(svc, e, ctx.requestId)
    return { ...jsonError(ctx.requestId, err.code, err.message, err.status), unexpected: err.unexpected }
  }
}

export function jsonError(requestId: string, code: string, message: string, status = 400): WireResponse {
  return {
    status,
    headers: { 'Content-Type': JSON_11, 'x-amzn-RequestId': requestId, 'X-Amzn-ErrorType': code },
    body: JSON.stringify({ __type: code, message }),
    error: code,
  }
}

function parseBody(text: string): unknown {
  if (text.trim() === '') return {}
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    throw new AwsError('SerializationException', 'Malformed JSON in the request body.', 400)
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new AwsError('SerializationException', 'The request body must be a JSON object.', 400)
  }
  return body
}
