import type { DescribeTaskDefinitionResponse, Failure } from '@aws-sdk/client-ecs'
import { taskDefinitionArn } from '../arns.js'
import { epochSeconds } from '../clock.js'
import type { RequestContext } from '../context.js'
import { clientException, invalidParameter } from '../errors.js'
import { listPage } from '../pagination.js'
import { getTags, stageTags } from '../tag-store.js'
import { validateTags } from '../tags.js'
import type { EcsDeps, Handler, HandlerMap, Wire } from '../types.js'
import type { WriteOp } from '../../store/store.js'
import { scopedKey } from '../../store/scoped-key.js'
import {
  memo,
  recordChange,
  recordRevision,
  revisionsOf,
  scopeIndex,
  sortedFamilies,
  taskDefinitionKey,
} from './family-index.js'
import { buildTaskDefinition, computeCompatibilities, type RegisterInput } from './normalize.js'
import type { TaskDefinitionDoc } from './task-definition-doc.js'
import { lookup, parseSingleRef, parseTaskDefinitionRef, resolveTaskDefinition } from './resolve.js'
import { externalCompatible, fargateProblem, validateRegistration } from './validate.js'

const MAX_DELETE = 10

const revisionCounter = (ctx: RequestContext, family: string) => scopedKey(ctx, 'task-definition-revision', family)

/** Revision = highest ever used in the family + 1, reserved synchronously so concurrent calls never share one. */
function reserveRevision(ctx: RequestContext, deps: EcsDeps, family: string): { revision: number; ops: WriteOp[] } {
  const { counters } = deps.repos
  const key = revisionCounter(ctx, family)
  const ops: WriteOp[] = []
  // Never below a stored revision, even if the counter row were missing.
  const stored = revisionsOf(deps.repos, ctx, family)
  const raised = stored.length > 0 ? counters.raise(key, stored[stored.length - 1]!) : undefined
  if (raised) ops.push(raised)
  const next = counters.next(key)
  ops.push(next.op)
  return { revision: next.value, ops }
}

const registerTaskDefinition: Handler<'RegisterTaskDefinition'> = async (input, ctx, deps) => {
  const size = validateRegistration(input)
  const tags = validateTags(input.tags)
  const compatibilities = computeCompatibilities(input, {
    externalOk: externalCompatible(input, size),
    fargateOk: fargateProblem(input, size) === undefined,
  })

  const { repos } = deps
  const family = input.family!
  const { revision, ops } = reserveRevision(ctx, deps, family)
  const arn = taskDefinitionArn(ctx, family, revision)
  const doc = buildTaskDefinition(input, size, {
    arn,
    revision,
    registeredAt: epochSeconds(deps.clock.now()),
    registeredBy: ctx.principalArn,
    compatibilities,
  })
  ops.push(repos.taskDefinitions.stagePut(taskDefinitionKey(ctx, family, revision), doc))
  recordRevision(repos, ctx, family, revision)
  if (tags.length > 0) ops.push(stageTags(repos, arn, tags))
  await repos.store.write(ops)
  return { taskDefinition: doc, tags }
}

const describeTaskDefinition: Handler<'DescribeTaskDefinition'> = async (
  input,
  ctx,
  deps,
) => {
  const doc = resolveTaskDefinition(ctx, deps, input.taskDefinition!, 'Unable to describe task definition.')
  // ECS always answers a top-level `tags`: [] unless TAGS is included
  const tags = input.include?.includes('TAGS') ? getTags(deps.repos, doc.taskDefinitionArn!) : []
  const out: Wire<DescribeTaskDefinitionResponse> = { taskDefinition: doc, tags }
  return out
}

const deregisterTaskDefinition: Handler<'DeregisterTaskDefinition'> = async (
  input,
  ctx,
  deps,
) => {
  const ref = parseSingleRef(ctx, input.taskDefinition!)
  if (ref && ref.revision === undefined) throw clientException('Revision is missing.')
  const doc = ref && lookup(deps.repos, ctx, ref)
  if (!doc) throw clientException('The specified task definition does not exist.')
  // Deregistering again (or a revision being deleted) changes nothing.
  if (doc.status !== 'ACTIVE') return { taskDefinition: doc }
  const next: TaskDefinitionDoc = { ...doc, status: 'INACTIVE', deregisteredAt: epochSeconds(deps.clock.now()) }
  const written = deps.repos.taskDefinitions.put(taskDefinitionKey(ctx, doc.family!, doc.revision!), next)
  recordChange(deps.repos)
  await written
  return { taskDefinition: next }
}

const deleteFailure = {
  invalid: 'The specified task definition identifier is invalid. Specify a valid name or ARN and try again.',
  missing: 'The specified task definition does not exist. Specify a valid account, family, revision and try again.',
  active: 'The specified task definition is still in ACTIVE status. Please deregister the target and try again.',
}

