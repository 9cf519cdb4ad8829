import { describe, expect, it } from 'vitest'
import { AwsError, type AwsService } from '../../src/aws/service.js'
import { jsonCall, routerApp, scope } from '../helpers/aws-router.js'

/** The JSON 1.1 codec on fake services over the real SSM, Logs and Secrets Manager models. */
let lastInput: any
let lastCtx: any
const ssm: AwsService<any> = {
  name: 'ssm',
  protocol: 'json',
  modelFile: 'ssm-2014-11-06.service.json',
  open: async () => ({}),
  handlers: {
    PutParameter: (input, ctx) => {
      lastInput = input
      lastCtx = ctx
      return { Version: 1, Tier: 'Standard', internalRow: 42 }
    },
    GetParameter: () => ({
      Parameter: { Name: 'p', Value: 'v', Version: 2, LastModifiedDate: new Date(1700000000500), secretColumn: 'leak' },
      Extra: 1,
    }),
    DeleteParameter: () => {
      throw new AwsError('ParameterNotFound', '')
    },
    GetParameters: () => {
      throw new Error('a bug with a stack')
    },
  },
}
const logs: AwsService<any> = { name: 'logs', protocol: 'json', modelFile: 'logs-2014-03-28.service.json', open: async () => ({}), handlers: { GetLogEvents: () => ({}) } }
const secrets: AwsService<any> = {
  name: 'secretsmanager',
  protocol: 'json',
  modelFile: 'secretsmanager-2017-10-17.service.json',
  open: async () => ({}),
  handlers: {
    CreateSecret: (input) => {
      lastInput = input
      return { ARN: 'arn', Name: input.Name }
    },
  },
}

const { app, metrics, lines, errors } = routerApp([ssm, logs, secrets])
const call = async (target: string, body: unknown, headers?: Record<string, string>) => {
  const res = await app.request('/', jsonCall(target, body, headers))
  const text = await res.text()
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined }
}

