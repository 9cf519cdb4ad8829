import { AwsError } from '../service.js'
import type { ParameterDoc, ParameterVersion, Scope, SsmState } from './state.js'
import { latest } from './state.js'

const NAME_CHARS = /^[a-zA-Z0-9_.\-/]+$/
const MAX_LEVELS = 15

/** `arn:aws:ssm:<region>:<acct>:parameter/<name>`: a leading `/` of the name is not doubled. */
export function parameterArn(p: { account: string; region: string; name: string }): string {
  return `arn:aws:ssm:${p.region}:${p.account}:parameter${p.name.startsWith('/') ? p.name : '/' + p.name}`
}

/** The name rules PutParameter enforces; returns the trimmed name (AWS trims outer spaces). */
export function checkName(raw: string): string {
  const name = raw.trim()
  const first = (name.startsWith('/') ? name.slice(1) : name).toLowerCase()
  if (first.startsWith('aws') || first.startsWith('ssm')) {
    throw new AwsError('ValidationException', `Parameter name: can't be prefixed with "aws" or "ssm" (case-insensitive).`)
  }
  if (!NAME_CHARS.test(name) || name.includes('//') || name.endsWith('/')) {
    // Text as AWS words it for a bad character or empty sub-path [moto; M].
    throw new AwsError(
      'ValidationException',
      `Parameter name: can't be prefixed with "aws" or "ssm" (case-insensitive). If formed as a path, it can consist of sub-paths divided by slash symbol; each sub-path can be formed as a mix of letters, numbers and the following 3 symbols .-_`,
    )
  }
  if (name.includes('/') && !name.startsWith('/')) {
    throw new AwsError('ValidationException', 'Parameter name must be a fully qualified name.')
  }
  if (name.split('/').length - 1 > MAX_LEVELS) {
    // Message not confirmed against AWS [L].
    throw new AwsError(
      'HierarchyLevelLimitExceededException',
      `A hierarchy can have a maximum of ${MAX_LEVELS} levels. For more information, see Requirements and constraints for parameter names in the AWS Systems Manager User Guide.`,
    )
  }
  return name
}

/** A reference as GetParameter takes it: name or ARN, with an optional `:version` or `:label` selector. */
export interface ParameterRef {
  /** Candidate names (an ARN `parameter/x` may mean `x` or `/x`). */
  names: string[]
  selector?: string
  /** The region and account an ARN names. */
  region?: string
  account?: string
}

export function parseRef(ref: string): ParameterRef {
  const arn = /^arn:[^:]+:ssm:([^:]*):([^:]*):parameter\/(.*)$/.exec(ref)
  let body = arn ? arn[3]! : ref
  let selector: string | undefined
  const colon = body.lastIndexOf(':')
  if (colon >= 0) {
    selector = body.slice(colon + 1)
    body = body.slice(0, colon)
  }
  const names = arn ? [body, '/' + body] : [body]
  return arn ? { names, selector, region: arn[1] || undefined, account: arn[2] || undefined } : { names, selector }
}

/** The parameter and version a reference names, or undefined (an unknown label or version included). */
export function resolveRef(
  state: SsmState,
  scope: Scope,
  ref: string,
): { param: ParameterDoc; version: ParameterVersion; selector?: string } | { param: ParameterDoc; missingVersion: string } | undefined {
  const r = parseRef(ref)
  const where = { account: r.account ?? scope.account, region: r.region ?? scope.region }
  let param: ParameterDoc | undefined
  for (const n of r.names) if ((param = state.get(where, n))) break
  if (!param) return undefined
  if (r.selector === undefined) return { param, version: latest(param) }
  const sel = r.selector
  const version = /^\d+$/.test(sel)
    ? param.versions.find((v) => v.version === Number(sel))
    : param.versions.find((v) => v.labels.includes(sel))
  if (!version) return /^\d+$/.test(sel) ? { param, missingVersion: sel } : undefined
  return { param, version, selector: ':' + sel }
}
