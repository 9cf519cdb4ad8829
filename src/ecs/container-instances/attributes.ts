import type { Attribute } from '@aws-sdk/client-ecs'
import { isArn } from '../arns.js'
import type { ClusterDoc } from '../clusters/cluster-doc.js'
import { resolveCluster } from '../clusters/resolve.js'
import type { RequestContext } from '../context.js'
import { EcsError, invalidParameter } from '../errors.js'
import { listPage } from '../pagination.js'
import { containerInstanceKey, findInstance, publishInstanceChange, type ContainerInstanceDoc } from '../tasks/node-instances.js'
import type { EcsDeps, Handler, Wire } from '../types.js'
import { isBuiltInAttribute } from './capabilities.js'

/**
 * PutAttributes, DeleteAttributes and ListAttributes. Attributes live on their container instance
 * (the only target type ECS has), next to the ones ECS sets itself, so placement and the cluster
 * query language see them at once.
 */

const MAX_PER_CALL = 10
const MAX_CUSTOM = 10
const TARGET_TYPE = 'container-instance'
const NAME = /^[A-Za-z0-9\-_/.]{1,128}$/
const VALUE = /^[A-Za-z0-9\-_.@/\\: ]{1,128}$/

type Target = { doc: ContainerInstanceDoc; key: string }

/** The instance an attribute names: a full ARN, or an id with targetType container-instance. */
function target(ctx: RequestContext, deps: EcsDeps, cluster: ClusterDoc, a: Wire<Attribute>): Target {
  if (a.targetType !== undefined && a.targetType !== TARGET_TYPE) throw invalidParameter(`targetType must be ${TARGET_TYPE}.`)
  if (!a.targetId) throw invalidParameter('targetId can not be empty.')
  if (!isArn(a.targetId) && a.targetType === undefined) throw invalidParameter('targetType is required when targetId is not an ARN.')
  const doc = findInstance(ctx, deps.repos, cluster.clusterName, a.targetId)
  // The exact text of ECS's TargetNotFoundException is not documented.
  if (!doc || doc.status === 'INACTIVE') {
    throw new EcsError('TargetNotFoundException', `Could not find ${a.targetId} in cluster ${cluster.clusterName}.`)
  }
  const id = doc.containerInstanceArn.split('/').pop()!
  return { doc, key: containerInstanceKey(ctx, doc.kecs?.clusterName ?? cluster.clusterName, id) }
}

function checkName(a: Wire<Attribute>): string {
  if (!a.name || !NAME.test(a.name)) {
    throw invalidParameter('Attribute name must be 1-128 characters: letters, numbers, hyphens, underscores, forward slashes and periods.')
  }
  return a.name
}

function checkValue(a: Wire<Attribute>): void {
  if (a.value === undefined) return
  if (!VALUE.test(a.value) || a.value.trim() !== a.value) {
    throw invalidParameter(
      'Attribute value must be 1-128 characters: letters, numbers, hyphens, underscores, periods, at signs, slashes, colons and spaces, with no leading or trailing space.',
    )
  }
}

function checkCount(attrs: Wire<Attribute>[] | undefined): Wire<Attribute>[] {
  const list = attrs ?? []
  if (list.length === 0) throw invalidParameter('attributes can not be empty.')
  if (list.length > MAX_PER_CALL) throw new EcsError('AttributeLimitExceededException', `You can specify at most ${MAX_PER_CALL} attributes per request.`)
  return list
}

