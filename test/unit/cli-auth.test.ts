import { Parser } from '@oclif/core'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { describeAuth, loadAuthCredentials, parseCredentialsFile } from '../../src/cli/auth-credentials.js'
import { envLines } from '../../src/cli/env.js'
import { statusLines } from '../../src/cli/printers.js'
import { startArgs, type StartOptions } from '../../src/cli/start-options.js'
import Start from '../../src/commands/start.js'
import { CliError } from '../../src/lib/errors.js'
import { CLIENT_KEY_PARAM, takeClientKey } from '../../src/ui/client-key.js'
import { UI_KEY_FRAGMENT } from '../../src/cli/open-ui.js'
import { CLIENT_KEY_HEADER } from '../../src/server/auth.js'
import { CLIENT_KEY_HEADER as UI_HEADER } from '../../src/ui/client-key.js'

/** The CLI side of `--auth sigv4`: the credentials file, the flags, `kecs env`, `kecs status`, the UI's key. */
const dir = mkdtempSync(join(tmpdir(), 'kecs-auth-cli-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const INI = `# a shared credentials file
[default]
aws_access_key_id = AKIADEFAULT
aws_secret_access_key = secret/default

[ci]
AWS_ACCESS_KEY_ID=AKIACI
aws_secret_access_key=secret-ci
aws_session_token = tok-ci

; a role profile has no keys of its own
[profile deploy]
role_arn = arn:aws:iam::123456789012:role/deploy
source_profile = default
`

describe('the credentials file (AWS shared credentials INI)', () => {
  it("reads every profile's keys, skips profiles without keys", () => {
    expect(parseCredentialsFile(INI, 'creds')).toEqual([
      { accessKeyId: 'AKIADEFAULT', secretAccessKey: 'secret/default', source: 'creds [default]' },
      { accessKeyId: 'AKIACI', secretAccessKey: 'secret-ci', sessionToken: 'tok-ci', source: 'creds [ci]' },
    ])
  })

  it('refuses a profile with half a key pair, and lines it cannot read, naming them', () => {
    expect(() => parseCredentialsFile('[x]\naws_access_key_id = A\n', 'f')).toThrow('profile [x] in f has aws_access_key_id but no aws_secret_access_key')
    expect(() => parseCredentialsFile('aws_access_key_id = A\n', 'f')).toThrow('line 1 is neither a [section] nor key = value')
  })

  it('takes the file and the environment together; needs at least one key', () => {
    const file = join(dir, 'credentials')
    writeFileSync(file, INI)
    const both = loadAuthCredentials({ file, env: { AWS_ACCESS_KEY_ID: 'AKIAENV', AWS_SECRET_ACCESS_KEY: 'secret-env' } })
    expect(both.map((c) => c.accessKeyId)).toEqual(['AKIADEFAULT', 'AKIACI', 'AKIAENV'])
    expect(describeAuth(both)).toBe(
      'signatures required (--auth sigv4): 3 access keys (2 from the credentials file, AWS_ACCESS_KEY_ID from the environment), and the session credentials KECS mints',
    )
    expect(describeAuth(both)).not.toContain('secret')
    expect(loadAuthCredentials({ env: { AWS_ACCESS_KEY_ID: 'AKIAENV', AWS_SECRET_ACCESS_KEY: 's', AWS_SESSION_TOKEN: 't' } })).toEqual([
      { accessKeyId: 'AKIAENV', secretAccessKey: 's', sessionToken: 't', source: 'the environment (AWS_ACCESS_KEY_ID)' },
    ])
    expect(() => loadAuthCredentials({ env: {} })).toThrow(CliError)
    expect(() => loadAuthCredentials({ env: { AWS_ACCESS_KEY_ID: 'only-the-id' } })).toThrow('--auth sigv4 needs credentials')
    expect(() => loadAuthCredentials({ file: join(dir, 'missing'), env: {} })).toThrow(/cannot read --credentials-file .*missing: ENOENT/)
    const empty = join(dir, 'empty')
    writeFileSync(empty, '[default]\nregion = us-east-1\n')
    expect(() => loadAuthCredentials({ file: empty, env: {} })).toThrow('holds no aws_access_key_id / aws_secret_access_key pair')
  })
})

describe('start flags', () => {
  const parseStart = (argv: string[]) => Parser.parse(argv, { flags: Start.flags, strict: true })

  it('--auth is none by default, sigv4 on request; anything else is refused', async () => {
    expect((await parseStart([])).flags.auth).toBe('none')
    expect((await parseStart(['--auth', 'sigv4', '--credentials-file', '/x'])).flags).toMatchObject({ auth: 'sigv4', 'credentials-file': '/x' })
    await expect(parseStart(['--auth', 'basic'])).rejects.toThrow(/Expected --auth=basic to be one of: none, sigv4/)
  })

  it('the detached child gets --auth and --credentials-file again', async () => {
    const o: StartOptions = { name: 'a', host: '127.0.0.1', port: 0, adminPort: 0, cluster: 'auto', timeoutMs: 1000, auth: 'sigv4', credentialsFile: '/abs/creds' }
    const args = startArgs(o)
    expect(args).toEqual(expect.arrayContaining(['--auth', 'sigv4', '--credentials-file', '/abs/creds']))
    expect((await parseStart(args.slice(1))).flags).toMatchObject({ auth: 'sigv4', 'credentials-file': '/abs/creds' })
    expect(startArgs({ ...o, auth: 'none', credentialsFile: undefined })).not.toContain('--auth')
  })
})

describe('kecs env and kecs status with --auth sigv4', () => {
  it('env prints no credentials, and says what to set', () => {
    const lines = envLines({ endpoint: 'http://127.0.0.1:8080', region: 'us-east-1', auth: 'sigv4' })
    expect(lines.join('\n')).not.toMatch(/AWS_ACCESS_KEY_ID=|AWS_SECRET_ACCESS_KEY=/)
    expect(lines).toContain('export AWS_ENDPOINT_URL_ECS=http://127.0.0.1:8080')
    expect(lines.at(-1)).toMatch(/^# --auth sigv4: .*AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/)
    expect(envLines({ endpoint: 'http://127.0.0.1:8080', region: 'us-east-1', auth: 'none' })).toContain('export AWS_ACCESS_KEY_ID=test')
  })

  it('status shows the auth mode', () => {
    const base = { name: 'default', state: 'running' as const, message: '', logFile: '/x', pid: 1, endpoint: 'http://127.0.0.1:8080', adminPort: 8081, admin: 'ready' as const }
    expect(statusLines({ ...base, auth: 'sigv4' })).toContain('  auth       sigv4 (every AWS call must be signed)')
    expect(statusLines({ ...base, auth: 'none' })).toContain('  auth       none (unsigned calls are served)')
  })
})

describe("the web UI's client key", () => {
  it('is taken from the fragment once, kept, and removed from the address', () => {
    const store = new Map<string, string>()
    const storage = { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v) }
    const replaced: string[] = []
    expect(takeClientKey({ hash: '#kecs-client-key=k%2Bey', pathname: '/ui', search: '' }, storage, (u) => replaced.push(u))).toBe('k+ey')
    expect(replaced).toEqual(['/ui'])
    expect(takeClientKey({ hash: '', pathname: '/ui/clusters/x', search: '?a=1' }, storage, (u) => replaced.push(u))).toBe('k+ey')
    expect(replaced).toEqual(['/ui'])
    expect(takeClientKey({ hash: '', pathname: '/ui', search: '' }, { getItem: () => null, setItem: () => {} }, () => {})).toBeUndefined()
  })

  it('the CLI, the server and the UI agree on the fragment and the header', () => {
    expect(UI_KEY_FRAGMENT).toBe(CLIENT_KEY_PARAM)
    expect(UI_HEADER.toLowerCase()).toBe(CLIENT_KEY_HEADER)
  })
})
