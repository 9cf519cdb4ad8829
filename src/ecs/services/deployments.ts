import type { DeploymentConfiguration } from '@aws-sdk/client-ecs'
import { randomBytes } from 'node:crypto'
import { epochSeconds } from '../clock.js'
import { FARGATE_PLATFORM_VERSION } from '../tasks/build-task.js'
import type { Wire } from '../types.js'
import { reasons } from './events.js'
import type { DeploymentDoc, ServiceDoc } from './service-doc.js'

/** ECS deployments of a service: ids, new deployments, deployment configuration defaults, circuit-breaker math. */

/** `ecs-svc/` + 19 digits (a leading 0 is possible), as ECS makes them. */
export function newDeploymentId(): string {
  const n = randomBytes(8).readBigUInt64BE() % 10n ** 19n
  return `ecs-svc/${n.toString().padStart(19, '0')}`
}

/** What a new deployment runs: the service revision. */
export interface Revision {
  taskDefinition: string
  launchType?: string
  capacityProviderStrategy?: DeploymentDoc['capacityProviderStrategy']
  platformVersion?: string
  networkConfiguration?: DeploymentDoc['networkConfiguration']
  serviceConnectConfiguration?: DeploymentDoc['serviceConnectConfiguration']
  /** EBS volumes configured at launch for each of its tasks */
  volumeConfigurations?: DeploymentDoc['volumeConfigurations']
  taskTags: { key: string; value: string }[]
}

/** A fresh PRIMARY deployment, IN_PROGRESS (its counts are the scheduler's to fill). */
export function newDeployment(
  rev: Revision,
  desiredCount: number,
  nowMs: number,
  opts: { id?: string; rollbackTo?: string; rollbackOf?: string } = {},
): DeploymentDoc {
  const id = opts.id ?? newDeploymentId()
  const now = epochSeconds(nowMs)
  const fargate = rev.launchType === 'FARGATE' || (rev.capacityProviderStrategy ?? []).some((i) => i.capacityProvider?.startsWith('FARGATE'))
  const d: DeploymentDoc = {
    id,
    status: 'PRIMARY',
    taskDefinition: rev.taskDefinition,
    desiredCount,
    pendingCount: 0,
    runningCount: 0,
    failedTasks: 0,
    createdAt: now,
    updatedAt: now,
    rolloutState: 'IN_PROGRESS',
    rolloutStateReason: opts.rollbackTo ? reasons.rollingBack(opts.rollbackTo) : reasons.inProgress(id),
    kecs: {
      taskTags: rev.taskTags,
      ...(opts.rollbackTo ? { rollbackTo: opts.rollbackTo } : {}),
      ...(opts.rollbackOf ? { rollbackOf: opts.rollbackOf } : {}),
    },
  }
  if (rev.capacityProviderStrategy?.length) d.capacityProviderStrategy = structuredClone(rev.capacityProviderStrategy)
  else if (rev.launchType) d.launchType = rev.launchType as DeploymentDoc['launchType']
  if (fargate) {
    d.platformVersion = !rev.platformVersion || rev.platformVersion === 'LATEST' ? FARGATE_PLATFORM_VERSION : rev.platformVersion
    d.platformFamily = 'Linux'
  }
  if (rev.networkConfiguration) d.networkConfiguration = structuredClone(rev.networkConfiguration)
  if (rev.serviceConnectConfiguration) d.serviceConnectConfiguration = structuredClone(rev.serviceConnectConfiguration)
  if (rev.volumeConfigurations?.length) d.volumeConfigurations = structuredClone(rev.volumeConfigurations)
  return d
}

/** The revision a deployment runs (to start another deployment of it: a rollback). */
export function revisionOf(d: DeploymentDoc): Revision {
  return {
    taskDefinition: d.taskDefinition!,
    launchType: d.launchType,
    capacityProviderStrategy: d.capacityProviderStrategy,
    platformVersion: d.platformVersion,
    networkConfiguration: d.networkConfiguration,
    serviceConnectConfiguration: d.serviceConnectConfiguration,
    volumeConfigurations: d.volumeConfigurations,
    taskTags: d.kecs.taskTags,
  }
}

