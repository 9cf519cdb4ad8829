import { AwsError, type AwsContext } from '../service.js'
import { AWS_MANAGED_POLICIES } from './aws-managed-policies.js'
import { deleteConflict, entityAlreadyExists, limitExceeded, noSuchEntity, noSuchPolicy } from './errors.js'
import { iamArn, nameKey, seconds, uniqueId } from './ids.js'
import { copy } from './lookups.js'
import { paginate } from './paginate.js'
import { checkPolicyDocument, checkQuota, encodeDocument, policySize } from './policy-document.js'
import { findPolicy, policyOut, usage, versions, type PolicyRef } from './policy-refs.js'
import type { IamState, PolicyDoc, PolicyVersionDoc, Tag } from './state.js'
import { checkNewTags, listTags, mergeTags, removeTags } from './tags.js'

/** Customer managed policies and their versions; AWS managed ones answer reads only. */

const MAX_VERSIONS = 5

function checkManagedDocument(doc: string): void {
  checkPolicyDocument(doc, 'identity')
  checkQuota('PolicySize', policySize(doc))
}

function mustPolicy(state: IamState, ctx: AwsContext, arn: string): PolicyRef {
  const ref = findPolicy(state, ctx.account, arn)
  if (!ref) throw noSuchPolicy(arn)
  return ref
}

/** Changes to AWS managed policies are refused (IAM answers AccessDenied; not confirmed in a recorded response). */
function mustLocalPolicy(state: IamState, ctx: AwsContext, arn: string): PolicyDoc {
  const ref = mustPolicy(state, ctx, arn)
  if (ref.kind === 'aws') throw new AwsError('AccessDenied', `Policy ${arn} is an AWS managed policy and cannot be modified.`, 403)
  return ref.policy
}

const versionOut = (v: PolicyVersionDoc, defaultId: string, withDocument: boolean) => ({
  ...(withDocument ? { Document: encodeDocument(v.Document) } : {}),
  VersionId: v.VersionId,
  IsDefaultVersion: v.VersionId === defaultId,
  CreateDate: v.CreateDate,
})

function mustVersion(ref: PolicyRef, arn: string, id: string): PolicyVersionDoc {
  const v = versions(ref).find((x) => x.VersionId === id)
  if (!v) throw noSuchEntity(`Policy ${arn} version ${id} does not exist or is not attachable.`)
  return v
}

const defaultIdOf = (ref: PolicyRef) => (ref.kind === 'aws' ? 'v1' : ref.policy.DefaultVersionId)

export async function CreatePolicy(
  input: { PolicyName: string; Path?: string; PolicyDocument: string; Description?: string; Tags?: Tag[] },
  ctx: AwsContext,
  state: IamState,
) {
  if (state.policyByName(ctx.account, input.PolicyName)) {
    throw entityAlreadyExists(`A policy called ${input.PolicyName} already exists. Duplicate names are not allowed.`)
  }
  checkManagedDocument(input.PolicyDocument)
  const path = input.Path ?? '/'
  const now = seconds(ctx.now())
  const policy: PolicyDoc = {
    account: ctx.account,
    PolicyName: input.PolicyName,
    PolicyId: uniqueId('ANPA'),
    Arn: iamArn(ctx.account, 'policy', path, input.PolicyName),
    Path: path,
    // Terraform always sends Description, often ""; AWS then shows none.
    ...(input.Description ? { Description: input.Description } : {}),
    CreateDate: now,
    DefaultVersionId: 'v1',
    versions: [{ VersionId: 'v1', Document: input.PolicyDocument, CreateDate: now }],
    nextVersion: 2,
    Tags: checkNewTags(input.Tags),
  }
  await state.putPolicy(policy)
  return { Policy: policyOut(state, ctx.account, { kind: 'local', policy }) }
}

export function GetPolicy(input: { PolicyArn: string }, ctx: AwsContext, state: IamState) {
  return { Policy: policyOut(state, ctx.account, mustPolicy(state, ctx, input.PolicyArn)) }
}

export function GetPolicyVersion(input: { PolicyArn: string; VersionId: string }, ctx: AwsContext, state: IamState) {
  const ref = mustPolicy(state, ctx, input.PolicyArn)
  return { PolicyVersion: versionOut(mustVersion(ref, input.PolicyArn, input.VersionId), defaultIdOf(ref), true) }
}

const versionNumber = (id: string) => Number(/^v(\d+)/.exec(id)?.[1] ?? 0)

export function ListPolicyVersions(input: { PolicyArn: string; Marker?: string; MaxItems?: number }, ctx: AwsContext, state: IamState) {
  const ref = mustPolicy(state, ctx, input.PolicyArn)
  // Newest first, as IAM lists them.
  const page = paginate(versions(ref), (v) => String(1e9 - versionNumber(v.VersionId)).padStart(10, '0'), input)
  return {
    Versions: page.items.map((v) => versionOut(v, defaultIdOf(ref), false)),
    IsTruncated: page.IsTruncated,
    ...(page.Marker ? { Marker: page.Marker } : {}),
  }
}

