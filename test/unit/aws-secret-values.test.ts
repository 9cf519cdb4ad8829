import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { resolveRepositoryCredentials, resolveValueFrom } from '../../src/aws/secret-values.js'
import { secretsmanager, type SecretsState } from '../../src/aws/secretsmanager/index.js'
import { ssm, type SsmState } from '../../src/aws/ssm/index.js'
import { ACCOUNT, openService, REGION, type ServiceHarness } from '../helpers/aws-handler-harness.js'

let p: ServiceHarness<SsmState>
let s: ServiceHarness<SecretsState>
beforeEach(async () => {
  // Real time: resolveValueFrom purges expired secrets against the wall clock.
  p = await openService(ssm, Date.now())
  s = await openService(secretsmanager, Date.now())
})
afterEach(async () => {
  await p.close()
  await s.close()
})

const scope = { account: ACCOUNT, region: REGION }
const resolve = (valueFrom: string) => resolveValueFrom(p.state, s.state, scope, valueFrom)
const token = (n: number) => `${String(n).padStart(8, '0')}-aaaa-bbbb-cccc-000000000000`
const PREFIX_ASM = 'execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): '

describe('resolveValueFrom: SSM parameters', () => {
  beforeEach(async () => {
    await p.call('PutParameter', { Name: '/app/db/pass', Value: 's3cret', Type: 'SecureString' })
    await p.call('PutParameter', { Name: 'plain', Value: 'a,b', Type: 'StringList' })
    await p.call('PutParameter', { Name: '/west', Value: 'w', Type: 'String' }, { region: 'us-west-2' })
  })

  it('reads a name, an ARN (also another region) and decrypts SecureString', () => {
    expect(resolve('/app/db/pass')).toEqual({ ok: true, value: 's3cret' })
    expect(resolve('plain')).toEqual({ ok: true, value: 'a,b' })
    expect(resolve(`arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/app/db/pass`)).toEqual({ ok: true, value: 's3cret' })
    expect(resolve(`arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/plain`)).toEqual({ ok: true, value: 'a,b' })
    expect(resolve(`arn:aws:ssm:us-west-2:${ACCOUNT}:parameter/west`)).toEqual({ ok: true, value: 'w' })
  })

  it("gives Fargate's reason for a missing parameter", () => {
    expect(resolve('/api//new-relic-license-key')).toEqual({
      ok: false,
      reason: 'execution resource retrieval failed: unable to retrieve secrets from ssm: service call has been retried 1 time(s): invalid ssm parameters: /api//new-relic-license-key',
    })
    expect(resolve('/west')).toMatchObject({ ok: false })
  })
})

