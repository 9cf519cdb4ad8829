import { AwsError } from './service.js'
import { findSecret } from './secretsmanager/ids.js'
import type { SecretsState } from './secretsmanager/state.js'
import { pickVersion } from './secretsmanager/versions.js'
import { resolveRef } from './ssm/names.js'
import type { SsmState } from './ssm/state.js'

/**
 * How a task's `secrets[].valueFrom` and `repositoryCredentials` become values, and, when they can't,
 * the reason ECS gives. A reason is what follows `ResourceInitializationError: unable to pull secrets
 * or registry auth: ` in the stopped reason (Fargate's wording, shared/notes/aws-neighbours.md 8.1–8.3).
 */
export type Resolved = { ok: true; value: string } | { ok: false; reason: string }
export type Scope = { account: string; region: string }

// Fargate's texts: the SSM one is verified [H]; the Secrets Manager prefix is verified, its tail after
// "from secrets manager: " is the SDK's `<Code>: <message>` by inference [L].
const SSM_PREFIX = 'execution resource retrieval failed: unable to retrieve secrets from ssm: service call has been retried 1 time(s): '
const ASM_PREFIX = 'execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): '
const AUTH_PREFIX = 'execution resource retrieval failed: unable to get registry auth from asm: service call has been retried 1 time(s): '

const SECRET_ARN = /^arn:[^:]+:secretsmanager:/

export function resolveValueFrom(ssm: SsmState, secrets: SecretsState, scope: Scope, valueFrom: string): Resolved {
  return SECRET_ARN.test(valueFrom) ? fromSecret(secrets, scope, valueFrom) : fromParameter(ssm, scope, valueFrom)
}

/** A parameter name (`/a/b`, `name`, with an optional `:version`/`:label`) or its ARN; SecureString decrypted. */
function fromParameter(ssm: SsmState, scope: Scope, valueFrom: string): Resolved {
  const found = resolveRef(ssm, scope, valueFrom)
  if (!found || 'missingVersion' in found) return { ok: false, reason: `${SSM_PREFIX}invalid ssm parameters: ${valueFrom}` }
  return { ok: true, value: found.version.value }
}

/**
 * `arn:…:secret:<name-or-name-suffix>[:json-key:version-stage:version-id]`: the ARN splits on `:` into
 * 7 parts, or 10 with the three (possibly empty) fields, as the agent requires.
 */
function fromSecret(secrets: SecretsState, scope: Scope, valueFrom: string): Resolved {
  const parts = valueFrom.split(':')
  if ((parts.length !== 7 && parts.length !== 10) || parts[5] !== 'secret' || !parts[6]) {
    // The agent's text; how Fargate wraps it is not confirmed [L].
    return { ok: false, reason: `${ASM_PREFIX}an invalid ARN format for the AWS Secrets Manager secret was specified. Specify a valid ARN and try again.` }
  }
  const arn = parts.slice(0, 7).join(':')
  const [jsonKey, stage, versionId] = parts.length === 10 ? [parts[7]!, parts[8]!, parts[9]!] : ['', '', '']
  const fetched = fetchSecretString(secrets, scope, arn, versionId || undefined, stage || undefined)
  if (!fetched.ok) return { ok: false, reason: `${ASM_PREFIX}failed to fetch secret ${arn} from secrets manager: ${fetched.error}` }
  if (!jsonKey) return { ok: true, value: fetched.value }
  const parsed = jsonObject(fetched.value)
  if (!parsed) {
    // Agent wording not confirmed [L].
    return { ok: false, reason: `${ASM_PREFIX}unable to unmarshal secret value of ${arn} as a JSON object` }
  }
  if (!(jsonKey in parsed)) {
    // The agent's text [H]; Fargate's wrapping of it [L].
    return { ok: false, reason: `${ASM_PREFIX}retrieved secret from Secrets Manager did not contain json key ${jsonKey}` }
  }
  return { ok: true, value: goFormat(parsed[jsonKey]) }
}

/** GetSecretValue's semantics: live secret, VersionId/VersionStage (AWSCURRENT by default). */
function fetchSecretString(secrets: SecretsState, scope: Scope, id: string, versionId?: string, stage?: string): { ok: true; value: string } | { ok: false; error: string } {
  const doc = findSecret(secrets, scope, id, Date.now())
  if (!doc) return { ok: false, error: "ResourceNotFoundException: Secrets Manager can't find the specified secret." }
  if (doc.deletionDate !== undefined) {
    return { ok: false, error: "InvalidRequestException: You can't perform this operation on the secret because it was marked for deletion." }
  }
  try {
    const v = pickVersion(doc, versionId, stage)
    // The agent reads SecretString; a binary secret is handed over as its bytes read as UTF-8 [L].
    const value = v.secretString ?? (v.secretBinary !== undefined ? Buffer.from(v.secretBinary, 'base64').toString('utf8') : '')
    return { ok: true, value }
  } catch (e) {
    if (e instanceof AwsError) return { ok: false, error: `${e.code}: ${e.message}` }
    throw e
  }
}

/** Go's `%v` of a decoded JSON value, as the agent formats non-string values (numbers, bools, maps). */
function goFormat(v: unknown): string {
  if (typeof v === 'string') return v
  if (v === null) return '<nil>'
  if (Array.isArray(v)) return `[${v.map(goFormat).join(' ')}]`
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>
    return `map[${Object.keys(o).sort().map((k) => `${k}:${goFormat(o[k])}`).join(' ')}]`
  }
  return String(v)
}

export type Credentials = { ok: true; username: string; password: string } | { ok: false; reason: string }

/**
 * `repositoryCredentials.credentialsParameter`: a secret (ARN, partial ARN or same-region name) whose
 * AWSCURRENT JSON holds `username` and `password` (matched case-insensitively, as Go's json does).
 * Reasons are the agent's texts under Fargate's registry-auth prefix [agent H; prefix M].
 */
export function resolveRepositoryCredentials(secrets: SecretsState, scope: Scope, credentialsParameter: string): Credentials {
  const fetched = fetchSecretString(secrets, scope, credentialsParameter)
  if (!fetched.ok) return { ok: false, reason: `${AUTH_PREFIX}asm fetching secret from the service for ${credentialsParameter}: ${fetched.error}` }
  if (fetched.value === '') return { ok: false, reason: `${AUTH_PREFIX}asm fetching authorization data: empty secrets value` }
  const parsed = jsonObject(fetched.value)
  if (!parsed) {
    return { ok: false, reason: `${AUTH_PREFIX}asm fetching authorization data: unable to unmarshal secret value, invalid schema` }
  }
  const field = (name: string): string | undefined => {
    const o = parsed
    const exact = o[name]
    const key = exact !== undefined ? name : Object.keys(o).find((k) => k.toLowerCase() === name)
    const value = key === undefined ? undefined : o[key]
    return typeof value === 'string' && value !== '' ? value : undefined
  }
  const username = field('username')
  if (!username) return { ok: false, reason: `${AUTH_PREFIX}asm fetching username: AuthorizationData is malformed, empty field` }
  const password = field('password')
  if (!password) return { ok: false, reason: `${AUTH_PREFIX}asm fetching password: AuthorizationData is malformed, empty field` }
  return { ok: true, username, password }
}

/** A secret string's top-level JSON object, or undefined when it is not one. */
function jsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text)
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}
