import { AwsError, type AwsContext } from '../service.js'
import type { SecretDoc, SecretVersion } from './state.js'

export const CURRENT = 'AWSCURRENT'
export const PREVIOUS = 'AWSPREVIOUS'
/** Versions without a stage are deprecated; AWS keeps about 100 of them and drops the oldest [M]. */
const MAX_DEPRECATED = 100

export interface SecretValueInput {
  secretString?: string
  secretBinary?: string
}

/**
 * The value of a request. SecretBinary is a blob: the codec hands over the decoded bytes (a Buffer or
 * Uint8Array); a string is taken as already base64. Stored as base64.
 */
export function valueOf(input: any): SecretValueInput | undefined {
  const hasString = input.SecretString !== undefined && input.SecretString !== null
  const hasBinary = input.SecretBinary !== undefined && input.SecretBinary !== null
  if (hasString && hasBinary) {
    throw new AwsError('InvalidParameterException', "You can't specify both a binary secret value and a string secret value in the same secret.")
  }
  if (hasString) return { secretString: String(input.SecretString) }
  if (hasBinary) {
    const b = input.SecretBinary
    return { secretBinary: typeof b === 'string' ? b : Buffer.from(b as Uint8Array).toString('base64') }
  }
  return undefined
}

export function binaryOut(v: SecretVersion): Buffer | undefined {
  return v.secretBinary === undefined ? undefined : Buffer.from(v.secretBinary, 'base64')
}

const sameValue = (v: SecretVersion, value: SecretValueInput) => v.secretString === value.secretString && v.secretBinary === value.secretBinary

/** SDKs fill ClientRequestToken; a raw call that writes a value without one is refused, as AWS does. */
export function requireToken(token: unknown): string {
  if (typeof token !== 'string' || token === '') {
    // Code not confirmed (text is AWS's) [M].
    throw new AwsError('InvalidRequestException', 'You must provide a ClientRequestToken value. We recommend a UUID-type value.')
  }
  return token
}

/**
 * Adds a version (or finds the one the token already made). Returns the version and whether it is new.
 * Reusing a token with a different value is refused: a version can't change.
 */
export function addVersion(
  doc: SecretDoc,
  token: string,
  value: SecretValueInput,
  stages: string[] | undefined,
  ctx: AwsContext,
): { version: SecretVersion; created: boolean } {
  const existing = doc.versions.find((v) => v.versionId === token)
  if (existing) {
    if (!sameValue(existing, value)) {
      // Text from moto; AWS documents the refusal, not its words [M].
      throw new AwsError('ResourceExistsException', "You can't modify an existing version, you can only create a new version.")
    }
    return { version: existing, created: false }
  }
  const version: SecretVersion = { versionId: token, stages: [], created: ctx.now(), ...value, ...(doc.kmsKeyId ? { kmsKeyId: doc.kmsKeyId } : {}) }
  const first = !doc.versions.some((v) => v.stages.includes(CURRENT))
  doc.versions.push(version)
  // The first version of a secret is AWSCURRENT whatever stages were asked for.
  for (const stage of first && stages && !stages.includes(CURRENT) ? [...stages, CURRENT] : (stages ?? [CURRENT])) moveStage(doc, stage, version)
  doc.lastChanged = ctx.now()
  pruneDeprecated(doc)
  return { version, created: true }
}

/** Moves a stage onto `to`; moving AWSCURRENT hands AWSPREVIOUS to the version that had it. */
export function moveStage(doc: SecretDoc, stage: string, to: SecretVersion): void {
  const from = doc.versions.find((v) => v.stages.includes(stage))
  if (from === to) return
  if (from) from.stages = from.stages.filter((s) => s !== stage)
  to.stages.push(stage)
  if (stage === CURRENT && from) {
    for (const v of doc.versions) if (v !== from) v.stages = v.stages.filter((s) => s !== PREVIOUS)
    if (!from.stages.includes(PREVIOUS)) from.stages.push(PREVIOUS)
  }
}

function pruneDeprecated(doc: SecretDoc): void {
  const deprecated = doc.versions.filter((v) => v.stages.length === 0)
  const drop = new Set(deprecated.slice(0, Math.max(0, deprecated.length - MAX_DEPRECATED)))
  if (drop.size) doc.versions = doc.versions.filter((v) => !drop.has(v))
}

/** The version a GetSecretValue-style request names: VersionId and/or VersionStage, default AWSCURRENT. */
export function pickVersion(doc: SecretDoc, versionId: string | undefined, stage: string | undefined): SecretVersion {
  if (versionId) {
    const v = doc.versions.find((x) => x.versionId === versionId)
    if (!v) throw new AwsError('ResourceNotFoundException', `Secrets Manager can't find the specified secret value for VersionId: ${versionId}`)
    if (stage && !v.stages.includes(stage)) {
      throw new AwsError('InvalidRequestException', 'You provided a VersionStage that is not associated to the provided VersionId.')
    }
    return v
  }
  const want = stage || CURRENT
  const v = doc.versions.find((x) => x.stages.includes(want))
  if (!v) throw new AwsError('ResourceNotFoundException', `Secrets Manager can't find the specified secret value for staging label: ${want}`)
  return v
}

/** `VersionIdsToStages` of DescribeSecret: only versions that carry a stage. */
export function versionsToStages(doc: SecretDoc): Record<string, string[]> {
  const out: Record<string, string[]> = {}
  for (const v of doc.versions) if (v.stages.length) out[v.versionId] = [...v.stages]
  return out
}