export async function CreatePolicyVersion(input: { PolicyArn: string; PolicyDocument: string; SetAsDefault?: boolean }, ctx: AwsContext, state: IamState) {
  const policy = copy(mustLocalPolicy(state, ctx, input.PolicyArn))
  checkManagedDocument(input.PolicyDocument)
  if (policy.versions.length >= MAX_VERSIONS) {
    throw limitExceeded(
      `A managed policy can have up to ${MAX_VERSIONS} versions. Before you create a new version, you must delete an existing version.`,
    )
  }
  const v: PolicyVersionDoc = { VersionId: `v${policy.nextVersion}`, Document: input.PolicyDocument, CreateDate: seconds(ctx.now()) }
  policy.nextVersion++
  policy.versions.push(v)
  if (input.SetAsDefault) policy.DefaultVersionId = v.VersionId
  await state.putPolicy(policy)
  return { PolicyVersion: versionOut(v, policy.DefaultVersionId, false) }
}

export async function DeletePolicyVersion(input: { PolicyArn: string; VersionId: string }, ctx: AwsContext, state: IamState) {
  const policy = copy(mustLocalPolicy(state, ctx, input.PolicyArn))
  mustVersion({ kind: 'local', policy }, input.PolicyArn, input.VersionId)
  if (policy.DefaultVersionId === input.VersionId) throw deleteConflict('Cannot delete the default version of a policy.')
  policy.versions = policy.versions.filter((v) => v.VersionId !== input.VersionId)
  await state.putPolicy(policy)
}

export async function SetDefaultPolicyVersion(input: { PolicyArn: string; VersionId: string }, ctx: AwsContext, state: IamState) {
  const policy = copy(mustLocalPolicy(state, ctx, input.PolicyArn))
  mustVersion({ kind: 'local', policy }, input.PolicyArn, input.VersionId)
  policy.DefaultVersionId = input.VersionId
  await state.putPolicy(policy)
}

export function ListPolicies(
  input: { Scope?: 'All' | 'AWS' | 'Local'; OnlyAttached?: boolean; PathPrefix?: string; PolicyUsageFilter?: string; Marker?: string; MaxItems?: number },
  ctx: AwsContext,
  state: IamState,
) {
  const scope = input.Scope ?? 'All'
  const refs: PolicyRef[] = []
  if (scope !== 'Local') for (const policy of AWS_MANAGED_POLICIES.values()) refs.push({ kind: 'aws', policy })
  if (scope !== 'AWS') for (const policy of state.accountPolicies(ctx.account)) refs.push({ kind: 'local', policy })
  const prefix = input.PathPrefix ?? '/'
  const chosen = refs.filter((ref) => {
    if (!ref.policy.Path.startsWith(prefix)) return false
    if (!input.OnlyAttached) return true
    const u = usage(state, ctx.account, ref.policy.Arn)
    if (input.PolicyUsageFilter === 'PermissionsBoundary') return u.boundary > 0
    if (input.PolicyUsageFilter === 'PermissionsPolicy') return u.attached > 0
    return u.attached + u.boundary > 0
  })
  const page = paginate(chosen, (ref) => `${ref.policy.PolicyName.toLowerCase()}\u0000${ref.policy.Arn}`, input)
  // Listing answers leave tags out, as AWS does.
  return {
    Policies: page.items.map((ref) => policyOut(state, ctx.account, ref, false)),
    IsTruncated: page.IsTruncated,
    ...(page.Marker ? { Marker: page.Marker } : {}),
  }
}

export async function DeletePolicy(input: { PolicyArn: string }, ctx: AwsContext, state: IamState) {
  const policy = mustLocalPolicy(state, ctx, input.PolicyArn)
  const u = usage(state, ctx.account, policy.Arn)
  if (u.attached || u.boundary) throw deleteConflict('Cannot delete a policy attached to entities.')
  if (policy.versions.length > 1) {
    throw deleteConflict(
      "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.",
    )
  }
  await state.policies.delete(nameKey(policy.account, policy.PolicyName))
}

export async function TagPolicy(input: { PolicyArn: string; Tags: Tag[] }, ctx: AwsContext, state: IamState) {
  const policy = copy(mustLocalPolicy(state, ctx, input.PolicyArn))
  policy.Tags = mergeTags(policy.Tags, input.Tags)
  await state.putPolicy(policy)
}

export async function UntagPolicy(input: { PolicyArn: string; TagKeys: string[] }, ctx: AwsContext, state: IamState) {
  const policy = copy(mustLocalPolicy(state, ctx, input.PolicyArn))
  policy.Tags = removeTags(policy.Tags, input.TagKeys)
  await state.putPolicy(policy)
}

export function ListPolicyTags(input: { PolicyArn: string; Marker?: string; MaxItems?: number }, ctx: AwsContext, state: IamState) {
  const ref = mustPolicy(state, ctx, input.PolicyArn)
  return listTags(ref.kind === 'local' ? ref.policy.Tags : [], input)
}
