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

/** Only roles exist in KECS IAM, so PolicyGroups and PolicyUsers are always empty. */
export function ListEntitiesForPolicy(
  input: { PolicyArn: string; EntityFilter?: string; PathPrefix?: string; PolicyUsageFilter?: string; Marker?: string; MaxItems?: number },
  ctx: AwsContext,
  state: IamState,
) {
  if (!findPolicy(state, ctx.account, input.PolicyArn)) throw noSuchPolicy(input.PolicyArn)
  const wantRoles = input.EntityFilter === undefined || input.EntityFilter === 'Role'
  const prefix = input.PathPrefix ?? '/'
  const roles = wantRoles
    ? [...state.accountRoles(ctx.account)].filter((r) => {
        if (!r.Path.startsWith(prefix)) return false
        const attached = r.attachedPolicies.includes(input.PolicyArn)
        const boundary = r.PermissionsBoundaryArn === input.PolicyArn
        if (input.PolicyUsageFilter === 'PermissionsPolicy') return attached
        if (input.PolicyUsageFilter === 'PermissionsBoundary') return boundary
        return attached || boundary
      })
    : []
  const page = paginate(roles, (r) => nameSortKey(r.RoleName), input)
  return {
    PolicyGroups: [],
    PolicyUsers: [],
    PolicyRoles: page.items.map((r) => ({ RoleName: r.RoleName, RoleId: r.RoleId })),
    IsTruncated: page.IsTruncated,
    ...(page.Marker ? { Marker: page.Marker } : {}),
  }
}
