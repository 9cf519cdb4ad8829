import { findCluster } from '../clusters/resolve.js'
import type { RequestContext } from '../context.js'
import { clusterNotFound, EcsError, invalidParameter, serviceNotFound } from '../errors.js'
import { paginate, listPage } from '../pagination.js'
import { lookup, parseTaskDefinitionRef } from '../task-definitions/resolve.js'
import type { EcsDeps, Wire, Handler } from '../types.js'
import type { TaskDefinitionDoc } from '../task-definitions/task-definition-doc.js'
import type { TaskDoc } from '../tasks/task-doc.js'
import { addEvents, messages, publishServiceNotes } from './events.js'
import { serviceRuntime } from './runtime.js'
import { findService, isDaemonService, primaryOf, serviceGroup, serviceKey, type DeploymentDoc, type ServiceDoc } from './service-doc.js'
import { parseChildArn, renderBrief, renderServiceDeployment, renderServiceRevision, revisionsOf, serviceDeploymentsOf, stopDeployment } from './service-deployments.js'

/**
 * ListServiceDeployments, DescribeServiceDeployments, DescribeServiceRevisions, StopServiceDeployment
 * (service-deployments.ts says how they are derived from a service's deployments).
 */

const MAX_DESCRIBE = 20

const serviceDeploymentMessages = {
  notFound: 'Service deployment not found.',
  tooMany: (what: string) => `${what} can have at most ${MAX_DESCRIBE} items.`,
  empty: (what: string) => `${what} cannot be empty.`,
  notStoppable: (status: string) => `The service deployment cannot be stopped: its status is ${status}.`,
  nothingToRollBackTo:
    'The service deployment cannot be stopped: the service has no earlier successful service revision to roll back to.',
}

// ECS's texts for these two are not published; KECS's wording.
const continueMessages = {
  notInProgress: (status: string) => `The service deployment cannot be continued: its status is ${status}, not IN_PROGRESS.`,
  notAwaiting: (hookId: string) => `The lifecycle hook ${hookId} is not in AWAITING_ACTION status for this service deployment.`,
}

const deploymentNotFound = () => new EcsError('ServiceDeploymentNotFoundException', serviceDeploymentMessages.notFound)

const listServiceDeployments: Handler<'ListServiceDeployments'> = async (input, ctx, deps) => {
  const cluster = findCluster(ctx, deps, input.cluster)
  if (!cluster) throw clusterNotFound()
  const doc = findService(ctx, deps.repos, cluster.clusterName, input.service!)
  if (!doc) throw serviceNotFound()
  const statuses = input.status?.length ? new Set<string>(input.status) : undefined
  const after = input.createdAt?.after
  const before = input.createdAt?.before
  const items = serviceDeploymentsOf(doc)
    .filter((sd) => !statuses || statuses.has(sd.status))
    .filter((sd) => (after === undefined || sd.createdAt >= after) && (before === undefined || sd.createdAt <= before))
    .map((sd) => renderBrief(doc, sd))
  return listPage('ListServiceDeployments', items, input, [doc.serviceArn, input.status ?? null, after ?? null, before ?? null])
}

/** The stored service a service-deployment / service-revision ARN belongs to (this account and region). */
function serviceOfChild(ctx: RequestContext, deps: EcsDeps, p: ReturnType<typeof parseChildArn>): ServiceDoc | undefined {
  if (!p || p.account !== ctx.account || p.region !== ctx.region) return undefined
  const doc = deps.repos.services.get(serviceKey(ctx, p.cluster, p.service))
  return isDaemonService(doc) ? undefined : doc
}

function checkCount(list: string[] | undefined, what: string): string[] {
  const arns = list ?? []
  if (arns.length === 0) throw invalidParameter(serviceDeploymentMessages.empty(what))
  if (arns.length > MAX_DESCRIBE) throw invalidParameter(serviceDeploymentMessages.tooMany(what))
  return arns
}

const describeServiceDeployments: Handler<'DescribeServiceDeployments'> = async (input, ctx, deps) => {
  const arns = checkCount(input.serviceDeploymentArns, 'serviceDeploymentArns')
  const serviceDeployments = []
  const failures = []
  const seen = new Set<string>()
  for (const arn of arns) {
    const p = parseChildArn(arn, 'service-deployment')
    const doc = serviceOfChild(ctx, deps, p)
    const sd = doc && serviceDeploymentsOf(doc).find((x) => x.id === p!.id)
    if (!doc || !sd) {
      failures.push({ arn, reason: 'MISSING' })
      continue
    }
    if (seen.has(sd.arn)) continue
    seen.add(sd.arn)
    serviceDeployments.push(renderServiceDeployment(doc, sd))
  }
  return { serviceDeployments, failures }
}

const describeServiceRevisions: Handler<'DescribeServiceRevisions'> = async (input, ctx, deps) => {
  const arns = checkCount(input.serviceRevisionArns, 'serviceRevisionArns')
  const serviceRevisions = []
  const failures = []
  const seen = new Set<string>()
  for (const arn of arns) {
    const p = parseChildArn(arn, 'service-revision')
    const doc = serviceOfChild(ctx, deps, p)
    const d = doc && revisionsOf(doc).get(p!.id)
    if (!doc || !d) {
      failures.push({ arn, reason: 'MISSING' })
      continue
    }
    const rendered = withServiceConnectShown(renderServiceRevision(doc, d, containerImages(ctx, deps, doc, d)))
    // the revision's EBS volumes configured at launch
    if (d.volumeConfigurations?.length) rendered.volumeConfigurations = structuredClone(d.volumeConfigurations)
    if (seen.has(rendered.serviceRevisionArn!)) continue
    seen.add(rendered.serviceRevisionArn!)
    serviceRevisions.push(rendered)
  }
  return { serviceRevisions, failures }
}