/** Applies a change to each target once, then stores and publishes every changed instance. */
async function edit(
  ctx: RequestContext,
  deps: EcsDeps,
  cluster: ClusterDoc,
  attrs: Wire<Attribute>[],
  change: (doc: ContainerInstanceDoc, a: Wire<Attribute>) => Wire<Attribute>,
): Promise<Wire<Attribute>[]> {
  const changed = new Map<string, ContainerInstanceDoc>()
  const out: Wire<Attribute>[] = []
  for (const a of attrs) {
    const t = target(ctx, deps, cluster, a)
    const doc = changed.get(t.key) ?? structuredClone(t.doc)
    changed.set(t.key, doc)
    out.push(change(doc, a))
  }
  const docs = [...changed]
  for (const [, doc] of docs) doc.version = (doc.version ?? 0) + 1
  await deps.repos.store.write(docs.map(([key, doc]) => deps.repos.containerInstances.stagePut(key, doc)))
  for (const [, doc] of docs) publishInstanceChange(deps, ctx, doc)
  return out
}

const putAttributes: Handler<'PutAttributes'> = async (input, ctx, deps) => {
  const cluster = resolveCluster(ctx, deps, input.cluster)
  const attrs = checkCount(input.attributes)
  for (const a of attrs) {
    checkName(a)
    checkValue(a)
  }
  const attributes = await edit(ctx, deps, cluster, attrs, (doc, a) => {
    const list = doc.attributes ?? []
    const i = list.findIndex((x) => x.name === a.name)
    const next = a.value === undefined ? { name: a.name! } : { name: a.name!, value: a.value }
    if (i >= 0) list[i] = next
    else {
      if (list.filter((x) => !isBuiltInAttribute(x.name ?? '')).length >= MAX_CUSTOM && !isBuiltInAttribute(a.name!)) {
        throw new EcsError('AttributeLimitExceededException', `A container instance can have at most ${MAX_CUSTOM} custom attributes.`)
      }
      list.push(next)
    }
    doc.attributes = list
    return { name: a.name!, value: a.value, targetId: doc.containerInstanceArn }
  })
  return { attributes }
}

const deleteAttributes: Handler<'DeleteAttributes'> = async (input, ctx, deps) => {
  const cluster = resolveCluster(ctx, deps, input.cluster)
  const attrs = checkCount(input.attributes)
  for (const a of attrs) checkName(a)
  const attributes = await edit(ctx, deps, cluster, attrs, (doc, a) => {
    const list = doc.attributes ?? []
    const i = list.findIndex((x) => x.name === a.name)
    // echoed with the value it had, as ECS does
    const former = i >= 0 ? list[i]!.value : undefined
    if (i >= 0) list.splice(i, 1)
    doc.attributes = list
    return { name: a.name!, value: former, targetId: doc.containerInstanceArn, targetType: TARGET_TYPE }
  })
  return { attributes }
}

const listAttributes: Handler<'ListAttributes'> = async (input, ctx, deps) => {
  const cluster = resolveCluster(ctx, deps, input.cluster)
  if (input.targetType !== TARGET_TYPE) throw invalidParameter(`targetType must be ${TARGET_TYPE}.`)
  if (input.attributeValue !== undefined && input.attributeName === undefined) {
    throw invalidParameter('attributeName must be specified when attributeValue is.')
  }
  const out: Wire<Attribute>[] = []
  const docs = [...deps.repos.containerInstances.values()]
    .filter((d): d is ContainerInstanceDoc => d?.clusterArn === cluster.clusterArn && d.status !== 'INACTIVE')
    .sort((a, b) => (a.containerInstanceArn < b.containerInstanceArn ? -1 : 1))
  for (const doc of docs) {
    for (const a of doc.attributes ?? []) {
      if (input.attributeName !== undefined && a.name !== input.attributeName) continue
      if (input.attributeValue !== undefined && a.value !== input.attributeValue) continue
      out.push({ name: a.name, ...(a.value !== undefined ? { value: a.value } : {}), targetId: doc.containerInstanceArn })
    }
  }
  return listPage('ListAttributes', out, input, [cluster.clusterArn, input.attributeName ?? '', input.attributeValue ?? ''])
}

export const handlers = {
  PutAttributes: putAttributes,
  DeleteAttributes: deleteAttributes,
  ListAttributes: listAttributes,
}
