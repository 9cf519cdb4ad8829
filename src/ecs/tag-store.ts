import type { Tag } from '@aws-sdk/client-ecs'
import type { WriteOp } from '../store/store.js'
import type { Repos } from '../store/repos.js'

/**
 * Tags of every taggable resource, keyed by ARN (ARNs already carry account and region). Resource
 * handlers read them for `include: TAGS` and write them on create/delete; TagResource edits them.
 */
export function getTags(repos: Repos, arn: string): Tag[] {
  return repos.tags.get(arn)?.tags.map((t) => ({ ...t })) ?? []
}

/** The write that replaces a resource's tags (or removes the row when none are left). */
export function stageTags(repos: Repos, arn: string, tags: Tag[]): WriteOp {
  const clean = tags.map((t) => ({ key: t.key ?? '', value: t.value ?? '' }))
  return clean.length === 0 ? repos.tags.stageDelete(arn) : repos.tags.stagePut(arn, { arn, tags: clean })
}

export function stageDeleteTags(repos: Repos, arn: string): WriteOp {
  return repos.tags.stageDelete(arn)
}