describe('JSON 1.1 codec', () => {
  it('validates and passes model members only to the handler, with the request context', async () => {
    const r = await call('AmazonSSM.PutParameter', { Name: 'p', Value: 'v', Type: 'String', Tags: [{ Key: 'a', Value: 'b' }], Unknown: 1, Tier: null }, { Authorization: scope('ssm') })
    expect(r.status).toBe(200)
    expect(r.headers.get('content-type')).toBe('application/x-amz-json-1.1')
    expect(r.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/)
    expect(r.body).toEqual({ Version: 1, Tier: 'Standard' })
    expect(lastInput).toEqual({ Name: 'p', Value: 'v', Type: 'String', Tags: [{ Key: 'a', Value: 'b' }] })
    expect(lastCtx).toMatchObject({ region: 'eu-west-1', account: '123456789012', operation: 'PutParameter', principalArn: 'arn:aws:iam::123456789012:root', accessKeyId: 'AKIDEXAMPLE' })
    expect(lastCtx.requestId).toBe(r.headers.get('x-amzn-requestid'))
  })

  it('serializes by the output shape: internal members dropped, timestamps as epoch seconds', async () => {
    const r = await call('AmazonSSM.GetParameter', { Name: 'p' })
    expect(r.body).toEqual({ Parameter: { Name: 'p', Value: 'v', Version: 2, LastModifiedDate: 1700000000.5 } })
  })

  it('answers missing members and constraints as one ValidationException in AWS words', async () => {
    const r = await call('AmazonSSM.PutParameter', { Value: 'v', Type: 'Nope', Tags: [{ Key: '', Value: 'x' }] })
    expect(r.status).toBe(400)
    expect(r.headers.get('x-amzn-errortype')).toBe('ValidationException')
    expect(r.body.__type).toBe('ValidationException')
    expect(r.body.message).toBe(
      "3 validation errors detected: Value null at 'name' failed to satisfy constraint: Member must not be null; " +
        "Value '' at 'tags.1.member.key' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
        "Value 'Nope' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [String, StringList, SecureString]",
    )
  })

  it('checks list lengths and patterns', async () => {
    const names = Array.from({ length: 11 }, (_, i) => `n${i}`)
    const r = await call('AmazonSSM.GetParameters', { Names: names })
    expect(r.body.message).toMatch(/^1 validation error detected: Value '\[n0, n1, .*\]' at 'names' failed to satisfy constraint: Member must have length less than or equal to 10$/)
    const p = await call('AmazonSSM.PutParameter', { Name: 'p', Value: 'v', Tags: [{ Key: 'bad*key', Value: 'x' }] })
    expect(p.body.message).toContain("Value 'bad*key' at 'tags.1.member.key' failed to satisfy constraint: Member must satisfy regular expression pattern: ^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$")
  })

  it('uses InvalidParameterException for CloudWatch Logs validation, as Logs does', async () => {
    const r = await call('Logs_20140328.GetLogEvents', { logStreamName: 's', limit: 10001 })
    expect(r.body).toEqual({
      __type: 'InvalidParameterException',
      message: "1 validation error detected: Value '10001' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 10000",
    })
  })

  it('answers a value of the wrong type and malformed JSON with SerializationException', async () => {
    const t = await call('AmazonSSM.PutParameter', { Name: 'p', Value: 'v', Overwrite: 'yes' })
    expect(t.status).toBe(400)
    expect(t.body).toEqual({ __type: 'SerializationException', message: "Expected a boolean at 'overwrite', got a string." })
    const m = await call('AmazonSSM.PutParameter', '{"Name":')
    expect(m.body.__type).toBe('SerializationException')
    const a = await call('AmazonSSM.PutParameter', '[1]')
    expect(a.body.__type).toBe('SerializationException')
  })

  it('decodes blobs to bytes and hides sensitive values in messages', async () => {
    await call('secretsmanager.CreateSecret', { Name: 's', SecretBinary: Buffer.from('hi').toString('base64') })
    expect(Buffer.isBuffer(lastInput.SecretBinary) && lastInput.SecretBinary.toString()).toBe('hi')
    const r = await call('secretsmanager.CreateSecret', { Name: 's', SecretString: 'x'.repeat(65537) })
    expect(r.body.__type).toBe('ValidationException')
    expect(r.body.message).toBe("1 validation error detected: Value at 'secretString' failed to satisfy constraint: Member must have length less than or equal to 65536")
  })

  it("maps a handler's AwsError through, and hides an unexpected failure behind the model's fault", async () => {
    const nf = await call('AmazonSSM.DeleteParameter', { Name: 'p' })
    expect(nf.status).toBe(400)
    expect(nf.body).toEqual({ __type: 'ParameterNotFound', message: '' })
    expect(nf.headers.get('x-amzn-errortype')).toBe('ParameterNotFound')
    const bug = await call('AmazonSSM.GetParameters', { Names: ['a'] })
    expect(bug.status).toBe(500)
    expect(bug.body.__type).toBe('InternalServerError')
    expect(bug.body.message).not.toContain('stack')
    expect(errors.some((e) => (e as Error).message === 'a bug with a stack')).toBe(true)
  })

  it('answers UnknownOperationException for an operation the service does not have, NotImplemented for one KECS lacks', async () => {
    const u = await call('AmazonSSM.FlyToTheMoon', {})
    expect(u.status).toBe(400)
    expect(u.body).toEqual({ __type: 'UnknownOperationException', message: 'Unknown operation AmazonSSM.FlyToTheMoon' })
    const n = await call('AmazonSSM.DeleteDocument', { Name: 'd' })
    expect(n.status).toBe(400)
    expect(n.body.__type).toBe('NotImplemented')
    expect(n.body.message).toContain('ssm:DeleteDocument')
  })

  it('records the calls with service:Operation labels, only model operations as labels', async () => {
    await call('AmazonSSM.GetParameter', { Name: 'p' })
    await call('AmazonSSM.NoSuchOp', {})
    const text = metrics.render()
    expect(text).toContain('kecs_requests_total{operation="ssm:GetParameter",status="200"}')
    expect(text).toContain('kecs_requests_total{operation="ssm:Unknown",status="400"}')
    expect(text).not.toContain('NoSuchOp')
    expect(lines.some((l) => l.operation === 'ssm:NoSuchOp' && l.error === 'UnknownOperationException')).toBe(true)
  })
})
