import type { DaemonDeployment, DaemonDeploymentSummary, DaemonDetail, DaemonRevisionDetail } from '@aws-sdk/client-ecs'
import type { RequestContext } from '../context.js'
import { failedTaskThreshold } from '../services/deployments.js'
import type { DeploymentDoc, ServiceDoc } from '../services/service-doc.js'
import type { EcsDeps, Wire } from '../types.js'
import { daemonServiceOf, revisionOfServiceDeployment, serviceDeployments, type DaemonDeploymentRecord, type DaemonDoc } from './daemon-doc.js'

/**
 * What ECS shows of a daemon and its deployments, read from the daemon's service: a daemon
 * deployment's status follows its service deployment's rollout (IN_PROGRESS, COMPLETED → SUCCESSFUL,
 * FAILED → STOPPED, or ROLLBACK_* while the breaker's rollback runs), and the counts are its tasks. KECS
 * runs a daemon on every node, so the counts stand under the first capacity provider the daemon names.
 */

const secs = (ms: number | undefined) => (ms === undefined ? undefined : ms / 1000)

interface Derived {
  status: NonNullable<DaemonDeployment['status']>
  statusReason: string
  startedAt?: number
  stoppedAt?: number
  finishedAt?: number
  serviceDeployment?: DeploymentDoc
  rollback?: DeploymentDoc
}

// Not confirmed: ECS's texts other than "Deployment completed successfully." (seen in its examples).
export const deploymentReasons = {
  inProgress: 'Deployment in progress.',
  successful: 'Deployment completed successfully.',
  superseded: 'Deployment stopped: a newer deployment started.',
  deleting: 'Daemon deletion in progress: draining daemon tasks.',
  deleted: 'Daemon deleted: daemon tasks drained.',
}

function derive(doc: DaemonDoc, service: ServiceDoc | undefined, r: DaemonDeploymentRecord): Derived {
  if (r.kind === 'delete') {
    const done = !service || service.status === 'INACTIVE'
    return done
      ? { status: 'SUCCESSFUL', statusReason: deploymentReasons.deleted, startedAt: r.createdAt, finishedAt: secs(service?.kecs.inactiveAt) ?? r.createdAt }
      : { status: 'IN_PROGRESS', statusReason: deploymentReasons.deleting, startedAt: r.createdAt }
  }
  const all = serviceDeployments(service)
  const d = all.find((x) => x.id === r.serviceDeploymentId)
  const rollback = all.find((x) => x.kecs.rollbackOf === r.serviceDeploymentId)
  const base = { startedAt: r.createdAt, serviceDeployment: d }
  if (!d) return { ...base, status: 'PENDING', statusReason: deploymentReasons.inProgress }
  if (rollback) {
    const reason = d.rolloutStateReason ?? ''
    if (rollback.rolloutState === 'COMPLETED') return { ...base, rollback, status: 'ROLLBACK_SUCCESSFUL', statusReason: reason, stoppedAt: secs(d.kecs.endedAt), finishedAt: secs(rollback.kecs.endedAt) }
    if (rollback.rolloutState === 'FAILED') return { ...base, rollback, status: 'ROLLBACK_FAILED', statusReason: rollback.rolloutStateReason ?? reason, stoppedAt: secs(d.kecs.endedAt), finishedAt: secs(rollback.kecs.endedAt) }
    return { ...base, rollback, status: 'ROLLBACK_IN_PROGRESS', statusReason: reason, stoppedAt: secs(d.kecs.endedAt) }
  }
  if (d.rolloutState === 'COMPLETED') return { ...base, status: 'SUCCESSFUL', statusReason: deploymentReasons.successful, finishedAt: secs(d.kecs.endedAt) }
  if (d.rolloutState === 'FAILED') return { ...base, status: 'STOPPED', statusReason: d.rolloutStateReason ?? '', stoppedAt: secs(d.kecs.endedAt) }
  const later = doc.deployments.indexOf(r) < doc.deployments.length - 1
  if (later || d.status !== 'PRIMARY') return { ...base, status: 'STOPPED', statusReason: deploymentReasons.superseded, stoppedAt: secs(d.kecs.finishedAt) ?? d.updatedAt }
  return { ...base, status: 'IN_PROGRESS', statusReason: deploymentReasons.inProgress }
}

function counts(d: DeploymentDoc | undefined) {
  const running = d?.runningCount ?? 0
  const desired = d?.desiredCount ?? 0
  return { running, without: d?.status === 'PRIMARY' ? Math.max(0, desired - running) : 0 }
}

function deploymentRevision(doc: DaemonDoc, arn: string | undefined, d: DeploymentDoc | undefined, draining = 0) {
  const c = counts(d)
  return {
    arn,
    capacityProviders: doc.capacityProviderArns.map((cp, i) => ({
      arn: cp,
      runningInstanceCount: i === 0 ? c.running : 0,
      withoutDaemonInstanceCount: i === 0 ? c.without : 0,
      drainingInstanceCount: i === 0 ? draining : 0,
    })),
    totalRunningInstanceCount: c.running,
    totalWithoutDaemonInstanceCount: c.without,
    totalDrainingInstanceCount: draining,
  }
}

