import type { ServiceDeployment, ServiceDeploymentBrief, ServiceRevision, ServiceRevisionSummary } from '@aws-sdk/client-ecs'
import { createHash } from 'node:crypto'
import { parseArn } from '../arns.js'
import { epochSeconds } from '../clock.js'
import type { Wire } from '../types.js'
import { failedTaskThreshold, newDeployment, revisionOf, startDeployment } from './deployments.js'
import { primaryOf, type DeploymentDoc, type ServiceDoc } from './service-doc.js'

/**
 * Service deployments and service revisions (ListServiceDeployments, DescribeServiceDeployments,
 * DescribeServiceRevisions), derived from a service's deployment history, never stored on their own. Pure.
 * docs/architecture.md#service-documents-and-deployments
 */

export type ServiceDeploymentStatus = NonNullable<ServiceDeployment['status']>

export interface DerivedServiceDeployment {
  id: string
  arn: string
  /** The deployment the user started. */
  deployment: DeploymentDoc
  /** Its rollback, if one started. */
  rollback?: DeploymentDoc
  status: ServiceDeploymentStatus
  statusReason: string
  createdAt: number
  finishedAt?: number
  stoppedAt?: number
  updatedAt: number
}

const serviceDeploymentReasons = {
  replaced: (id: string) => `ECS deployment ${id} was stopped: a newer deployment replaced it.`,
  serviceDeleted: (id: string) => `ECS deployment ${id} was stopped: the service was deleted.`,
  stopRequested: (id: string) => `ECS deployment ${id} was stopped by a StopServiceDeployment request.`,
  userRollingBack: (toId: string) => `ECS deployment stopped by user: rolling back to deploymentId ${toId}.`,
  rolledBack: (toId: string) => `ECS deployment rolled back to deploymentId ${toId}.`,
  rollbackFailed: (toId: string) => `ECS deployment rollback to deploymentId ${toId} failed.`,
  /** Rollback.reason */
  breakerRollback: 'ECS deployment circuit breaker: tasks failed to start.',
  userRollback: 'Service deployment stopped by user request (StopServiceDeployment ROLLBACK).',
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'

/** The service deployment id of an ECS deployment: 21 base62 characters, as ECS's look, stable. */
export function serviceDeploymentId(deploymentId: string): string {
  let n = BigInt('0x' + createHash('sha256').update(`kecs:service-deployment:${deploymentId}`).digest('hex'))
  let out = ''
  for (let i = 0; i < 21; i++) {
    out += BASE62[Number(n % 62n)]
    n /= 62n
  }
  return out
}

/** The service revision id of an ECS deployment (that is not a rollback): its 19 digits. */
const serviceRevisionId = (deploymentId: string) => deploymentId.slice(deploymentId.lastIndexOf('/') + 1)

const arnBase = (serviceArn: string) => {
  const p = parseArn(serviceArn)!
  const [cluster, name] = p.resource.split('/')
  return { prefix: `arn:${p.partition}:ecs:${p.region}:${p.account}`, cluster: cluster!, name: name! }
}

export function serviceDeploymentArn(serviceArn: string, deploymentId: string): string {
  const b = arnBase(serviceArn)
  return `${b.prefix}:service-deployment/${b.cluster}/${b.name}/${serviceDeploymentId(deploymentId)}`
}

export function serviceRevisionArn(serviceArn: string, deploymentId: string): string {
  const b = arnBase(serviceArn)
  return `${b.prefix}:service-revision/${b.cluster}/${b.name}/${serviceRevisionId(deploymentId)}`
}

/** `service-deployment/<cluster>/<service>/<id>` or `service-revision/...`: its parts, or undefined. */
export function parseChildArn(arn: string, type: 'service-deployment' | 'service-revision') {
  const p = parseArn(arn)
  if (!p || p.service !== 'ecs' || p.resourceType !== type) return undefined
  const parts = p.resource.split('/')
  if (parts.length !== 3 || parts.some((x) => !x)) return undefined
  return { account: p.account, region: p.region, cluster: parts[0]!, service: parts[1]!, id: parts[2]! }
}

/** Every deployment the service remembers, by id: current ones first (freshest), then past, then the last COMPLETED. */
function history(doc: ServiceDoc): Map<string, DeploymentDoc> {
  const out = new Map<string, DeploymentDoc>()
  for (const d of [...doc.deployments, ...doc.kecs.pastDeployments]) if (!out.has(d.id)) out.set(d.id, d)
  const lc = doc.kecs.lastCompleted
  if (lc && !out.has(lc.id)) out.set(lc.id, lc)
  return out
}

const isRollback = (d: DeploymentDoc) => !!d.kecs.rollbackTo

/** The deployment whose revision `id` runs: itself, or for a rollback the one it went back to (followed). */
function revisionDeploymentId(all: Map<string, DeploymentDoc>, id: string): string {
  let cur = id
  for (let i = 0; i < 100; i++) {
    const d = all.get(cur)
    if (!d?.kecs.rollbackTo) return cur
    cur = d.kecs.rollbackTo
  }
  return cur
}

const byCreated = (a: DeploymentDoc, b: DeploymentDoc) => a.createdAt - b.createdAt

/** The rollback deployment started for `d`, if any (older data without rollbackOf: the next rollback after it). */
function rollbackFor(list: DeploymentDoc[], d: DeploymentDoc): DeploymentDoc | undefined {
  const direct = list.find((r) => r.kecs.rollbackOf === d.id)
  if (direct || d.rolloutState !== 'FAILED') return direct
  return list.filter((r) => isRollback(r) && !r.kecs.rollbackOf && r.createdAt >= d.createdAt).sort(byCreated)[0]
}

/** The deployment that replaced `d` while it was PRIMARY (it lists d among its sources; older data: the next one). */
function replacedBy(list: DeploymentDoc[], d: DeploymentDoc): DeploymentDoc | undefined {
  const direct = list.filter((n) => n.kecs.sources?.includes(d.id)).sort(byCreated)[0]
  if (direct) return direct
  return list.filter((n) => !n.kecs.sources && n.id !== d.id && n.createdAt > d.createdAt).sort(byCreated)[0]
}

/** When a deployment's rollout ended (epoch seconds). */
function endedAt(doc: ServiceDoc, d: DeploymentDoc): number {
  if (d.kecs.endedAt !== undefined) return epochSeconds(d.kecs.endedAt)
  if (doc.kecs.lastCompleted?.id === d.id) return doc.kecs.lastCompleted.updatedAt
  return d.updatedAt
}

/** The service's service deployments, newest first. */
export function serviceDeploymentsOf(doc: ServiceDoc): DerivedServiceDeployment[] {
  if (doc.status === 'INACTIVE') return []
  const all = history(doc)
  const list = [...all.values()]
  const primaryId = doc.deployments.find((d) => d.status === 'PRIMARY')?.id
  const out: DerivedServiceDeployment[] = []
  for (const d of list) {
    if (isRollback(d)) continue
    out.push(derive(doc, list, d, primaryId))
  }
  return out.sort((a, b) => b.createdAt - a.createdAt)
}

function derive(doc: ServiceDoc, list: DeploymentDoc[], d: DeploymentDoc, primaryId: string | undefined): DerivedServiceDeployment {
  const r = rollbackFor(list, d)
  const base = { id: serviceDeploymentId(d.id), arn: serviceDeploymentArn(doc.serviceArn, d.id), deployment: d, createdAt: d.createdAt }
  const result = (status: ServiceDeploymentStatus, statusReason: string, finishedAt?: number, stoppedAt?: number): DerivedServiceDeployment => ({
    ...base,
    ...(r ? { rollback: r } : {}),
    status,
    statusReason,
    ...(finishedAt !== undefined ? { finishedAt } : {}),
    ...(stoppedAt !== undefined ? { stoppedAt } : {}),
    updatedAt: Math.max(d.updatedAt, r?.updatedAt ?? 0, finishedAt ?? 0, stoppedAt ?? 0),
  })
  const stopped = d.kecs.stopped
  const stoppedAt = stopped ? epochSeconds(stopped.at) : undefined
  const target = r?.kecs.rollbackTo ?? ''

  if (stopped || (d.rolloutState === 'FAILED' && r)) {
    if (!r) return result(stopped?.type === 'ABORT' ? 'STOP_REQUESTED' : 'ROLLBACK_REQUESTED', serviceDeploymentReasons.stopRequested(d.id), undefined, stoppedAt)
    const abort = stopped?.type === 'ABORT'
    if (r.rolloutState === 'COMPLETED') {
      const end = endedAt(doc, r)
      return abort
        ? result('STOPPED', serviceDeploymentReasons.stopRequested(d.id), end, stoppedAt)
        : result('ROLLBACK_SUCCESSFUL', serviceDeploymentReasons.rolledBack(target), end, stoppedAt)
    }
    if (r.rolloutState === 'FAILED') {
      const end = endedAt(doc, r)
      return abort
        ? result('STOPPED', serviceDeploymentReasons.stopRequested(d.id), end, stoppedAt)
        : result('ROLLBACK_FAILED', serviceDeploymentReasons.rollbackFailed(target), end, stoppedAt)
    }
    if (r.id !== primaryId || doc.status !== 'ACTIVE') {
      const next = replacedBy(list, r)
      const end = next?.createdAt ?? r.updatedAt
      return result('STOPPED', doc.status !== 'ACTIVE' ? serviceDeploymentReasons.serviceDeleted(r.id) : serviceDeploymentReasons.replaced(r.id), end, stoppedAt ?? end)
    }
    return abort
      ? result('STOP_REQUESTED', serviceDeploymentReasons.stopRequested(d.id), undefined, stoppedAt)
      : result('ROLLBACK_IN_PROGRESS', r.rolloutStateReason ?? serviceDeploymentReasons.userRollingBack(target), undefined, stoppedAt)
  }
  if (d.rolloutState === 'COMPLETED') return result('SUCCESSFUL', d.rolloutStateReason ?? '', endedAt(doc, d))
  if (d.rolloutState === 'FAILED') {
    // The circuit breaker failed it and did not roll back: the deployment stops (API reference, stoppedAt).
    const end = endedAt(doc, d)
    return result('STOPPED', d.rolloutStateReason ?? '', end, end)
  }
  if (d.id !== primaryId || doc.status !== 'ACTIVE') {
    const next = replacedBy(list, d)
    const end = doc.status !== 'ACTIVE' && !next ? d.updatedAt : (next?.createdAt ?? d.updatedAt)
    const reason = next ? serviceDeploymentReasons.replaced(d.id) : serviceDeploymentReasons.serviceDeleted(d.id)
    return result('STOPPED', reason, end, end)
  }
  return result('IN_PROGRESS', d.rolloutStateReason ?? '')
}

const summary = (arn: string, d: DeploymentDoc | undefined): Wire<ServiceRevisionSummary> => ({
  arn,
  requestedTaskCount: d?.desiredCount ?? 0,
  runningTaskCount: d?.runningCount ?? 0,
  pendingTaskCount: d?.pendingCount ?? 0,
})

/** ListServiceDeployments' entry. */
export function renderBrief(doc: ServiceDoc, sd: DerivedServiceDeployment): Wire<ServiceDeploymentBrief> {
  return {
    serviceDeploymentArn: sd.arn,
    serviceArn: doc.serviceArn,
    clusterArn: doc.clusterArn,
    startedAt: sd.createdAt,
    createdAt: sd.createdAt,
    ...(sd.finishedAt !== undefined ? { finishedAt: sd.finishedAt } : {}),
    targetServiceRevisionArn: serviceRevisionArn(doc.serviceArn, sd.deployment.id),
    status: sd.status,
    statusReason: sd.statusReason,
  }
}

/** DescribeServiceDeployments' entry. */
export function renderServiceDeployment(doc: ServiceDoc, sd: DerivedServiceDeployment): Wire<ServiceDeployment> {
  const all = history(doc)
  const d = sd.deployment
  const revArn = (id: string) => serviceRevisionArn(doc.serviceArn, revisionDeploymentId(all, id))
  const sources = d.kecs.sources ?? previousOf(all, d)
  const byArn = new Map<string, Wire<ServiceRevisionSummary>>()
  for (const id of sources) {
    const s = summary(revArn(id), all.get(id))
    const seen = byArn.get(s.arn!)
    if (!seen) byArn.set(s.arn!, s)
    else {
      seen.requestedTaskCount! += s.requestedTaskCount!
      seen.runningTaskCount! += s.runningTaskCount!
      seen.pendingTaskCount! += s.pendingTaskCount!
    }
  }
  const config = structuredClone(d.kecs.started?.deploymentConfiguration ?? doc.deploymentConfiguration ?? {})
  const breaker = config.deploymentCircuitBreaker as
    | { enable?: boolean; rollback?: boolean; thresholdConfiguration?: { type?: string; value?: number } }
    | undefined
  const done = !['IN_PROGRESS', 'PENDING', 'ROLLBACK_REQUESTED', 'ROLLBACK_IN_PROGRESS', 'STOP_REQUESTED'].includes(sd.status)
  const tripped = d.rolloutState === 'FAILED' && !d.kecs.stopped
  const out: Wire<ServiceDeployment> = {
    serviceDeploymentArn: sd.arn,
    serviceArn: doc.serviceArn,
    clusterArn: doc.clusterArn,
    createdAt: sd.createdAt,
    startedAt: sd.createdAt,
    ...(sd.finishedAt !== undefined ? { finishedAt: sd.finishedAt } : {}),
    ...(sd.stoppedAt !== undefined ? { stoppedAt: sd.stoppedAt } : {}),
    updatedAt: sd.updatedAt,
    sourceServiceRevisions: [...byArn.values()],
    targetServiceRevision: summary(serviceRevisionArn(doc.serviceArn, d.id), d),
    status: sd.status,
    statusReason: sd.statusReason,
    deploymentConfiguration: config,
  }
  if (sd.rollback && d.kecs.stopped?.type !== 'ABORT') {
    out.rollback = {
      reason: d.kecs.stopped ? serviceDeploymentReasons.userRollback : serviceDeploymentReasons.breakerRollback,
      startedAt: sd.rollback.createdAt,
      serviceRevisionArn: revArn(sd.rollback.id),
    }
  }
  out.deploymentCircuitBreaker = breaker?.enable
    ? {
        status: tripped ? 'TRIGGERED' : done ? 'MONITORING_COMPLETE' : 'MONITORING',
        failureCount: d.failedTasks,
        threshold: failedTaskThreshold(d.kecs.started?.desiredCount ?? doc.desiredCount, breaker.thresholdConfiguration),
      }
    : { status: 'DISABLED', failureCount: d.failedTasks, threshold: 0 }
  const alarms = config.alarms
  out.alarms = alarms?.enable
    ? { status: done ? 'MONITORING_COMPLETE' : 'MONITORING', alarmNames: [...(alarms.alarmNames ?? [])], triggeredAlarmNames: [] }
    : { status: 'DISABLED' }
  return out
}

/** Older data without kecs.sources: the deployment created just before `d`, if any. */
function previousOf(all: Map<string, DeploymentDoc>, d: DeploymentDoc): string[] {
  const before = [...all.values()].filter((x) => x.createdAt < d.createdAt).sort(byCreated)
  const last = before[before.length - 1]
  return last ? [last.id] : []
}

/** The deployments that have a service revision (the ones that are not rollbacks), by revision id. */
export function revisionsOf(doc: ServiceDoc): Map<string, DeploymentDoc> {
  const out = new Map<string, DeploymentDoc>()
  if (doc.status === 'INACTIVE') return out
  for (const d of history(doc).values()) if (!isRollback(d)) out.set(serviceRevisionId(d.id), d)
  return out
}

/** DescribeServiceRevisions' entry; `images` are the task definition's containers (and digests when known). */
export function renderServiceRevision(
  doc: ServiceDoc,
  d: DeploymentDoc,
  images: { containerName: string; image: string; imageDigest?: string }[],
): Wire<ServiceRevision> {
  const started = d.kecs.started
  const out: Record<string, unknown> = {
    serviceRevisionArn: serviceRevisionArn(doc.serviceArn, d.id),
    serviceArn: doc.serviceArn,
    clusterArn: doc.clusterArn,
    taskDefinition: d.taskDefinition,
  }
  if (d.capacityProviderStrategy?.length) out.capacityProviderStrategy = structuredClone(d.capacityProviderStrategy)
  else if (d.launchType) out.launchType = d.launchType
  if (d.platformVersion) out.platformVersion = d.platformVersion
  if (d.platformFamily) out.platformFamily = d.platformFamily
  out.loadBalancers = structuredClone(started?.loadBalancers ?? doc.loadBalancers ?? [])
  out.serviceRegistries = structuredClone(started?.serviceRegistries ?? doc.serviceRegistries ?? [])
  if (d.networkConfiguration) out.networkConfiguration = structuredClone(d.networkConfiguration)
  out.containerImages = images
  out.guardDutyEnabled = false
  if (d.serviceConnectConfiguration) out.serviceConnectConfiguration = structuredClone(d.serviceConnectConfiguration)
  out.createdAt = d.createdAt
  return out as Wire<ServiceRevision>
}

/**
 * StopServiceDeployment's change to the service (mutates `doc`): its PRIMARY deployment stops (FAILED,
 * `kecs.stopped`) and a rollback deployment of the last COMPLETED one's revision starts, as the circuit
 * breaker's does; the service's task definition goes back with it. Returns the rollback deployment.
 * The caller checks there is a COMPLETED deployment and that the PRIMARY one is the one to stop.
 */
export function stopDeployment(doc: ServiceDoc, type: 'ROLLBACK' | 'ABORT', nowMs: number): DeploymentDoc {
  const stopping = primaryOf(doc)!
  const target = doc.kecs.lastCompleted!
  stopping.rolloutState = 'FAILED'
  stopping.rolloutStateReason = serviceDeploymentReasons.stopRequested(stopping.id)
  stopping.updatedAt = epochSeconds(nowMs)
  stopping.kecs.endedAt = nowMs
  stopping.kecs.stopped = { type, at: nowMs }
  const back = newDeployment(revisionOf(target), doc.desiredCount, nowMs, { rollbackTo: target.id, rollbackOf: stopping.id })
  back.rolloutStateReason = serviceDeploymentReasons.userRollingBack(target.id)
  startDeployment(doc, back)
  doc.taskDefinition = back.taskDefinition
  doc.kecs.steady = false
  return back
}
