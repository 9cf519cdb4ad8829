/**
 * The one place the format of a task role's session token is defined. KECS has no IAM: the task role
 * credentials endpoint hands out dummy credentials whose session token names the role, so KECS's STS
 * (GetCallerIdentity) can tell who calls:
 *
 *   Token = base64( "kecs-task-role:" + <role ARN> + ":" + <64 opaque bytes> )
 *
 * The role ARN may contain ':'; it ends at the ':' just before the last 64 bytes. Keep this stable:
 * SDKs cache credentials, and tokens handed out by an older KECS must still decode.
 */
export const TASK_ROLE_TOKEN_PREFIX = 'kecs-task-role:'
const OPAQUE_BYTES = 64

export function encodeTaskRoleToken(roleArn: string, opaque: Buffer): string {
  if (opaque.length !== OPAQUE_BYTES) throw new Error(`the opaque part is ${OPAQUE_BYTES} bytes`)
  return Buffer.concat([Buffer.from(`${TASK_ROLE_TOKEN_PREFIX}${roleArn}:`), opaque]).toString('base64')
}

/** The role ARN a task role session token names; undefined for any other token. */
export function roleArnOfSessionToken(token: string): string | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(token)) return undefined
  const raw = Buffer.from(token, 'base64')
  const prefix = Buffer.from(TASK_ROLE_TOKEN_PREFIX)
  const end = raw.length - OPAQUE_BYTES - 1
  if (end <= prefix.length || !raw.subarray(0, prefix.length).equals(prefix) || raw[end] !== 0x3a) return undefined
  const role = raw.subarray(prefix.length, end).toString('utf8')
  return role.startsWith('arn:') ? role : undefined
}
