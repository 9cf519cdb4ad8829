import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ListClustersCommand } from '@aws-sdk/client-ecs'
import { Hono } from 'hono'
import { jsonNotFound } from '../../src/server/ecs-app.js'
import { operationNames } from '../../src/ecs/model/index.js'
import { startTestInstance, type TestInstance } from '../helpers/instance.js'

describe('ECS JSON 1.1 codec', () => {
  let t: TestInstance
  beforeAll(async () => {
    t = await startTestInstance()
  })
  afterAll(async () => t.stop())

  it('knows all 88 operations of the model', () => {
    expect(operationNames).toHaveLength(88)
  })

  it('answers malformed JSON with SerializationException', async () => {
    const r = await t.call('ListClusters', '{not json')
    expect(r.status).toBe(400)
    expect(r.body.__type).toBe('SerializationException')
    expect(r.headers.get('x-amzn-errortype')).toBe('SerializationException')
    expect(r.headers.get('x-amzn-requestid')).toBeTruthy()
  })

  it('accepts Content-Type application/json as well as application/x-amz-json-1.1', async () => {
    const r = await t.call('ListClusters', {}, { 'Content-Type': 'application/json' })
    expect(r.status).toBe(200)
    expect(r.body).toEqual({ clusterArns: [] })
    expect(r.headers.get('content-type')).toBe('application/x-amz-json-1.1')
    expect(r.headers.get('x-amzn-requestid')).toBeTruthy()
  })

  it('answers an unknown target with UnknownOperationException', async () => {
    const r = await t.call('NoSuchThing', {})
    expect(r.status).toBe(400)
    expect(r.body.__type).toBe('UnknownOperationException')
  })

  it('validates inputs against the model: required members, types, enums', async () => {
    let r = await t.call('RegisterTaskDefinition', {})
    expect(r.body.__type).toBe('InvalidParameterException')
    expect(r.body.message).toContain('family')
    r = await t.call('ListClusters', { maxResults: 'ten' })
    expect(r.body.__type).toBe('InvalidParameterException')
    expect(r.body.message).toContain('maxResults')
    r = await t.call('ListTaskDefinitions', { sort: 'SIDEWAYS' })
    expect(r.body.__type).toBe('InvalidParameterException')
    expect(r.body.message).toContain('sort')
  })

  it('answers every operation of the model with JSON', async () => {
    for (const op of operationNames) {
      const r = await t.call(op, {})
      expect(typeof r.body, op).toBe('object')
      expect(r.status, op).toBeLessThan(500)
      if (r.status !== 200) expect(typeof r.body.__type, op).toBe('string')
    }
  })

  it('answers JSON, not HTML, on other paths', async () => {
    const res = await fetch(t.endpoint + '/nope')
    expect(res.status).toBe(404)
    expect(res.headers.get('content-type')).toContain('json')
    expect(res.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/)
    expect(res.headers.get('x-amzn-errortype')).toBe('UnknownOperationException')
    expect(((await res.json()) as { __type: string }).__type).toBe('UnknownOperationException')
  })

  it('answers a failure on another route with 500 ServerException, logged with the stack, never shown', async () => {
    const app = new Hono()
    app.get('/boom', () => {
      throw new Error('secret internals')
    })
    const logged: { err: unknown; requestId: string }[] = []
    jsonNotFound(app, (err, requestId) => logged.push({ err, requestId }))
    const res = await app.request('/boom')
    expect(res.status).toBe(500)
    const requestId = res.headers.get('x-amzn-requestid')
    expect(res.headers.get('x-amzn-errortype')).toBe('ServerException')
    expect(await res.json()).toEqual({ __type: 'ServerException', message: `An internal error occurred (request id ${requestId}).` })
    expect(logged).toHaveLength(1)
    expect(logged[0]!.requestId).toBe(requestId)
    expect((logged[0]!.err as Error).stack).toContain('secret internals')
  })

  it('works with @aws-sdk/client-ecs', async () => {
    const out = await t.ecs.send(new ListClustersCommand({})).catch((e) => e)
    expect(out).toBeDefined()
  })
})
