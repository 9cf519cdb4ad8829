import type { DaemonRevision, Failure } from '@aws-sdk/client-ecs'
import { invalidParameter } from '../errors.js'
import { paginate } from '../pagination.js'
import type { Handler, Wire } from '../types.js'
import { findDaemon } from './daemon-doc.js'
import { resolveDaemon } from './daemons.js'
import { renderDeployment, renderDeploymentSummary } from './render.js'

/** DescribeDaemonDeployments, ListDaemonDeployments, DescribeDaemonRevisions. */

const MAX_DESCRIBE = 20

const describeDaemonDeployments: Handler<'DescribeDaemonDeployments'> = async (input, ctx, deps) => {
  const arns = input.daemonDeploymentArns ?? []
  if (arns.length === 0) throw invalidParameter('daemonDeploymentArns must contain at least one ARN.')
  if (arns.length > MAX_DESCRIBE) throw invalidParameter(`daemonDeploymentArns can have at most ${MAX_DESCRIBE} ARNs.`)
  const daemonDeployments = []
  const failures: Wire<Failure>[] = []
  for (const arn of arns) {
    const doc = findDaemon(deps.repos, ctx, arn, 'daemon-deployment')
    const r = doc?.deployments.find((d) => d.arn === arn)
    if (!doc || !r) failures.push({ arn, reason: 'MISSING' })
    else daemonDeployments.push(renderDeployment(deps, ctx, doc, r))
  }
  return { daemonDeployments, failures }
}

/** ListDaemonDeployments: newest first, filtered by status and createdAt; 20 a page by default. */
const listDaemonDeployments: Handler<'ListDaemonDeployments'> = async (input, ctx, deps) => {
  const doc = resolveDaemon(ctx, deps, input.daemonArn!)
  const statuses = input.status?.length ? new Set<string>(input.status) : undefined
  const { before, after } = input.createdAt ?? {}
  const items = [...doc.deployments]
    .reverse()
    .map((r) => renderDeploymentSummary(deps, ctx, doc, r))
    .filter((s) => !statuses || statuses.has(s.status!))
    .filter((s) => (before === undefined || s.createdAt! < before) && (after === undefined || s.createdAt! > after))
  const { page, nextToken } = paginate(items, {
    maxResults: input.maxResults,
    nextToken: input.nextToken,
    defaultMax: 20,
    limit: 100,
    filters: [doc.daemonArn, input.status, input.createdAt],
  })
  return { daemonDeployments: page, ...(nextToken ? { nextToken } : {}) }
}

const describeDaemonRevisions: Handler<'DescribeDaemonRevisions'> = async (input, ctx, deps) => {
  const arns = input.daemonRevisionArns ?? []
  if (arns.length === 0) throw invalidParameter('daemonRevisionArns must contain at least one ARN.')
  if (arns.length > MAX_DESCRIBE) throw invalidParameter(`daemonRevisionArns can have at most ${MAX_DESCRIBE} ARNs.`)
  const daemonRevisions: Wire<DaemonRevision>[] = []
  const failures: Wire<Failure>[] = []
  for (const arn of arns) {
    const rev = findDaemon(deps.repos, ctx, arn, 'daemon-revision')?.revisions.find((r) => r.daemonRevisionArn === arn)
    if (rev) daemonRevisions.push(rev)
    else failures.push({ arn, reason: 'MISSING' })
  }
  return { daemonRevisions, failures }
}

export const handlers = {
  DescribeDaemonDeployments: describeDaemonDeployments,
  ListDaemonDeployments: listDaemonDeployments,
  DescribeDaemonRevisions: describeDaemonRevisions,
}
