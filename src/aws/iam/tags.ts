import { invalidInput } from './errors.js'
import { paginate } from './paginate.js'
import { checkQuota } from './policy-document.js'
import type { Tag } from './state.js'

/**
 * IAM tags: keys are case-insensitive (IAM says so in its duplicate-key error), at most 50 per
 * resource. Tagging an existing key replaces its value (and takes the new spelling).
 */
export function checkNewTags(tags: Tag[] | undefined): Tag[] {
  const list = tags ?? []
  const seen = new Set<string>()
  for (const t of list) {
    const k = t.Key.toLowerCase()
    if (seen.has(k)) throw invalidInput('Duplicate tag keys found. Please note that Tag keys are case insensitive.')
    seen.add(k)
  }
  checkQuota('TagsPerResource', list.length)
  return list.map((t) => ({ Key: t.Key, Value: t.Value ?? '' }))
}

export function mergeTags(existing: Tag[], add: Tag[] | undefined): Tag[] {
  const incoming = checkNewTags(add)
  const out = existing.filter((t) => !incoming.some((n) => n.Key.toLowerCase() === t.Key.toLowerCase()))
  out.push(...incoming)
  checkQuota('TagsPerResource', out.length)
  return out
}

export function removeTags(existing: Tag[], keys: string[] | undefined): Tag[] {
  const drop = new Set((keys ?? []).map((k) => k.toLowerCase()))
  return existing.filter((t) => !drop.has(t.Key.toLowerCase()))
}

/** The List*Tags answer: Tags, IsTruncated and a Marker when there is more. */
export function listTags(tags: Tag[], input: { Marker?: string; MaxItems?: number }) {
  const page = paginate(tags, (t) => t.Key.toLowerCase(), input)
  return { Tags: page.items, IsTruncated: page.IsTruncated, ...(page.Marker ? { Marker: page.Marker } : {}) }
}

/** Model output omits Tags when there are none (AWS does too). */
export const tagsOut = (tags: Tag[]) => (tags.length ? { Tags: tags.map((t) => ({ ...t })) } : {})
