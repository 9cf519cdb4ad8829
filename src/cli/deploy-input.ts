import type { CreateServiceRequest, Service, ServiceEvent, UpdateServiceRequest } from '@aws-sdk/client-ecs'
import { CliError } from '../lib/errors.js'

/**
 * The pure parts of `kecs deploy`: reading ECS service JSON (what `aws ecs create-service
 * --cli-input-json` takes), turning it into CreateService or UpdateService input, and judging a
 * rollout from DescribeServices.
 */

/** CreateServiceRequest members (the ECS model's, 2014-11-13). */
export const CREATE_FIELDS = [
  'availabilityZoneRebalancing', 'capacityProviderStrategy', 'clientToken', 'cluster', 'deploymentConfiguration',
  'deploymentController', 'desiredCount', 'enableECSManagedTags', 'enableExecuteCommand', 'gatewayConnectors',
  'healthCheckGracePeriodSeconds', 'launchType', 'loadBalancers', 'monitoring', 'networkConfiguration',
  'placementConstraints', 'placementStrategy', 'platformVersion', 'propagateTags', 'role', 'schedulingStrategy',
  'serviceConnectConfiguration', 'serviceName', 'serviceRegistries', 'tags', 'taskDefinition', 'volumeConfigurations',
  'vpcLatticeConfigurations',
] as const

/** UpdateServiceRequest members: `service` instead of `serviceName`, and no launchType, role, schedulingStrategy, tags or clientToken. */
export const UPDATE_FIELDS = [
  'availabilityZoneRebalancing', 'capacityProviderStrategy', 'cluster', 'deploymentConfiguration', 'deploymentController',
  'desiredCount', 'enableECSManagedTags', 'enableExecuteCommand', 'forceNewDeployment', 'gatewayConnectors',
  'healthCheckGracePeriodSeconds', 'loadBalancers', 'monitoring', 'networkConfiguration', 'placementConstraints',
  'placementStrategy', 'platformVersion', 'propagateTags', 'service', 'serviceConnectConfiguration', 'serviceRegistries',
  'taskDefinition', 'volumeConfigurations', 'vpcLatticeConfigurations',
] as const

export type ServiceSpec = Record<string, unknown> & { serviceName: string }

/**
 * Parses a service file: a JSON object with `serviceName` (or `service`, as update-service input
 * names it). Fails with the file name and what is wrong.
 */
export function parseServiceSpec(text: string, file: string): ServiceSpec {
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch (e) {
    throw new CliError(`${file} is not valid JSON: ${(e as Error).message}`)
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new CliError(`${file} must hold one JSON object (ECS CreateService input)`, 'See `aws ecs create-service --generate-cli-skeleton`.')
  }
  const o = { ...(doc as Record<string, unknown>) }
  if (o.serviceName === undefined && typeof o.service === 'string') {
    o.serviceName = o.service
    delete o.service
  }
  if (typeof o.serviceName !== 'string' || o.serviceName.trim() === '') {
    throw new CliError(`${file} has no serviceName`, 'Add "serviceName": "<name>" (and "taskDefinition", "desiredCount").')
  }
  for (const [k, t] of [
    ['taskDefinition', 'string'],
    ['cluster', 'string'],
    ['desiredCount', 'number'],
  ] as const) {
    if (o[k] !== undefined && typeof o[k] !== t) throw new CliError(`${file}: ${k} must be a ${t}`)
  }
  return o as ServiceSpec
}

export interface Mapped<T> {
  input: T
  /** Members of the file this call does not take (unknown, or create-only on an update). */
  ignored: string[]
}

const pick = (spec: Record<string, unknown>, fields: readonly string[], skip: string[] = []) => {
  const allowed = new Set(fields)
  const input: Record<string, unknown> = {}
  const ignored: string[] = []
  for (const [k, v] of Object.entries(spec)) {
    if (skip.includes(k) || v === undefined || v === null) continue
    if (allowed.has(k)) input[k] = v
    else ignored.push(k)
  }
  return { input, ignored }
}

