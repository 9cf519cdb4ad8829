import { randomBytes } from 'node:crypto'
import { AwsError, type AwsContext, type AwsHandler } from '../service.js'
import { assumedRoleArn, parseRoleArn, sessionToken, uniqueId } from './tokens.js'

/**
 * STS as KECS needs it: who the caller is, and sessions for roles. KECS has no policies to check:
 * AssumeRole succeeds for any well-formed role ARN, and the credentials it returns carry the
 * assumed role in their session token, so GetCallerIdentity made with them names it.
 */
const ASSUMED = /^arn:aws[a-z-]*:sts::(\d{12}):assumed-role\/([^/]+)\/(.+)$/
const USER = /^arn:aws[a-z-]*:iam::(\d{12}):user\//

/** `UserId` as AWS gives it: the account for root, `AROA…:<session>` for a role session, `AIDA…` for a user. */
function callerIdentity(principalArn: string, account: string) {
  const assumed = ASSUMED.exec(principalArn)
  if (assumed) {
    const [, acct, role, session] = assumed
    return { UserId: `${roleId(acct!, role!)}:${session}`, Account: acct, Arn: principalArn }
  }
  const user = USER.exec(principalArn)
  if (user) return { UserId: uniqueId('AIDA', principalArn), Account: user[1], Arn: principalArn }
  return { UserId: account, Account: account, Arn: principalArn }
}

/** A role's id, stable for its ARN (IAM's own RoleId is not consulted). */
const roleId = (account: string, roleName: string) => uniqueId('AROA', `arn:aws:iam::${account}:role/${roleName}`)

/**
 * Temporary credentials for a session. With `--auth sigv4` the secret is derived from the key id and
 * the token (`ctx.sessionSecret`), so calls signed with them verify; otherwise it is random.
 */
function credentials(principalArn: string, ctx: AwsContext, seconds: number) {
  const AccessKeyId = `ASIA${uniqueId('', randomBytes(16).toString('hex')).slice(0, 16)}`
  const SessionToken = sessionToken(principalArn)
  return {
    AccessKeyId,
    SecretAccessKey: ctx.sessionSecret ? ctx.sessionSecret(AccessKeyId, SessionToken) : randomBytes(30).toString('base64'),
    SessionToken,
    Expiration: new Date(ctx.now() + seconds * 1000),
  }
}

const getCallerIdentity: AwsHandler<unknown> = (_input, ctx) => callerIdentity(ctx.principalArn, ctx.account)

const assumeRole: AwsHandler<unknown> = (input: { RoleArn: string; RoleSessionName: string; DurationSeconds?: number; SourceIdentity?: string }, ctx) => {
  const role = parseRoleArn(input.RoleArn)
  // The text real STS answers for an ARN that is not a role's (fact sheet 4, recorded output).
  if (!role) throw new AwsError('ValidationError', `${input.RoleArn} is invalid`, 400)
  const arn = assumedRoleArn(role.account, role.name, input.RoleSessionName)
  return {
    Credentials: credentials(arn, ctx, input.DurationSeconds ?? 3600),
    AssumedRoleUser: { AssumedRoleId: `${roleId(role.account, role.name)}:${input.RoleSessionName}`, Arn: arn },
    SourceIdentity: input.SourceIdentity,
  }
}

const getSessionToken: AwsHandler<unknown> = (input: { DurationSeconds?: number }, ctx) => {
  if (ASSUMED.test(ctx.principalArn)) {
    throw new AwsError('AccessDenied', 'Cannot call GetSessionToken with session credentials', 403)
  }
  return { Credentials: credentials(ctx.principalArn, ctx, input.DurationSeconds ?? 43200) }
}

/** Every key KECS sees belongs to the instance's account (it keeps no key registry). */
const getAccessKeyInfo: AwsHandler<unknown> = (_input, ctx) => ({ Account: ctx.account })

export const stsHandlers: Record<string, AwsHandler<unknown>> = {
  GetCallerIdentity: getCallerIdentity,
  GetAccessKeyInfo: getAccessKeyInfo,
  AssumeRole: assumeRole,
  GetSessionToken: getSessionToken,
}