/** The revision's containers and images, with the digest a task of the deployment resolved when there is one. */
function containerImages(ctx: RequestContext, deps: EcsDeps, doc: ServiceDoc, d: DeploymentDoc) {
  const ref = d.taskDefinition ? parseTaskDefinitionRef(ctx, d.taskDefinition) : undefined
  const td = ref ? lookup(deps.repos, ctx, ref) : undefined
  const digests = new Map<string, string>()
  const group = serviceGroup(doc.serviceName)
  for (const t of deps.repos.tasks.values()) {
    if (t.group !== group || t.clusterArn !== doc.clusterArn || t.startedBy !== d.id) continue
    for (const c of t.containers ?? []) if (c.name && c.imageDigest && !digests.has(c.name)) digests.set(c.name, c.imageDigest)
  }
  return (td?.containerDefinitions ?? []).map((c) => ({
    containerName: c.name ?? '',
    image: c.image ?? '',
    ...(digests.has(c.name ?? '') ? { imageDigest: digests.get(c.name ?? '')! } : {}),
  }))
}

/**
 * StopServiceDeployment: an IN_PROGRESS service deployment goes back to the last COMPLETED
 * deployment's revision (a rollback deployment, as the circuit breaker starts one; the stopped one
 * drains). ROLLBACK (the default) shows ROLLBACK_IN_PROGRESS → ROLLBACK_SUCCESSFUL; ABORT shows
 * STOP_REQUESTED → STOPPED. A deployment already stopping or rolling back is left to finish.
 */
const stopServiceDeployment: Handler<'StopServiceDeployment'> = async (input, ctx, deps) => {
  const arn = input.serviceDeploymentArn!
  const p = parseChildArn(arn, 'service-deployment')
  const current = serviceOfChild(ctx, deps, p)
  const sd = current && serviceDeploymentsOf(current).find((x) => x.id === p!.id)
  if (!current || !sd) throw deploymentNotFound()
  if (['STOP_REQUESTED', 'ROLLBACK_REQUESTED', 'ROLLBACK_IN_PROGRESS'].includes(sd.status)) return { serviceDeploymentArn: sd.arn }
  if (sd.status !== 'IN_PROGRESS' && sd.status !== 'PENDING') {
    throw new EcsError('ConflictException', serviceDeploymentMessages.notStoppable(sd.status))
  }
  const doc: ServiceDoc = structuredClone(current)
  const target = doc.kecs.lastCompleted
  const stopping = primaryOf(doc)
  if (!target || !stopping || stopping.id !== sd.deployment.id) throw invalidParameter(serviceDeploymentMessages.nothingToRollBackTo)

  const now = deps.clock.now()
  const back = stopDeployment(doc, input.stopType === 'ABORT' ? 'ABORT' : 'ROLLBACK', now)
  addEvents(doc, [messages.rollingBack(doc.serviceName, target.id)], now)

  const key = serviceKey(ctx, doc.kecs.clusterName, doc.serviceName)
  await deps.repos.services.put(key, doc)
  publishServiceNotes(
    deps.bus,
    doc,
    [{ kind: 'deployment', name: 'SERVICE_DEPLOYMENT_IN_PROGRESS', deploymentId: back.id, reason: back.rolloutStateReason ?? '' }],
    now,
  )
  serviceRuntime(deps)?.changed(key)
  return { serviceDeploymentArn: sd.arn }
}

/**
 * ContinueServiceDeployment acts on a PAUSE lifecycle hook in AWAITING_ACTION. KECS stores a
 * deployment's `lifecycleHooks` but does not stop at them (a rolling update applies at once), so no
 * hook ever awaits action: the request is checked as ECS checks it (the service deployment exists and
 * is IN_PROGRESS, the hook awaits action) and refused at the hook.
 */
const continueServiceDeployment: Handler<'ContinueServiceDeployment'> = async (input, ctx, deps) => {
  const p = parseChildArn(input.serviceDeploymentArn!, 'service-deployment')
  const doc = serviceOfChild(ctx, deps, p)
  const sd = doc && serviceDeploymentsOf(doc).find((x) => x.id === p!.id)
  if (!doc || !sd) throw deploymentNotFound()
  if (sd.status !== 'IN_PROGRESS') throw invalidParameter(continueMessages.notInProgress(sd.status))
  throw invalidParameter(continueMessages.notAwaiting(input.hookId!))
}

export const handlers = {
  ContinueServiceDeployment: continueServiceDeployment,
  ListServiceDeployments: listServiceDeployments,
  DescribeServiceDeployments: describeServiceDeployments,
  DescribeServiceRevisions: describeServiceRevisions,
  StopServiceDeployment: stopServiceDeployment,
}

/** Without Service Connect ECS shows it off in a revision (`{"enabled": false}`), before `createdAt`. */
function withServiceConnectShown(r: ReturnType<typeof renderServiceRevision>): ReturnType<typeof renderServiceRevision> {
  if (r.serviceConnectConfiguration) return r
  const { createdAt, ...rest } = r
  return { ...rest, serviceConnectConfiguration: { enabled: false }, createdAt }
}
