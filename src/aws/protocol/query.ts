import { AwsError, type AwsContext } from '../service.js'
import type { CompiledService } from './compiled.js'
import { formInput } from './form.js'
import { validateInput } from './validate.js'
import { handlerFor, toServiceError, type WireResponse } from './wire.js'
import { escapeXml, xmlMembers } from './xml.js'

/**
 * The query protocol codec (STS, IAM): a form body (or GET query string) `Action=<Op>&Version=..`,
 * answered as `text/xml`:
 *   <OpResponse xmlns=ns><OpResult>..</OpResult><ResponseMetadata><RequestId/></ResponseMetadata></OpResponse>
 * (no result element when the operation has no output). Errors are
 *   <ErrorResponse xmlns=ns><Error><Type>Sender|Receiver</Type><Code/><Message/></Error><RequestId/></ErrorResponse>
 * with the model's `error.code` and `httpStatusCode` (fact sheet 0.3). Invalid input is the service's
 * `ValidationError` (400), type errors included; an unknown Action is `InvalidAction` (400).
 */
export const TEXT_XML = 'text/xml'

export async function handleQuery(svc: CompiledService, state: unknown, params: URLSearchParams, ctx: AwsContext): Promise<WireResponse> {
  try {
    const op = ctx.operation ? svc.operation(ctx.operation) : undefined
    if (!op) {
      const what = ctx.operation ? `Could not find operation ${ctx.operation} for version ${params.get('Version') ?? svc.apiVersion}` : 'The request must name an Action.'
      throw new AwsError('InvalidAction', what, 400)
    }
    const handler = handlerFor(svc, op.name)
    const input = validateInput(svc, op.input?.shape, formInput(svc, op.input?.shape, params), svc.validationCode)
    const out = (await handler(input, ctx, state)) ?? {}
    const ns = svc.xmlNamespace ? ` xmlns="${escapeXml(svc.xmlNamespace, true)}"` : ''
    const wrapper = op.output ? (op.output.resultWrapper ?? `${op.name}Result`) : undefined
    const result = op.output && wrapper ? `<${wrapper}>${xmlMembers(svc, op.output.shape, out)}</${wrapper}>` : ''
    const meta = `<ResponseMetadata><RequestId>${ctx.requestId}</RequestId></ResponseMetadata>`
    const body = `<?xml version="1.0" encoding="UTF-8"?>\n<${op.name}Response${ns}>${result}${meta}</${op.name}Response>`
    return { status: 200, headers: { 'Content-Type': TEXT_XML, 'x-amzn-RequestId': ctx.requestId }, body }
  } catch (e) {
    const err = toServiceError(svc, e, ctx.requestId)
    return { ...queryError(ctx.requestId, err.code, err.message, err.status, err.sender, svc.xmlNamespace), unexpected: err.unexpected }
  }
}

export function queryError(requestId: string, code: string, message: string, status = 400, sender = status < 500, xmlns?: string): WireResponse {
  const ns = xmlns ? ` xmlns="${escapeXml(xmlns, true)}"` : ''
  const body =
    `<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse${ns}><Error><Type>${sender ? 'Sender' : 'Receiver'}</Type>` +
    `<Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`
  return { status, headers: { 'Content-Type': TEXT_XML, 'x-amzn-RequestId': requestId }, body, error: code }
}
