import { randomBytes } from 'node:crypto'

/**
 * IAM unique ids: a 4-letter type prefix and 17 upper-case letters/digits, 21 characters in all
 * (`AROA1234567890EXAMPLE`). Prefixes: AROA role, ANPA managed policy, AIPA instance profile.
 */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'

export function uniqueId(prefix: 'AROA' | 'ANPA' | 'AIPA'): string {
  const bytes = randomBytes(17)
  let out = prefix
  for (const b of bytes) out += ALPHABET[b % 32]
  return out
}

/** `arn:aws:iam::<acct>:<kind><path><name>`; path `/` gives `role/<name>`. */
export const iamArn = (account: string, kind: 'role' | 'policy' | 'instance-profile', path: string, name: string) =>
  `arn:aws:iam::${account}:${kind}${path}${name}`

/** IAM is global: every row is keyed by account and a lower-cased name (names are case-insensitively unique). */
export const nameKey = (account: string, name: string) => `${account}/${name.toLowerCase()}`

/** Epoch seconds: IAM dates have second precision (`2019-11-13T16:45:56Z`). */
export const seconds = (ms: number) => Math.floor(ms / 1000)
