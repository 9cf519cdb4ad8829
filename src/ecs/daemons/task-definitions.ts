import type { DaemonTaskDefinition, DaemonTaskDefinitionSummary } from '@aws-sdk/client-ecs'
import { parseArn } from '../arns.js'
import { epochSeconds } from '../clock.js'
import type { RequestContext } from '../context.js'
import { clientException, invalidParameter } from '../errors.js'
import { paginate } from '../pagination.js'
import { getTags, stageTags } from '../tag-store.js'
import { validateTags } from '../tags.js'
import { normalizeContainer } from '../task-definitions/normalize.js'
import type { ContainerDef, TaskDefinitionDoc } from '../task-definitions/task-definition-doc.js'
import { parseTaskDefinitionRef } from '../task-definitions/resolve.js'
import type { Repos } from '../repos.js'
import type { Handler, Wire } from '../types.js'
import { scopedKey } from '../../store/scoped-key.js'
import { daemonTaskDefinitionArn } from './arns.js'

/**
 * Daemon task definitions: immutable revisions per family, as task definitions are, in
 * `repos.daemonTaskDefinitions`. A daemon runs one through `runnable` (the task definition shape the
 * converters read). Deleting one marks it DELETE_IN_PROGRESS; it reads DELETED once no daemon that is
 * not being deleted still runs it (the DaemonTaskDefinitionDeleted waiter keeps describing it).
 */
export type DaemonTaskDefinitionDoc = Wire<DaemonTaskDefinition> & {
  daemonTaskDefinitionArn: string
  family: string
  revision: number
  status: 'ACTIVE' | 'DELETE_IN_PROGRESS' | 'DELETED'
}

type Scope = Pick<RequestContext, 'account' | 'region'>

export const daemonTaskDefinitionKey = (scope: Scope, family: string, revision: number) => scopedKey(scope, family, revision)

// Not confirmed: ECS's texts for these; worded as the task definition operations word theirs.
export const daemonTdMessages = {
  notFound: 'Unable to describe daemon task definition.',
  unknown: 'The specified daemon task definition does not exist.',
  notActive: 'The specified daemon task definition is not ACTIVE.',
}

/** `family`, `family:revision` or the ARN of either → family and revision (undefined: the latest ACTIVE). */
function parseRef(scope: Scope, ref: string): { family: string; revision?: number } | undefined {
  const p = parseTaskDefinitionRef(scope, ref, 'daemon-task-definition')
  return p && p.badRevision === undefined ? { family: p.family, revision: p.revision } : undefined
}

function revisions(repos: Pick<Repos, 'daemonTaskDefinitions'>, scope: Scope, family: string): DaemonTaskDefinitionDoc[] {
  const prefix = scopedKey(scope, family, '')
  const out: DaemonTaskDefinitionDoc[] = []
  for (const [k, d] of repos.daemonTaskDefinitions.entries()) if (k.startsWith(prefix) && d.family === family) out.push(d)
  return out.sort((a, b) => a.revision - b.revision)
}

/** The stored revision a reference names (a given revision in any status; a bare family: its latest ACTIVE one). */
export function findDaemonTaskDefinition(repos: Pick<Repos, 'daemonTaskDefinitions'>, scope: Scope, ref: string): DaemonTaskDefinitionDoc | undefined {
  const p = parseRef(scope, ref)
  if (!p) return undefined
  if (p.revision !== undefined) return repos.daemonTaskDefinitions.get(daemonTaskDefinitionKey(scope, p.family, p.revision))
  return revisions(repos, scope, p.family).filter((d) => d.status === 'ACTIVE').pop()
}

/** The status a revision reads: DELETE_IN_PROGRESS turns DELETED once no live daemon runs it. */
export function statusOf(repos: Repos, doc: DaemonTaskDefinitionDoc): DaemonTaskDefinitionDoc['status'] {
  if (doc.status !== 'DELETE_IN_PROGRESS') return doc.status
  for (const d of repos.daemons.values()) {
    if (d.status === 'ACTIVE' && d.revisions.some((r) => r.daemonTaskDefinitionArn === doc.daemonTaskDefinitionArn)) return 'DELETE_IN_PROGRESS'
  }
  return 'DELETED'
}

const render = (repos: Repos, doc: DaemonTaskDefinitionDoc): Wire<DaemonTaskDefinition> => ({ ...doc, status: statusOf(repos, doc) })

