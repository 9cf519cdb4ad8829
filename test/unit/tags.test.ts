import { describe, expect, it } from 'vitest'
import { ecsErrorOf } from '../helpers/ecs-error.js'
import { isReservedTagKey, mergeTags, validateTags } from '../../src/ecs/tags.js'

const error = ecsErrorOf

describe('validateTags', () => {
  it('returns nothing for no tags', () => {
    expect(validateTags(undefined)).toEqual([])
    expect(validateTags([])).toEqual([])
  })

  it('normalises a missing value to the empty string and keeps order', () => {
    expect(validateTags([{ key: 'b', value: '1' }, { key: 'a' }])).toEqual([
      { key: 'b', value: '1' },
      { key: 'a', value: '' },
    ])
  })

  it('keeps one entry per key, the last one winning', () => {
    expect(validateTags([{ key: 'a', value: '1' }, { key: 'b', value: '2' }, { key: 'a', value: '3' }])).toEqual([
      { key: 'b', value: '2' },
      { key: 'a', value: '3' },
    ])
  })

  it('accepts letters, digits, spaces and + - = . _ : / @ in any script', () => {
    const tags = [{ key: 'Team Name_1+2-3=4.5:6/7@8', value: 'Ünïcödé 値 @x' }]
    expect(validateTags(tags)).toEqual(tags)
  })

  it('rejects other characters in keys and values', () => {
    let e = error(() => validateTags([{ key: 'a*b', value: 'x' }]))
    expect(e.type).toBe('InvalidParameterException')
    expect(e.message).toContain("Tag key 'a*b' contains invalid characters")
    e = error(() => validateTags([{ key: 'k', value: 'a#b' }]))
    expect(e.type).toBe('InvalidParameterException')
    expect(e.message).toContain("value of tag 'k' contains invalid characters")
  })

  it('enforces key 1-128 and value 0-256 characters', () => {
    expect(validateTags([{ key: 'k'.repeat(128), value: 'v'.repeat(256) }])).toHaveLength(1)
    expect(error(() => validateTags([{ key: '', value: 'x' }])).type).toBe('InvalidParameterException')
    expect(error(() => validateTags([{ value: 'x' }])).type).toBe('InvalidParameterException')
    expect(error(() => validateTags([{ key: 'k'.repeat(129), value: 'x' }])).type).toBe('InvalidParameterException')
    expect(error(() => validateTags([{ key: 'k', value: 'v'.repeat(257) }])).type).toBe('InvalidParameterException')
  })

  it('reserves the aws: prefix in any case', () => {
    for (const key of ['aws:foo', 'AWS:foo', 'Aws:cloudformation:stack-name']) {
      const e = error(() => validateTags([{ key, value: 'x' }]))
      expect(e.type).toBe('InvalidParameterException')
      expect(e.message).toContain("'aws:'")
    }
    expect(validateTags([{ key: 'awsfoo', value: 'x' }])).toHaveLength(1)
    expect(isReservedTagKey('aWs:x')).toBe(true)
  })

  it('allows 50 tags, not 51', () => {
    const tags = (n: number) => Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value: 'v' }))
    expect(validateTags(tags(50))).toHaveLength(50)
    expect(error(() => validateTags(tags(51))).type).toBe('InvalidParameterException')
  })
})

describe('mergeTags', () => {
  it('overwrites existing keys in place and appends new ones', () => {
    expect(
      mergeTags(
        [
          { key: 'a', value: '1' },
          { key: 'b', value: '2' },
        ],
        [
          { key: 'c', value: '3' },
          { key: 'a', value: 'new' },
        ],
      ),
    ).toEqual([
      { key: 'a', value: 'new' },
      { key: 'b', value: '2' },
      { key: 'c', value: '3' },
    ])
  })

  it('is case-sensitive', () => {
    expect(mergeTags([{ key: 'Env', value: '1' }], [{ key: 'env', value: '2' }])).toHaveLength(2)
  })
})
