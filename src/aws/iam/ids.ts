import { randomBytes } from 'node:crypto'

/**
 * IAM unique ids: a 4-letter type prefix and 17 upper-case letters/digits, 21 characters in all
 * (`AROA1234567890EXAMPLE`). Prefixes: AROA role, ANPA managed policy, AIPA instance profile, AIDA user.
 */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'

export function uniqueId(prefix: 'AROA' | 'ANPA' | 'AIPA' | 'AIDA', length = 17): string {
  let out = prefix
  for (const b of randomBytes(length)) out += ALPHABET[b % 32]
  return out
}

/** A long-term access key: `AKIA` and 16 characters (20 in all), with a 40-character secret. */
export function accessKeyPair(): { AccessKeyId: string; SecretAccessKey: string } {
  let id = 'AKIA'
  for (const b of randomBytes(16)) id += ALPHABET[b % 32]
  const SecretAccessKey = randomBytes(30).toString('base64').replace(/[+/]/g, (c) => (c === '+' ? 'x' : 'y'))
  return { AccessKeyId: id, SecretAccessKey }
}

/** `arn:aws:iam::<acct>:<kind><path><name>`; path `/` gives `role/<name>`. */
export const iamArn = (account: string, kind: 'role' | 'policy' | 'instance-profile' | 'user', path: string, name: string) =>
  `arn:aws:iam::${account}:${kind}${path}${name}`

/** IAM is global: every row is keyed by account and a lower-cased name (names are case-insensitively unique). */
export const nameKey = (account: string, name: string) => `${account}/${name.toLowerCase()}`

/** Epoch seconds: IAM dates have second precision (`2019-11-13T16:45:56Z`). */
export const seconds = (ms: number) => Math.floor(ms / 1000)
