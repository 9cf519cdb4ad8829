import type { AwsContext } from '../service.js'
import { deleteConflict, entityAlreadyExists, limitExceeded, noSuchEntity, validationError } from './errors.js'
import { accessKeyPair, iamArn, nameKey, seconds, uniqueId } from './ids.js'
import { copy } from './lookups.js'
import { paginate } from './paginate.js'
import { nameSortKey } from './role-view.js'
import { checkBoundary } from './roles.js'
import type { AccessKeyDoc, IamState, Tag, UserDoc } from './state.js'
import { checkNewTags, listTags, mergeTags, removeTags, tagsOut } from './tags.js'

/**
 * IAM users and their long-term access keys, the minimum for stacks that make a CI user. Users hold
 * no policies here. Access keys are at most two per user (IAM's fixed quota).
 */
const MAX_ACCESS_KEYS = 2

const noSuchUser = (name: string) => noSuchEntity(`The user with name ${name} cannot be found.`)

function mustUser(state: IamState, ctx: AwsContext, name: string): UserDoc {
  const u = state.user(ctx.account, name)
  if (!u) throw noSuchUser(name)
  return u
}

/** The user an operation is about: the one named, else the caller when the caller is an IAM user. */
function subjectUser(state: IamState, ctx: AwsContext, name: string | undefined): UserDoc {
  if (name !== undefined) return mustUser(state, ctx, name)
  const m = /^arn:aws:iam::(\d{12}):user\/(?:.*\/)?([^/]+)$/.exec(ctx.principalArn)
  if (!m || m[1] !== ctx.account) throw validationError('Must specify userName when calling with non-User credentials')
  return mustUser(state, ctx, m[2]!)
}

function userOut(u: UserDoc, full = true): Record<string, unknown> {
  return {
    Path: u.Path,
    UserName: u.UserName,
    UserId: u.UserId,
    Arn: u.Arn,
    CreateDate: u.CreateDate,
    ...(full && u.PermissionsBoundaryArn
      ? { PermissionsBoundary: { PermissionsBoundaryType: 'PermissionsBoundaryPolicy', PermissionsBoundaryArn: u.PermissionsBoundaryArn } }
      : {}),
    ...(full ? tagsOut(u.Tags) : {}),
  }
}

const keyMetadata = (u: UserDoc, k: AccessKeyDoc) => ({ UserName: u.UserName, AccessKeyId: k.AccessKeyId, Status: k.Status, CreateDate: k.CreateDate })

export async function CreateUser(input: { UserName: string; Path?: string; PermissionsBoundary?: string; Tags?: Tag[] }, ctx: AwsContext, state: IamState) {
  if (state.user(ctx.account, input.UserName)) throw entityAlreadyExists(`User with name ${input.UserName} already exists.`)
  if (input.PermissionsBoundary) checkBoundary(state, ctx, input.PermissionsBoundary)
  const path = input.Path ?? '/'
  const user: UserDoc = {
    account: ctx.account,
    UserName: input.UserName,
    UserId: uniqueId('AIDA'),
    Arn: iamArn(ctx.account, 'user', path, input.UserName),
    Path: path,
    CreateDate: seconds(ctx.now()),
    ...(input.PermissionsBoundary ? { PermissionsBoundaryArn: input.PermissionsBoundary } : {}),
    Tags: checkNewTags(input.Tags),
    accessKeys: [],
  }
  await state.putUser(user)
  return { User: userOut(user) }
}

/**
 * Without UserName, the caller. For the account root, AWS answers the root "user" (UserId = the
 * account id); we fill the model's required Path/UserName/CreateDate with `/`, `root` and the epoch,
 * which AWS's own answer may word differently (not confirmed).
 */
export function GetUser(input: { UserName?: string }, ctx: AwsContext, state: IamState) {
  if (input.UserName === undefined && ctx.principalArn === `arn:aws:iam::${ctx.account}:root`) {
    return { User: { Path: '/', UserName: 'root', UserId: ctx.account, Arn: ctx.principalArn, CreateDate: 0 } }
  }
  return { User: userOut(subjectUser(state, ctx, input.UserName)) }
}

