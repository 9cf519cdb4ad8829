import type { AutoScalingGroupProvider, ManagedScaling } from '@aws-sdk/client-ecs'
import { NAME_PATTERN } from '../arns.js'
import { clientException, invalidParameter } from '../errors.js'
import type { Wire } from '../types.js'

/**
 * CreateCapacityProvider / UpdateCapacityProvider checks the model cannot express
 * (docs/ecs-facts.md#capacity-providers). Texts marked "assumed" could not be confirmed.
 */
export const providerMessages = {
  // assumed: ECS documents the rule, not its text
  name: 'Invalid capacity provider name. Up to 255 letters (uppercase and lowercase), numbers, underscores, and hyphens are allowed.',
  // assumed
  reservedPrefix: "The capacity provider name can't be prefixed with 'aws', 'ecs', or 'fargate'. Specify a different name and try again.",
  exists: 'The specified capacity provider already exists. To change the configuration of an existing capacity provider, update the capacity provider.',
  asgInUse: 'The specified Auto Scaling group ARN is already being used by another capacity provider. Specify a unique Auto Scaling group ARN and try again.',
  // assumed
  oneKind: 'A capacity provider needs exactly one of autoScalingGroupProvider and managedInstancesProvider.',
  // assumed
  miCluster: 'A Managed Instances capacity provider needs a cluster.',
  // assumed
  asgArn: 'The specified Auto Scaling group ARN is not valid. Specify a valid Auto Scaling group ARN or name and try again.',
  // assumed
  terminationProtection: 'Managed termination protection can only be enabled when managed scaling is enabled for the capacity provider.',
  // assumed
  stepSizes: 'The minimum scaling step size must be less than or equal to the maximum scaling step size.',
  // assumed
  notFound: 'The specified capacity provider does not exist. Specify a valid name or ARN and try again.',
  // assumed
  reserved: (name: string) => `The capacity provider '${name}' is reserved by Amazon ECS and cannot be updated or deleted.`,
  // assumed
  wrongKind: (name: string, member: string) => `The capacity provider '${name}' takes no ${member}.`,
  associated: (cluster: string) =>
    `The capacity provider cannot be deleted because it is associated with cluster: ${cluster}. Remove the capacity provider from the cluster and try again.`,
}

export function validateProviderName(name: string): void {
  if (!NAME_PATTERN.test(name)) throw invalidParameter(providerMessages.name)
  if (/^(aws|ecs|fargate)/i.test(name)) throw invalidParameter(providerMessages.reservedPrefix)
}

/** An Auto Scaling group is given by name or by its ARN. */
export function validateAsgArn(ref: string): void {
  if (ref.startsWith('arn:')) {
    if (!/^arn:aws[a-z-]*:autoscaling:[a-z0-9-]+:\d{12}:autoScalingGroup:[^:]+:autoScalingGroupName\/.+$/.test(ref)) {
      throw invalidParameter(providerMessages.asgArn)
    }
  } else if (ref.length === 0 || ref.length > 255) {
    throw invalidParameter(providerMessages.asgArn)
  }
}

/**
 * Managed scaling as ECS stores it: the documented defaults filled in (targetCapacity 100, step sizes
 * 1 and 10000, warm-up 300 s). ECS does not document the status when omitted; DISABLED is assumed.
 */
export function managedScalingWithDefaults(m: Wire<ManagedScaling> | undefined, base?: Wire<ManagedScaling>): Wire<ManagedScaling> {
  const out: Wire<ManagedScaling> = {
    status: m?.status ?? base?.status ?? 'DISABLED',
    targetCapacity: m?.targetCapacity ?? base?.targetCapacity ?? 100,
    minimumScalingStepSize: m?.minimumScalingStepSize ?? base?.minimumScalingStepSize ?? 1,
    maximumScalingStepSize: m?.maximumScalingStepSize ?? base?.maximumScalingStepSize ?? 10000,
    instanceWarmupPeriod: m?.instanceWarmupPeriod ?? base?.instanceWarmupPeriod ?? 300,
  }
  if (out.minimumScalingStepSize! > out.maximumScalingStepSize!) throw invalidParameter(providerMessages.stepSizes)
  return out
}

/** The rules across the ASG provider's settings, once defaults are in. */
export function checkAsgProvider(p: Wire<AutoScalingGroupProvider>): void {
  if (p.managedTerminationProtection === 'ENABLED' && p.managedScaling?.status !== 'ENABLED') {
    throw clientException(providerMessages.terminationProtection)
  }
}
