/**
 * End-to-end: SSM Parameter Store, Secrets Manager, CloudWatch Logs and IAM on the KECS port, through
 * the BUILT CLI (`kecs start -d --cluster emulated`), driven with the real `aws` CLI pointed at it the
 * way `eval "$(kecs env)"` does (per-service endpoint variables, no --endpoint-url): the calls of the
 * issue's list, and bad input answering each service's own error shape.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BUILT, cliHome, hasCommand, type CliHome, type Started } from '../helpers/cli.js'

const hasAws = await hasCommand('aws', ['--version'])
if (!hasAws) console.warn('[e2e] the `aws` CLI is not installed: the SSM/Secrets Manager/Logs/IAM e2e tests are SKIPPED')

const TIMEOUT = 120_000
let cli: CliHome | undefined
let inst: Started

const SERVICES = ['ECS', 'SSM', 'SECRETS_MANAGER', 'CLOUDWATCH_LOGS', 'STS', 'IAM']
const aws = async (args: string[]) => {
  const env = Object.fromEntries(SERVICES.map((s) => [`AWS_ENDPOINT_URL_${s}`, inst.endpoint]))
  const r = await cli!.run('aws', ['--output', 'json', ...args], { env, timeout: 60_000 })
  return { ...r, json: r.exitCode === 0 && r.stdout.trim() ? JSON.parse(r.stdout) : undefined }
}
const ok = async (args: string[]) => {
  const r = await aws(args)
  expect(r.exitCode, `aws ${args.join(' ')}: ${r.stderr}`).toBe(0)
  return r.json
}
const fails = async (args: string[]) => {
  const r = await aws(args)
  expect(r.exitCode, `aws ${args.join(' ')} should fail`).not.toBe(0)
  return r.stderr.trim()
}

beforeAll(async () => {
  if (!hasAws) return
  if (!BUILT) throw new Error('dist/ is missing: run `npm run build` first (`npm test` does)')
  cli = cliHome('kecs-e2e-awssvc-', { env: (home) => ({ HOME: home }) })
  inst = await cli.startDetached('default', { args: ['--cluster', 'emulated'] })
}, TIMEOUT)

afterAll(async () => {
  await cli?.cleanup()
})

describe.skipIf(!hasAws)('SSM, Secrets Manager, CloudWatch Logs and IAM with the aws CLI', { timeout: TIMEOUT }, () => {
  it('ssm put-parameter, get-parameter, get-parameters-by-path; errors in the JSON shape', async () => {
    expect(await ok(['ssm', 'put-parameter', '--name', '/app/db/host', '--value', 'db.local', '--type', 'String'])).toEqual({ Version: 1, Tier: 'Standard' })
    await ok(['ssm', 'put-parameter', '--name', '/app/db/password', '--value', 's3cret', '--type', 'SecureString'])
    await ok(['ssm', 'put-parameter', '--name', '/app/mode', '--value', 'dev', '--type', 'String'])
    const got = await ok(['ssm', 'get-parameter', '--name', '/app/db/password', '--with-decryption'])
    expect(got.Parameter).toMatchObject({ Name: '/app/db/password', Type: 'SecureString', Value: 's3cret', Version: 1, ARN: 'arn:aws:ssm:us-east-1:000000000000:parameter/app/db/password' })
    const byPath = await ok(['ssm', 'get-parameters-by-path', '--path', '/app', '--recursive'])
    expect(byPath.Parameters.map((p: any) => p.Name).sort()).toEqual(['/app/db/host', '/app/db/password', '/app/mode'])
    const oneLevel = await ok(['ssm', 'get-parameters-by-path', '--path', '/app'])
    expect(oneLevel.Parameters.map((p: any) => p.Name)).toEqual(['/app/mode'])
    expect(await fails(['ssm', 'put-parameter', '--name', '/app/mode', '--value', 'x', '--type', 'String'])).toContain('(ParameterAlreadyExists)')
    expect(await fails(['ssm', 'get-parameter', '--name', '/nope'])).toContain('(ParameterNotFound)')
  })

  it('secretsmanager create-secret, get-secret-value, put-secret-value; errors in the JSON shape', async () => {
    const created = await ok(['secretsmanager', 'create-secret', '--name', 'app/db', '--secret-string', '{"username":"app","password":"p1"}'])
    expect(created.ARN).toMatch(/^arn:aws:secretsmanager:us-east-1:000000000000:secret:app\/db-[A-Za-z0-9]{6}$/)
    expect((await ok(['secretsmanager', 'get-secret-value', '--secret-id', 'app/db'])).SecretString).toBe('{"username":"app","password":"p1"}')
    const put = await ok(['secretsmanager', 'put-secret-value', '--secret-id', created.ARN, '--secret-string', '{"username":"app","password":"p2"}'])
    expect(put.VersionStages).toEqual(['AWSCURRENT'])
    expect(JSON.parse((await ok(['secretsmanager', 'get-secret-value', '--secret-id', 'app/db'])).SecretString).password).toBe('p2')
    const previous = await ok(['secretsmanager', 'get-secret-value', '--secret-id', 'app/db', '--version-stage', 'AWSPREVIOUS'])
    expect(JSON.parse(previous.SecretString).password).toBe('p1')
    expect(await fails(['secretsmanager', 'get-secret-value', '--secret-id', 'nope'])).toContain('(ResourceNotFoundException)')
    expect(await fails(['secretsmanager', 'create-secret', '--name', 'app/db', '--secret-string', 'x'])).toContain('(ResourceExistsException)')
  })

  it('logs create-log-group, put-log-events, describe-log-streams, get-log-events, filter-log-events; errors', async () => {
    await ok(['logs', 'create-log-group', '--log-group-name', '/ecs/e2e'])
    await ok(['logs', 'create-log-stream', '--log-group-name', '/ecs/e2e', '--log-stream-name', 'web/app/1'])
    const now = Date.now()
    const events = JSON.stringify([
      { timestamp: now - 2000, message: '{"level":"info","msg":"started"}' },
      { timestamp: now - 1000, message: '{"level":"error","msg":"boom"}' },
      { timestamp: now, message: 'plain ERROR line' },
    ])
    await ok(['logs', 'put-log-events', '--log-group-name', '/ecs/e2e', '--log-stream-name', 'web/app/1', '--log-events', events])
    const streams = await ok(['logs', 'describe-log-streams', '--log-group-name', '/ecs/e2e'])
    expect(streams.logStreams.map((s: any) => s.logStreamName)).toEqual(['web/app/1'])
    const got = await ok(['logs', 'get-log-events', '--log-group-name', '/ecs/e2e', '--log-stream-name', 'web/app/1', '--start-from-head'])
    expect(got.events.map((e: any) => e.message)).toEqual(['{"level":"info","msg":"started"}', '{"level":"error","msg":"boom"}', 'plain ERROR line'])
    const json = await ok(['logs', 'filter-log-events', '--log-group-name', '/ecs/e2e', '--filter-pattern', '{ $.level = "error" }'])
    expect(json.events.map((e: any) => e.message)).toEqual(['{"level":"error","msg":"boom"}'])
    const term = await ok(['logs', 'filter-log-events', '--log-group-name', '/ecs/e2e', '--filter-pattern', 'ERROR'])
    expect(term.events.map((e: any) => e.message)).toEqual(['plain ERROR line'])
    expect(await fails(['logs', 'get-log-events', '--log-group-name', '/ecs/nope', '--log-stream-name', 'x'])).toContain('(ResourceNotFoundException)')
    expect(await fails(['logs', 'create-log-group', '--log-group-name', '/ecs/e2e'])).toContain('(ResourceAlreadyExistsException)')
  })

  it('iam create-role, attach-role-policy, list-attached-role-policies; errors in the query shape', async () => {
    const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }] })
    const role = await ok(['iam', 'create-role', '--role-name', 'e2e-exec', '--assume-role-policy-document', trust])
    expect(role.Role).toMatchObject({ RoleName: 'e2e-exec', Path: '/', Arn: 'arn:aws:iam::000000000000:role/e2e-exec' })
    expect(role.Role.RoleId).toMatch(/^AROA/)
    const policy = 'arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy'
    await ok(['iam', 'attach-role-policy', '--role-name', 'e2e-exec', '--policy-arn', policy])
    expect((await ok(['iam', 'list-attached-role-policies', '--role-name', 'e2e-exec'])).AttachedPolicies).toEqual([
      { PolicyName: 'AmazonECSTaskExecutionRolePolicy', PolicyArn: policy },
    ])
    expect((await ok(['iam', 'get-role', '--role-name', 'e2e-exec'])).Role.AssumeRolePolicyDocument).toEqual(JSON.parse(trust))
    expect(await fails(['iam', 'create-role', '--role-name', 'e2e-exec', '--assume-role-policy-document', trust])).toContain('(EntityAlreadyExists)')
    expect(await fails(['iam', 'get-role', '--role-name', 'nope'])).toContain('(NoSuchEntity)')
    expect(await fails(['iam', 'delete-role', '--role-name', 'e2e-exec'])).toContain('(DeleteConflict)')
    expect(await fails(['iam', 'create-role', '--role-name', 'bad', '--assume-role-policy-document', '{not json'])).toContain('(MalformedPolicyDocument)')
  })

  it('sts get-caller-identity through the per-service endpoint variable', async () => {
    expect((await ok(['sts', 'get-caller-identity'])).Arn).toBe('arn:aws:iam::000000000000:root')
  })
})
