import { isArn, NAME_PATTERN, parseArn, parseTaskDefinitionArn } from '../arns.js'
import type { RequestContext } from '../context.js'
import { clientException } from '../errors.js'
import type { EcsDeps } from '../types.js'
import type { Repos } from '../repos.js'
import { revisionsOf, taskDefinitionKey } from './family-index.js'
import type { TaskDefinitionDoc } from './task-definition-doc.js'
import { runnableOfArn } from '../daemons/task-definitions.js'

type Scope = Pick<RequestContext, 'account' | 'region'>

/** A task definition reference: `family`, `family:revision`, or the ARN of either. */
export interface TaskDefinitionRef {
  family: string
  revision?: number
  /** set when the part after `:` is not a revision number */
  badRevision?: string
}

/**
 * Parses a reference; undefined when it cannot name a task definition of this account and region
 * (bad family characters, another resource type, an ARN of another region or account).
 */
export function parseTaskDefinitionRef(
  scope: Scope,
  ref: string,
  resourceType: 'task-definition' | 'daemon-task-definition' = 'task-definition',
): TaskDefinitionRef | undefined {
  let body = ref
  if (isArn(ref)) {
    const arn = parseArn(ref)
    if (!arn || arn.service !== 'ecs' || arn.resourceType !== resourceType) return undefined
    if (arn.region !== scope.region || arn.account !== scope.account) return undefined
    body = arn.resource
  }
  const colon = body.lastIndexOf(':')
  const family = colon < 0 ? body : body.slice(0, colon)
  if (!NAME_PATTERN.test(family)) return undefined
  if (colon < 0) return { family }
  const rev = body.slice(colon + 1)
  if (!/^\d{1,9}$/.test(rev) || Number(rev) < 1) return { family, badRevision: rev }
  return { family, revision: Number(rev) }
}

const invalidRevision = (rev: string) => clientException(`Invalid revision number. Number: ${rev}`)

/** parseTaskDefinitionRef for the operations that name one definition: a revision that is not a number is a ClientException. */
export function parseSingleRef(scope: Scope, ref: string): TaskDefinitionRef | undefined {
  const parsed = parseTaskDefinitionRef(scope, ref)
  if (parsed?.badRevision !== undefined) throw invalidRevision(parsed.badRevision)
  return parsed
}

/** The latest ACTIVE revision of a family. */
function latestActive(repos: Repos, scope: Scope, family: string): TaskDefinitionDoc | undefined {
  const revs = revisionsOf(repos, scope, family)
  for (let i = revs.length - 1; i >= 0; i--) {
    const doc = repos.taskDefinitions.get(taskDefinitionKey(scope, family, revs[i]!))
    if (doc?.status === 'ACTIVE') return doc
  }
  return undefined
}

/** The definition a parsed reference names: a given revision in any status, or the latest ACTIVE one. */
export function lookup(repos: Repos, scope: Scope, ref: TaskDefinitionRef): TaskDefinitionDoc | undefined {
  if (ref.badRevision !== undefined) return undefined
  if (ref.revision === undefined) return latestActive(repos, scope, ref.family)
  return repos.taskDefinitions.get(taskDefinitionKey(scope, ref.family, ref.revision))
}

/** The revision a task definition ARN names (what tasks and pods carry), in any status; a daemon task definition's runnable form. */
export function taskDefinitionOfArn(repos: Pick<Repos, 'taskDefinitions' | 'daemonTaskDefinitions' | 'tags'>, arn: string | undefined): TaskDefinitionDoc | undefined {
  const daemon = runnableOfArn(repos, arn)
  if (daemon) return daemon
  const p = arn ? parseTaskDefinitionArn(arn) : undefined
  return p && repos.taskDefinitions.get(taskDefinitionKey(p, p.family, p.revision))
}

/** What a running deployment's pods are built from: its task definition, or a daemon's (runnable form). */
export function runnableTaskDefinition(ctx: Scope, deps: Pick<EcsDeps, 'repos'>, ref: string): TaskDefinitionDoc {
  return runnableOfArn(deps.repos, ref) ?? resolveTaskDefinition(ctx, deps, ref)
}

/**
 * For RunTask, CreateService, UpdateService and friends: `family` (latest ACTIVE revision),
 * `family:revision` or an ARN → the stored definition, returned with its status (ACTIVE, INACTIVE or
 * DELETE_IN_PROGRESS) so the caller applies its own rule. Unknown → ClientException `notFound`
 * (`TaskDefinition not found.`, as ECS answers CreateService). The result is the stored document: read
 * it, do not mutate it.
 */
export function resolveTaskDefinition(
  ctx: Scope,
  deps: Pick<EcsDeps, 'repos'>,
  ref: string,
  notFound = 'TaskDefinition not found.',
): TaskDefinitionDoc {
  const parsed = parseSingleRef(ctx, ref)
  const doc = parsed && lookup(deps.repos, ctx, parsed)
  if (!doc) throw clientException(notFound)
  return doc
}
