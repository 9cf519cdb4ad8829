import { AwsError } from '../service.js'
import type { SecretDoc } from './state.js'

export interface ListFilter {
  Key: string
  Values?: string[]
}

/**
 * ListSecrets filters as AWS documents them [BC doc; M]: prefix matches, case-sensitive except
 * `description` and `all`; a value starting with `!` negates; values of one filter OR-ed, filters AND-ed.
 */
export function matchesFilters(s: SecretDoc, filters: ListFilter[] | undefined): boolean {
  return (filters ?? []).every((f) => {
    const values = f.Values ?? []
    if (values.length === 0) throw new AwsError('InvalidParameterException', `Invalid filter values for key: ${f.Key}`)
    return values.some((raw) => {
      const negate = raw.startsWith('!')
      const value = negate ? raw.slice(1) : raw
      const hit = attributeMatch(s, f.Key, value)
      return negate ? !hit : hit
    })
  })
}

function attributeMatch(s: SecretDoc, key: string, value: string): boolean {
  const prefix = (a: string | undefined, v: string, fold = false) => a !== undefined && (fold ? a.toLowerCase().startsWith(v.toLowerCase()) : a.startsWith(v))
  switch (key) {
    case 'name':
      return prefix(s.name, value)
    case 'description':
      return prefix(s.description, value, true)
    case 'tag-key':
      return s.tags.some((t) => prefix(t.Key, value))
    case 'tag-value':
      return s.tags.some((t) => prefix(t.Value, value))
    case 'primary-region':
      return prefix(s.region, value)
    case 'owning-service':
      return false
    case 'all': {
      const attrs = [s.name, s.description, ...s.tags.flatMap((t) => [t.Key, t.Value])]
      return value
        .split(/\s+/)
        .filter(Boolean)
        .every((word) => attrs.some((a) => prefix(a, word, true)))
    }
    default:
      throw new AwsError('InvalidParameterException', `Invalid filter key: ${key}`)
  }
}
