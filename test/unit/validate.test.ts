import { describe, expect, it } from 'vitest'
import { validateInput } from '../../src/ecs/model/validate.js'
import { EcsError } from '../../src/ecs/errors.js'

const err = (shape: string, input: unknown) => {
  try {
    validateInput(shape, input)
  } catch (e) {
    return e as EcsError
  }
  throw new Error('expected a validation error')
}

describe('model-driven input validation', () => {
  it('names a missing required member, also nested', () => {
    expect(err('RegisterTaskDefinitionRequest', { containerDefinitions: [] }).message).toContain("'family'")
    const e = err('RegisterTaskDefinitionRequest', {
      family: 'f',
      containerDefinitions: [{ name: 'a', portMappings: [{}] }],
      volumes: [{ name: 'v', efsVolumeConfiguration: {} }],
    })
    expect(e.type).toBe('InvalidParameterException')
    expect(e.message).toContain('volumes[0].efsVolumeConfiguration.fileSystemId')
  })

  it('checks types, enums and ranges, naming the member', () => {
    expect(err('ListClustersRequest', { maxResults: 1.5 }).message).toContain("'maxResults'")
    expect(err('CreateClusterRequest', { clusterName: 5 }).message).toContain("'clusterName'")
    expect(err('ListTaskDefinitionsRequest', { status: 'GONE' }).message).toMatch(/'status'.*GONE/)
    expect(err('TagResourceRequest', { resourceArn: 'x', tags: Array.from({ length: 51 }, (_, i) => ({ key: `k${i}` })) }).message).toContain("'tags'")
    expect(err('CreateClusterRequest', { tags: [{ key: '' }] }).message).toContain("'tags[0].key'")
  })

  it('drops nulls and unknown members, keeps the rest', () => {
    expect(validateInput('ListClustersRequest', { maxResults: 5, nextToken: null, extra: 1 })).toEqual({ maxResults: 5 })
  })

  it('accepts timestamps as epoch seconds or ISO strings', () => {
    const ok = validateInput('SubmitTaskStateChangeRequest', { pullStartedAt: '2024-01-01T00:00:00Z' })
    expect(ok.pullStartedAt).toBe(1704067200)
  })
})