/** CreateService input: the file's CreateService members, the cluster decided by the caller. */
export function toCreateInput(spec: ServiceSpec, cluster: string): Mapped<CreateServiceRequest> {
  const { input, ignored } = pick(spec, CREATE_FIELDS, ['cluster'])
  return { input: { ...input, cluster } as unknown as CreateServiceRequest, ignored }
}

/**
 * UpdateService input for an existing service: `service` from `serviceName`; what UpdateService
 * cannot change (launchType, role, schedulingStrategy, tags, clientToken) is left out and reported.
 */
export function toUpdateInput(spec: ServiceSpec, cluster: string, o: { forceNewDeployment?: boolean } = {}): Mapped<UpdateServiceRequest> {
  const { input, ignored } = pick(spec, UPDATE_FIELDS, ['cluster', 'serviceName', 'service'])
  const out = { ...input, cluster, service: spec.serviceName } as unknown as UpdateServiceRequest
  if (o.forceNewDeployment) out.forceNewDeployment = true
  return { input: out, ignored }
}

/** Where a rollout stands, from DescribeServices. */
export type Verdict =
  | { state: 'steady'; summary: string }
  | { state: 'failed'; reason: string }
  | { state: 'waiting'; summary: string }

/**
 * Judges the deployment `deploymentId` (the PRIMARY one right after Create/UpdateService):
 * steady when its rolloutState is COMPLETED (or absent: services without the ECS deployment
 * controller) and, as the services-stable waiter says, it is the only deployment and runningCount =
 * desiredCount (a scale-only update leaves a COMPLETED deployment in place); failed when its
 * rolloutState is FAILED (the circuit breaker tripped), when another deployment took its place (a
 * rollback, or someone else's update), or when the service is no longer ACTIVE.
 */
export function rolloutVerdict(service: Service, deploymentId: string | undefined): Verdict {
  const name = service.serviceName ?? '?'
  if (service.status !== 'ACTIVE') return { state: 'failed', reason: `service ${name} is ${service.status ?? 'gone'}` }
  const deployments = service.deployments ?? []
  const primary = deployments.find((d) => d.status === 'PRIMARY')
  const d = deploymentId ? deployments.find((x) => x.id === deploymentId) : primary
  const counts = (x: { runningCount?: number; desiredCount?: number; pendingCount?: number }) =>
    `${x.runningCount ?? 0}/${x.desiredCount ?? 0} running${x.pendingCount ? `, ${x.pendingCount} pending` : ''}`
  if (!d) {
    return { state: 'failed', reason: `deployment ${deploymentId} of service ${name} is gone${primary?.id ? ` (now ${primary.id})` : ''}` }
  }
  if (d.rolloutState === 'FAILED') {
    return { state: 'failed', reason: `deployment ${d.id} of service ${name} failed${d.rolloutStateReason ? `: ${d.rolloutStateReason}` : ''}` }
  }
  if (d.status !== 'PRIMARY') {
    return { state: 'failed', reason: `deployment ${d.id} of service ${name} was replaced by ${primary?.id ?? 'another deployment'}` }
  }
  // A scale-only update keeps a COMPLETED deployment: the counts must match as well.
  const settled = d.rolloutState === undefined || d.rolloutState === 'COMPLETED'
  if (settled && deployments.length === 1 && (service.runningCount ?? 0) === (service.desiredCount ?? 0) && (d.runningCount ?? 0) === (d.desiredCount ?? 0)) {
    return { state: 'steady', summary: counts(service) }
  }
  return { state: 'waiting', summary: `${counts(d)}${d.rolloutState ? `, rollout ${d.rolloutState}` : ''}` }
}

/** The service's latest events (DescribeServices keeps them newest first), oldest first for reading. */
export function latestEventLines(events: readonly ServiceEvent[] | undefined, n = 10): string[] {
  return (events ?? [])
    .slice(0, n)
    .reverse()
    .map((e) => `  ${e.createdAt ? new Date(e.createdAt).toISOString().replace(/\.\d{3}Z$/, 'Z') : '-'} ${e.message ?? ''}`)
}
