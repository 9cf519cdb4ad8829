import type {
  CapacityProviderStrategyItem,
  NetworkConfiguration,
  PlacementConstraint,
  PlacementStrategy,
  TaskOverride,
} from '@aws-sdk/client-ecs'
import type { ClusterDoc } from '../clusters/cluster-doc.js'
import { invalidParameter } from '../errors.js'
import type { TaskDefinitionDoc } from '../task-definitions/task-definition-doc.js'
import type { Wire } from '../types.js'

/**
 * RunTask / StartTask input rules that need no store (docs/ecs-facts.md#tasks, "RunTask inputs" and "RunTask
 * errors"). Where ECS's exact text is unknown the message says plainly what is wrong.
 */

const MAX_COUNT = 10
const MAX_STARTED_BY = 128
const MAX_OVERRIDES_CHARS = 8192
const MAX_CONSTRAINTS = 10
const MAX_STRATEGIES = 5
const MAX_CLIENT_TOKEN = 64

export const messages = {
  count: `count must be between 1 and ${MAX_COUNT}.`,
  startedBy: `startedBy must be at most ${MAX_STARTED_BY} characters.`,
  overrides: `Container Overrides length must be at most ${MAX_OVERRIDES_CHARS}`,
  constraints: `placementConstraints can have at most ${MAX_CONSTRAINTS} items.`,
  strategies: `placementStrategy can have at most ${MAX_STRATEGIES} items.`,
  clientToken: `clientToken must be at most ${MAX_CLIENT_TOKEN} characters.`,
  bothLaunch: 'Specifying both a launch type and capacity provider strategy is not supported. Remove one and try again.',
  providerNotInCluster:
    'The specified capacity provider strategy cannot contain a capacity provider that is not associated with the cluster. Associate the capacity provider with the cluster or specify a valid capacity provider and try again.',
  emptyStrategy: 'The capacity provider strategy cannot be empty.',
  mixedProviders:
    'A capacity provider strategy cannot contain a mix of capacity providers using Auto Scaling groups and Fargate providers. Specify one or the other and try again.',
  propagateService: 'The propagateTags value SERVICE is only valid for tasks that a service starts.',
  inactive: 'TaskDefinition is inactive',
  noNetwork: "Network Configuration must be provided when networkMode 'awsvpc' is specified.",
  networkNotValid: 'Network Configuration is not valid for the given networkMode of this task definition.',
  noSubnets: 'subnets can not be empty.',
  publicIp: 'Assign public IP is not supported for this launch type.',
  noInstances: 'No Container Instances were found in your cluster.',
  unsupportedLaunch: (lt: string) => `Task definition does not support launch_type ${lt}.`,
  unknownOverride: (name: string) => `Override for container named ${name} is not a container in the TaskDefinition.`,
}

export interface CommonRunInput {
  startedBy?: string
  overrides?: Wire<TaskOverride>
  propagateTags?: string
  networkConfiguration?: Wire<NetworkConfiguration>
  placementConstraints?: Wire<PlacementConstraint>[]
  placementStrategy?: Wire<PlacementStrategy>[]
  clientToken?: string
}

/** Checks that need nothing but the request. */
export function checkRequestShape(input: CommonRunInput & { count?: number }): void {
  const count = input.count ?? 1
  if (!Number.isInteger(count) || count < 1 || count > MAX_COUNT) throw invalidParameter(messages.count)
  if (input.startedBy !== undefined && input.startedBy.length > MAX_STARTED_BY) throw invalidParameter(messages.startedBy)
  if (input.overrides && JSON.stringify(input.overrides).length > MAX_OVERRIDES_CHARS) throw invalidParameter(messages.overrides)
  if ((input.placementConstraints?.length ?? 0) > MAX_CONSTRAINTS) throw invalidParameter(messages.constraints)
  if ((input.placementStrategy?.length ?? 0) > MAX_STRATEGIES) throw invalidParameter(messages.strategies)
  if (input.clientToken !== undefined && input.clientToken.length > MAX_CLIENT_TOKEN) throw invalidParameter(messages.clientToken)
  if (input.propagateTags === 'SERVICE') throw invalidParameter(messages.propagateService)
}

/** RunTask on an INACTIVE (or deleting) definition fails; only ACTIVE revisions run. */
export function checkTaskDefinitionActive(td: TaskDefinitionDoc): void {
  if (td.status !== 'ACTIVE') throw invalidParameter(messages.inactive)
}

/** Container overrides must name containers of the definition (as ECS answers). */
export function checkOverrides(td: TaskDefinitionDoc, overrides: Wire<TaskOverride> | undefined): void {
  const names = new Set((td.containerDefinitions ?? []).map((c) => c.name))
  for (const o of overrides?.containerOverrides ?? []) {
    if (!o.name || !names.has(o.name)) throw invalidParameter(messages.unknownOverride(o.name ?? ''))
  }
}

