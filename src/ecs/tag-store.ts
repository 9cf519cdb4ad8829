import type { Tag } from '@aws-sdk/client-ecs'
import type { WriteOp } from '../store/store.js'
import type { Repos } from './repos.js'

/** The tags of one resource, as stored in `repos.tags` under its ARN. */
export interface TagDoc {
  arn: string
  tags: { key: string; value: string }[]
}

/**
 * Tags of every taggable resource, keyed by ARN (ARNs already carry account and region). Resource
 * handlers read them for `include: TAGS` and write them on create/delete; TagResource edits them.
 */
export function getTags(repos: Pick<Repos, 'tags'>, arn: string): Tag[] {
  return repos.tags.get(arn)?.tags.map((t) => ({ ...t })) ?? []
}

/** The write that replaces a resource's tags (or removes the row when none are left). */
export function stageTags(repos: Pick<Repos, 'tags'>, arn: string, tags: Tag[]): WriteOp {
  const clean = tags.map((t) => ({ key: t.key ?? '', value: t.value ?? '' }))
  return clean.length === 0 ? repos.tags.stageDelete(arn) : repos.tags.stagePut(arn, { arn, tags: clean })
}

export function stageDeleteTags(repos: Pick<Repos, 'tags'>, arn: string): WriteOp {
  return repos.tags.stageDelete(arn)
}
