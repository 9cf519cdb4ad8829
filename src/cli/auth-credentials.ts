import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { CliError } from '../lib/errors.js'
import type { AuthCredential } from '../server/auth.js'

/**
 * The credentials `kecs start --auth sigv4` accepts signatures from:
 * - `--credentials-file PATH`: a file in the format of the AWS shared credentials file
 *   (`~/.aws/credentials`): INI sections, each with `aws_access_key_id` and `aws_secret_access_key`
 *   (and optionally `aws_session_token`). Every profile's keys are accepted; sections without keys
 *   (`role_arn`-only profiles) are skipped. `[profile name]` headers (the config file's) work too.
 * - the environment of the KECS process: `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY` (and
 *   `AWS_SESSION_TOKEN`), when both are set.
 * Both may be given; at least one key is needed.
 */
export function parseCredentialsFile(text: string, file: string): AuthCredential[] {
  const out: AuthCredential[] = []
  const sections = new Map<string, Map<string, string>>()
  let current: Map<string, string> | undefined
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/)
  lines.forEach((raw, i) => {
    const line = raw.trim()
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return
    // Indented lines are sub-settings of the line before (`s3 =` blocks of the config file).
    if (/^\s/.test(raw) && current) return
    const header = /^\[\s*(?:profile\s+)?([^\]]*?)\s*\]$/.exec(line)
    if (header) {
      const name = header[1]!
      if (!sections.has(name)) sections.set(name, new Map())
      current = sections.get(name)
      return
    }
    const eq = line.indexOf('=')
    if (!current || eq < 0) throw new CliError(`cannot read ${file}: line ${i + 1} is neither a [section] nor key = value`, credentialsHint)
    current.set(line.slice(0, eq).trim().toLowerCase(), line.slice(eq + 1).trim())
  })
  for (const [name, kv] of sections) {
    const id = kv.get('aws_access_key_id')
    const secret = kv.get('aws_secret_access_key')
    if (!id && !secret) continue
    if (!id || !secret) {
      throw new CliError(`profile [${name}] in ${file} has ${id ? 'aws_access_key_id but no aws_secret_access_key' : 'aws_secret_access_key but no aws_access_key_id'}`, credentialsHint)
    }
    const token = kv.get('aws_session_token')
    out.push({ accessKeyId: id, secretAccessKey: secret, ...(token ? { sessionToken: token } : {}), source: `${file} [${name}]` })
  }
  return out
}

const credentialsHint =
  'Give a file like ~/.aws/credentials: [name] sections with aws_access_key_id and aws_secret_access_key, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.'

/** What `--auth sigv4` accepts: the file's profiles, then the environment's key. */
export function loadAuthCredentials(o: { file?: string; env?: NodeJS.ProcessEnv }): AuthCredential[] {
  const env = o.env ?? process.env
  const out: AuthCredential[] = []
  if (o.file) {
    const file = resolve(o.file)
    let text: string
    try {
      text = readFileSync(file, 'utf8')
    } catch (e) {
      throw new CliError(`cannot read --credentials-file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, credentialsHint)
    }
    const found = parseCredentialsFile(text, file)
    if (found.length === 0) throw new CliError(`--credentials-file ${file} holds no aws_access_key_id / aws_secret_access_key pair`, credentialsHint)
    out.push(...found)
  }
  const id = env.AWS_ACCESS_KEY_ID?.trim()
  const secret = env.AWS_SECRET_ACCESS_KEY?.trim()
  if (id && secret) {
    const token = env.AWS_SESSION_TOKEN?.trim()
    out.push({ accessKeyId: id, secretAccessKey: secret, ...(token ? { sessionToken: token } : {}), source: 'the environment (AWS_ACCESS_KEY_ID)' })
  }
  if (out.length === 0) {
    throw new CliError('--auth sigv4 needs credentials to check signatures against', `Give --credentials-file PATH, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY for kecs start.`)
  }
  return out
}

/** One line for the start output: how many keys, from where (never the keys themselves). */
export function describeAuth(credentials: AuthCredential[]): string {
  const fromEnv = credentials.filter((c) => c.source?.startsWith('the environment')).length
  const fromFile = credentials.length - fromEnv
  const parts = [fromFile ? `${fromFile} from the credentials file` : '', fromEnv ? 'AWS_ACCESS_KEY_ID from the environment' : ''].filter(Boolean)
  return `signatures required (--auth sigv4): ${credentials.length} access key${credentials.length === 1 ? '' : 's'} (${parts.join(', ')}), and the session credentials KECS mints`
}
