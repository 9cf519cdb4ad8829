import type { Scope } from './state.js'
import { groupNotFound, invalidParameter } from './errors.js'
import { AwsError } from '../service.js'

/** `arn:aws:logs:<r>:<a>:log-group:<name>` (the form the tagging APIs take; DescribeLogGroups' `arn` adds `:*`). */
export const groupArn = (s: Scope, name: string) => `arn:aws:logs:${s.region}:${s.account}:log-group:${name}`
export const streamArn = (s: Scope, group: string, stream: string) => `${groupArn(s, group)}:log-stream:${stream}`

const GROUP_ARN = /^arn:[^:]+:logs:([^:]*):(\d*):log-group:([^:]+)(?::\*)?$/

/** A log group ARN (with or without `:*`) → its scope and name; undefined for anything else. */
export function parseGroupArn(arn: string): (Scope & { name: string }) | undefined {
  const m = GROUP_ARN.exec(arn)
  return m ? { region: m[1]!, account: m[2]!, name: m[3]! } : undefined
}

/**
 * The group a request names: `logGroupName` or `logGroupIdentifier` (a name or an ARN), never both.
 * An ARN of another account or region names nothing here.
 */
export function groupNameOf(input: { logGroupName?: string; logGroupIdentifier?: string }, scope: Scope): string {
  if (input.logGroupName !== undefined && input.logGroupIdentifier !== undefined) {
    throw new AwsError('ValidationException', 'LogGroup name and LogGroup ARN are mutually exclusive parameters.')
  }
  const ref = input.logGroupName ?? input.logGroupIdentifier
  if (ref === undefined || ref === '') throw invalidParameter('Either logGroupName or logGroupIdentifier must be specified.') // text unverified
  if (!ref.startsWith('arn:')) return ref
  const p = parseGroupArn(ref)
  if (!p) throw invalidParameter(`Invalid log group ARN: ${ref}`) // text unverified
  if (p.account !== scope.account || p.region !== scope.region) throw groupNotFound()
  return p.name
}