const deleteTaskDefinitions: Handler<'DeleteTaskDefinitions'> = async (
  input,
  ctx,
  deps,
) => {
  const ids = input.taskDefinitions ?? []
  if (ids.length === 0) throw invalidParameter('Task definitions cannot be empty.')
  if (ids.length > MAX_DELETE) throw invalidParameter(`taskDefinitions can have at most ${MAX_DELETE} items.`)

  const { repos } = deps
  const now = epochSeconds(deps.clock.now())
  const taskDefinitions: TaskDefinitionDoc[] = []
  const failures: Wire<Failure>[] = []
  const ops: WriteOp[] = []
  const seen = new Set<string>()
  for (const id of ids) {
    const ref = parseTaskDefinitionRef(ctx, id)
    if (!ref || ref.revision === undefined) {
      failures.push({ arn: id, reason: deleteFailure.invalid })
      continue
    }
    const key = taskDefinitionKey(ctx, ref.family, ref.revision)
    if (seen.has(key)) continue
    seen.add(key)
    const arn = taskDefinitionArn(ctx, ref.family, ref.revision)
    const doc = lookup(repos, ctx, ref)
    if (!doc) failures.push({ arn, reason: deleteFailure.missing })
    else if (doc.status === 'ACTIVE') failures.push({ arn, reason: deleteFailure.active })
    else if (doc.status === 'DELETE_IN_PROGRESS') taskDefinitions.push(doc)
    else {
      // ECS keeps a deleted revision describable as DELETE_IN_PROGRESS; its revision number stays used.
      const next: TaskDefinitionDoc = { ...doc, status: 'DELETE_IN_PROGRESS', deleteRequestedAt: now }
      ops.push(repos.taskDefinitions.stagePut(key, next))
      taskDefinitions.push(next)
    }
  }
  if (ops.length > 0) recordChange(repos)
  await repos.store.write(ops)
  return { taskDefinitions, failures }
}

const listTaskDefinitions: Handler<'ListTaskDefinitions'> = async (
  input,
  ctx,
  deps,
) => {
  const status = input.status ?? 'ACTIVE'
  const desc = input.sort === 'DESC'
  // familyPrefix is matched as the exact family name, as ECS does.
  const arns =
    input.familyPrefix !== undefined
      ? matchingArns(deps, ctx, [input.familyPrefix], status, desc)
      : memo(deps.repos, ctx, `list|${status}|${desc}`, () => matchingArns(deps, ctx, undefined, status, desc))
  return listPage('ListTaskDefinitions', arns, input, { f: input.familyPrefix, s: status, o: desc })
}

/** ARNs of the given families (default: all) in a status, by family then revision number, ASC or DESC. */
function matchingArns(deps: EcsDeps, ctx: RequestContext, only: string[] | undefined, status: string, desc: boolean): string[] {
  const idx = scopeIndex(deps.repos, ctx)
  const families = only ?? sortedFamilies(idx)
  const table = deps.repos.taskDefinitions
  const out: string[] = []
  const visit = (family: string, rev: number) => {
    const doc = table.get(taskDefinitionKey(ctx, family, rev))
    if (doc?.status === status) out.push(doc.taskDefinitionArn!)
  }
  if (desc) {
    for (let f = families.length - 1; f >= 0; f--) {
      const revs = idx.families.get(families[f]!) ?? []
      for (let r = revs.length - 1; r >= 0; r--) visit(families[f]!, revs[r]!)
    }
  } else {
    for (const family of families) for (const rev of idx.families.get(family) ?? []) visit(family, rev)
  }
  return out
}

const listTaskDefinitionFamilies: Handler<'ListTaskDefinitionFamilies'> = async (input, ctx, deps) => {
  const status = input.status ?? 'ALL'
  const prefix = input.familyPrefix ?? ''
  const all = memo(deps.repos, ctx, `families|${status}`, () => familiesIn(deps, ctx, status))
  const families = prefix ? all.filter((f) => f.startsWith(prefix)) : all
  return listPage('ListTaskDefinitionFamilies', families, input, { p: prefix, s: status })
}

/**
 * Families by status: ACTIVE = at least one ACTIVE revision; INACTIVE = revisions, none ACTIVE; ALL =
 * both. Families whose every revision is being deleted are on their way out and not listed.
 */
function familiesIn(deps: EcsDeps, ctx: RequestContext, status: string): string[] {
  const idx = scopeIndex(deps.repos, ctx)
  const table = deps.repos.taskDefinitions
  const out: string[] = []
  for (const family of sortedFamilies(idx)) {
    let active = false
    let inactive = false
    for (const rev of idx.families.get(family) ?? []) {
      const s = table.get(taskDefinitionKey(ctx, family, rev))?.status
      if (s === 'ACTIVE') active = true
      else if (s === 'INACTIVE') inactive = true
      if (active) break
    }
    if (status === 'ACTIVE' ? active : status === 'INACTIVE' ? !active && inactive : active || inactive) out.push(family)
  }
  return out
}

export const handlers: HandlerMap = {
  RegisterTaskDefinition: registerTaskDefinition,
  DescribeTaskDefinition: describeTaskDefinition,
  DeregisterTaskDefinition: deregisterTaskDefinition,
  DeleteTaskDefinitions: deleteTaskDefinitions,
  ListTaskDefinitions: listTaskDefinitions,
  ListTaskDefinitionFamilies: listTaskDefinitionFamilies,
}
