import { AwsError, type AwsContext } from '../service.js'
import { parseArn } from './ids.js'
import type { CloudMapState, NamespaceDoc, ServiceDoc, Tag } from './state.js'

const MAX_TAGS = 200

/** Tags merged (a key given again replaces its value), within Cloud Map's limits. */
export function mergeTags(current: Tag[], tags: Tag[] | undefined, resource: string): Tag[] {
  const out = new Map(current.map((t) => [t.Key, t.Value]))
  for (const t of tags ?? []) {
    if (t.Key.toLowerCase().startsWith('aws:')) throw new AwsError('InvalidInput', 'Tag keys with the prefix "aws:" are reserved for AWS use.')
    out.set(t.Key, t.Value ?? '')
  }
  if (out.size > MAX_TAGS) {
    throw new AwsError('TooManyTagsException', `The resource ${resource} cannot have more than ${MAX_TAGS} tags.`)
  }
  return [...out].map(([Key, Value]) => ({ Key, Value }))
}

type Tagged = { kind: 'namespace'; doc: NamespaceDoc } | { kind: 'service'; doc: ServiceDoc }

function target(state: CloudMapState, arn: string): Tagged {
  const p = parseArn(arn)
  const doc = p && (p.kind === 'namespace' ? state.namespace(p.scope, p.id) : state.service(p.scope, p.id))
  if (!p || !doc || doc.arn !== arn) throw new AwsError('ResourceNotFoundException', `The resource ${arn} was not found.`)
  return p.kind === 'namespace' ? { kind: 'namespace', doc: doc as NamespaceDoc } : { kind: 'service', doc: doc as ServiceDoc }
}

async function save(state: CloudMapState, t: Tagged, tags: Tag[]) {
  if (t.kind === 'namespace') await state.write([state.putNamespace({ ...structuredClone(t.doc), tags })])
  else await state.write([state.putService({ ...structuredClone(t.doc), tags })])
}

export async function tagResource(input: any, _ctx: AwsContext, state: CloudMapState) {
  const t = target(state, String(input.ResourceARN))
  await save(state, t, mergeTags(t.doc.tags, input.Tags, t.doc.arn))
  return {}
}

export async function untagResource(input: any, _ctx: AwsContext, state: CloudMapState) {
  const t = target(state, String(input.ResourceARN))
  const drop = new Set((input.TagKeys ?? []) as string[])
  await save(state, t, t.doc.tags.filter((x) => !drop.has(x.Key)))
  return {}
}

export function listTagsForResource(input: any, _ctx: AwsContext, state: CloudMapState) {
  return { Tags: target(state, String(input.ResourceARN)).doc.tags }
}
