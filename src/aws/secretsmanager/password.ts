import { randomInt } from 'node:crypto'
import { AwsError } from '../service.js'

const LOWER = 'abcdefghijklmnopqrstuvwxyz'
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'
const DIGITS = '0123456789'
const PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~'

/** GetRandomPassword: length 32 by default, one of each included type unless told otherwise. */
export function getRandomPassword(input: any) {
  const length: number = input.PasswordLength ?? 32
  if (!Number.isInteger(length) || length < 1 || length > 4096) {
    throw new AwsError('InvalidParameterException', 'Password length must be between 1 and 4096.')
  }
  const exclude = new Set([...String(input.ExcludeCharacters ?? '')])
  const keep = (set: string) => [...set].filter((c) => !exclude.has(c)).join('')
  const types = [
    input.ExcludeLowercase ? '' : keep(LOWER),
    input.ExcludeUppercase ? '' : keep(UPPER),
    input.ExcludeNumbers ? '' : keep(DIGITS),
    input.ExcludePunctuation ? '' : keep(PUNCTUATION),
    input.IncludeSpace ? keep(' ') : '',
  ].filter((s) => s.length > 0)
  if (types.length === 0) throw new AwsError('InvalidParameterException', 'The password cannot be generated because every character type is excluded.')
  const requireEach = input.RequireEachIncludedType !== false
  if (requireEach && types.length > length) {
    throw new AwsError('InvalidParameterException', 'The password length is too short to include every required character type.')
  }
  const all = types.join('')
  const chars: string[] = requireEach ? types.map((t) => t[randomInt(t.length)]!) : []
  while (chars.length < length) chars.push(all[randomInt(all.length)]!)
  // Shuffle so the required characters are not always first.
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1)
    ;[chars[i], chars[j]] = [chars[j]!, chars[i]!]
  }
  return { RandomPassword: chars.join('') }
}
