import type { AwsContext } from '../service.js'
import { deleteConflict, entityAlreadyExists, noSuchEntity } from './errors.js'
import { iamArn, nameKey, seconds, uniqueId } from './ids.js'
import { copy, mustMutableRole, mustRole } from './lookups.js'
import { paginate } from './paginate.js'
import { checkPolicyDocument, checkQuota, policySize } from './policy-document.js'
import { findPolicy } from './policy-refs.js'
import { nameSortKey, roleOut } from './role-view.js'
import type { IamState, RoleDoc, Tag } from './state.js'
import { checkNewTags, listTags, mergeTags, removeTags } from './tags.js'

/** Roles: create, read, list, update, delete, tags, permissions boundary. */

export function checkTrustPolicy(doc: string): void {
  checkPolicyDocument(doc, 'trust')
  checkQuota('ACLSizePerRole', policySize(doc))
}

/** A permissions boundary must be an existing managed policy (text as IAM words it). */
export function checkBoundary(state: IamState, ctx: AwsContext, arn: string): void {
  if (!findPolicy(state, ctx.account, arn)) throw noSuchEntity(`Scope ARN: ${arn} does not exist or is not attachable.`)
}

export interface NewRole {
  RoleName: string
  Path?: string
  AssumeRolePolicyDocument: string
  Description?: string
  MaxSessionDuration?: number
  PermissionsBoundary?: string
  Tags?: Tag[]
}

/** Builds (does not store) a new role; shared with service-linked roles. */
export function newRole(state: IamState, ctx: AwsContext, input: NewRole): RoleDoc {
  if (state.role(ctx.account, input.RoleName)) throw entityAlreadyExists(`Role with name ${input.RoleName} already exists.`)
  checkTrustPolicy(input.AssumeRolePolicyDocument)
  if (input.PermissionsBoundary) checkBoundary(state, ctx, input.PermissionsBoundary)
  const path = input.Path ?? '/'
  return {
    account: ctx.account,
    RoleName: input.RoleName,
    RoleId: uniqueId('AROA'),
    Arn: iamArn(ctx.account, 'role', path, input.RoleName),
    Path: path,
    CreateDate: seconds(ctx.now()),
    AssumeRolePolicyDocument: input.AssumeRolePolicyDocument,
    ...(input.Description !== undefined ? { Description: input.Description } : {}),
    MaxSessionDuration: input.MaxSessionDuration ?? 3600,
    ...(input.PermissionsBoundary ? { PermissionsBoundaryArn: input.PermissionsBoundary } : {}),
    Tags: checkNewTags(input.Tags),
    inlinePolicies: [],
    attachedPolicies: [],
  }
}

export async function CreateRole(input: NewRole, ctx: AwsContext, state: IamState) {
  const role = newRole(state, ctx, input)
  await state.putRole(role)
  return { Role: roleOut(role, 'created') }
}

export function GetRole(input: { RoleName: string }, ctx: AwsContext, state: IamState) {
  return { Role: roleOut(mustRole(state, ctx, input.RoleName)) }
}

export function ListRoles(input: { PathPrefix?: string; Marker?: string; MaxItems?: number }, ctx: AwsContext, state: IamState) {
  const prefix = input.PathPrefix ?? '/'
  const roles = [...state.accountRoles(ctx.account)].filter((r) => r.Path.startsWith(prefix))
  const page = paginate(roles, (r) => nameSortKey(r.RoleName), input)
  return { Roles: page.items.map((r) => roleOut(r, false)), IsTruncated: page.IsTruncated, ...(page.Marker ? { Marker: page.Marker } : {}) }
}

export async function UpdateRole(input: { RoleName: string; Description?: string; MaxSessionDuration?: number }, ctx: AwsContext, state: IamState) {
  const role = copy(input.MaxSessionDuration !== undefined ? mustMutableRole(state, ctx, input.RoleName) : mustRole(state, ctx, input.RoleName))
  if (input.Description !== undefined) role.Description = input.Description
  if (input.MaxSessionDuration !== undefined) role.MaxSessionDuration = input.MaxSessionDuration
  await state.putRole(role)
  return {}
}

export async function UpdateRoleDescription(input: { RoleName: string; Description: string }, ctx: AwsContext, state: IamState) {
  const role = copy(mustRole(state, ctx, input.RoleName))
  role.Description = input.Description
  await state.putRole(role)
  return { Role: roleOut(role) }
}

export async function UpdateAssumeRolePolicy(input: { RoleName: string; PolicyDocument: string }, ctx: AwsContext, state: IamState) {
  const role = copy(mustMutableRole(state, ctx, input.RoleName))
  checkTrustPolicy(input.PolicyDocument)
  role.AssumeRolePolicyDocument = input.PolicyDocument
  await state.putRole(role)
}

export async function PutRolePermissionsBoundary(input: { RoleName: string; PermissionsBoundary: string }, ctx: AwsContext, state: IamState) {
  const role = copy(mustMutableRole(state, ctx, input.RoleName))
  checkBoundary(state, ctx, input.PermissionsBoundary)
  role.PermissionsBoundaryArn = input.PermissionsBoundary
  await state.putRole(role)
}

export async function DeleteRolePermissionsBoundary(input: { RoleName: string }, ctx: AwsContext, state: IamState) {
  const role = copy(mustMutableRole(state, ctx, input.RoleName))
  delete role.PermissionsBoundaryArn
  await state.putRole(role)
}

/** Instance profiles of the account that hold `role`. */
export function profilesOf(state: IamState, role: RoleDoc) {
  const key = role.RoleName.toLowerCase()
  return [...state.accountInstanceProfiles(role.account)].filter((p) => p.roles.includes(key))
}

export async function DeleteRole(input: { RoleName: string }, ctx: AwsContext, state: IamState) {
  const role = mustMutableRole(state, ctx, input.RoleName)
  // IAM refuses while anything still references the role (texts as moto words them).
  if (role.attachedPolicies.length) throw deleteConflict('Cannot delete entity, must detach all policies first.')
  if (role.inlinePolicies.length) throw deleteConflict('Cannot delete entity, must delete policies first.')
  if (profilesOf(state, role).length) throw deleteConflict('Cannot delete entity, must remove roles from instance profile first.')
  await state.roles.delete(nameKey(role.account, role.RoleName))
}

export async function TagRole(input: { RoleName: string; Tags: Tag[] }, ctx: AwsContext, state: IamState) {
  const role = copy(mustRole(state, ctx, input.RoleName))
  role.Tags = mergeTags(role.Tags, input.Tags)
  await state.putRole(role)
}

export async function UntagRole(input: { RoleName: string; TagKeys: string[] }, ctx: AwsContext, state: IamState) {
  const role = copy(mustRole(state, ctx, input.RoleName))
  role.Tags = removeTags(role.Tags, input.TagKeys)
  await state.putRole(role)
}

export function ListRoleTags(input: { RoleName: string; Marker?: string; MaxItems?: number }, ctx: AwsContext, state: IamState) {
  return listTags(mustRole(state, ctx, input.RoleName).Tags, input)
}
