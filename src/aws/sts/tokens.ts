import { createHash, randomBytes } from 'node:crypto'
import { decodeTaskRoleToken, STS_SESSION_TOKEN_PREFIX } from '../../lib/session-token.js'

/**
 * Who a request's credentials belong to: the session token says it (with `--auth sigv4` the
 * signature ties the token to its key, src/lib/session-token.ts).
 * - KECS's own session tokens (AssumeRole, GetSessionToken) are base64 of
 *   `kecs-session:<principal ARN>:<random hex>`.
 * - Task-role tokens from the task credentials endpoint are base64 of
 *   `kecs-task-role:<role ARN>:<task id>:<digest bytes>` (src/lib/session-token.ts): the
 *   session is the task id, as AWS names task sessions (fact sheet 8.4). A token without the task
 *   id gets a stable 32-hex session derived from the token.
 * - Anything else (no token, long-term keys): the account root.
 */
const SESSION = STS_SESSION_TOKEN_PREFIX
const ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]+)/
const PRINCIPAL_ARN = /^arn:aws[a-z-]*:(?:iam|sts)::\d{12}:[\w+=,.@/-]+$/

export const rootArn = (account: string) => `arn:aws:iam::${account}:root`

export function sessionToken(principalArn: string): string {
  return Buffer.from(`${SESSION}${principalArn}:${randomBytes(32).toString('hex')}`).toString('base64')
}

export function principalFromToken(token: string | undefined | null, account: string): string {
  if (!token) return rootArn(account)
  const text = Buffer.from(token, 'base64').toString('latin1')
  if (text.startsWith(SESSION)) {
    const arn = text.slice(SESSION.length, text.lastIndexOf(':'))
    if (PRINCIPAL_ARN.test(arn)) return arn
  } else {
    const task = decodeTaskRoleToken(token)
    const m = task && ROLE_ARN.exec(task.roleArn)
    if (m) return assumedRoleArn(m[1]!, m[2]!, task.session ?? createHash('sha256').update(token).digest('hex').slice(0, 32))
  }
  return rootArn(account)
}

export const assumedRoleArn = (account: string, roleName: string, session: string) => `arn:aws:sts::${account}:assumed-role/${roleName}/${session}`

/** The parts of a role ARN (`arn:aws:iam::<acct>:role[/path]/<name>`), or undefined when it is not one. */
export function parseRoleArn(arn: string): { account: string; name: string } | undefined {
  const m = ROLE_ARN.exec(arn)
  return m && m[0] === arn ? { account: m[1]!, name: m[2]! } : undefined
}

/** A stable unique id with an IAM prefix (`AROA` role, `AIDA` user, `ASIA` temporary key): 21 characters. */
export function uniqueId(prefix: string, seed: string): string {
  const digest = createHash('sha256').update(seed).digest()
  return prefix + [...digest.subarray(0, 17)].map((b) => 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'[b % 32]).join('')
}