export function ListUsers(input: { PathPrefix?: string; Marker?: string; MaxItems?: number }, ctx: AwsContext, state: IamState) {
  const prefix = input.PathPrefix ?? '/'
  const users = [...state.accountUsers(ctx.account)].filter((u) => u.Path.startsWith(prefix))
  const page = paginate(users, (u) => nameSortKey(u.UserName), input)
  // Listing answers leave tags and boundaries out, as AWS does.
  return { Users: page.items.map((u) => userOut(u, false)), IsTruncated: page.IsTruncated, ...(page.Marker ? { Marker: page.Marker } : {}) }
}

export async function DeleteUser(input: { UserName: string }, ctx: AwsContext, state: IamState) {
  const user = mustUser(state, ctx, input.UserName)
  if (user.accessKeys.length) throw deleteConflict('Cannot delete entity, must delete access keys first.')
  await state.users.delete(nameKey(user.account, user.UserName))
}

export async function TagUser(input: { UserName: string; Tags: Tag[] }, ctx: AwsContext, state: IamState) {
  const user = copy(mustUser(state, ctx, input.UserName))
  user.Tags = mergeTags(user.Tags, input.Tags)
  await state.putUser(user)
}

export async function UntagUser(input: { UserName: string; TagKeys: string[] }, ctx: AwsContext, state: IamState) {
  const user = copy(mustUser(state, ctx, input.UserName))
  user.Tags = removeTags(user.Tags, input.TagKeys)
  await state.putUser(user)
}

export function ListUserTags(input: { UserName: string; Marker?: string; MaxItems?: number }, ctx: AwsContext, state: IamState) {
  return listTags(mustUser(state, ctx, input.UserName).Tags, input)
}

/** The secret is returned here only, as in IAM. */
export async function CreateAccessKey(input: { UserName?: string }, ctx: AwsContext, state: IamState) {
  const user = copy(subjectUser(state, ctx, input.UserName))
  if (user.accessKeys.length >= MAX_ACCESS_KEYS) throw limitExceeded(`Cannot exceed quota for AccessKeysPerUser: ${MAX_ACCESS_KEYS}`)
  const key: AccessKeyDoc = { ...accessKeyPair(), Status: 'Active', CreateDate: seconds(ctx.now()) }
  user.accessKeys.push(key)
  await state.putUser(user)
  return { AccessKey: { ...keyMetadata(user, key), SecretAccessKey: key.SecretAccessKey } }
}

export function ListAccessKeys(input: { UserName?: string; Marker?: string; MaxItems?: number }, ctx: AwsContext, state: IamState) {
  const user = subjectUser(state, ctx, input.UserName)
  const page = paginate(user.accessKeys, (k) => `${String(k.CreateDate).padStart(12, '0')}/${k.AccessKeyId}`, input)
  return {
    AccessKeyMetadata: page.items.map((k) => keyMetadata(user, k)),
    IsTruncated: page.IsTruncated,
    ...(page.Marker ? { Marker: page.Marker } : {}),
  }
}

function keyIndex(user: UserDoc, id: string): number {
  const i = user.accessKeys.findIndex((k) => k.AccessKeyId === id)
  if (i < 0) throw noSuchEntity(`The Access Key with id ${id} cannot be found.`)
  return i
}

export async function UpdateAccessKey(input: { UserName?: string; AccessKeyId: string; Status: string }, ctx: AwsContext, state: IamState) {
  const user = copy(subjectUser(state, ctx, input.UserName))
  const i = keyIndex(user, input.AccessKeyId)
  // `Expired` is in the enum but is IAM's to set.
  if (input.Status !== 'Active' && input.Status !== 'Inactive') throw validationError(`Invalid status ${input.Status}`)
  user.accessKeys[i]!.Status = input.Status
  await state.putUser(user)
}

export async function DeleteAccessKey(input: { UserName?: string; AccessKeyId: string }, ctx: AwsContext, state: IamState) {
  const user = copy(subjectUser(state, ctx, input.UserName))
  user.accessKeys.splice(keyIndex(user, input.AccessKeyId), 1)
  await state.putUser(user)
}