/**
 * What a daemon's DaemonSet runs: the revision as a task definition (its ARN stays the daemon task
 * definition's, which the daemon's tasks show). Daemons use ECS's `daemon_bridge` networking, which
 * KECS gives as the pod network (bridge mode).
 */
export function runnable(repos: Pick<Repos, 'tags'>, doc: DaemonTaskDefinitionDoc): TaskDefinitionDoc {
  const simulate = simulateLabels(repos, doc.daemonTaskDefinitionArn)
  return {
    taskDefinitionArn: doc.daemonTaskDefinitionArn,
    family: doc.family,
    revision: doc.revision,
    containerDefinitions: (doc.containerDefinitions ?? []).map((c) =>
      normalizeContainer({ ...(c as ContainerDef), ...(simulate ? { dockerLabels: simulate } : {}) }, 'bridge'),
    ),
    volumes: (doc.volumes ?? []).map((v) => ({ name: v.name, host: v.host })),
    ...(doc.taskRoleArn ? { taskRoleArn: doc.taskRoleArn } : {}),
    ...(doc.executionRoleArn ? { executionRoleArn: doc.executionRoleArn } : {}),
    ...(doc.cpu ? { cpu: doc.cpu } : {}),
    ...(doc.memory ? { memory: doc.memory } : {}),
    status: 'ACTIVE',
    compatibilities: ['EC2', 'MANAGED_INSTANCES'],
    requiresAttributes: [],
    placementConstraints: [],
  }
}

/**
 * Daemon containers have no dockerLabels, which carry the emulated cluster's test controls for tasks
 * (`kecs.simulate.exit-code` and the like): for a daemon, the daemon task definition's tags with those
 * keys give them to every container.
 */
function simulateLabels(repos: Pick<Repos, 'tags'>, arn: string): Record<string, string> | undefined {
  const out: Record<string, string> = {}
  for (const t of getTags(repos, arn)) if (t.key?.startsWith(SIMULATE_PREFIX)) out[t.key] = t.value ?? ''
  return Object.keys(out).length ? out : undefined
}

const SIMULATE_PREFIX = 'kecs.simulate.'

/** The runnable form of a daemon task definition ARN (DaemonSet apply, the reconciler, task metadata). */
export function runnableOfArn(repos: Pick<Repos, 'daemonTaskDefinitions' | 'tags'>, arn: string | undefined): TaskDefinitionDoc | undefined {
  const p = arn ? parseArn(arn) : undefined
  if (!p || p.resourceType !== 'daemon-task-definition') return undefined
  const doc = findDaemonTaskDefinition(repos, { account: p.account, region: p.region }, arn!)
  return doc && runnable(repos, doc)
}

const MEMBER_PATTERN = /^[A-Za-z0-9_-]{1,255}$/

const registerDaemonTaskDefinition: Handler<'RegisterDaemonTaskDefinition'> = async (input, ctx, deps) => {
  const family = input.family!
  if (!MEMBER_PATTERN.test(family)) {
    throw clientException('Family contains invalid characters. Up to 255 letters (uppercase and lowercase), numbers, hyphens, and underscores are allowed.')
  }
  const containers = input.containerDefinitions ?? []
  if (containers.length === 0) throw clientException('Container list cannot be empty.')
  const names = new Set<string>()
  for (const c of containers) {
    if (!c.image) throw clientException('Container.image should not be null or empty.')
    const name = c.name ?? ''
    if (names.has(name)) throw clientException('Container names must be unique.')
    names.add(name)
  }
  for (const v of input.volumes ?? []) if (!v.name) throw clientException('Volume name should not be null or empty.')
  const tags = validateTags(input.tags)
  const { repos } = deps
  const counter = scopedKey(ctx, 'daemon-task-definition-revision', family)
  const stored = revisions(repos, ctx, family)
  const ops = []
  const raised = stored.length ? repos.counters.raise(counter, stored[stored.length - 1]!.revision) : undefined
  if (raised) ops.push(raised)
  const next = repos.counters.next(counter)
  ops.push(next.op)
  const arn = daemonTaskDefinitionArn(ctx, family, next.value)
  const doc: DaemonTaskDefinitionDoc = dropUndefined({
    daemonTaskDefinitionArn: arn,
    family,
    revision: next.value,
    taskRoleArn: input.taskRoleArn,
    executionRoleArn: input.executionRoleArn,
    containerDefinitions: containers.map((c) => ({ essential: true, mountPoints: [], environment: [], secrets: [], ...c })),
    volumes: input.volumes ?? [],
    cpu: input.cpu,
    memory: input.memory,
    status: 'ACTIVE' as const,
    registeredAt: epochSeconds(deps.clock.now()),
    registeredBy: ctx.principalArn,
    pidMode: input.pidMode,
    ipcMode: input.ipcMode,
  })
  ops.push(repos.daemonTaskDefinitions.stagePut(daemonTaskDefinitionKey(ctx, family, next.value), doc))
  if (tags.length) ops.push(stageTags(repos, arn, tags))
  await repos.store.write(ops)
  return { daemonTaskDefinitionArn: arn }
}

