import type { AwsContext } from '../service.js'
import { deleteConflict, entityAlreadyExists, limitExceeded, noSuchRole } from './errors.js'
import { iamArn, nameKey, seconds, uniqueId } from './ids.js'
import { copy, mustInstanceProfile, mustRole } from './lookups.js'
import { paginate } from './paginate.js'
import { nameSortKey, roleOut } from './role-view.js'
import { profilesOf } from './roles.js'
import type { IamState, InstanceProfileDoc, Tag } from './state.js'
import { checkNewTags, listTags, mergeTags, removeTags, tagsOut } from './tags.js'

/** Instance profiles: a container for one role, for EC2 container instances. */

function profileOut(state: IamState, p: InstanceProfileDoc, withTags = true): Record<string, unknown> {
  const roles = p.roles.map((k) => state.roles.get(`${p.account}/${k}`)).filter((r) => r !== undefined)
  return {
    Path: p.Path,
    InstanceProfileName: p.InstanceProfileName,
    InstanceProfileId: p.InstanceProfileId,
    Arn: p.Arn,
    CreateDate: p.CreateDate,
    Roles: roles.map((r) => roleOut(r, false)),
    ...(withTags ? tagsOut(p.Tags) : {}),
  }
}

const pageOut = (state: IamState, profiles: InstanceProfileDoc[], input: { Marker?: string; MaxItems?: number }) => {
  const page = paginate(profiles, (p) => nameSortKey(p.InstanceProfileName), input)
  // Listing answers leave tags out, as AWS does.
  return {
    InstanceProfiles: page.items.map((p) => profileOut(state, p, false)),
    IsTruncated: page.IsTruncated,
    ...(page.Marker ? { Marker: page.Marker } : {}),
  }
}

export async function CreateInstanceProfile(input: { InstanceProfileName: string; Path?: string; Tags?: Tag[] }, ctx: AwsContext, state: IamState) {
  if (state.instanceProfile(ctx.account, input.InstanceProfileName)) {
    throw entityAlreadyExists(`Instance Profile ${input.InstanceProfileName} already exists.`)
  }
  const path = input.Path ?? '/'
  const p: InstanceProfileDoc = {
    account: ctx.account,
    InstanceProfileName: input.InstanceProfileName,
    InstanceProfileId: uniqueId('AIPA'),
    Arn: iamArn(ctx.account, 'instance-profile', path, input.InstanceProfileName),
    Path: path,
    CreateDate: seconds(ctx.now()),
    Tags: checkNewTags(input.Tags),
    roles: [],
  }
  await state.putInstanceProfile(p)
  return { InstanceProfile: profileOut(state, p) }
}

export function GetInstanceProfile(input: { InstanceProfileName: string }, ctx: AwsContext, state: IamState) {
  return { InstanceProfile: profileOut(state, mustInstanceProfile(state, ctx, input.InstanceProfileName)) }
}

export async function AddRoleToInstanceProfile(input: { InstanceProfileName: string; RoleName: string }, ctx: AwsContext, state: IamState) {
  const p = copy(mustInstanceProfile(state, ctx, input.InstanceProfileName))
  const role = mustRole(state, ctx, input.RoleName)
  // One role per profile, a fixed quota; adding the same role again trips it too.
  if (p.roles.length >= 1) throw limitExceeded('Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1')
  p.roles.push(role.RoleName.toLowerCase())
  await state.putInstanceProfile(p)
}

export async function RemoveRoleFromInstanceProfile(input: { InstanceProfileName: string; RoleName: string }, ctx: AwsContext, state: IamState) {
  const p = copy(mustInstanceProfile(state, ctx, input.InstanceProfileName))
  const role = mustRole(state, ctx, input.RoleName)
  const key = role.RoleName.toLowerCase()
  if (!p.roles.includes(key)) throw noSuchRole(input.RoleName)
  p.roles = p.roles.filter((k) => k !== key)
  await state.putInstanceProfile(p)
}

export function ListInstanceProfiles(input: { PathPrefix?: string; Marker?: string; MaxItems?: number }, ctx: AwsContext, state: IamState) {
  const prefix = input.PathPrefix ?? '/'
  return pageOut(state, [...state.accountInstanceProfiles(ctx.account)].filter((p) => p.Path.startsWith(prefix)), input)
}

export function ListInstanceProfilesForRole(input: { RoleName: string; Marker?: string; MaxItems?: number }, ctx: AwsContext, state: IamState) {
  return pageOut(state, profilesOf(state, mustRole(state, ctx, input.RoleName)), input)
}

export async function DeleteInstanceProfile(input: { InstanceProfileName: string }, ctx: AwsContext, state: IamState) {
  const p = mustInstanceProfile(state, ctx, input.InstanceProfileName)
  if (p.roles.length) throw deleteConflict('Cannot delete entity, must remove roles from instance profile first.')
  await state.instanceProfiles.delete(nameKey(p.account, p.InstanceProfileName))
}

export async function TagInstanceProfile(input: { InstanceProfileName: string; Tags: Tag[] }, ctx: AwsContext, state: IamState) {
  const p = copy(mustInstanceProfile(state, ctx, input.InstanceProfileName))
  p.Tags = mergeTags(p.Tags, input.Tags)
  await state.putInstanceProfile(p)
}

export async function UntagInstanceProfile(input: { InstanceProfileName: string; TagKeys: string[] }, ctx: AwsContext, state: IamState) {
  const p = copy(mustInstanceProfile(state, ctx, input.InstanceProfileName))
  p.Tags = removeTags(p.Tags, input.TagKeys)
  await state.putInstanceProfile(p)
}

export function ListInstanceProfileTags(input: { InstanceProfileName: string; Marker?: string; MaxItems?: number }, ctx: AwsContext, state: IamState) {
  return listTags(mustInstanceProfile(state, ctx, input.InstanceProfileName).Tags, input)
}
