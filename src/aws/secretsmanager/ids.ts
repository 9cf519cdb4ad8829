import { randomInt } from 'node:crypto'
import { AwsError } from '../service.js'
import type { Scope, SecretDoc, SecretsState } from './state.js'

const SUFFIX_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'

/** `arn:aws:secretsmanager:<region>:<acct>:secret:<name>-<6 random chars>`. */
export function newSecretArn(scope: Scope, name: string): string {
  let suffix = ''
  for (let i = 0; i < 6; i++) suffix += SUFFIX_CHARS[randomInt(SUFFIX_CHARS.length)]
  return `arn:aws:secretsmanager:${scope.region}:${scope.account}:secret:${name}-${suffix}`
}

export function checkSecretName(name: string): void {
  if (!/^[a-zA-Z0-9/_+=.@-]{1,512}$/.test(name)) {
    throw new AwsError('ValidationException', 'Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!')
  }
}

export const notFound = () => new AwsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.")
export const MARKED_FOR_DELETION = "You can't perform this operation on the secret because it was marked for deletion."
export const markedForDeletion = (message = MARKED_FOR_DELETION) => new AwsError('InvalidRequestException', message)

/** The ARN's last part: the name with its 6-char suffix. */
const idOf = (s: SecretDoc) => s.arn.slice(s.arn.indexOf(':secret:') + ':secret:'.length)

/**
 * The secret a SecretId names: its name, its full ARN, or a partial ARN (without the 6-char suffix).
 * A bare id may also be the name with its suffix (`name-AbCdEf`), the ARN's last part. A full ARN
 * wins over a secret whose name happens to look like `name-AbCdEf`.
 */
export function findSecret(state: SecretsState, scope: Scope, id: string, now: number): SecretDoc | undefined {
  const arn = /^arn:[^:]+:secretsmanager:([^:]*):([^:]*):secret:(.+)$/.exec(id)
  const where = arn ? { region: arn[1]!, account: arn[2]! } : scope
  const tail = arn ? arn[3]! : id
  const all = state.list(where, now)
  if (arn) for (const s of all) if (s.arn === id) return s
  const byName = state.byName(where, tail, now)
  if (byName) return byName
  for (const s of all) if (idOf(s) === tail) return s
  return undefined
}

/** A live (not scheduled for deletion) secret, or the service's error. */
export function liveSecret(state: SecretsState, scope: Scope, id: string, now: number, markedMessage?: string): SecretDoc {
  const s = findSecret(state, scope, id, now)
  if (!s) throw notFound()
  if (s.deletionDate !== undefined) throw markedForDeletion(markedMessage)
  return s
}
