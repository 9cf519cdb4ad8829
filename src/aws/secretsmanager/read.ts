import { paginate } from '../paging.js'
import { AwsError, type AwsContext } from '../service.js'
import { findSecret, liveSecret, notFound } from './ids.js'
import { matchesFilters } from './list-filters.js'
import { accessDay, describeOut, listEntryOut, valueOut, versionEntryOut } from './shapes.js'
import type { SecretDoc, SecretVersion, SecretsState } from './state.js'
import { pickVersion } from './versions.js'

const invalidToken = () => new AwsError('InvalidNextToken', 'The nextToken is not valid.')

/** DescribeSecret succeeds on a secret scheduled for deletion (with DeletedDate): Terraform relies on it. */
export function describeSecret(input: any, ctx: AwsContext, state: SecretsState) {
  const s = findSecret(state, ctx, String(input.SecretId), ctx.now())
  if (!s) throw notFound()
  return describeOut(s)
}

/** Records the day of access (on the secret and the version), writing only when the day changes. */
async function touch(state: SecretsState, doc: SecretDoc, v: SecretVersion, now: number): Promise<void> {
  const day = accessDay(now)
  if (doc.lastAccessed === day && v.lastAccessed === day) return
  const copy = structuredClone(doc)
  copy.lastAccessed = day
  const cv = copy.versions.find((x) => x.versionId === v.versionId)
  if (cv) cv.lastAccessed = day
  await state.put(copy)
}

export async function getSecretValue(input: any, ctx: AwsContext, state: SecretsState) {
  const doc = liveSecret(state, ctx, String(input.SecretId), ctx.now())
  const v = pickVersion(doc, input.VersionId, input.VersionStage)
  await touch(state, doc, v, ctx.now())
  return valueOut(doc, v)
}

export function listSecrets(input: any, ctx: AwsContext, state: SecretsState) {
  let all = state.list(ctx, ctx.now())
  if (input.IncludePlannedDeletion !== true) all = all.filter((s) => s.deletionDate === undefined)
  all = all.filter((s) => matchesFilters(s, input.Filters))
  all = sortSecrets(all, input.SortBy, input.SortOrder)
  const { page, nextToken } = paginate(all, { maxResults: input.MaxResults, nextToken: input.NextToken, defaultMax: 100, kind: 'secrets', invalidToken })
  return { SecretList: page.map(listEntryOut), ...(nextToken ? { NextToken: nextToken } : {}) }
}

function sortSecrets(list: SecretDoc[], by: string | undefined, order: string | undefined): SecretDoc[] {
  const key: (s: SecretDoc) => string | number =
    by === 'name' ? (s) => s.name : by === 'last-accessed-date' ? (s) => s.lastAccessed ?? 0 : by === 'last-changed-date' ? (s) => s.lastChanged : (s) => s.created
  // Without SortBy/SortOrder we keep creation order (oldest first); AWS's default order is not documented [L].
  const dir = order === 'desc' ? -1 : 1
  return [...list].sort((a, b) => {
    const x = key(a)
    const y = key(b)
    return x < y ? -dir : x > y ? dir : 0
  })
}

export function listSecretVersionIds(input: any, ctx: AwsContext, state: SecretsState) {
  const doc = findSecret(state, ctx, String(input.SecretId), ctx.now())
  if (!doc) throw notFound()
  const versions = doc.versions.filter((v) => input.IncludeDeprecated === true || v.stages.length > 0)
  const { page, nextToken } = paginate(versions, {
    maxResults: input.MaxResults,
    nextToken: input.NextToken,
    defaultMax: 100,
    kind: `versions:${doc.arn}`,
    invalidToken,
  })
  return { Versions: page.map((v) => versionEntryOut(doc, v)), ...(nextToken ? { NextToken: nextToken } : {}), ARN: doc.arn, Name: doc.name }
}

/** BatchGetSecretValue: by SecretIdList (errors per id) or by Filters (live secrets with a current value). */
export async function batchGetSecretValue(input: any, ctx: AwsContext, state: SecretsState) {
  const ids: string[] | undefined = input.SecretIdList?.length ? input.SecretIdList : undefined
  const filters = input.Filters?.length ? input.Filters : undefined
  if ((ids && filters) || (!ids && !filters)) {
    throw new AwsError('InvalidParameterException', 'Either SecretIdList or Filters must be provided, but not both.')
  }
  const values: ReturnType<typeof valueOut>[] = []
  const errors: { SecretId: string; ErrorCode: string; Message: string }[] = []
  if (ids) {
    if (input.MaxResults !== undefined) throw new AwsError('InvalidParameterException', 'MaxResults can only be used with Filters.')
    for (const id of ids) {
      try {
        const doc = liveSecret(state, ctx, id, ctx.now())
        const v = pickVersion(doc, undefined, undefined)
        await touch(state, doc, v, ctx.now())
        values.push(valueOut(doc, v))
      } catch (e) {
        if (!(e instanceof AwsError)) throw e
        errors.push({ SecretId: id, ErrorCode: e.code, Message: e.message })
      }
    }
    return { SecretValues: values, Errors: errors }
  }
  const docs = state.list(ctx, ctx.now()).filter((s) => s.deletionDate === undefined && matchesFilters(s, filters))
  const { page, nextToken } = paginate(docs, { maxResults: input.MaxResults, nextToken: input.NextToken, defaultMax: 20, kind: 'batch', invalidToken })
  for (const doc of page) {
    const v = doc.versions.find((x) => x.stages.includes('AWSCURRENT'))
    if (!v) continue
    await touch(state, doc, v, ctx.now())
    values.push(valueOut(doc, v))
  }
  return { SecretValues: values, Errors: errors, ...(nextToken ? { NextToken: nextToken } : {}) }
}
