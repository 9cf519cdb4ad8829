import type { Tag } from '@aws-sdk/client-ecs'
import { parseArn, type ParsedArn } from './arns.js'
import { findCluster, CLUSTER_INACTIVE } from './clusters/resolve.js'
import type { RequestContext } from './context.js'
import { clusterNotFound, invalidParameter, limitExceeded, resourceNotFound } from './errors.js'
import { getTags, stageTags } from './tag-store.js'
import { lookup, parseTaskDefinitionRef } from './task-definitions/resolve.js'
import type { EcsDeps, Handler, HandlerMap } from './types.js'

/**
 * TagResource / UntagResource / ListTagsForResource, and the tag rules every family that accepts
 * `tags` on create uses (validateTags). Tags live in the tag store, keyed by the resource's ARN.
 */

const MAX_TAGS = 50
const MAX_KEY_LENGTH = 128
const MAX_VALUE_LENGTH = 256
/** Letters, numbers and spaces in UTF-8, and `+ - = . _ : / @` (the model's TagKey pattern). */
const TAG_CHARS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u

const RESERVED_PREFIX_MESSAGE =
  "Tag keys beginning with 'aws:' are reserved for AWS use. Tags with this prefix cannot be added, edited or removed."

/** `aws:` in any case is AWS's: such tags cannot be set by users and do not count toward the limit. */
export const isReservedTagKey = (key: string) => key.toLowerCase().startsWith('aws:')

const countTowardLimit = (tags: Tag[]) => tags.filter((t) => !isReservedTagKey(t.key ?? '')).length

/** A tag key as TagResource and UntagResource accept it: 1-128 characters of the allowed set. */
function checkTagKey(key: string | undefined): asserts key is string {
  if (key === undefined || key.length === 0) throw invalidParameter('Tag keys must be between 1 and 128 characters long.')
  if (key.length > MAX_KEY_LENGTH) {
    throw invalidParameter(`Tag key '${key}' is longer than ${MAX_KEY_LENGTH} characters.`)
  }
  if (!TAG_CHARS.test(key)) {
    throw invalidParameter(
      `Tag key '${key}' contains invalid characters. Allowed characters are letters, numbers, spaces, and + - = . _ : / @.`,
    )
  }
}

/**
 * Checks user-supplied tags as ECS does (key 1-128 and value 0-256 characters of the allowed set,
 * no `aws:` keys, at most 50) and returns them as stored: `{key, value}`, one per key, last wins.
 */
export function validateTags(tags: Tag[] | undefined): { key: string; value: string }[] {
  if (!tags || tags.length === 0) return []
  const byKey = new Map<string, string>()
  for (const t of tags) {
    const key = t.key
    const value = t.value ?? ''
    checkTagKey(key)
    if (value.length > MAX_VALUE_LENGTH) {
      throw invalidParameter(`The value of tag '${key}' is longer than ${MAX_VALUE_LENGTH} characters.`)
    }
    if (!TAG_CHARS.test(value)) {
      throw invalidParameter(
        `The value of tag '${key}' contains invalid characters. Allowed characters are letters, numbers, spaces, and + - = . _ : / @.`,
      )
    }
    if (isReservedTagKey(key)) throw invalidParameter(RESERVED_PREFIX_MESSAGE)
    byKey.delete(key) // re-insert so the last occurrence decides the position too
    byKey.set(key, value)
  }
  const out = [...byKey].map(([key, value]) => ({ key, value }))
  if (countTowardLimit(out) > MAX_TAGS) {
    throw invalidParameter(`A resource can have at most ${MAX_TAGS} tags; ${out.length} were given.`)
  }
  return out
}

/** TagResource semantics: new keys are appended, existing keys get the new value in place. */
export function mergeTags(current: Tag[], added: Tag[]): { key: string; value: string }[] {
  const byKey = new Map<string, string>()
  for (const t of current) byKey.set(t.key ?? '', t.value ?? '')
  for (const t of added) byKey.set(t.key ?? '', t.value ?? '')
  return [...byKey].map(([key, value]) => ({ key, value }))
}

/** Where each taggable resource type lives, and the member of its doc that holds its ARN. */
const TAGGABLE = {
  cluster: { table: 'clusters', arnField: 'clusterArn' },
  'task-definition': { table: 'taskDefinitions', arnField: 'taskDefinitionArn' },
  service: { table: 'services', arnField: 'serviceArn' },
  task: { table: 'tasks', arnField: 'taskArn' },
  'container-instance': { table: 'containerInstances', arnField: 'containerInstanceArn' },
  'capacity-provider': { table: 'capacityProviders', arnField: 'capacityProviderArn' },
  'task-set': { table: 'taskSets', arnField: 'taskSetArn' },
} as const
type TaggableType = keyof typeof TAGGABLE

