import { epochSeconds } from '../paging.js'
import { AwsError, type AwsContext } from '../service.js'
import { findSecret, notFound } from './ids.js'
import type { SecretsState } from './state.js'

const DAY = 86_400_000

export async function deleteSecret(input: any, ctx: AwsContext, state: SecretsState) {
  const force = input.ForceDeleteWithoutRecovery === true
  const window = input.RecoveryWindowInDays
  if (force && window !== undefined && window !== null) {
    throw new AwsError('InvalidParameterException', "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.")
  }
  const days = window ?? 30
  if (!force && (!Number.isInteger(days) || days < 7 || days > 30)) {
    throw new AwsError('InvalidParameterException', 'The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).')
  }
  const now = ctx.now()
  const id = String(input.SecretId)
  const doc = findSecret(state, ctx, id, now)
  if (!doc) {
    // Force-deleting a secret that is not there succeeds in AWS (no ResourceNotFoundException).
    if (force) return { ...(id.startsWith('arn:') ? { ARN: id } : { Name: id }), DeletionDate: epochSeconds(now) }
    throw notFound()
  }
  if (force) {
    await state.delete(doc)
    return { ARN: doc.arn, Name: doc.name, DeletionDate: epochSeconds(now) }
  }
  if (doc.deletionDate !== undefined) {
    // AWS's text for deleting a scheduled secret again [LocalStack, matched to AWS; M].
    throw new AwsError('InvalidRequestException', "You tried to perform the operation on a secret that's currently marked deleted.")
  }
  const copy = structuredClone(doc)
  copy.deletedAt = now
  copy.deletionDate = now + days * DAY
  await state.put(copy)
  return { ARN: copy.arn, Name: copy.name, DeletionDate: epochSeconds(copy.deletionDate) }
}

export async function restoreSecret(input: any, ctx: AwsContext, state: SecretsState) {
  const doc = findSecret(state, ctx, String(input.SecretId), ctx.now())
  if (!doc) throw notFound()
  if (doc.deletionDate !== undefined) {
    const copy = structuredClone(doc)
    delete copy.deletedAt
    delete copy.deletionDate
    await state.put(copy)
  }
  return { ARN: doc.arn, Name: doc.name }
}