/**
 * Makes `next` the PRIMARY deployment: the current ones become ACTIVE (they drain as the new one
 * replaces their tasks; the scheduler drops them once they have no tasks left). `next` records what
 * it replaces and what the service had then (its service deployment and revision show them).
 */
export function startDeployment(doc: ServiceDoc, next: DeploymentDoc): void {
  next.kecs.sources = doc.deployments.map((d) => d.id)
  next.kecs.started = structuredClone({
    desiredCount: doc.desiredCount,
    deploymentConfiguration: doc.deploymentConfiguration,
    loadBalancers: doc.loadBalancers ?? [],
    serviceRegistries: doc.serviceRegistries ?? [],
  })
  for (const d of doc.deployments) if (d.status === 'PRIMARY') d.status = 'ACTIVE'
  doc.deployments = [next, ...doc.deployments]
}

type DeploymentConfig = Wire<DeploymentConfiguration>

/**
 * The deploymentConfiguration a service shows (docs/ecs-facts.md#services): REPLICA maximumPercent 200 /
 * minimumHealthyPercent 100, DAEMON 100 / 0; a circuit breaker (off unless given) and the rolling
 * strategy; alarms only when given.
 */
export function withConfigDefaults(given: DeploymentConfig | undefined, daemon: boolean): DeploymentConfig {
  const out: DeploymentConfig = {
    deploymentCircuitBreaker: given?.deploymentCircuitBreaker
      ? { ...given.deploymentCircuitBreaker, enable: !!given.deploymentCircuitBreaker.enable, rollback: !!given.deploymentCircuitBreaker.rollback }
      : { enable: false, rollback: false },
    maximumPercent: given?.maximumPercent ?? (daemon ? 100 : 200),
    minimumHealthyPercent: given?.minimumHealthyPercent ?? (daemon ? 0 : 100),
  }
  if (given?.alarms) out.alarms = { alarmNames: given.alarms.alarmNames ?? [], enable: !!given.alarms.enable, rollback: !!given.alarms.rollback }
  out.strategy = given?.strategy ?? 'ROLLING'
  for (const k of ['bakeTimeInMinutes', 'lifecycleHooks', 'canaryConfiguration', 'linearConfiguration'] as const) {
    if (given?.[k] !== undefined) (out as Record<string, unknown>)[k] = structuredClone(given[k])
  }
  return out
}

/** A new service's deploymentConfiguration: the defaults, and the alarms block ECS shows even when none were given (off). */
export function newServiceConfig(given: DeploymentConfig | undefined, daemon: boolean): DeploymentConfig {
  const out = withConfigDefaults(given, daemon)
  out.alarms ??= { alarmNames: [], rollback: false, enable: false }
  return out
}

/** UpdateService: members given replace the current ones; the rest stay. */
export function mergeConfig(current: DeploymentConfig | undefined, given: DeploymentConfig, daemon: boolean): DeploymentConfig {
  return withConfigDefaults({ ...(current ?? {}), ...given }, daemon)
}

const MIN_FAILED_THRESHOLD = 3
const MAX_FAILED_THRESHOLD = 200

/**
 * The circuit breaker's failed task threshold: BOUNDED_PERCENT 50 by default, i.e. 0.5 × desiredCount
 * clamped to 3..200 (API reference, ServiceDeploymentCircuitBreaker); COUNT uses the value as is,
 * UNBOUNDED_PERCENT takes the percentage without the clamp (at least 1).
 */
export function failedTaskThreshold(
  desiredCount: number,
  threshold?: { type?: string; value?: number },
): number {
  const type = threshold?.type ?? 'BOUNDED_PERCENT'
  const value = threshold?.value ?? 50
  if (type === 'COUNT') return Math.max(1, value)
  const raw = Math.ceil((value / 100) * Math.max(0, desiredCount))
  if (type === 'UNBOUNDED_PERCENT') return Math.max(1, raw)
  return Math.min(MAX_FAILED_THRESHOLD, Math.max(MIN_FAILED_THRESHOLD, raw))
}