const isTaggableType = (t: string): t is TaggableType => Object.hasOwn(TAGGABLE, t)

/**
 * Whether the resource an ECS ARN names exists (clusters: ACTIVE ones). Scans the family's table for
 * a doc carrying that ARN, so it works whatever key the family stores its docs under.
 */
function resourceExists(deps: Pick<EcsDeps, 'repos'>, arn: string): boolean {
  const p = parseArn(arn)
  if (!p || p.service !== 'ecs' || !isTaggableType(p.resourceType)) return false
  if (p.resourceType === 'cluster') {
    const doc = findCluster({ account: p.account, region: p.region } as RequestContext, deps, arn)
    return doc?.status === 'ACTIVE'
  }
  if (p.resourceType === 'task-definition') {
    // Direct look-up: a scan would cost a pass over every stored revision.
    const ref = parseTaskDefinitionRef(p, arn)
    return ref?.revision !== undefined && lookup(deps.repos, p, ref) !== undefined
  }
  const { table, arnField } = TAGGABLE[p.resourceType]
  const docs: Iterable<{ [F in typeof arnField]?: string }> = deps.repos[table].values()
  for (const doc of docs) if (doc[arnField] === arn) return true
  return false
}

/**
 * Checks an ARN given to a tagging call, throwing what ECS throws: InvalidParameterException for a
 * malformed or untaggable ARN or a short (old-format) one, ClusterNotFoundException for a missing
 * cluster, ResourceNotFoundException for anything else missing. `read` lets ListTagsForResource see
 * a deleted (INACTIVE) cluster, which has no tags left; returns false then.
 */
function checkTaggable(ctx: RequestContext, deps: EcsDeps, arn: string, mode: 'read' | 'write'): boolean {
  const p = parseArn(arn)
  if (!p || p.service !== 'ecs' || !isTaggableType(p.resourceType)) throw invalidParameter('The ARN provided is invalid.')
  if (isShortFormat(p)) throw invalidParameter('Long arn format must be used for tagging operations')
  const here = p.region === ctx.region && p.account === ctx.account
  if (p.resourceType === 'cluster') {
    const doc = here ? findCluster(ctx, deps, arn) : undefined
    if (!doc) throw clusterNotFound()
    if (doc.status !== 'ACTIVE') {
      if (mode === 'write') throw clusterNotFound(CLUSTER_INACTIVE)
      return false
    }
    return true
  }
  if (!here || !resourceExists(deps, arn)) throw resourceNotFound('The specified resource is not found.')
  return true
}

/** Old-format ARNs (`service/<name>`, `task/<id>`, `container-instance/<id>`) cannot be tagged. */
function isShortFormat(p: ParsedArn): boolean {
  switch (p.resourceType) {
    case 'service':
    case 'task':
    case 'container-instance':
      return !p.resource.includes('/')
    default:
      return false
  }
}

const tagResource: Handler<'TagResource'> = async (input, ctx, deps) => {
  const arn = input.resourceArn!
  checkTaggable(ctx, deps, arn, 'write')
  const added = validateTags(input.tags)
  if (added.length === 0) return {}
  const merged = mergeTags(getTags(deps.repos, arn), added)
  if (countTowardLimit(merged) > MAX_TAGS) {
    throw limitExceeded(`The resource would have more than ${MAX_TAGS} tags. Remove tags before adding new ones.`)
  }
  await deps.repos.store.write([stageTags(deps.repos, arn, merged)])
  return {}
}

const untagResource: Handler<'UntagResource'> = async (input, ctx, deps) => {
  const arn = input.resourceArn!
  checkTaggable(ctx, deps, arn, 'write')
  const keys = new Set(input.tagKeys ?? [])
  for (const key of keys) checkTagKey(key)
  if ([...keys].some(isReservedTagKey)) throw invalidParameter(RESERVED_PREFIX_MESSAGE)
  const current = getTags(deps.repos, arn)
  const kept = current.filter((t) => !keys.has(t.key ?? ''))
  if (kept.length !== current.length) await deps.repos.store.write([stageTags(deps.repos, arn, kept)])
  return {}
}

const listTagsForResource: Handler<'ListTagsForResource'> = async (input, ctx, deps) => {
  const arn = input.resourceArn!
  const live = checkTaggable(ctx, deps, arn, 'read')
  return { tags: live ? getTags(deps.repos, arn) : [] }
}

export const handlers: HandlerMap = {
  TagResource: tagResource,
  UntagResource: untagResource,
  ListTagsForResource: listTagsForResource,
}
