import { AwsError, type AwsContext } from '../service.js'
import { parseRef } from './names.js'
import type { ParameterDoc, SsmState } from './state.js'

const MAX_TAGS = 50

/** Merges `tags` into `current` (a key given again replaces its value) and checks AWS's limits. */
export function checkTags(current: Record<string, string>, tags: { Key: string; Value: string }[]): Record<string, string> {
  const out = { ...current }
  for (const t of tags) {
    if (String(t.Key).toLowerCase().startsWith('aws:')) {
      throw new AwsError('InvalidParameterValue', 'Tag keys with the prefix "aws:" are reserved for AWS use.')
    }
    out[t.Key] = t.Value ?? ''
  }
  if (Object.keys(out).length > MAX_TAGS) {
    throw new AwsError('TooManyTagsError', `The number of tags for the resource exceeds the maximum of ${MAX_TAGS}.`)
  }
  return out
}

/** ResourceType must be Parameter (the only type KECS keeps); ResourceId is the name (or ARN). */
function target(input: any, ctx: AwsContext, state: SsmState): ParameterDoc {
  if (input.ResourceType !== 'Parameter') {
    throw new AwsError('InvalidResourceType', 'The resource type is not valid. Valid resource types for this API are: Parameter.')
  }
  const ref = parseRef(String(input.ResourceId))
  const where = { account: ref.account ?? ctx.account, region: ref.region ?? ctx.region }
  for (const n of ref.names) {
    const p = state.get(where, n)
    if (p) return p
  }
  throw new AwsError('InvalidResourceId', 'The resource ID is not valid. Verify the ID and try again.')
}

export async function addTagsToResource(input: any, ctx: AwsContext, state: SsmState) {
  const p = structuredClone(target(input, ctx, state))
  p.tags = checkTags(p.tags, input.Tags ?? [])
  await state.put(p)
  return {}
}

export async function removeTagsFromResource(input: any, ctx: AwsContext, state: SsmState) {
  const p = structuredClone(target(input, ctx, state))
  for (const k of (input.TagKeys ?? []) as string[]) delete p.tags[k]
  await state.put(p)
  return {}
}

export function listTagsForResource(input: any, ctx: AwsContext, state: SsmState) {
  const p = target(input, ctx, state)
  return { TagList: Object.entries(p.tags).map(([Key, Value]) => ({ Key, Value })) }
}
