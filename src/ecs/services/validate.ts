import type { CapacityProviderStrategyItem, NetworkConfiguration } from '@aws-sdk/client-ecs'
import { NAME_PATTERN } from '../arns.js'
import type { ClusterDoc } from '../clusters/cluster-doc.js'
import { clientException, invalidParameter } from '../errors.js'
import type { TaskDefinitionDoc } from '../task-definitions/task-definition-doc.js'
import { checkCompatibility, checkNetwork, checkProvidersAssociated, messages as runMessages, providerLaunchType } from '../tasks/validate-run.js'
import type { Wire } from '../types.js'

/**
 * CreateService / UpdateService input rules the model cannot express (docs/ecs-facts.md#services, "Errors"). Where
 * ECS's exact text is unknown the message says plainly what is wrong.
 */

export const serviceMessages = {
  notIdempotent: 'Creation of service was not idempotent.',
  badName:
    'Invalid service name. Up to 255 letters (uppercase and lowercase), numbers, underscores, and hyphens are allowed.',
  tdInactive: 'TaskDefinition is inactive',
  tdRequired: 'A task definition must be specified for a service that uses the ECS deployment controller.',
  scaledAbove0: 'The service cannot be stopped while it is scaled above 0.',
  desiredCount: 'desiredCount must be greater than or equal to 0.',
  daemonFargate: 'The DAEMON scheduling strategy is not supported with the FARGATE launch type.',
  daemonController: 'The DAEMON scheduling strategy is not supported with the EXTERNAL or CODE_DEPLOY deployment controller.',
  tooManyServices: 'service names can have at most 10 items.',
  noServices: 'Services cannot be empty.',
  clientToken: 'clientToken must be at most 36 characters.',
  noFallback: 'No launch type to fall back to for empty capacity provider strategy. Your service was not created with a launch type.',
}

export function validateServiceName(name: string): void {
  if (!NAME_PATTERN.test(name)) throw invalidParameter(serviceMessages.badName)
}

/** Only ACTIVE revisions start deployments. */
export function checkTaskDefinitionUsable(td: TaskDefinitionDoc): void {
  if (td.status !== 'ACTIVE') throw clientException(serviceMessages.tdInactive)
}

export interface LaunchChoice {
  launchType?: string
  capacityProviderStrategy?: Wire<CapacityProviderStrategyItem>[]
  /** The launch types the service's tasks get: FARGATE or EC2 (a strategy never mixes them). */
  launchTypes: string[]
}

/**
 * A launch type, or a capacity provider strategy (the request's, else the cluster's default), else
 * EC2 — never both (InvalidParameterException, as ECS).
 */
export function chooseLaunch(
  input: { launchType?: string; capacityProviderStrategy?: Wire<CapacityProviderStrategyItem>[] },
  cluster: ClusterDoc,
): LaunchChoice {
  if (input.launchType && input.capacityProviderStrategy !== undefined && input.capacityProviderStrategy.length > 0) {
    throw invalidParameter(runMessages.bothLaunch)
  }
  if (input.launchType) return { launchType: input.launchType, launchTypes: [input.launchType] }
  let strategy = input.capacityProviderStrategy
  if (strategy !== undefined && strategy.length > 0) {
    checkProvidersAssociated(strategy, cluster)
  } else {
    strategy = cluster.defaultCapacityProviderStrategy ?? []
    if (strategy.length === 0) return { launchType: 'EC2', launchTypes: ['EC2'] }
  }
  const items = strategy.map((i) => ({ capacityProvider: i.capacityProvider, weight: i.weight ?? 0, base: i.base ?? 0 }))
  const launchTypes = [...new Set(items.map((i) => providerLaunchType(i.capacityProvider ?? '')))]
  return { capacityProviderStrategy: items, launchTypes }
}

/** The definition must suit every launch type the service uses, and the network configuration its network mode. */
export function checkRunnable(td: TaskDefinitionDoc, launch: LaunchChoice, nc: Wire<NetworkConfiguration> | undefined): void {
  for (const lt of launch.launchTypes) {
    checkCompatibility(td, lt)
    checkNetwork(td, nc, lt)
  }
}

/** awsvpcConfiguration as ECS echoes it: assignPublicIp defaults to DISABLED. */
export function normalizeNetwork(nc: Wire<NetworkConfiguration> | undefined): Wire<NetworkConfiguration> | undefined {
  const vpc = nc?.awsvpcConfiguration
  if (!vpc) return nc ? structuredClone(nc) : undefined
  return {
    awsvpcConfiguration: {
      subnets: [...(vpc.subnets ?? [])],
      ...(vpc.securityGroups ? { securityGroups: [...vpc.securityGroups] } : {}),
      assignPublicIp: vpc.assignPublicIp ?? 'DISABLED',
    },
  }
}

/** The service role ECS shows: the one given (a name becomes a role ARN), else the service-linked role. */
export function roleArnOf(account: string, role: string | undefined): string {
  if (!role) return `arn:aws:iam::${account}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS`
  if (role.startsWith('arn:')) return role
  return `arn:aws:iam::${account}:role/${role.replace(/^\//, '')}`
}
