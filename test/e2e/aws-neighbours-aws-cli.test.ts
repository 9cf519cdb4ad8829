/**
 * End-to-end: the neighbour AWS services on the KECS port, through the BUILT CLI
 * (`kecs start -d --cluster emulated --aws-endpoint <fake>`), driven with the real `aws` CLI:
 * STS answers for itself (XML, errors in the query shape), and a call for a service KECS does not
 * serve goes on to the --aws-endpoint, here a fake server on loopback.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BUILT, cliHome, hasCommand, type CliHome, type Started } from '../helpers/cli.js'

const hasAws = await hasCommand('aws', ['--version'])
if (!hasAws) console.warn('[e2e] the `aws` CLI is not installed: the neighbour services e2e tests are SKIPPED')

const TIMEOUT = 120_000
let cli: CliHome | undefined
let inst: Started
let fake: Server
let fakeUrl = ''
const seen: { url: string; headers: IncomingHttpHeaders; body: string }[] = []

const aws = async (args: string[], env: Record<string, string> = {}) => {
  const r = await cli!.run('aws', ['--endpoint-url', inst.endpoint, '--output', 'json', ...args], { env, timeout: 60_000 })
  return { ...r, json: r.exitCode === 0 && r.stdout.trim() ? JSON.parse(r.stdout) : undefined }
}

beforeAll(async () => {
  if (!hasAws) return
  if (!BUILT) throw new Error('dist/ is missing: run `npm run build` first (`npm test` does)')
  fake = createServer((req, res) => {
    let body = ''
    req.on('data', (d) => (body += d))
    req.on('end', () => {
      seen.push({ url: req.url!, headers: req.headers, body })
      res.writeHead(200, { 'Content-Type': 'application/x-amz-json-1.0' })
      res.end('{"TableNames":["from-the-fake-upstream"]}')
    })
  })
  await new Promise<void>((r) => fake.listen(0, '127.0.0.1', r))
  fakeUrl = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`
  cli = cliHome('kecs-e2e-aws-', { env: (home) => ({ HOME: home, KECS_ACCOUNT_ID: '123456789012' }) })
  inst = await cli.startDetached('default', { args: ['--cluster', 'emulated', '--aws-endpoint', fakeUrl] })
}, TIMEOUT)

afterAll(async () => {
  await cli?.cleanup()
  await new Promise<void>((r) => (fake ? fake.close(() => r()) : r()))
})

describe.skipIf(!hasAws)('neighbour services with the aws CLI on `kecs start --cluster emulated`', { timeout: TIMEOUT }, () => {
  it('aws sts get-caller-identity names the account root', async () => {
    const r = await aws(['sts', 'get-caller-identity'])
    expect(r.exitCode, r.stderr).toBe(0)
    expect(r.json).toEqual({ UserId: '123456789012', Account: '123456789012', Arn: 'arn:aws:iam::123456789012:root' })
  })

  it('aws sts assume-role gives credentials that get-caller-identity names as the role', async () => {
    const r = await aws(['sts', 'assume-role', '--role-arn', 'arn:aws:iam::123456789012:role/deployer', '--role-session-name', 'e2e'])
    expect(r.exitCode, r.stderr).toBe(0)
    expect(r.json.AssumedRoleUser.Arn).toBe('arn:aws:sts::123456789012:assumed-role/deployer/e2e')
    const c = r.json.Credentials
    expect(c.AccessKeyId).toMatch(/^ASIA/)
    expect(Date.parse(c.Expiration)).toBeGreaterThan(Date.now())
    const who = await aws(['sts', 'get-caller-identity'], { AWS_ACCESS_KEY_ID: c.AccessKeyId, AWS_SECRET_ACCESS_KEY: c.SecretAccessKey, AWS_SESSION_TOKEN: c.SessionToken })
    expect(who.exitCode, who.stderr).toBe(0)
    expect(who.json.Arn).toBe('arn:aws:sts::123456789012:assumed-role/deployer/e2e')
    expect(who.json.UserId).toBe(r.json.AssumedRoleUser.AssumedRoleId)
  })

  it('a bad call answers the query error shape the CLI reads', async () => {
    const r = await aws(['sts', 'assume-role', '--role-arn', 'arn:aws:s3:::bucket/not-a-role', '--role-session-name', 'e2e'])
    expect(r.exitCode).toBe(255)
    expect(r.stderr.trim()).toBe('An error occurred (ValidationError) when calling the AssumeRole operation: arn:aws:s3:::bucket/not-a-role is invalid')
  })

  it('forwards a call for a service KECS does not serve to --aws-endpoint, unchanged', async () => {
    seen.length = 0
    const r = await aws(['dynamodb', 'list-tables'])
    expect(r.exitCode, r.stderr).toBe(0)
    expect(r.json).toEqual({ TableNames: ['from-the-fake-upstream'] })
    expect(seen).toHaveLength(1)
    expect(seen[0]!.headers['x-amz-target']).toBe('DynamoDB_20120810.ListTables')
    expect(seen[0]!.headers.authorization).toMatch(/Credential=test\/\d{8}\/us-east-1\/dynamodb\/aws4_request/)
    expect(seen[0]!.headers.host).toBe(new URL(inst.endpoint).host)
  })

  it('kecs status reports the endpoint other services go to', async () => {
    const r = await cli!.kecs(['status', '--json'])
    expect(JSON.parse(r.stdout).awsEndpoint).toBe(fakeUrl)
    const text = await cli!.kecs(['status'])
    expect(text.stdout).toContain(`forwards   other AWS services to ${fakeUrl}`)
  })
})
