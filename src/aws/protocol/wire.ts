import { AwsError, type AwsHandler } from '../service.js'
import type { CompiledService, ErrorInfo } from './compiled.js'

/** What a codec answers: the router turns it into the HTTP response and the request log line. */
export interface WireResponse {
  status: number
  headers: Record<string, string>
  body: string
  /** The error code, for the request log. */
  error?: string
  /** A failure that was not an AwsError (a bug): logged with its stack, never shown to the client. */
  unexpected?: unknown
}

/**
 * A thrown value as the service's error: an AwsError keeps its code and message; its status is its
 * own, else the model's for that error shape, else 400 (500 for a fault). Anything else is the
 * service's fault shape, with a message naming only the request id.
 */
export function toServiceError(svc: CompiledService, e: unknown, requestId: string): ErrorInfo & { message: string; unexpected?: unknown } {
  if (e instanceof AwsError) {
    const known = svc.error(e.code)
    const status = e.status ?? known?.status ?? 400
    return {
      code: known && svc.protocol === 'query' ? known.code : e.code,
      status,
      sender: e.sender !== false && (known ? known.sender : status < 500),
      message: e.message,
    }
  }
  return { ...svc.fault, message: `An internal error occurred (request id ${requestId}).`, unexpected: e }
}

/** The clean answer for a model operation KECS has no handler for. */
export const notImplemented = (svc: CompiledService, operation: string) =>
  new AwsError(
    'NotImplemented',
    `KECS does not implement ${svc.name}:${operation} (it is an operation of the ${svc.model.metadata.serviceId} API, but KECS does not serve it yet).`,
    400,
  )

/** The operation's handler; checked before the input is, since no input could make it answer. */
export function handlerFor(svc: CompiledService, operation: string): AwsHandler<unknown> {
  const handler = Object.hasOwn(svc.service.handlers, operation) ? svc.service.handlers[operation] : undefined
  if (!handler) throw notImplemented(svc, operation)
  return handler
}
