/**
 * End-to-end `kecs start -d --auth sigv4` (the built CLI, a temporary KECS_HOME, free ports): keys
 * from a credentials file and from the environment of `kecs start`; real clients (@aws-sdk/client-ecs,
 * the `aws` CLI, a presigned URL from the SDK signer, plain fetch) right and wrong; KECS's own CLI
 * through its client key; and an instance started without --auth still serving unsigned calls.
 */
import { CreateClusterCommand, ECSClient, ListClustersCommand } from '@aws-sdk/client-ecs'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { chromium } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chromiumPath } from '../helpers/browser.js'
import { BUILT, cliHome, hasCommand, type CliHome, type Started } from '../helpers/cli.js'
import { presign, signHeaders, type Keys } from '../helpers/sigv4.js'

const hasAws = await hasCommand('aws', ['--version'])
if (!hasAws) console.warn('[e2e] the `aws` CLI is not installed: its --auth sigv4 checks are SKIPPED')
const executablePath = chromiumPath()
if (!executablePath) console.warn('[e2e] chromium is not installed: the web UI check under --auth sigv4 is SKIPPED')

const FILE_KEYS: Keys = { accessKeyId: 'AKIAKECSFILEKEY00001', secretAccessKey: 'file/secret+for+the+kecs+e2e+auth+test000' }
const ENV_KEYS: Keys = { accessKeyId: 'AKIAKECSENVKEY000001', secretAccessKey: 'env-secret-for-the-kecs-e2e-auth-test0000' }
const WRONG = 'wrong-secret-wrong-secret-wrong-secret-00'
const MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.'

