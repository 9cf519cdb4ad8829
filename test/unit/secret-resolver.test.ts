import { describe, expect, it } from 'vitest'
import { secretsmanager } from '../../src/aws/secretsmanager/index.js'
import { ssm } from '../../src/aws/ssm/index.js'
import { awsSecretResolver } from '../../src/kube/aws-secret-resolver.js'
import { openService } from '../helpers/aws-handler-harness.js'
import type { NeededSecret } from '../../src/kube/convert/index.js'
import { materializeSecrets, secretFailureReason, type SecretResolver } from '../../src/kube/secret-resolver.js'

const PREFIX = 'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed'
const scope = { account: '000000000000', region: 'eu-west-1' }
const env = (key: string, valueFrom: string): NeededSecret => ({ name: 'kecs-secrets-t1', type: 'Opaque', key, valueFrom, usage: 'environment' })
const reg: NeededSecret = {
  name: 'kecs-regcred-t1-0011aabb',
  type: 'kubernetes.io/dockerconfigjson',
  key: '.dockerconfigjson',
  valueFrom: 'arn:aws:secretsmanager:eu-west-1:000000000000:secret:reg-AbCdEf',
  usage: 'repositoryCredentials',
  registries: ['ghcr.io'],
}

describe('stop reasons for secrets that cannot be read (Fargate wording)', () => {
  it('names the source: ssm, asm, registry auth from asm', () => {
    expect(secretFailureReason(env('a', '/p'), 'invalid ssm parameters: /p')).toBe(`${PREFIX}: unable to retrieve secrets from ssm: invalid ssm parameters: /p`)
    expect(secretFailureReason(env('a', 'arn:aws:ssm:eu-west-1:000000000000:parameter/p'), 'x')).toBe(`${PREFIX}: unable to retrieve secrets from ssm: x`)
    expect(secretFailureReason(env('a', 'arn:aws:secretsmanager:eu-west-1:000000000000:secret:s-AbCdEf'), 'x')).toBe(`${PREFIX}: unable to retrieve secret from asm: x`)
    expect(secretFailureReason(reg, 'x')).toBe(`${PREFIX}: unable to get registry auth from asm: x`)
  })
})

describe('materializeSecrets', () => {
  const resolver: SecretResolver = {
    valueFrom: (_s, ref) => (ref === '/boom' ? Promise.reject(new Error('store closed')) : { ok: true, value: `value of ${ref}` }),
    repositoryCredentials: () => ({ ok: true, username: 'u', password: 'p' }),
  }

  it('one Secret per name with a key per reference, and the pull secret with a login per registry', async () => {
    const r = await materializeSecrets({ needed: [env('v-1', '/a'), env('v-2', '/b'), reg], resolver, scope, namespace: 'ns', owner: 't1' })
    expect(r.ok).toBe(true)
    if (!r.ok) return
    expect(r.secrets.map((s) => [s.metadata!.name, s.metadata!.namespace, s.type, s.stringData])).toEqual([
      ['kecs-secrets-t1', 'ns', 'Opaque', { 'v-1': 'value of /a', 'v-2': 'value of /b' }],
      ['kecs-regcred-t1-0011aabb', 'ns', 'kubernetes.io/dockerconfigjson', { '.dockerconfigjson': JSON.stringify({ auths: { 'ghcr.io': { username: 'u', password: 'p', auth: 'dTpw' } } }) }],
    ])
    expect(r.secrets[0]!.metadata!.labels).toEqual({ 'kecs.dev/managed-by': 'kecs', 'kecs.dev/secret-owner': 't1' })
  })

  it('a resolver that throws is a stop reason, not a crash', async () => {
    const r = await materializeSecrets({ needed: [env('v-1', '/boom')], resolver, scope, namespace: 'ns', owner: 't1' })
    expect(r).toEqual({ ok: false, stoppedReason: `${PREFIX}: unable to retrieve secrets from ssm: store closed` })
  })

  it('without a resolver the Secrets are made empty', async () => {
    const r = await materializeSecrets({ needed: [env('v-1', '/a'), reg], scope, namespace: 'ns', owner: 't1' })
    expect(r.ok && r.secrets.map((s) => s.stringData)).toEqual([{ 'v-1': '' }, { '.dockerconfigjson': '{"auths":{}}' }])
  })
})

describe('awsSecretResolver: the adapter on the neighbour services', () => {
  it('reads the instance’s own SSM parameters and Secrets Manager secrets in the task’s scope', async () => {
    const ssmH = await openService(ssm)
    const smH = await openService(secretsmanager)
    try {
      await ssmH.call('PutParameter', { Name: '/app/key', Value: 'k1', Type: 'SecureString' }, scope)
      const { ARN } = await smH.call('CreateSecret', { Name: 'db', SecretString: '{"password":"p1"}', ClientRequestToken: 'a'.repeat(32) }, scope)
      const r = awsSecretResolver(ssmH.state, smH.state)
      expect(await r.valueFrom(scope, '/app/key')).toEqual({ ok: true, value: 'k1' })
      expect(await r.valueFrom(scope, `${ARN}:password::`)).toEqual({ ok: true, value: 'p1' })
      expect(await r.valueFrom({ ...scope, region: 'us-east-1' }, '/app/key')).toMatchObject({ ok: false })
    } finally {
      await ssmH.close()
      await smH.close()
    }
  })
})
