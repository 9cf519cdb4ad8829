import { rfc3339Nano } from './format.js'

/**
 * `${ECS_AGENT_URI}/task-protection/v1/state` (GET, PUT `{"ProtectionEnabled":true,"ExpiresInMinutes":60}`)
 * as the ECS agent answers it: the agent calls GetTaskProtection / UpdateTaskProtection for the calling
 * task and wraps the result (ecs-agent handlers/agentapi/taskprotection/v1):
 *   200 `{"protection":{"ExpirationDate":…|null,"ProtectionEnabled":…,"TaskArn":…}}`
 *   a failure → `{"failure":{"Arn","Detail","Reason"}}`, 404 for MISSING, 409 for the task-state ones
 *   an error  → `{"requestID"?,"error":{"Arn"?,"Code","Message"}}` with the call's status.
 * KECS runs the same ECS handlers, so the state is the one GetTaskProtection shows.
 */
export interface AgentResponse {
  status: number
  body: Record<string, unknown>
}

export function protectionResponse(pt: { taskArn?: string; protectionEnabled?: boolean; expirationDate?: number }): AgentResponse {
  return {
    status: 200,
    body: {
      protection: {
        ExpirationDate: pt.expirationDate === undefined ? null : rfc3339Nano(pt.expirationDate * 1000),
        ProtectionEnabled: pt.protectionEnabled ?? false,
        TaskArn: pt.taskArn ?? null,
      },
    },
  }
}

export function failureResponse(f: { arn?: string; reason?: string; detail?: string }): AgentResponse {
  const status = f.reason === 'MISSING' ? 404 : CONFLICT_REASONS.has(f.reason ?? '') ? 409 : 500
  return { status, body: { failure: { Arn: f.arn ?? null, Detail: f.detail ?? null, Reason: f.reason ?? null } } }
}

const CONFLICT_REASONS = new Set(['INVALID', 'TASK_NOT_VALID', 'TASK_STOPPING_OR_STOPPED', 'DEPLOYMENT_BLOCKED'])

export function errorResponse(status: number, code: string, message: string, opts: { arn?: string; requestId?: string } = {}): AgentResponse {
  const error: Record<string, unknown> = {}
  if (opts.arn) error.Arn = opts.arn
  error.Code = code
  error.Message = message
  return { status, body: opts.requestId ? { requestID: opts.requestId, error } : { error } }
}

export const NO_TASK = () => errorResponse(404, 'ResourceNotFoundException', 'Invalid request: no task was found')
export const NO_ROLE = (arn: string) =>
  errorResponse(403, 'AccessDeniedException', 'Invalid Request: no task IAM role credentials available for task', { arn })

/**
 * The PUT body, decoded as the agent does (Go's encoding/json: field names match case-insensitively,
 * unknown fields are refused); `protectionEnabled` undefined when absent or null.
 */
export function parseProtectionRequest(
  text: string,
): { ok: true; protectionEnabled?: boolean; expiresInMinutes?: number } | { ok: false } {
  let v: unknown
  try {
    v = JSON.parse(text)
  } catch {
    return { ok: false }
  }
  if (v === null) return { ok: true }
  if (typeof v !== 'object' || Array.isArray(v)) return { ok: false }
  const out: { ok: true; protectionEnabled?: boolean; expiresInMinutes?: number } = { ok: true }
  for (const [k, val] of Object.entries(v as Record<string, unknown>)) {
    const key = k.toLowerCase()
    if (key === 'protectionenabled') {
      if (val === null) continue
      if (typeof val !== 'boolean') return { ok: false }
      out.protectionEnabled = val
    } else if (key === 'expiresinminutes') {
      if (val === null) continue
      if (typeof val !== 'number' || !Number.isInteger(val)) return { ok: false }
      out.expiresInMinutes = val
    } else {
      return { ok: false }
    }
  }
  return out
}

export const DECODE_FAILED = () => errorResponse(400, 'InvalidParameterException', 'UpdateTaskProtection: failed to decode request')
export const NO_ENABLED_FIELD = (arn: string) =>
  errorResponse(400, 'InvalidParameterException', "Invalid request: does not contain 'ProtectionEnabled' field", { arn })
