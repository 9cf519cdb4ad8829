import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { handlers } from '../../src/ecs/handlers.js'
import { model, operation, operationNames, shape } from '../../src/ecs/model/index.js'
import { startClusterInstance, type ClusterInstance } from '../helpers/cluster-instance.js'
import { minimalInput } from '../helpers/minimal-input.js'

/**
 * Every one of the 88 operations, called with a realistic minimal valid input (its required members,
 * naming resources that exist), on an instance attached to the emulated cluster: each answers JSON,
 * either a result or a precise 4xx error, never a 500 and never something that is not JSON.
 * (test/integration/codec.test.ts covers `{}`.)
 */
const exceptions = new Set(Object.entries(model.shapes).filter(([, s]) => s.exception).map(([n]) => n))

/** Creating calls first, reading calls next, deleting calls last, so reads see what exists. */
const rank = (op: string) => (/^(Create|Register|Put|Run|Start|Tag)/.test(op) ? 0 : /^(Delete|Deregister|Stop|Untag)/.test(op) ? 2 : 1)
const ordered = [...operationNames].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))

describe('every operation with a minimal valid input', () => {
  let k: ClusterInstance
  const answers = new Map<string, { status: number; body: any; contentType: string | null }>()

  beforeAll(async () => {
    k = await startClusterInstance()
    expect((await k.call('CreateCluster', { clusterName: 'default' })).status).toBe(200)
    expect((await k.call('RegisterTaskDefinition', minimalInput('RegisterTaskDefinition'))).status).toBe(200)
    for (const op of ordered) {
      const input = minimalInput(op, {
        tags: [{ key: 'team', value: 'a' }],
        settings: [{ name: 'containerInsights', value: 'enabled' }],
      })
      const r = await k.call(op, input)
      answers.set(op, { status: r.status, body: r.body, contentType: r.headers.get('content-type') })
    }
  })
  afterAll(async () => k?.stopAll())

  it('builds inputs the model accepts (no InvalidParameterException from the validator)', () => {
    for (const [op, a] of answers) {
      expect(String(a.body?.message ?? ''), op).not.toMatch(/^(Invalid parameter at|Missing required parameter)/)
    }
  })

  it.each(ordered)('%s answers JSON: a result, or a 4xx error the model knows', (op) => {
    const a = answers.get(op)!
    expect(a.contentType, op).toContain('application/x-amz-json-1.1')
    expect(typeof a.body, `${op}: ${String(a.body)}`).toBe('object')
    if (a.status === 200) {
      expect(a.body.__type, op).toBeUndefined()
      // Every member of the answer is one the output shape defines.
      const out = operation(op)!.output
      const members = out ? Object.keys(shape(out.shape).members ?? {}) : []
      for (const key of Object.keys(a.body)) expect(members, `${op} answered unknown member ${key}`).toContain(key)
      return
    }
    expect(a.status, `${op}: ${JSON.stringify(a.body)}`).toBeGreaterThanOrEqual(400)
    expect(a.status, `${op}: ${JSON.stringify(a.body)}`).toBeLessThan(500)
    expect(exceptions, `${op}: ${a.body.__type}`).toContain(a.body.__type)
    expect(a.body.message, op).toEqual(expect.any(String))
    expect(a.body.message.length, op).toBeGreaterThan(0)
    if (a.body.__type === 'UnsupportedFeatureException') {
      expect(Object.hasOwn(handlers, op), `${op} has a handler but answered UnsupportedFeatureException`).toBe(false)
      expect(a.body.message).toContain(op)
    }
  })

  it('implemented reads succeed on resources that exist', () => {
    for (const op of ['DescribeClusters', 'ListClusters', 'DescribeTaskDefinition', 'ListTaskDefinitions', 'ListTaskDefinitionFamilies', 'ListTagsForResource', 'ListAccountSettings', 'ListTasks']) {
      expect(answers.get(op)!.status, `${op}: ${JSON.stringify(answers.get(op)!.body)}`).toBe(200)
    }
    expect(answers.get('DescribeClusters')!.body.clusters[0].clusterName).toBe('default')
    expect(answers.get('ListTagsForResource')!.body.tags).toEqual([{ key: 'team', value: 'a' }])
  })

  it('all 88 operations answer for real: a handler each, none UnsupportedFeatureException', () => {
    expect(operationNames).toHaveLength(88)
    const real = operationNames.filter((op) => Object.hasOwn(handlers, op) && answers.get(op)!.body?.__type !== 'UnsupportedFeatureException')
    expect(operationNames.filter((op) => !real.includes(op))).toEqual([])
    expect(real).toHaveLength(88)
    // most answer 200 with a minimal input; the rest refuse it with the error ECS gives (counted, for the record)
    const ok = [...answers].filter(([, a]) => a.status === 200).length
    expect(ok).toBeGreaterThan(44)
  })
})
