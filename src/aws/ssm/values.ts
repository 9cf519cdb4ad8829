import { createHash } from 'node:crypto'
import { epochSeconds } from '../paging.js'
import { parameterArn } from './names.js'
import type { ParameterDoc, ParameterVersion } from './state.js'

export const DEFAULT_KEY_ID = 'alias/aws/ssm'

/**
 * The value a reader sees. Without WithDecryption AWS returns a SecureString's KMS ciphertext
 * (base64, `AQICAH…`) rather than an error or a blank; there is no KMS here, so we return a stable
 * base64 blob derived from the key, version and value that cannot be decrypted back.
 */
export function visibleValue(p: ParameterDoc, v: ParameterVersion, withDecryption: boolean | undefined): string {
  if (v.type !== 'SecureString' || withDecryption) return v.value
  const digest = createHash('sha256').update(`${p.account}/${p.region}/${p.name}/${v.version}/${v.keyId}/${v.value}`).digest()
  return Buffer.concat([Buffer.from([0x01, 0x02, 0x02, 0x00, 0x78]), digest, digest]).toString('base64')
}

/** The `Parameter` shape of GetParameter(s) and GetParametersByPath. */
export function parameterOut(p: ParameterDoc, v: ParameterVersion, withDecryption: boolean | undefined, selector?: string) {
  return {
    Name: p.name,
    Type: v.type,
    Value: visibleValue(p, v, withDecryption),
    Version: v.version,
    ...(selector ? { Selector: selector } : {}),
    LastModifiedDate: epochSeconds(v.lastModified),
    ARN: parameterArn(p),
    DataType: v.dataType,
  }
}

/** The `ParameterMetadata` shape of DescribeParameters (the latest version's attributes). */
export function metadataOut(p: ParameterDoc, v: ParameterVersion) {
  return {
    Name: p.name,
    ARN: parameterArn(p),
    Type: v.type,
    ...(v.keyId ? { KeyId: v.keyId } : {}),
    LastModifiedDate: epochSeconds(v.lastModified),
    LastModifiedUser: v.lastModifiedUser,
    ...(v.description !== undefined ? { Description: v.description } : {}),
    ...(v.allowedPattern !== undefined ? { AllowedPattern: v.allowedPattern } : {}),
    Version: v.version,
    Tier: v.tier,
    Policies: [],
    DataType: v.dataType,
  }
}

/** The `ParameterHistory` shape. */
export function historyOut(p: ParameterDoc, v: ParameterVersion, withDecryption: boolean | undefined) {
  return {
    Name: p.name,
    Type: v.type,
    ...(v.keyId ? { KeyId: v.keyId } : {}),
    LastModifiedDate: epochSeconds(v.lastModified),
    LastModifiedUser: v.lastModifiedUser,
    ...(v.description !== undefined ? { Description: v.description } : {}),
    Value: visibleValue(p, v, withDecryption),
    ...(v.allowedPattern !== undefined ? { AllowedPattern: v.allowedPattern } : {}),
    Version: v.version,
    Labels: [...v.labels],
    Tier: v.tier,
    Policies: [],
    DataType: v.dataType,
  }
}