const describeDaemonTaskDefinition: Handler<'DescribeDaemonTaskDefinition'> = async (input, ctx, deps) => {
  const doc = findDaemonTaskDefinition(deps.repos, ctx, input.daemonTaskDefinition!)
  if (!doc) throw clientException(daemonTdMessages.notFound)
  return { daemonTaskDefinition: render(deps.repos, doc) }
}

const deleteDaemonTaskDefinition: Handler<'DeleteDaemonTaskDefinition'> = async (input, ctx, deps) => {
  const ref = input.daemonTaskDefinition!
  const p = parseRef(ctx, ref)
  if (!p || p.revision === undefined) throw clientException('The specified daemon task definition must include a revision (family:revision or its ARN).')
  const doc = findDaemonTaskDefinition(deps.repos, ctx, ref)
  if (!doc) throw clientException(daemonTdMessages.unknown)
  if (doc.status !== 'ACTIVE') throw clientException(daemonTdMessages.notActive)
  const next: DaemonTaskDefinitionDoc = { ...structuredClone(doc), status: 'DELETE_IN_PROGRESS', deleteRequestedAt: epochSeconds(deps.clock.now()) }
  await deps.repos.daemonTaskDefinitions.put(daemonTaskDefinitionKey(ctx, doc.family, doc.revision), next)
  return { daemonTaskDefinitionArn: doc.daemonTaskDefinitionArn }
}

/**
 * ListDaemonTaskDefinitions: ACTIVE by default; `family` exact or `familyPrefix`; `revision
 * LAST_REGISTERED` keeps each family's newest; sorted by family then revision (ASC by default).
 */
const listDaemonTaskDefinitions: Handler<'ListDaemonTaskDefinitions'> = async (input, ctx, deps) => {
  if (input.family !== undefined && input.familyPrefix !== undefined) throw invalidParameter('family and familyPrefix cannot be used together.')
  const wanted = input.status ?? 'ACTIVE'
  const prefix = scopedKey(ctx, '')
  let docs: DaemonTaskDefinitionDoc[] = []
  for (const [k, d] of deps.repos.daemonTaskDefinitions.entries()) {
    if (!k.startsWith(prefix)) continue
    if (input.family !== undefined && d.family !== input.family) continue
    if (input.familyPrefix !== undefined && !d.family.startsWith(input.familyPrefix)) continue
    const status = statusOf(deps.repos, d)
    if (status === 'DELETED' || (wanted !== 'ALL' && status !== wanted)) continue
    docs.push(d)
  }
  docs.sort((a, b) => a.family.localeCompare(b.family) || a.revision - b.revision)
  if (input.revision === 'LAST_REGISTERED') docs = docs.filter((d, i) => docs[i + 1]?.family !== d.family)
  if (input.sort === 'DESC') docs.reverse()
  const items: Wire<DaemonTaskDefinitionSummary>[] = docs.map((d) =>
    dropUndefined({ arn: d.daemonTaskDefinitionArn, registeredAt: d.registeredAt, registeredBy: d.registeredBy, deleteRequestedAt: d.deleteRequestedAt, status: statusOf(deps.repos, d) }),
  )
  const { page, nextToken } = paginate(items, {
    maxResults: input.maxResults,
    nextToken: input.nextToken,
    defaultMax: 100,
    limit: 100,
    filters: [input.family, input.familyPrefix, input.revision, wanted, input.sort],
  })
  return { daemonTaskDefinitions: page, ...(nextToken ? { nextToken } : {}) }
}

function dropUndefined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k]
  return o
}

export const handlers = {
  RegisterDaemonTaskDefinition: registerDaemonTaskDefinition,
  DescribeDaemonTaskDefinition: describeDaemonTaskDefinition,
  DeleteDaemonTaskDefinition: deleteDaemonTaskDefinition,
  ListDaemonTaskDefinitions: listDaemonTaskDefinitions,
}
