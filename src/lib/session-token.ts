import { createHmac } from 'node:crypto'

/**
 * The one place the format of a task role's session token is defined. KECS has no IAM: the task role
 * credentials endpoint hands out dummy credentials whose session token names the role and the task,
 * so KECS's STS (GetCallerIdentity) can tell who calls (`assumed-role/<role>/<task id>`, as AWS names
 * task sessions):
 *
 *   Token = base64( "kecs-task-role:" + <role ARN> + ":" + <task id> + ":" + <64 opaque bytes> )
 *
 * A role ARN has exactly six ':'-separated fields (its resource `role/<path>/<name>` has none), so
 * what follows them is the session. Tokens from an older KECS carry no task id
 * (`<role ARN>:<64 bytes>`) and still decode. Keep this stable: SDKs cache credentials.
 */
export const TASK_ROLE_TOKEN_PREFIX = 'kecs-task-role:'
const OPAQUE_BYTES = 64

export function encodeTaskRoleToken(roleArn: string, opaque: Buffer, session?: string): string {
  if (opaque.length !== OPAQUE_BYTES) throw new Error(`the opaque part is ${OPAQUE_BYTES} bytes`)
  if (session !== undefined && !/^[\w+=,.@-]+$/.test(session)) throw new Error(`bad session name ${session}`)
  return Buffer.concat([Buffer.from(`${TASK_ROLE_TOKEN_PREFIX}${roleArn}:${session !== undefined ? `${session}:` : ''}`), opaque]).toString('base64')
}

/** The role ARN and session (task id) a task role session token names; undefined for any other token. */
export function decodeTaskRoleToken(token: string): { roleArn: string; session?: string } | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(token)) return undefined
  const raw = Buffer.from(token, 'base64')
  const prefix = Buffer.from(TASK_ROLE_TOKEN_PREFIX)
  const end = raw.length - OPAQUE_BYTES - 1
  if (end <= prefix.length || !raw.subarray(0, prefix.length).equals(prefix) || raw[end] !== 0x3a) return undefined
  const fields = raw.subarray(prefix.length, end).toString('utf8').split(':')
  if (fields.length < 6 || fields.length > 7 || fields[0] !== 'arn' || fields[2] !== 'iam') return undefined
  const roleArn = fields.slice(0, 6).join(':')
  return fields.length === 7 && fields[6] ? { roleArn, session: fields[6] } : { roleArn }
}

/** The role ARN a task role session token names; undefined for any other token. */
export const roleArnOfSessionToken = (token: string): string | undefined => decodeTaskRoleToken(token)?.roleArn

/**
 * The prefix of the session tokens KECS's STS mints (AssumeRole, GetSessionToken):
 * base64( "kecs-session:" + <principal ARN> + ":" + <random hex> ), see src/aws/sts/tokens.ts.
 */
export const STS_SESSION_TOKEN_PREFIX = 'kecs-session:'

/** True for a session token KECS minted: an STS session's or a task role's. */
export function isKecsSessionToken(token: string): boolean {
  if (decodeTaskRoleToken(token)) return true
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(token)) return false
  return Buffer.from(token, 'base64').subarray(0, STS_SESSION_TOKEN_PREFIX.length).toString('latin1') === STS_SESSION_TOKEN_PREFIX
}

/**
 * With `--auth sigv4`, the secret access key of a session credential KECS mints (task role
 * credentials, STS sessions) is not random: it is derived from the access key id and the session
 * token under the instance's session key, so a signature made with it can be verified from the
 * request alone, with nothing stored:
 *
 *   secret = base64( HMAC-SHA256( key, "kecs-session-secret\0" + accessKeyId + "\0" + token ) )[0..40]
 *
 * The session key never leaves the instance (it is derived from the credentials KECS was started
 * with, src/server/auth.ts), so a token cannot be paired with a secret by anyone else.
 */
export type SessionSecret = (accessKeyId: string, sessionToken: string) => string

export function sessionSecretFor(key: Buffer): SessionSecret {
  return (accessKeyId, token) =>
    createHmac('sha256', key).update(`kecs-session-secret\0${accessKeyId}\0${token}`, 'utf8').digest('base64').slice(0, 40)
}
