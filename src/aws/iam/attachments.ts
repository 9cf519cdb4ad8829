import type { AwsContext } from '../service.js'
import { noSuchEntity, noSuchPolicy } from './errors.js'
import { copy, mustMutableRole, mustRole } from './lookups.js'
import { paginate } from './paginate.js'
import { checkQuota } from './policy-document.js'
import { findPolicy, parsePolicyArn } from './policy-refs.js'
import { nameSortKey } from './role-view.js'
import type { IamState } from './state.js'

/** Managed policies attached to roles; the policy's AttachmentCount is counted from these. */

export async function AttachRolePolicy(input: { RoleName: string; PolicyArn: string }, ctx: AwsContext, state: IamState) {
  const role = copy(mustMutableRole(state, ctx, input.RoleName))
  if (!findPolicy(state, ctx.account, input.PolicyArn)) throw noSuchEntity(`Policy ${input.PolicyArn} does not exist or is not attachable.`)
  // Attaching an attached policy is a no-op in IAM.
  if (role.attachedPolicies.includes(input.PolicyArn)) return
  checkQuota('PoliciesPerRole', role.attachedPolicies.length + 1)
  role.attachedPolicies.push(input.PolicyArn)
  await state.putRole(role)
}

export async function DetachRolePolicy(input: { RoleName: string; PolicyArn: string }, ctx: AwsContext, state: IamState) {
  const role = copy(mustMutableRole(state, ctx, input.RoleName))
  parsePolicyArn(input.PolicyArn)
  if (!role.attachedPolicies.includes(input.PolicyArn)) throw noSuchPolicy(input.PolicyArn)
  role.attachedPolicies = role.attachedPolicies.filter((a) => a !== input.PolicyArn)
  await state.putRole(role)
}

export function ListAttachedRolePolicies(
  input: { RoleName: string; PathPrefix?: string; Marker?: string; MaxItems?: number },
  ctx: AwsContext,
  state: IamState,
) {
  const role = mustRole(state, ctx, input.RoleName)
  const prefix = input.PathPrefix ?? '/'
  const attached = role.attachedPolicies
    .map((arn) => ({ arn, ...parsePolicyArn(arn) }))
    .filter((a) => a.path.startsWith(prefix))
    .map((a) => ({ PolicyName: a.name, PolicyArn: a.arn }))
  const page = paginate(attached, (a) => `${a.PolicyName.toLowerCase()}\u0000${a.PolicyArn}`, input)
  return { AttachedPolicies: page.items, IsTruncated: page.IsTruncated, ...(page.Marker ? { Marker: page.Marker } : {}) }
}

/** Users hold no attached policies here, so they appear only through a permissions boundary; groups never. */
export function ListEntitiesForPolicy(
  input: { PolicyArn: string; EntityFilter?: string; PathPrefix?: string; PolicyUsageFilter?: string; Marker?: string; MaxItems?: number },
  ctx: AwsContext,
  state: IamState,
) {
  if (!findPolicy(state, ctx.account, input.PolicyArn)) throw noSuchPolicy(input.PolicyArn)
  const prefix = input.PathPrefix ?? '/'
  const uses = (attached: boolean, boundary: boolean) =>
    input.PolicyUsageFilter === 'PermissionsPolicy' ? attached : input.PolicyUsageFilter === 'PermissionsBoundary' ? boundary : attached || boundary
  type Entity = { kind: 'role'; RoleName: string; RoleId: string } | { kind: 'user'; UserName: string; UserId: string }
  const entities: Entity[] = []
  if (input.EntityFilter === undefined || input.EntityFilter === 'Role') {
    for (const r of state.accountRoles(ctx.account)) {
      if (r.Path.startsWith(prefix) && uses(r.attachedPolicies.includes(input.PolicyArn), r.PermissionsBoundaryArn === input.PolicyArn)) {
        entities.push({ kind: 'role', RoleName: r.RoleName, RoleId: r.RoleId })
      }
    }
  }
  if (input.EntityFilter === undefined || input.EntityFilter === 'User') {
    for (const u of state.accountUsers(ctx.account)) {
      if (u.Path.startsWith(prefix) && uses(false, u.PermissionsBoundaryArn === input.PolicyArn)) {
        entities.push({ kind: 'user', UserName: u.UserName, UserId: u.UserId })
      }
    }
  }
  const page = paginate(entities, (e) => (e.kind === 'role' ? `r/${nameSortKey(e.RoleName)}` : `u/${nameSortKey(e.UserName)}`), input)
  return {
    PolicyGroups: [],
    PolicyUsers: page.items.flatMap((e) => (e.kind === 'user' ? [{ UserName: e.UserName, UserId: e.UserId }] : [])),
    PolicyRoles: page.items.flatMap((e) => (e.kind === 'role' ? [{ RoleName: e.RoleName, RoleId: e.RoleId }] : [])),
    IsTruncated: page.IsTruncated,
    ...(page.Marker ? { Marker: page.Marker } : {}),
  }
}