describe('kecs start --auth sigv4', { timeout: 120_000 }, () => {
  let cli: CliHome
  let inst: Started
  let credsFile: string
  const clients: ECSClient[] = []
  const ecs = (keys: Keys) => {
    const c = new ECSClient({ endpoint: inst.endpoint, region: 'us-east-1', credentials: keys, maxAttempts: 1 })
    clients.push(c)
    return c
  }
  /** The aws CLI with these keys (nothing else from the test's environment). */
  const aws = (keys: Keys | { profile: string }, args: string[]) =>
    cli.run('aws', ['--endpoint-url', inst.endpoint, '--output', 'json', ...args], {
      env:
        'profile' in keys
          ? { AWS_SHARED_CREDENTIALS_FILE: credsFile, AWS_PROFILE: keys.profile, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '' }
          : { AWS_ACCESS_KEY_ID: keys.accessKeyId, AWS_SECRET_ACCESS_KEY: keys.secretAccessKey },
      timeout: 60_000,
    })

  beforeAll(async () => {
    if (!BUILT) throw new Error('dist/ is missing: run `npm run build` first (`npm test` does)')
    cli = cliHome('kecs-auth-')
    credsFile = join(cli.home, 'credentials')
    writeFileSync(
      credsFile,
      `[kecs]\naws_access_key_id = ${FILE_KEYS.accessKeyId}\naws_secret_access_key = ${FILE_KEYS.secretAccessKey}\n\n[role-only]\nrole_arn = arn:aws:iam::000000000000:role/x\n`,
    )
    inst = await cli.startDetached('signed', {
      args: ['--cluster', 'emulated', '--auth', 'sigv4', '--credentials-file', credsFile],
      env: { AWS_ACCESS_KEY_ID: ENV_KEYS.accessKeyId, AWS_SECRET_ACCESS_KEY: ENV_KEYS.secretAccessKey },
    })
  })
  afterAll(async () => {
    for (const c of clients) c.destroy()
    await cli?.cleanup()
  })

  it('start says signatures are required; status shows it; env prints no keys', async () => {
    expect(inst.stdout).toContain('auth     sigv4: every AWS call must be signed')
    expect(inst.stdout).not.toContain('AWS_ACCESS_KEY_ID=test')
    expect(inst.stdout).not.toContain(FILE_KEYS.secretAccessKey)
    const status = await cli.kecs(['status', '--name', 'signed'])
    expect(status.stdout).toContain('auth       sigv4 (every AWS call must be signed)')
    const json = JSON.parse((await cli.kecs(['status', '--name', 'signed', '--json'])).stdout)
    expect(json.auth).toBe('sigv4')
    const env = await cli.kecs(['env', '--name', 'signed'])
    expect(env.exitCode).toBe(0)
    expect(env.stdout).toContain(`export AWS_ENDPOINT_URL_ECS=${inst.endpoint}`)
    expect(env.stdout).not.toMatch(/AWS_ACCESS_KEY_ID=|AWS_SECRET_ACCESS_KEY=/)
    expect(env.stdout).toContain('# --auth sigv4')
    // The client key is in instance.json, which only its owner may read; never in the log.
    const dir = cli.instanceDir('signed')
    expect(JSON.parse(readFileSync(join(dir, 'instance.json'), 'utf8')).clientKey).toMatch(/^[\w-]{43}$/)
    expect(readFileSync(join(dir, 'kecs.log'), 'utf8')).not.toContain(FILE_KEYS.secretAccessKey)
  })

  it('@aws-sdk/client-ecs with the file\'s keys and with the environment\'s keys works', async () => {
    const created = await ecs(FILE_KEYS).send(new CreateClusterCommand({ clusterName: 'from-file' }))
    expect(created.cluster?.status).toBe('ACTIVE')
    await ecs(ENV_KEYS).send(new CreateClusterCommand({ clusterName: 'from-env' }))
    const list = await ecs(FILE_KEYS).send(new ListClustersCommand({}))
    expect(list.clusterArns).toEqual(expect.arrayContaining([expect.stringMatching(/cluster\/from-file$/), expect.stringMatching(/cluster\/from-env$/)]))
  })

  it('a wrong secret gets InvalidSignatureException; an unknown key UnrecognizedClientException', async () => {
    await expect(ecs({ ...FILE_KEYS, secretAccessKey: WRONG }).send(new ListClustersCommand({}))).rejects.toMatchObject({
      name: 'InvalidSignatureException',
      message: MISMATCH,
      $metadata: { httpStatusCode: 403 },
    })
    await expect(ecs({ accessKeyId: 'AKIAKECSNOBODY000001', secretAccessKey: WRONG }).send(new CreateClusterCommand({ clusterName: 'x' }))).rejects.toMatchObject({
      name: 'UnrecognizedClientException',
      message: 'The security token included in the request is invalid.',
      $metadata: { httpStatusCode: 403 },
    })
  })

  it('an unsigned call gets MissingAuthenticationTokenException', async () => {
    const res = await fetch(inst.endpoint + '/', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': 'AmazonEC2ContainerServiceV20141113.ListClusters' },
      body: '{}',
    })
    expect(res.status).toBe(403)
    expect(res.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException')
    expect(await res.json()).toEqual({ __type: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' })
  })

  it('a call dated 20 minutes ago is refused: Signature expired', async () => {
    const body = '{}'
    const s = await signHeaders(FILE_KEYS, {
      host: new URL(inst.endpoint).host,
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AmazonEC2ContainerServiceV20141113.ListClusters' },
      body,
      service: 'ecs',
      date: new Date(Date.now() - 20 * 60_000),
    })
    const res = await fetch(inst.endpoint + '/', { method: 'POST', headers: s.headers, body })
    expect(res.status).toBe(403)
    const err = (await res.json()) as { __type: string; message: string }
    expect(err.__type).toBe('InvalidSignatureException')
    expect(err.message).toMatch(/^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 15 min\.\)$/)
  })

  it('a presigned STS GetCallerIdentity URL (SDK signer) is served', async () => {
    const p = await presign(FILE_KEYS, {
      method: 'GET',
      host: new URL(inst.endpoint).host,
      query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
      service: 'sts',
      expiresIn: 300,
    })
    const res = await fetch(`${inst.endpoint}${p.path}?${p.query}`)
    expect(res.status).toBe(200)
    expect(await res.text()).toContain('<Arn>arn:aws:iam::000000000000:root</Arn>')
    const stale = await fetch(`${inst.endpoint}/?Action=GetCallerIdentity&Version=2011-06-15`)
    expect(stale.status).toBe(403)
    expect(await stale.text()).toContain('<Code>MissingAuthenticationToken</Code>')
  })

  it("KECS's own CLI works through the instance's client key", async () => {
    const r = await cli.kecs(['clusters', '--name', 'signed'])
    expect(r.exitCode, r.stderr).toBe(0)
    expect(r.stdout).toContain('from-file')
  })

  it.skipIf(!executablePath)('the web UI opened by `kecs ui` works; opened without its key it says what to do', async () => {
    const opened = await cli.kecs(['ui', '--name', 'signed'])
    expect(opened.exitCode, opened.stderr).toBe(0)
    const url = opened.stdout.trim()
    expect(url).toMatch(new RegExp(`^${inst.endpoint}/ui#kecs-client-key=`))
    const browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] })
    try {
      const page = await (await browser.newContext()).newPage()
      await page.goto(url)
      await page.locator('tr[data-cluster="from-file"]').waitFor({ timeout: 15_000 })
      expect(new URL(page.url()).hash).toBe('') // the key left the address bar
      // Another page of the same origin keeps it (a reload, a deep link).
      await page.goto(`${inst.endpoint}/ui/clusters/from-file`)
      await page.getByRole('heading', { name: 'Cluster from-file' }).waitFor({ timeout: 15_000 })
      // A browser without the key (a fresh profile) gets the explanation, not a blank page.
      const bare = await (await browser.newContext()).newPage()
      await bare.goto(`${inst.endpoint}/ui`)
      await bare.getByText('Open the UI with `kecs ui`').first().waitFor({ timeout: 15_000 })
    } finally {
      await browser.close()
    }
  })

  it.skipIf(!hasAws)('the aws CLI with the right keys (environment or a profile of the file) works', async () => {
    const env = await aws(FILE_KEYS, ['ecs', 'create-cluster', '--cluster-name', 'from-aws-cli'])
    expect(env.exitCode, env.stderr).toBe(0)
    expect(JSON.parse(env.stdout).cluster.clusterName).toBe('from-aws-cli')
    const profile = await aws({ profile: 'kecs' }, ['ecs', 'list-clusters'])
    expect(profile.exitCode, profile.stderr).toBe(0)
    expect(JSON.parse(profile.stdout).clusterArns).toEqual(expect.arrayContaining([expect.stringMatching(/cluster\/from-aws-cli$/)]))
    const sts = await aws(ENV_KEYS, ['sts', 'get-caller-identity'])
    expect(sts.exitCode, sts.stderr).toBe(0)
    expect(JSON.parse(sts.stdout).Arn).toBe('arn:aws:iam::000000000000:root')
  })

  it.skipIf(!hasAws)('the aws CLI with a wrong secret is refused, in ECS and in STS', async () => {
    const r = await aws({ ...FILE_KEYS, secretAccessKey: WRONG }, ['ecs', 'list-clusters'])
    expect(r.exitCode).not.toBe(0)
    expect(r.stderr).toContain('An error occurred (InvalidSignatureException) when calling the ListClusters operation: The request signature we calculated')
    const sts = await aws({ ...ENV_KEYS, secretAccessKey: WRONG }, ['sts', 'get-caller-identity'])
    expect(sts.exitCode).not.toBe(0)
    expect(sts.stderr).toContain('An error occurred (SignatureDoesNotMatch) when calling the GetCallerIdentity operation')
    const unknown = await aws({ accessKeyId: 'AKIAKECSNOBODY000001', secretAccessKey: WRONG }, ['ecs', 'list-clusters'])
    expect(unknown.stderr).toContain('(UnrecognizedClientException)')
  })
})

