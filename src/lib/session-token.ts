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
