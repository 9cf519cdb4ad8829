import { AwsError, type AwsContext } from '../service.js'
import { checkSecretName, liveSecret, newSecretArn } from './ids.js'
import type { SecretDoc, SecretsState } from './state.js'
import { addVersion, requireToken, valueOf } from './versions.js'

function checkTags(tags: { Key: string; Value: string }[]): void {
  for (const t of tags) {
    if (String(t.Key).toLowerCase().startsWith('aws:')) {
      throw new AwsError('InvalidParameterException', 'Invalid tag key. Tag keys with the prefix "aws:" are reserved for AWS use.')
    }
  }
}

export function mergeTags(current: SecretDoc['tags'], add: SecretDoc['tags']): SecretDoc['tags'] {
  checkTags(add)
  const map = new Map(current.map((t) => [t.Key, t.Value]))
  for (const t of add) map.set(t.Key, t.Value ?? '')
  if (map.size > 50) throw new AwsError('InvalidParameterException', 'Number of tags exceeds the limit of 50.')
  return [...map].map(([Key, Value]) => ({ Key, Value }))
}

// UpdateSecret's text on a scheduled secret carries this odd prefix in AWS's answer [LocalStack snapshot; M].
const UPDATE_MARKED =
  "An error occurred (InvalidRequestException) when calling the UpdateSecret operation: You can't perform this operation on the secret because it was marked for deletion."

export async function createSecret(input: any, ctx: AwsContext, state: SecretsState) {
  const name = String(input.Name)
  checkSecretName(name)
  const value = valueOf(input)
  const existing = state.byName(ctx, name, ctx.now())
  if (existing) {
    if (existing.deletionDate !== undefined) {
      throw new AwsError('InvalidRequestException', "You can't create this secret because a secret with this name is already scheduled for deletion.")
    }
    // A retried CreateSecret (same token, same value) answers as the first did.
    const same = existing.versions.find((v) => v.versionId === input.ClientRequestToken)
    if (same && value && same.secretString === value.secretString && same.secretBinary === value.secretBinary) {
      return { ARN: existing.arn, Name: existing.name, VersionId: same.versionId }
    }
    throw new AwsError('ResourceExistsException', `The operation failed because the secret ${name} already exists.`)
  }
  // AWS refuses a CreateSecret without a token even when there is no value [LocalStack, from AWS; M].
  const token = requireToken(input.ClientRequestToken)
  const now = ctx.now()
  const doc: SecretDoc = {
    account: ctx.account,
    region: ctx.region,
    name,
    arn: newSecretArn(ctx, name),
    ...(input.Description !== undefined ? { description: String(input.Description) } : {}),
    ...(input.KmsKeyId !== undefined ? { kmsKeyId: String(input.KmsKeyId) } : {}),
    ...(input.Type !== undefined ? { type: String(input.Type) } : {}),
    tags: mergeTags([], input.Tags ?? []),
    created: now,
    lastChanged: now,
    versions: [],
  }
  // AddReplicaRegions and ForceOverwriteReplicaSecret are accepted and ignored: there are no replicas.
  const v = value ? addVersion(doc, token, value, undefined, ctx).version : undefined
  await state.put(doc)
  return { ARN: doc.arn, Name: doc.name, ...(v ? { VersionId: v.versionId } : {}) }
}

export async function putSecretValue(input: any, ctx: AwsContext, state: SecretsState) {
  const doc = structuredClone(liveSecret(state, ctx, String(input.SecretId), ctx.now()))
  const value = valueOf(input)
  if (!value) throw new AwsError('InvalidRequestException', 'You must provide either SecretString or SecretBinary.')
  const token = requireToken(input.ClientRequestToken)
  const stages: string[] | undefined = input.VersionStages?.length ? [...new Set(input.VersionStages as string[])] : undefined
  const { version, created } = addVersion(doc, token, value, stages, ctx)
  if (created) await state.put(doc)
  return { ARN: doc.arn, Name: doc.name, VersionId: version.versionId, VersionStages: [...version.stages] }
}

export async function updateSecret(input: any, ctx: AwsContext, state: SecretsState) {
  const doc = structuredClone(liveSecret(state, ctx, String(input.SecretId), ctx.now(), UPDATE_MARKED))
  const value = valueOf(input)
  if (input.Description !== undefined) doc.description = String(input.Description)
  if (input.KmsKeyId !== undefined) doc.kmsKeyId = String(input.KmsKeyId)
  if (input.Type !== undefined) doc.type = String(input.Type)
  doc.lastChanged = ctx.now()
  const v = value ? addVersion(doc, requireToken(input.ClientRequestToken), value, undefined, ctx).version : undefined
  await state.put(doc)
  return { ARN: doc.arn, Name: doc.name, ...(v ? { VersionId: v.versionId } : {}) }
}