export function renderDeployment(deps: EcsDeps, ctx: RequestContext, doc: DaemonDoc, r: DaemonDeploymentRecord): Wire<DaemonDeployment> {
  const service = daemonServiceOf(deps.repos, ctx, doc)
  const all = serviceDeployments(service)
  const x = derive(doc, service, r)
  const d = x.serviceDeployment
  const triggered = x.status.startsWith('ROLLBACK') || (x.status === 'STOPPED' && d?.rolloutState === 'FAILED')
  const breakerStatus = triggered ? 'TRIGGERED' : x.status === 'IN_PROGRESS' || x.status === 'PENDING' ? 'MONITORING' : 'MONITORING_COMPLETE'
  const sourceOf = (arn: string) => {
    const sd = all.find((s) => revisionOfServiceDeployment(doc, all, s) === arn && s.id !== d?.id)
    return deploymentRevision(doc, arn, sd, x.status === 'IN_PROGRESS' && sd?.status === 'ACTIVE' ? (sd.runningCount ?? 0) : 0)
  }
  const out: Wire<DaemonDeployment> = {
    daemonDeploymentArn: r.arn,
    clusterArn: doc.clusterArn,
    status: x.status,
    statusReason: x.statusReason,
    ...(r.targetRevisionArn ? { targetDaemonRevision: deploymentRevision(doc, r.targetRevisionArn, d) } : {}),
    sourceDaemonRevisions: r.sourceRevisionArns.map(sourceOf),
    circuitBreaker: { failureCount: d?.failedTasks ?? 0, status: r.kind === 'delete' ? 'DISABLED' : breakerStatus, threshold: failedTaskThreshold(d?.desiredCount ?? 0) },
    // KECS evaluates no CloudWatch alarms: they are shown as given, never monitored.
    alarms: { alarmNames: r.deploymentConfiguration.alarms?.alarmNames ?? [], status: 'DISABLED', triggeredAlarmNames: [] },
    deploymentConfiguration: r.deploymentConfiguration,
    createdAt: r.createdAt,
    ...(x.startedAt !== undefined ? { startedAt: x.startedAt } : {}),
    ...(x.stoppedAt !== undefined ? { stoppedAt: x.stoppedAt } : {}),
    ...(x.finishedAt !== undefined ? { finishedAt: x.finishedAt } : {}),
  }
  if (x.rollback) {
    out.rollback = {
      reason: d?.rolloutStateReason,
      startedAt: x.rollback.createdAt,
      rollbackTargetDaemonRevisionArn: revisionOfServiceDeployment(doc, all, x.rollback),
      rollbackCapacityProviders: doc.capacityProviderArns,
    }
  }
  return out
}

export function renderDeploymentSummary(deps: EcsDeps, ctx: RequestContext, doc: DaemonDoc, r: DaemonDeploymentRecord): Wire<DaemonDeploymentSummary> {
  const d = renderDeployment(deps, ctx, doc, r)
  return {
    daemonDeploymentArn: r.arn,
    daemonArn: doc.daemonArn,
    clusterArn: doc.clusterArn,
    status: d.status,
    statusReason: d.statusReason,
    ...(r.targetRevisionArn ? { targetDaemonRevisionArn: r.targetRevisionArn } : {}),
    createdAt: d.createdAt,
    ...(d.startedAt !== undefined ? { startedAt: d.startedAt } : {}),
    ...(d.stoppedAt !== undefined ? { stoppedAt: d.stoppedAt } : {}),
    ...(d.finishedAt !== undefined ? { finishedAt: d.finishedAt } : {}),
  }
}

/** DescribeDaemon: the revisions that run now (one per service deployment still in the rollout), with their counts. */
export function describeDaemonDetail(deps: EcsDeps, ctx: RequestContext, doc: DaemonDoc): Wire<DaemonDetail> {
  const service = daemonServiceOf(deps.repos, ctx, doc)
  const all = serviceDeployments(service)
  const current: Wire<DaemonRevisionDetail>[] = []
  for (const d of service?.status === 'INACTIVE' ? [] : (service?.deployments ?? [])) {
    const arn = revisionOfServiceDeployment(doc, all, d)
    const c = counts(d)
    if (!arn || current.some((x) => x.arn === arn)) continue
    current.push({
      arn,
      capacityProviders: doc.capacityProviderArns.map((cp, i) => ({ arn: cp, runningCount: i === 0 ? c.running : 0, withoutDaemonCount: i === 0 ? c.without : 0 })),
      totalRunningCount: c.running,
      totalWithoutDaemonCount: c.without,
    })
  }
  return {
    daemonArn: doc.daemonArn,
    clusterArn: doc.clusterArn,
    status: doc.status,
    currentRevisions: current,
    deploymentArn: doc.deploymentArn,
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
  }
}
