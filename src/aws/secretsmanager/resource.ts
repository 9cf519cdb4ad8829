import { AwsError, type AwsContext } from '../service.js'
import { findSecret, liveSecret, notFound } from './ids.js'
import type { SecretsState } from './state.js'
import { mergeTags } from './write.js'

export async function tagResource(input: any, ctx: AwsContext, state: SecretsState) {
  const doc = structuredClone(liveSecret(state, ctx, String(input.SecretId), ctx.now()))
  doc.tags = mergeTags(doc.tags, input.Tags ?? [])
  await state.put(doc)
  return {}
}

export async function untagResource(input: any, ctx: AwsContext, state: SecretsState) {
  const doc = structuredClone(liveSecret(state, ctx, String(input.SecretId), ctx.now()))
  const drop = new Set((input.TagKeys ?? []) as string[])
  doc.tags = doc.tags.filter((t) => !drop.has(t.Key))
  await state.put(doc)
  return {}
}

/** Terraform reads the policy on every refresh, so a secret without one answers with no ResourcePolicy. */
export function getResourcePolicy(input: any, ctx: AwsContext, state: SecretsState) {
  const doc = findSecret(state, ctx, String(input.SecretId), ctx.now())
  if (!doc) throw notFound()
  return { ARN: doc.arn, Name: doc.name, ...(doc.policy !== undefined ? { ResourcePolicy: doc.policy } : {}) }
}

export async function putResourcePolicy(input: any, ctx: AwsContext, state: SecretsState) {
  const doc = structuredClone(liveSecret(state, ctx, String(input.SecretId), ctx.now()))
  const policy = String(input.ResourcePolicy)
  let parsed: unknown
  try {
    parsed = JSON.parse(policy)
  } catch {
    parsed = undefined
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    // Text not confirmed [L].
    throw new AwsError('MalformedPolicyDocumentException', 'This resource policy contains a syntax error.')
  }
  doc.policy = policy
  await state.put(doc)
  return { ARN: doc.arn, Name: doc.name }
}

export async function deleteResourcePolicy(input: any, ctx: AwsContext, state: SecretsState) {
  const doc = structuredClone(liveSecret(state, ctx, String(input.SecretId), ctx.now()))
  if (doc.policy !== undefined) {
    delete doc.policy
    await state.put(doc)
  }
  return { ARN: doc.arn, Name: doc.name }
}
