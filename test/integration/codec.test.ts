import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ListClustersCommand } from '@aws-sdk/client-ecs'
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
  })

  it('works with @aws-sdk/client-ecs', async () => {
    const out = await t.ecs.send(new ListClustersCommand({})).catch((e) => e)
    expect(out).toBeDefined()
  })
})
