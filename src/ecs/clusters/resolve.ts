import { clusterArn, isArn, parseArn } from '../arns.js'
import type { RequestContext } from '../context.js'
import { clusterNotFound } from '../errors.js'
import type { EcsDeps } from '../types.js'
import { clusterKey, type ClusterDoc } from './cluster-doc.js'

/** ECS's text for a write on a deleted cluster (docs/ecs-facts.md#clusters). */
export const CLUSTER_INACTIVE = 'The referenced cluster was inactive.'

export interface ClusterRef {
  /** the short name the reference points at, or undefined when it cannot name a cluster here */
  name?: string
  /** the ARN the reference stands for (the given ARN as is, or built from the name) */
  arn: string
}

/**
 * Reads a cluster reference (short name or full ARN; absent = `default`) in the caller's scope. An
 * ARN for another region or account, or one that is not a cluster ARN, names no cluster here.
 */
export function parseClusterRef(ctx: RequestContext, ref?: string): ClusterRef {
  if (ref === undefined || ref === '') return { name: 'default', arn: clusterArn(ctx, 'default') }
  if (!isArn(ref)) return { name: ref, arn: clusterArn(ctx, ref) }
  const p = parseArn(ref)
  const ok =
    p && p.service === 'ecs' && p.resourceType === 'cluster' && p.region === ctx.region && p.account === ctx.account
  return { name: ok && !p.resource.includes('/') ? p.resource : undefined, arn: ref }
}

/** The stored cluster a reference points at, ACTIVE or INACTIVE; undefined when there is none. */
export function findCluster(ctx: RequestContext, deps: Pick<EcsDeps, 'repos'>, ref?: string): ClusterDoc | undefined {
  const { name } = parseClusterRef(ctx, ref)
  if (name === undefined) return undefined
  return deps.repos.clusters.get(clusterKey(ctx, name))
}

/**
 * The ACTIVE cluster a request refers to (for every family that works inside a cluster). Throws
 * ClusterNotFoundException: `Cluster not found.` for an unknown one, `The referenced cluster was
 * inactive.` for a deleted one.
 */
export function resolveCluster(ctx: RequestContext, deps: Pick<EcsDeps, 'repos'>, ref?: string): ClusterDoc {
  const doc = findCluster(ctx, deps, ref)
  if (!doc) throw clusterNotFound()
  if (doc.status !== 'ACTIVE') throw clusterNotFound(CLUSTER_INACTIVE)
  return doc
}
