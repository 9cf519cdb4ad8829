import { AwsError } from '../service.js'
import { latest, type ParameterDoc, type ParameterVersion } from './state.js'

export interface StringFilter {
  Key: string
  Option?: string
  Values?: string[]
}

/** `/a/b` and `a` both sit under `/`; the path match works on names with a leading slash. */
const withSlash = (n: string) => (n.startsWith('/') ? n : '/' + n)

/** Whether `name` is under `path` (directly, or anywhere below when recursive). */
export function underPath(name: string, path: string, recursive: boolean): boolean {
  const base = path === '/' ? '' : path.replace(/\/+$/, '')
  const n = withSlash(name)
  if (!n.startsWith(base + '/')) return false
  const rest = n.slice(base.length + 1)
  return rest.length > 0 && (recursive || !rest.includes('/'))
}

const invalidKey = (key: string, valid: string) =>
  new AwsError('InvalidFilterKey', `The following filter key is not valid: ${key}. Valid filter keys include: [${valid}].`)
const invalidOption = (key: string, option: string, valid: string) =>
  new AwsError('InvalidFilterOption', `The following filter option is not valid: ${option}. Valid options include: [${valid}].`)

// The model's doc: Equals and BeginsWith everywhere, Contains for Name, Recursive/OneLevel for Path,
// Equals only for Label.
const OPTIONS: Record<string, string[]> = {
  Name: ['Equals', 'BeginsWith', 'Contains'],
  Type: ['Equals', 'BeginsWith'],
  KeyId: ['Equals', 'BeginsWith'],
  Path: ['Recursive', 'OneLevel'],
  Tier: ['Equals', 'BeginsWith'],
  DataType: ['Equals', 'BeginsWith'],
  Label: ['Equals'],
  tag: ['Equals', 'BeginsWith'],
}

/** Checks ParameterFilters for DescribeParameters (`describe`) or GetParametersByPath (`path`). */
export function checkFilters(filters: StringFilter[] | undefined, mode: 'describe' | 'path'): StringFilter[] {
  const out = filters ?? []
  const validKeys = mode === 'describe' ? ['Name', 'Type', 'KeyId', 'Path', 'Tier', 'DataType', 'tag:<key>'] : ['Type', 'KeyId', 'Label', 'Tier', 'DataType', 'tag:<key>']
  for (const f of out) {
    const isTag = f.Key.startsWith('tag:')
    if (!isTag && !validKeys.includes(f.Key)) throw invalidKey(f.Key, validKeys.join(', '))
    if (isTag && f.Key.length <= 4) throw invalidKey(f.Key, validKeys.join(', '))
    const options = OPTIONS[isTag ? 'tag' : f.Key]!
    if (f.Option !== undefined && !options.includes(f.Option)) throw invalidOption(f.Key, f.Option, options.join(', '))
    if (!isTag && (!f.Values || f.Values.length === 0)) {
      throw new AwsError('InvalidFilterValue', `The following filter values are missing : null for filter key ${f.Key}.`)
    }
    if (f.Key === 'Path') for (const v of f.Values!) if (!v.startsWith('/')) {
      throw new AwsError('ValidationException', `The parameter doesn't meet the parameter name requirements. The parameter name must begin with a forward slash "/". It can't be prefixed with "aws" or "ssm" (case-insensitive). It must use only letters, numbers, or the following symbols: . (period), - (hyphen), _ (underscore). Special characters are not allowed. All sub-paths, if specified, must use the forward slash symbol "/". Valid example: /get/parameters2-/by1./path0_.`)
    }
  }
  return out
}

function matchString(actual: string | undefined, option: string, values: string[]): boolean {
  if (actual === undefined) return false
  return values.some((v) => (option === 'BeginsWith' ? actual.startsWith(v) : option === 'Contains' ? actual.includes(v) : actual === v))
}

/** Whether the parameter (its latest version, or `version`) passes every filter (values of one filter OR-ed). */
export function matches(p: ParameterDoc, filters: StringFilter[], version: ParameterVersion = latest(p)): boolean {
  return filters.every((f) => {
    const values = f.Values ?? []
    if (f.Key.startsWith('tag:')) {
      const key = f.Key.slice(4)
      return key in p.tags && (values.length === 0 || matchString(p.tags[key], f.Option ?? 'Equals', values))
    }
    switch (f.Key) {
      case 'Name':
        // Exact: Terraform asserts exactly one match for Name/Equals, so `a` must not also match `/a`.
        return matchString(p.name, f.Option ?? 'Equals', values)
      case 'Type':
        return matchString(version.type, f.Option ?? 'Equals', values)
      case 'KeyId':
        return matchString(version.keyId, f.Option ?? 'Equals', values)
      case 'Tier':
        return matchString(version.tier, f.Option ?? 'Equals', values)
      case 'DataType':
        return matchString(version.dataType, f.Option ?? 'Equals', values)
      case 'Path':
        return values.some((v) => underPath(p.name, v, f.Option === 'Recursive'))
      case 'Label':
        return p.versions.some((v) => v.labels.some((l) => values.includes(l)))
      default:
        return false
    }
  })
}

/** The legacy `Filters` (Key Name|Type|KeyId, Values): Name is a prefix match there [M]. */
export function legacyToStringFilters(filters: { Key: string; Values: string[] }[]): StringFilter[] {
  return filters.map((f) => {
    if (!['Name', 'Type', 'KeyId'].includes(f.Key)) throw invalidKey(f.Key, 'Name, Type, KeyId')
    return { Key: f.Key, Option: f.Key === 'Name' ? 'BeginsWith' : 'Equals', Values: f.Values }
  })
}
