import { describe, expect, it } from 'vitest'
import { ecsErrorOf } from '../helpers/ecs-error.js'
import type { RequestContext } from '../../src/ecs/context.js'
import { parseClusterRef } from '../../src/ecs/clusters/resolve.js'
import {
  mergeSettings,
  namespaceArn,
  validateClusterName,
  validateClusterSettings,
  validateStrategy,
} from '../../src/ecs/clusters/validate.js'

const ctx = { region: 'us-east-1', account: '000000000000' } as RequestContext

const error = ecsErrorOf

describe('cluster names', () => {
  it('allows up to 255 of [A-Za-z0-9_-]', () => {
    validateClusterName('My_cluster-1')
    validateClusterName('x'.repeat(255))
  })
  it('rejects anything else with InvalidParameterException', () => {
    for (const bad of ['', 'a b', 'a.b', 'a/b', 'x'.repeat(256)]) {
      expect(error(() => validateClusterName(bad)).type, bad).toBe('InvalidParameterException')
    }
  })
})

describe('cluster references', () => {
  it('reads names, same-scope ARNs and the default', () => {
    expect(parseClusterRef(ctx)).toEqual({ name: 'default', arn: 'arn:aws:ecs:us-east-1:000000000000:cluster/default' })
    expect(parseClusterRef(ctx, 'x').name).toBe('x')
    expect(parseClusterRef(ctx, 'arn:aws:ecs:us-east-1:000000000000:cluster/x').name).toBe('x')
  })
  it('names nothing for ARNs of another scope or type', () => {
    expect(parseClusterRef(ctx, 'arn:aws:ecs:eu-west-1:000000000000:cluster/x').name).toBeUndefined()
    expect(parseClusterRef(ctx, 'arn:aws:ecs:us-east-1:111111111111:cluster/x').name).toBeUndefined()
    expect(parseClusterRef(ctx, 'arn:aws:ecs:us-east-1:000000000000:service/x/y').name).toBeUndefined()
    expect(parseClusterRef(ctx, 'arn:nope').name).toBeUndefined()
  })
})

describe('cluster settings', () => {
  it('accepts enhanced, enabled and disabled', () => {
    validateClusterSettings([{ name: 'containerInsights', value: 'enhanced' }])
    validateClusterSettings([{ name: 'containerInsights', value: 'disabled' }])
  })
  it('rejects other values', () => {
    expect(error(() => validateClusterSettings([{ name: 'containerInsights', value: 'on' }])).type).toBe(
      'InvalidParameterException',
    )
    expect(error(() => validateClusterSettings([{ name: 'containerInsights' }])).type).toBe('InvalidParameterException')
  })
  it('merges by name, later values winning', () => {
    expect(
      mergeSettings([{ name: 'containerInsights', value: 'disabled' }], [{ name: 'containerInsights', value: 'enabled' }]),
    ).toEqual([{ name: 'containerInsights', value: 'enabled' }])
  })
})

describe('default capacity provider strategy', () => {
  const providers = ['FARGATE', 'FARGATE_SPOT']
  it('echoes items with base and weight filled in', () => {
    expect(validateStrategy([{ capacityProvider: 'FARGATE' }], providers)).toEqual([
      { capacityProvider: 'FARGATE', weight: 0, base: 0 },
    ])
  })
  it('must use the cluster providers, each once', () => {
    let e = error(() => validateStrategy([{ capacityProvider: 'FARGATE_SPOT', weight: 1 }], ['FARGATE']))
    expect(e.type).toBe('InvalidParameterException')
    expect(e.message).toContain('not associated with the cluster')
    e = error(() =>
      validateStrategy(
        [
          { capacityProvider: 'FARGATE', weight: 1 },
          { capacityProvider: 'FARGATE', weight: 2 },
        ],
        providers,
      ),
    )
    expect(e.type).toBe('InvalidParameterException')
  })
  it('allows one base and needs a weight when there are several providers', () => {
    expect(
      error(() =>
        validateStrategy(
          [
            { capacityProvider: 'FARGATE', base: 1, weight: 1 },
            { capacityProvider: 'FARGATE_SPOT', base: 1, weight: 1 },
          ],
          providers,
        ),
      ).type,
    ).toBe('InvalidParameterException')
    expect(
      error(() =>
        validateStrategy(
          [
            { capacityProvider: 'FARGATE', weight: 0 },
            { capacityProvider: 'FARGATE_SPOT', weight: 0 },
          ],
          providers,
        ),
      ).type,
    ).toBe('InvalidParameterException')
  })
})

describe('service connect namespace', () => {
  it('keeps ARNs and maps names to a stable Cloud Map style ARN', () => {
    const arn = 'arn:aws:servicediscovery:us-east-1:000000000000:namespace/ns-abc'
    expect(namespaceArn(ctx, arn)).toBe(arn)
    const a = namespaceArn(ctx, 'local')
    expect(a).toMatch(/^arn:aws:servicediscovery:us-east-1:000000000000:namespace\/ns-[a-z2-7]{16}$/)
    expect(namespaceArn(ctx, 'local')).toBe(a)
    expect(namespaceArn(ctx, 'other')).not.toBe(a)
  })
})
