import { paginate } from '../paging.js'
import { AwsError, type AwsContext } from '../service.js'
import { checkFilters, legacyToStringFilters, matches, underPath, type StringFilter } from './filters.js'
import { resolveRef } from './names.js'
import { latest, type SsmState } from './state.js'
import { historyOut, metadataOut, parameterOut } from './values.js'

const invalidToken = () => new AwsError('InvalidNextToken', 'The specified token is not valid.')

export function getParametersByPath(input: any, ctx: AwsContext, state: SsmState) {
  const path = String(input.Path)
  if (!path.startsWith('/') || path.includes('//')) {
    throw new AwsError('ValidationException', `The parameter doesn't meet the parameter name requirements. The parameter name must begin with a forward slash "/".`)
  }
  const lowered = path.slice(1).toLowerCase()
  if (lowered.startsWith('aws') || lowered.startsWith('ssm')) {
    throw new AwsError('ValidationException', `Parameter path: can't be prefixed with "aws" or "ssm" (case-insensitive).`)
  }
  const filters = checkFilters(input.ParameterFilters, 'path')
  const labels = filters.find((f) => f.Key === 'Label')?.Values
  const rest = filters.filter((f) => f.Key !== 'Label')
  const found: ReturnType<typeof parameterOut>[] = []
  for (const p of state.list(ctx)) {
    if (!underPath(p.name, path, input.Recursive === true)) continue
    // A Label filter returns the labelled version (the newest carrying one of the labels).
    const version = labels ? [...p.versions].reverse().find((v) => v.labels.some((l) => labels.includes(l))) : latest(p)
    if (!version || !matches(p, rest, version)) continue
    found.push(parameterOut(p, version, input.WithDecryption))
  }
  const { page, nextToken } = paginate(found, {
    maxResults: input.MaxResults,
    nextToken: input.NextToken,
    defaultMax: 10,
    kind: `path:${path}`,
    invalidToken,
  })
  return { Parameters: page, ...(nextToken ? { NextToken: nextToken } : {}) }
}

export function describeParameters(input: any, ctx: AwsContext, state: SsmState) {
  if (input.Filters?.length && input.ParameterFilters?.length) {
    throw new AwsError('ValidationException', 'You can use either Filters or ParameterFilters in a single request.')
  }
  const filters: StringFilter[] = input.Filters?.length
    ? legacyToStringFilters(input.Filters)
    : checkFilters(input.ParameterFilters, 'describe')
  const found = state.list(ctx).filter((p) => matches(p, filters)).map((p) => metadataOut(p, latest(p)))
  const { page, nextToken } = paginate(found, {
    maxResults: input.MaxResults,
    nextToken: input.NextToken,
    defaultMax: 50,
    kind: 'describe',
    invalidToken,
  })
  return { Parameters: page, ...(nextToken ? { NextToken: nextToken } : {}) }
}

export function getParameterHistory(input: any, ctx: AwsContext, state: SsmState) {
  const found = resolveRef(state, ctx, String(input.Name))
  if (!found || 'missingVersion' in found) throw new AwsError('ParameterNotFound', '')
  const p = found.param
  const all = p.versions.map((v) => historyOut(p, v, input.WithDecryption))
  const { page, nextToken } = paginate(all, {
    maxResults: input.MaxResults,
    nextToken: input.NextToken,
    defaultMax: 50,
    kind: `history:${p.name}`,
    invalidToken,
  })
  return { Parameters: page, ...(nextToken ? { NextToken: nextToken } : {}) }
}
