import type { DescribeTasksRequest, ListTasksRequest } from '@aws-sdk/client-ecs'
import { containerInstanceArn, isArn, parseTaskDefinitionArn, parseArn } from '../arns.js'
import { findCluster } from '../clusters/resolve.js'
import { clusterNotFound, invalidParameter, serviceNotFound } from '../errors.js'
import { listPage } from '../pagination.js'
import type { EcsDeps, Handler } from '../types.js'
import { isExpired, stoppedRetentionMs } from './runtime.js'
import { findTask, refArn, renderTask, type TaskDoc } from './task-doc.js'

/** DescribeTasks and ListTasks (docs/ecs-facts.md#tasks). STOPPED tasks past the retention no longer exist. */

const MAX_DESCRIBE = 100

const describeTasks: Handler<'DescribeTasks'> = async (input, ctx, deps) => {
  const refs = input.tasks ?? []
  if (refs.length === 0) throw invalidParameter('Tasks cannot be empty.')
  if (refs.length > MAX_DESCRIBE) throw invalidParameter(`taskIds can have at most ${MAX_DESCRIBE} items.`)
  const cluster = findCluster(ctx, deps, input.cluster)
  if (!cluster) throw clusterNotFound()
  const withTags = (input.include ?? []).includes('TAGS')
  const now = deps.clock.now()
  const retention = stoppedRetentionMs(deps)
  const tasks = []
  const failures = []
  const seen = new Set<string>()
  for (const ref of refs) {
    const doc = findTask(ctx, deps.repos, cluster.clusterName, ref)
    if (!doc || isExpired(doc, now, retention)) {
      failures.push({ arn: refArn(ctx, cluster.clusterName, ref), reason: 'MISSING' })
      continue
    }
    if (seen.has(doc.taskArn)) continue
    seen.add(doc.taskArn)
    tasks.push(renderTask(deps.repos, doc, { tags: withTags }))
  }
  return { tasks, failures }
}

/** The family of a task definition ARN (`…:task-definition/<family>:<rev>`). */
function familyOf(tdArn: string | undefined): string | undefined {
  const p = tdArn ? parseArn(tdArn) : undefined
  if (!p) return undefined
  const colon = p.resource.lastIndexOf(':')
  return colon < 0 ? p.resource : p.resource.slice(0, colon)
}

const listTasks: Handler<'ListTasks'> = async (input, ctx, deps) => {
  const cluster = findCluster(ctx, deps, input.cluster)
  if (!cluster) throw clusterNotFound()
  const { family, serviceName, startedBy, containerInstance, launchType } = input
  if (startedBy !== undefined && (family !== undefined || serviceName !== undefined || containerInstance !== undefined || launchType !== undefined)) {
    throw invalidParameter('cannot specify startedBy with other arguments')
  }
  if (serviceName !== undefined && (family !== undefined || containerInstance !== undefined)) {
    throw invalidParameter('cannot specify serviceName with other arguments')
  }
  if (serviceName !== undefined && !serviceExists(deps, cluster.clusterArn, serviceName)) throw serviceNotFound()
  const desired = input.desiredStatus ?? 'RUNNING'
  const instanceArn =
    containerInstance === undefined
      ? undefined
      : isArn(containerInstance)
        ? containerInstance
        : containerInstanceArn(ctx, cluster.clusterName, containerInstance)
  const group = serviceName === undefined ? undefined : `service:${serviceName}`

  const now = deps.clock.now()
  const retention = stoppedRetentionMs(deps)
  const matches: TaskDoc[] = []
  // PENDING is a valid filter value, but no task ever has desiredStatus PENDING.
  if (desired !== 'PENDING') {
    for (const t of deps.repos.tasks.values()) {
      if (t.clusterArn !== cluster.clusterArn || t.desiredStatus !== desired) continue
      if (startedBy !== undefined && t.startedBy !== startedBy) continue
      if (family !== undefined && parseTaskDefinitionArn(t.taskDefinitionArn ?? '')?.family !== family) continue
      if (group !== undefined && t.group !== group) continue
      if (instanceArn !== undefined && t.containerInstanceArn !== instanceArn) continue
      if (launchType !== undefined && t.launchType !== launchType) continue
      if (isExpired(t, now, retention)) continue
      matches.push(t)
    }
  }
  matches.sort((a, b) => (a.createdAt ?? 0) - (b.createdAt ?? 0) || (a.taskArn < b.taskArn ? -1 : a.taskArn > b.taskArn ? 1 : 0))
  const arns = matches.map((t) => t.taskArn)
  return listPage('ListTasks', arns, input, [cluster.clusterArn, family, serviceName, startedBy, instanceArn, launchType, desired])
}

/** A service of that name exists in the cluster (services are another family's docs: read loosely). */
function serviceExists(deps: EcsDeps, clusterArn: string, name: string): boolean {
  for (const s of deps.repos.services.values()) {
    if (s?.clusterArn === clusterArn && (s.serviceName === name || s.serviceArn?.endsWith(`/${name}`))) return true
  }
  return false
}

export const handlers = {
  DescribeTasks: describeTasks,
  ListTasks: listTasks,
}
