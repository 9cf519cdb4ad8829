import type { RequestContext } from '../context.js'
import { epochSeconds } from '../clock.js'
import { newDeployment, startDeployment, withConfigDefaults } from '../services/deployments.js'
import { publishServiceNotes, reasons } from '../services/events.js'
import { serviceRuntime } from '../services/runtime.js'
import { drainedService } from '../services/delete-service.js'
import type { ServiceDoc } from '../services/service-doc.js'
import { serviceArn } from '../arns.js'
import { clusterInstances } from '../tasks/node-instances.js'
import type { EcsDeps } from '../types.js'
import type { WriteOp } from '../../store/store.js'
import { daemonDeploymentArn, daemonRevisionArn, newDaemonDeploymentId, newDaemonRevisionId } from './arns.js'
import { daemonServiceKey, daemonServiceName, type DaemonDoc, type DaemonRevisionDoc } from './daemon-doc.js'
import { runnable, type DaemonTaskDefinitionDoc } from './task-definitions.js'

/**
 * How a daemon runs: on the service machinery. Its service is DAEMON-scheduled (one task per node, a
 * DaemonSet), and a daemon deployment is a service deployment of it, so the rollout, the counts and
 * the circuit breaker (on for every daemon, with rollback: daemon task launch failures count toward it
 * and ECS rolls back) are the ones services have. drainPercent is the share of nodes whose daemon task
 * may be replaced at once (the DaemonSet's maxUnavailable).
 */

type Tag = { key: string; value: string }

/** The daemon's deployment configuration as the service's: drainPercent → minimumHealthyPercent, breaker with rollback. */
function serviceDeploymentConfiguration(doc: DaemonDoc): ServiceDoc['deploymentConfiguration'] {
  const drain = doc.deploymentConfiguration.drainPercent ?? 25
  return withConfigDefaults(
    {
      maximumPercent: 100,
      minimumHealthyPercent: Math.max(0, Math.min(100, Math.round(100 - drain))),
      deploymentCircuitBreaker: { enable: true, rollback: true },
      ...(doc.deploymentConfiguration.bakeTimeInMinutes ? { bakeTimeInMinutes: doc.deploymentConfiguration.bakeTimeInMinutes } : {}),
    },
    true,
  )
}

/** Tags of the daemon's tasks: the daemon's with propagateTags DAEMON; with enableECSManagedTags the cluster's and the daemon's name (the second key is an assumption). */
function taskTags(doc: DaemonDoc, tags: Tag[]): Tag[] {
  const out = new Map<string, string>()
  if (doc.propagateTags === 'DAEMON') for (const t of tags) out.set(t.key, t.value)
  if (doc.enableECSManagedTags) {
    out.set('aws:ecs:clusterName', doc.clusterName)
    out.set('aws:ecs:daemonName', doc.daemonName)
  }
  return [...out].map(([key, value]) => ({ key, value }))
}

function newService(ctx: RequestContext, deps: EcsDeps, doc: DaemonDoc, nowMs: number): ServiceDoc {
  const name = daemonServiceName(doc.daemonName)
  return {
    serviceArn: serviceArn(ctx, doc.clusterName, name),
    serviceName: name,
    clusterArn: doc.clusterArn,
    status: 'ACTIVE',
    desiredCount: clusterInstances(deps.repos, doc.clusterArn).length,
    runningCount: 0,
    pendingCount: 0,
    launchType: 'EC2',
    deploymentConfiguration: serviceDeploymentConfiguration(doc),
    deployments: [],
    events: [],
    createdAt: epochSeconds(nowMs),
    schedulingStrategy: 'DAEMON',
    deploymentController: { type: 'ECS' },
    createdBy: ctx.principalArn,
    enableECSManagedTags: doc.enableECSManagedTags,
    propagateTags: 'NONE',
    enableExecuteCommand: doc.enableExecuteCommand,
    kecs: { clusterName: doc.clusterName, steady: false, recentFailures: [], impaired: false, pastDeployments: [], daemon: { daemonArn: doc.daemonArn } },
  }
}