describe('resolveValueFrom: Secrets Manager', () => {
  let arn: string
  beforeEach(async () => {
    arn = (await s.call('CreateSecret', { Name: 'appauth', ClientRequestToken: token(1), SecretString: '{"username":"u1","port":5432,"on":true,"obj":{"b":1,"a":"x"}}' })).ARN
    await s.call('PutSecretValue', { SecretId: arn, ClientRequestToken: token(2), SecretString: '{"username":"u2"}' })
    await s.call('CreateSecret', { Name: 'text', ClientRequestToken: token(3), SecretString: 'plain text' })
  })

  it('reads the whole current value by full or partial ARN', () => {
    expect(resolve(arn)).toEqual({ ok: true, value: '{"username":"u2"}' })
    expect(resolve(`arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:appauth`)).toEqual({ ok: true, value: '{"username":"u2"}' })
  })

  it('picks a JSON key, a stage and a version; empty parts take defaults', () => {
    expect(resolve(`${arn}:username::`)).toEqual({ ok: true, value: 'u2' })
    expect(resolve(`${arn}:username:AWSPREVIOUS:`)).toEqual({ ok: true, value: 'u1' })
    expect(resolve(`${arn}::AWSPREVIOUS:`)).toMatchObject({ ok: true, value: expect.stringContaining('"u1"') })
    expect(resolve(`${arn}:username::${token(1)}`)).toEqual({ ok: true, value: 'u1' })
    expect(resolve(`${arn}:::`)).toEqual({ ok: true, value: '{"username":"u2"}' })
    // Non-string values come out as Go's %v prints them.
    expect(resolve(`${arn}:port:AWSPREVIOUS:`)).toEqual({ ok: true, value: '5432' })
    expect(resolve(`${arn}:on:AWSPREVIOUS:`)).toEqual({ ok: true, value: 'true' })
    expect(resolve(`${arn}:obj:AWSPREVIOUS:`)).toEqual({ ok: true, value: 'map[a:x b:1]' })
  })

  it('explains a missing secret, key, stage, version, a deleted secret and a bad ARN', async () => {
    const missing = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:nope-AbCdEf`
    expect(resolve(missing)).toEqual({
      ok: false,
      reason: `${PREFIX_ASM}failed to fetch secret ${missing} from secrets manager: ResourceNotFoundException: Secrets Manager can't find the specified secret.`,
    })
    expect(resolve(`${arn}:password::`)).toEqual({ ok: false, reason: `${PREFIX_ASM}retrieved secret from Secrets Manager did not contain json key password` })
    expect(resolve(`${arn}::AWSPENDING:`)).toEqual({
      ok: false,
      reason: `${PREFIX_ASM}failed to fetch secret ${arn} from secrets manager: ResourceNotFoundException: Secrets Manager can't find the specified secret value for staging label: AWSPENDING`,
    })
    expect(resolve(`${arn}:::${token(7)}`)).toMatchObject({ ok: false })
    const textArn = (await s.call('DescribeSecret', { SecretId: 'text' })).ARN
    expect(resolve(`${textArn}:k::`)).toMatchObject({ ok: false })
    expect(resolve(`arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:appauth:only-two`)).toMatchObject({
      ok: false,
      reason: `${PREFIX_ASM}an invalid ARN format for the AWS Secrets Manager secret was specified. Specify a valid ARN and try again.`,
    })
    await s.call('DeleteSecret', { SecretId: arn })
    expect(resolve(arn)).toEqual({
      ok: false,
      reason: `${PREFIX_ASM}failed to fetch secret ${arn} from secrets manager: InvalidRequestException: You can't perform this operation on the secret because it was marked for deletion.`,
    })
  })
})

describe('resolveRepositoryCredentials', () => {
  const AUTH = 'execution resource retrieval failed: unable to get registry auth from asm: service call has been retried 1 time(s): '

  it('reads username and password (keys matched case-insensitively) by name or ARN', async () => {
    const { ARN } = await s.call('CreateSecret', { Name: 'reg', ClientRequestToken: token(1), SecretString: '{"Username":"me","password":"pw"}' })
    expect(resolveRepositoryCredentials(s.state, scope, ARN)).toEqual({ ok: true, username: 'me', password: 'pw' })
    expect(resolveRepositoryCredentials(s.state, scope, 'reg')).toEqual({ ok: true, username: 'me', password: 'pw' })
  })

  it("gives the agent's reasons", async () => {
    await s.call('CreateSecret', { Name: 'nojson', ClientRequestToken: token(1), SecretString: 'x' })
    await s.call('CreateSecret', { Name: 'nopass', ClientRequestToken: token(2), SecretString: '{"username":"me"}' })
    await s.call('CreateSecret', { Name: 'nouser', ClientRequestToken: token(3), SecretString: '{"password":"p"}' })
    expect(resolveRepositoryCredentials(s.state, scope, 'nojson')).toEqual({ ok: false, reason: `${AUTH}asm fetching authorization data: unable to unmarshal secret value, invalid schema` })
    expect(resolveRepositoryCredentials(s.state, scope, 'nopass')).toEqual({ ok: false, reason: `${AUTH}asm fetching password: AuthorizationData is malformed, empty field` })
    expect(resolveRepositoryCredentials(s.state, scope, 'nouser')).toEqual({ ok: false, reason: `${AUTH}asm fetching username: AuthorizationData is malformed, empty field` })
    expect(resolveRepositoryCredentials(s.state, scope, 'none')).toEqual({
      ok: false,
      reason: `${AUTH}asm fetching secret from the service for none: ResourceNotFoundException: Secrets Manager can't find the specified secret.`,
    })
  })
})