describe('kecs start without --auth', { timeout: 120_000 }, () => {
  let cli: CliHome
  let inst: Started
  beforeAll(async () => {
    if (!BUILT) throw new Error('dist/ is missing: run `npm run build` first (`npm test` does)')
    cli = cliHome('kecs-noauth-')
    inst = await cli.startDetached('open', { args: ['--cluster', 'emulated'] })
  })
  afterAll(async () => cli?.cleanup())

  it('--auth sigv4 without any keys, or with a missing file, fails in one line', async () => {
    const none = await cli.kecs(['start', '-d', '--name', 'nokeys', '--auth', 'sigv4'], { AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '' })
    expect(none.exitCode).not.toBe(0)
    expect(none.stderr).toContain('--auth sigv4 needs credentials to check signatures against')
    const missing = await cli.kecs(['start', '-d', '--name', 'nokeys', '--auth', 'sigv4', '--credentials-file', join(cli.home, 'nope')])
    expect(missing.exitCode).not.toBe(0)
    expect(missing.stderr).toMatch(/cannot read --credentials-file .*nope: ENOENT/)
    const stray = await cli.kecs(['start', '-d', '--name', 'nokeys', '--credentials-file', join(cli.home, 'nope')])
    expect(stray.stderr).toContain('--credentials-file is only read with --auth sigv4')
  })

  it('keeps serving unsigned calls, and says so', async () => {
    const res = await fetch(inst.endpoint + '/', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': 'AmazonEC2ContainerServiceV20141113.ListClusters' },
      body: '{}',
    })
    expect(res.status).toBe(200)
    expect((await cli.kecs(['status', '--name', 'open'])).stdout).toContain('auth       none')
    expect((await cli.kecs(['env', '--name', 'open'])).stdout).toContain('export AWS_ACCESS_KEY_ID=test')
  })
})