export interface Placement {
  launchType: string
  capacityProviderName?: string
}

const FARGATE_PROVIDERS = new Set(['FARGATE', 'FARGATE_SPOT'])

/** The launch type a capacity provider's tasks get: Fargate for FARGATE and FARGATE_SPOT, else EC2. */
export const providerLaunchType = (provider: string) => (FARGATE_PROVIDERS.has(provider) ? 'FARGATE' : 'EC2')

/** A strategy may only name capacity providers associated with the cluster (shared with CreateService). */
export function checkProvidersAssociated(strategy: Wire<CapacityProviderStrategyItem>[], cluster: ClusterDoc): void {
  const associated = new Set(cluster.capacityProviders ?? [])
  if (strategy.some((i) => !i.capacityProvider || !associated.has(i.capacityProvider))) {
    throw invalidParameter(messages.providerNotInCluster)
  }
  checkNotMixed(strategy)
}

/** A strategy holds Fargate providers or Auto Scaling group ones, never both. */
export function checkNotMixed(strategy: Wire<CapacityProviderStrategyItem>[]): void {
  if (new Set(strategy.map((i) => providerLaunchType(i.capacityProvider ?? ''))).size > 1) throw invalidParameter(messages.mixedProviders)
}

/**
 * Where each of `count` tasks goes: the launch type given, else a capacity provider strategy (the
 * request's, else the cluster's default), else EC2. A strategy fills each provider's `base` first,
 * then spreads the rest by `weight`, as ECS does.
 */
export function placements(
  input: { launchType?: string; capacityProviderStrategy?: Wire<CapacityProviderStrategyItem>[] },
  cluster: ClusterDoc,
  count: number,
): Placement[] {
  if (input.launchType && input.capacityProviderStrategy !== undefined) throw invalidParameter(messages.bothLaunch)
  if (input.launchType) return Array.from({ length: count }, () => ({ launchType: input.launchType! }))
  let strategy = input.capacityProviderStrategy
  if (strategy !== undefined) {
    if (strategy.length === 0) throw invalidParameter(messages.emptyStrategy)
    checkProvidersAssociated(strategy, cluster)
  } else {
    strategy = cluster.defaultCapacityProviderStrategy ?? []
    if (strategy.length === 0) return Array.from({ length: count }, () => ({ launchType: 'EC2' }))
  }
  return spread(strategy, count).map((p) => ({ launchType: providerLaunchType(p), capacityProviderName: p }))
}

/** The provider of each of `count` tasks in order: bases first, then by weight (the n-th task's provider never changes with count). */
export function spread(strategy: Wire<CapacityProviderStrategyItem>[], count: number): string[] {
  // n: tasks given beyond the base, which the weights share out
  const items = strategy.map((s) => ({ name: s.capacityProvider!, base: s.base ?? 0, weight: s.weight ?? 0, n: 0 }))
  const out: string[] = []
  for (const it of items) for (let i = 0; i < it.base && out.length < count; i++) out.push(it.name)
  const weighted = items.filter((i) => i.weight > 0)
  const pool = weighted.length ? weighted : items
  while (out.length < count) {
    // the provider furthest below its share gets the next task
    let best = pool[0]!
    for (const it of pool) if ((it.n + 1) / Math.max(it.weight, 1) < (best.n + 1) / Math.max(best.weight, 1)) best = it
    best.n++
    out.push(best.name)
  }
  return out
}

/** The definition must list the launch type among its compatibilities. */
export function checkCompatibility(td: TaskDefinitionDoc, launchType: string): void {
  const compat = td.compatibilities ?? []
  if (!compat.includes(launchType as never)) throw invalidParameter(messages.unsupportedLaunch(launchType))
}

/** awsvpc needs subnets; other network modes take no network configuration; public IPs are Fargate's. */
export function checkNetwork(td: TaskDefinitionDoc, nc: Wire<NetworkConfiguration> | undefined, launchType: string): void {
  const awsvpc = td.networkMode === 'awsvpc'
  const vpc = nc?.awsvpcConfiguration
  if (!awsvpc) {
    if (vpc) throw invalidParameter(messages.networkNotValid)
    return
  }
  if (!vpc) throw invalidParameter(messages.noNetwork)
  if (!vpc.subnets || vpc.subnets.length === 0) throw invalidParameter(messages.noSubnets)
  if (vpc.assignPublicIp === 'ENABLED' && launchType !== 'FARGATE') throw invalidParameter(messages.publicIp)
}
