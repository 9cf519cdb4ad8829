import type { AwsContext } from '../service.js'
import { noSuchEntity } from './errors.js'
import { copy, mustMutableRole, mustRole } from './lookups.js'
import { paginate } from './paginate.js'
import { checkPolicyDocument, checkQuota, encodeDocument, policySize } from './policy-document.js'
import type { IamState } from './state.js'

/** Inline role policies: names are matched case-insensitively, like every IAM name (not confirmed for inline policies). */
const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase()
const noSuchRolePolicy = (name: string) => noSuchEntity(`The role policy with name ${name} cannot be found.`)

export async function PutRolePolicy(input: { RoleName: string; PolicyName: string; PolicyDocument: string }, ctx: AwsContext, state: IamState) {
  const role = copy(mustMutableRole(state, ctx, input.RoleName))
  checkPolicyDocument(input.PolicyDocument, 'identity')
  const others = role.inlinePolicies.filter((p) => !same(p.PolicyName, input.PolicyName))
  // The quota is on all inline policies of the role together.
  checkQuota('RolePolicySize', [...others.map((p) => p.PolicyDocument), input.PolicyDocument].reduce((n, d) => n + policySize(d), 0))
  const i = role.inlinePolicies.findIndex((p) => same(p.PolicyName, input.PolicyName))
  const entry = { PolicyName: input.PolicyName, PolicyDocument: input.PolicyDocument }
  if (i >= 0) role.inlinePolicies[i] = entry
  else role.inlinePolicies.push(entry)
  await state.putRole(role)
}

export function GetRolePolicy(input: { RoleName: string; PolicyName: string }, ctx: AwsContext, state: IamState) {
  const role = mustRole(state, ctx, input.RoleName)
  const p = role.inlinePolicies.find((x) => same(x.PolicyName, input.PolicyName))
  if (!p) throw noSuchRolePolicy(input.PolicyName)
  return { RoleName: role.RoleName, PolicyName: p.PolicyName, PolicyDocument: encodeDocument(p.PolicyDocument) }
}

export function ListRolePolicies(input: { RoleName: string; Marker?: string; MaxItems?: number }, ctx: AwsContext, state: IamState) {
  const role = mustRole(state, ctx, input.RoleName)
  const page = paginate(role.inlinePolicies.map((p) => p.PolicyName), (n) => n.toLowerCase(), input)
  return { PolicyNames: page.items, IsTruncated: page.IsTruncated, ...(page.Marker ? { Marker: page.Marker } : {}) }
}

export async function DeleteRolePolicy(input: { RoleName: string; PolicyName: string }, ctx: AwsContext, state: IamState) {
  const role = copy(mustMutableRole(state, ctx, input.RoleName))
  const i = role.inlinePolicies.findIndex((p) => same(p.PolicyName, input.PolicyName))
  if (i < 0) throw noSuchRolePolicy(input.PolicyName)
  role.inlinePolicies.splice(i, 1)
  await state.putRole(role)
}
