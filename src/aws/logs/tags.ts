import { AwsError, type AwsContext, type AwsHandler } from '../service.js'
import { parseGroupArn } from './arns.js'
import { groupNotFound, invalidParameter } from './errors.js'
import { scopeOf } from './groups.js'
import type { GroupDoc, LogsState } from './state.js'

const MAX_TAGS = 50

/** The group a tagging ARN names: `arn:aws:logs:<r>:<a>:log-group:<name>`, with or without `:*`. */
function groupOfArn(arn: string, ctx: AwsContext, state: LogsState): GroupDoc {
  const p = parseGroupArn(arn)
  if (!p) throw invalidParameter(`Invalid resource ARN: ${arn}`) // text unverified; KECS tags log groups only
  if (p.account !== ctx.account || p.region !== ctx.region) throw groupNotFound()
  return state.requireGroup(scopeOf(ctx), p.name)
}

async function addTags(state: LogsState, g: GroupDoc, tags: Record<string, string>, arn: string) {
  const next = { ...g.tags, ...tags }
  if (Object.keys(next).length > MAX_TAGS) {
    throw new AwsError('TooManyTagsException', `A resource can have no more than ${MAX_TAGS} tags; ${arn} would have ${Object.keys(next).length}.`) // text unverified
  }
  await state.putGroup({ ...g, tags: next })
}

async function removeTags(state: LogsState, g: GroupDoc, keys: string[]) {
  const next = { ...g.tags }
  for (const k of keys) delete next[k]
  await state.putGroup({ ...g, tags: next })
}

export const tagHandlers: Record<string, AwsHandler<LogsState>> = {
  async TagResource(input, ctx, state) {
    await addTags(state, groupOfArn(input.resourceArn, ctx, state), input.tags ?? {}, input.resourceArn)
  },
  async UntagResource(input, ctx, state) {
    await removeTags(state, groupOfArn(input.resourceArn, ctx, state), input.tagKeys ?? [])
  },
  ListTagsForResource(input, ctx, state) {
    return { tags: { ...groupOfArn(input.resourceArn, ctx, state).tags } }
  },
  // The deprecated, name-based forms (still used by older SDKs and tools).
  async TagLogGroup(input, ctx, state) {
    await addTags(state, state.requireGroup(scopeOf(ctx), input.logGroupName), input.tags ?? {}, input.logGroupName)
  },
  async UntagLogGroup(input, ctx, state) {
    await removeTags(state, state.requireGroup(scopeOf(ctx), input.logGroupName), input.tags ?? [])
  },
  ListTagsLogGroup(input, ctx, state) {
    return { tags: { ...state.requireGroup(scopeOf(ctx), input.logGroupName).tags } }
  },
}
