import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestInstance, type TestInstance } from '../helpers/instance.js'

/** The neighbour services on a real instance's API port, beside ECS: the wiring in src/instance. */
describe('neighbour services on the instance', () => {
  let t: TestInstance
  const lines: { operation: string; status: number }[] = []
  beforeAll(async () => {
    t = await startTestInstance({ onRequest: (l) => lines.push(l) })
  })
  afterAll(async () => t?.stop())

  it('serves STS on the ECS port while ECS answers as before', async () => {
    const ecs = await t.call('ListClusters', {})
    expect(ecs.status).toBe(200)
    const res = await fetch(t.endpoint + '/', {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        Authorization: 'AWS4-HMAC-SHA256 Credential=AKID/20260102/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=x',
      },
      body: 'Action=GetCallerIdentity&Version=2011-06-15',
    })
    expect(res.status).toBe(200)
    expect(await res.text()).toContain('<Arn>arn:aws:iam::000000000000:root</Arn>')
    const get = await fetch(t.endpoint + '/?Action=GetCallerIdentity&Version=2011-06-15')
    expect(get.status).toBe(200)
    expect(lines.map((l) => l.operation)).toEqual(['ListClusters', 'sts:GetCallerIdentity', 'sts:GetCallerIdentity'])
    const metrics = t.instance.metrics.render()
    expect(metrics).toContain('kecs_requests_total{operation="ListClusters",status="200"} 1')
    expect(metrics).toContain('kecs_requests_total{operation="sts:GetCallerIdentity",status="200"} 2')
  })

  it('answers a call for a service it does not serve with UnknownServiceException', async () => {
    const r = await fetch(t.endpoint + '/', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': 'DynamoDB_20120810.ListTables' },
      body: '{}',
    })
    expect(r.status).toBe(400)
    expect(((await r.json()) as { __type: string }).__type).toBe('UnknownServiceException')
  })
})
