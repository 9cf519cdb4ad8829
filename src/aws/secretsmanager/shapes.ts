import { epochSeconds } from '../paging.js'
import type { SecretDoc, SecretVersion } from './state.js'
import { binaryOut, versionsToStages } from './versions.js'

/** AWS records access to the day only (LastAccessedDate is midnight UTC). */
export const accessDay = (ms: number) => Math.floor(ms / 86_400_000) * 86_400_000

/**
 * DescribeSecret's answer (and, renamed, a ListSecrets entry). `DeletedDate` is set only while the
 * secret is scheduled for deletion; Terraform treats its presence as "gone". We give the time of the
 * DeleteSecret call (the model's doc reads as the scheduled date; not confirmed which) [M].
 */
export function describeOut(doc: SecretDoc) {
  const stages = versionsToStages(doc)
  return {
    ARN: doc.arn,
    Name: doc.name,
    ...(doc.description !== undefined ? { Description: doc.description } : {}),
    ...(doc.kmsKeyId !== undefined ? { KmsKeyId: doc.kmsKeyId } : {}),
    ...(doc.type !== undefined ? { Type: doc.type } : {}),
    LastChangedDate: epochSeconds(doc.lastChanged),
    ...(doc.lastAccessed !== undefined ? { LastAccessedDate: epochSeconds(doc.lastAccessed) } : {}),
    ...(doc.deletedAt !== undefined ? { DeletedDate: epochSeconds(doc.deletedAt) } : {}),
    ...(doc.tags.length ? { Tags: doc.tags.map((t) => ({ ...t })) } : {}),
    ...(Object.keys(stages).length ? { VersionIdsToStages: stages } : {}),
    CreatedDate: epochSeconds(doc.created),
  }
}

export function listEntryOut(doc: SecretDoc) {
  const { VersionIdsToStages, ...rest } = describeOut(doc)
  return { ...rest, ...(VersionIdsToStages ? { SecretVersionsToStages: VersionIdsToStages } : {}) }
}

export function valueOut(doc: SecretDoc, v: SecretVersion) {
  const binary = binaryOut(v)
  return {
    ARN: doc.arn,
    Name: doc.name,
    VersionId: v.versionId,
    ...(v.secretString !== undefined ? { SecretString: v.secretString } : {}),
    ...(binary !== undefined ? { SecretBinary: binary } : {}),
    VersionStages: [...v.stages],
    CreatedDate: epochSeconds(v.created),
  }
}

export function versionEntryOut(doc: SecretDoc, v: SecretVersion) {
  return {
    VersionId: v.versionId,
    VersionStages: [...v.stages],
    ...(v.lastAccessed !== undefined ? { LastAccessedDate: epochSeconds(v.lastAccessed) } : {}),
    CreatedDate: epochSeconds(v.created),
    KmsKeyIds: [v.kmsKeyId ?? 'DefaultEncryptionKey'],
  }
}