/**
 * A new revision of the daemon (a snapshot of its settings and task definition) and a deployment
 * that rolls it out: a new PRIMARY deployment of the daemon's service (created with the first). Changes
 * `doc` (revisions, deployments, deploymentArn); returns the service's write and what to call once
 * it is stored.
 */
export function deployRevision(
  ctx: RequestContext,
  deps: EcsDeps,
  doc: DaemonDoc,
  td: DaemonTaskDefinitionDoc,
  tags: Tag[],
  current: ServiceDoc | undefined,
): { ops: WriteOp[]; changed: () => void } {
  const nowMs = deps.clock.now()
  const now = epochSeconds(nowMs)
  const revision: DaemonRevisionDoc = {
    daemonRevisionArn: daemonRevisionArn(ctx, doc.clusterName, doc.daemonName, newDaemonRevisionId()),
    clusterArn: doc.clusterArn,
    daemonArn: doc.daemonArn,
    daemonTaskDefinitionArn: td.daemonTaskDefinitionArn,
    createdAt: now,
    containerImages: (td.containerDefinitions ?? []).map((c) => ({ ...(c.name ? { containerName: c.name } : {}), image: c.image })),
    propagateTags: doc.propagateTags,
    enableECSManagedTags: doc.enableECSManagedTags,
    enableExecuteCommand: doc.enableExecuteCommand,
    critical: doc.critical,
  }
  const service: ServiceDoc = current && current.status === 'ACTIVE' ? structuredClone(current) : newService(ctx, deps, doc, nowMs)
  service.deploymentConfiguration = serviceDeploymentConfiguration(doc)
  service.enableExecuteCommand = doc.enableExecuteCommand
  service.enableECSManagedTags = doc.enableECSManagedTags
  service.taskDefinition = td.daemonTaskDefinitionArn
  const sources = [...new Set(service.deployments.map((d) => revisionArnOf(doc, d.id)).filter((a): a is string => !!a))]
  const deployment = newDeployment({ taskDefinition: td.daemonTaskDefinitionArn, launchType: 'EC2', taskTags: taskTags(doc, tags) }, service.desiredCount, nowMs)
  startDeployment(service, deployment)
  const arn = daemonDeploymentArn(ctx, doc.clusterName, doc.daemonName, newDaemonDeploymentId())
  doc.revisions.push(revision)
  doc.deployments.push({
    arn,
    kind: 'deploy',
    serviceDeploymentId: deployment.id,
    targetRevisionArn: revision.daemonRevisionArn,
    sourceRevisionArns: sources,
    createdAt: now,
    deploymentConfiguration: structuredClone(doc.deploymentConfiguration),
  })
  doc.deploymentArn = arn
  const runtime = serviceRuntime(deps)
  if (runtime) {
    const { ignored } = runtime.prepare(service, runnable(deps.repos, td))
    if (ignored.length) service.kecs.ignored = ignored
    else delete service.kecs.ignored
  }
  const key = daemonServiceKey(ctx, doc)
  return {
    ops: [deps.repos.services.stagePut(key, service)],
    changed: () => {
      publishServiceNotes(deps.bus, service, [{ kind: 'deployment', name: 'SERVICE_DEPLOYMENT_IN_PROGRESS', deploymentId: deployment.id, reason: reasons.inProgress(deployment.id) }], nowMs)
      runtime?.changed(key)
    },
  }
}

const revisionArnOf = (doc: DaemonDoc, serviceDeploymentId: string) =>
  doc.deployments.find((d) => d.serviceDeploymentId === serviceDeploymentId)?.targetRevisionArn

/** DeleteDaemon: the daemon's service drains as a deleted service does (its DaemonSet goes; INACTIVE once no task is left). */
export function drainDaemonService(deps: EcsDeps, key: string, current: ServiceDoc | undefined): { ops: WriteOp[]; changed: () => void } {
  if (!current || current.status !== 'ACTIVE') return { ops: [], changed: () => {} }
  const service = drainedService(deps, current)
  return { ops: [deps.repos.services.stagePut(key, service)], changed: () => serviceRuntime(deps)?.changed(key) }
}
