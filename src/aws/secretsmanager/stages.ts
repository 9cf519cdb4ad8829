import { AwsError, type AwsContext } from '../service.js'
import { liveSecret } from './ids.js'
import type { SecretsState } from './state.js'
import { CURRENT, moveStage } from './versions.js'

const MAX_STAGES_PER_VERSION = 20

export async function updateSecretVersionStage(input: any, ctx: AwsContext, state: SecretsState) {
  const doc = structuredClone(liveSecret(state, ctx, String(input.SecretId), ctx.now()))
  const stage = String(input.VersionStage)
  const removeFrom: string | undefined = input.RemoveFromVersionId || undefined
  const moveTo: string | undefined = input.MoveToVersionId || undefined
  const holder = doc.versions.find((v) => v.stages.includes(stage))
  const byId = (id: string) => {
    const v = doc.versions.find((x) => x.versionId === id)
    if (!v) throw new AwsError('ResourceNotFoundException', `Secrets Manager can't find the specified secret value for VersionId: ${id}`)
    return v
  }
  if (removeFrom) {
    const from = byId(removeFrom)
    if (!from.stages.includes(stage)) {
      throw new AwsError('InvalidRequestException', 'You provided a VersionStage that is not associated to the provided VersionId.')
    }
  }
  if (moveTo) {
    const to = byId(moveTo)
    if (holder && holder !== to && holder.versionId !== removeFrom) {
      // Moving a stage another version holds needs that version named [moto; M].
      throw new AwsError(
        'InvalidParameterException',
        `The parameter RemoveFromVersionId can't be empty. Staging label ${stage} is currently attached to version ${holder.versionId}, so you must explicitly reference that version in RemoveFromVersionId.`,
      )
    }
    if (!to.stages.includes(stage) && to.stages.length >= MAX_STAGES_PER_VERSION) {
      throw new AwsError('LimitExceededException', `A version can have at most ${MAX_STAGES_PER_VERSION} staging labels.`)
    }
    moveStage(doc, stage, to)
  } else if (removeFrom) {
    if (stage === CURRENT) {
      throw new AwsError('InvalidParameterException', "You can only move staging label AWSCURRENT to a different secret version. It can't be completely removed.")
    }
    const from = byId(removeFrom)
    from.stages = from.stages.filter((s) => s !== stage)
  }
  doc.lastChanged = ctx.now()
  await state.put(doc)
  return { ARN: doc.arn, Name: doc.name }
}
