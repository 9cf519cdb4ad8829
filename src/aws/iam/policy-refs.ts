import { AWS_MANAGED_POLICIES, type AwsManagedPolicy } from './aws-managed-policies.js'
import { invalidInput, validationError } from './errors.js'
import type { IamState, PolicyDoc, PolicyVersionDoc } from './state.js'
import { tagsOut } from './tags.js'

/** A managed policy an ARN names: one of the account's own, or an AWS managed one. */
export type PolicyRef = { kind: 'local'; policy: PolicyDoc } | { kind: 'aws'; policy: AwsManagedPolicy }

const POLICY_ARN = /^arn:aws:iam::(\d{12}|aws):policy(\/(?:[^/]+\/)*)([^/]+)$/

/** Parses a policy ARN; a string that is no ARN at all is a ValidationError as in IAM. */
export function parsePolicyArn(arn: string): { account: string; path: string; name: string } {
  if (!/^arn:[^:]*:[^:]*:[^:]*:[^:]*:.+/.test(arn)) throw validationError('Invalid ARN:  Could not be parsed!')
  const m = POLICY_ARN.exec(arn)
  if (!m) throw invalidInput(`ARN ${arn} is not valid.`)
  return { account: m[1]!, path: m[2]!, name: m[3]! }
}

/** The policy `arn` names, visible from `account`, or undefined. */
export function findPolicy(state: IamState, account: string, arn: string): PolicyRef | undefined {
  const parsed = parsePolicyArn(arn)
  if (parsed.account === 'aws') {
    const p = AWS_MANAGED_POLICIES.get(arn)
    return p ? { kind: 'aws', policy: p } : undefined
  }
  // Another account's policies are not visible here.
  if (parsed.account !== account) return undefined
  const p = state.policyByName(account, parsed.name)
  return p && p.Arn === arn ? { kind: 'local', policy: p } : undefined
}

/** Roles of `account` with `arn` attached, and roles and users with it as permissions boundary. */
export function usage(state: IamState, account: string, arn: string) {
  let attached = 0
  let boundary = 0
  for (const r of state.accountRoles(account)) {
    if (r.attachedPolicies.includes(arn)) attached++
    if (r.PermissionsBoundaryArn === arn) boundary++
  }
  for (const u of state.accountUsers(account)) if (u.PermissionsBoundaryArn === arn) boundary++
  return { attached, boundary }
}

const AWS_VERSION = 'v1'

export function defaultVersion(ref: PolicyRef): PolicyVersionDoc {
  if (ref.kind === 'aws') return { VersionId: AWS_VERSION, Document: ref.policy.Document, CreateDate: ref.policy.CreateDate }
  return ref.policy.versions.find((v) => v.VersionId === ref.policy.DefaultVersionId)!
}

export function versions(ref: PolicyRef): PolicyVersionDoc[] {
  return ref.kind === 'aws' ? [defaultVersion(ref)] : ref.policy.versions
}

/**
 * The model's Policy shape. UpdateDate is the newest version's date (IAM: the creation date while
 * there is one version). `withTags` is false for ListPolicies, which AWS answers without tags.
 */
export function policyOut(state: IamState, account: string, ref: PolicyRef, withTags = true): Record<string, unknown> {
  const p = ref.policy
  const u = usage(state, account, p.Arn)
  const all = versions(ref)
  return {
    PolicyName: p.PolicyName,
    PolicyId: p.PolicyId,
    Arn: p.Arn,
    Path: p.Path,
    DefaultVersionId: ref.kind === 'aws' ? AWS_VERSION : ref.policy.DefaultVersionId,
    AttachmentCount: u.attached,
    PermissionsBoundaryUsageCount: u.boundary,
    IsAttachable: true,
    ...(p.Description ? { Description: p.Description } : {}),
    CreateDate: p.CreateDate,
    UpdateDate: Math.max(...all.map((v) => v.CreateDate)),
    ...(withTags && ref.kind === 'local' ? tagsOut(ref.policy.Tags) : {}),
  }
}
