import { randomUUID } from 'node:crypto'
import type { AwsContext } from '../service.js'
import { invalidInput, noSuchEntity } from './errors.js'
import { nameKey } from './ids.js'
import { mustRole } from './lookups.js'
import { roleOut } from './role-view.js'
import { newRole } from './roles.js'
import type { IamState } from './state.js'

/**
 * Service-linked roles for the services an ECS stack touches. The role name, path and policy are
 * AWS's; CustomSuffix is accepted only where AWS allows one (Auto Scaling).
 */
interface LinkedService {
  roleName: string
  policyArn: string
  description: string
  customSuffix: boolean
}

const LINKED: Record<string, LinkedService> = {
  'ecs.amazonaws.com': {
    roleName: 'AWSServiceRoleForECS',
    policyArn: 'arn:aws:iam::aws:policy/aws-service-role/AmazonECSServiceRolePolicy',
    description: 'Role to enable Amazon ECS to manage your cluster.',
    customSuffix: false,
  },
  'elasticloadbalancing.amazonaws.com': {
    roleName: 'AWSServiceRoleForElasticLoadBalancing',
    policyArn: 'arn:aws:iam::aws:policy/aws-service-role/AWSElasticLoadBalancingServiceRolePolicy',
    description: "Allows ELB to call AWS services on customer's behalf.",
    customSuffix: false,
  },
  'ecs.application-autoscaling.amazonaws.com': {
    roleName: 'AWSServiceRoleForApplicationAutoScaling_ECSService',
    policyArn: 'arn:aws:iam::aws:policy/aws-service-role/AWSApplicationAutoscalingECSServicePolicy',
    description: '',
    customSuffix: false,
  },
  'autoscaling.amazonaws.com': {
    roleName: 'AWSServiceRoleForAutoScaling',
    policyArn: 'arn:aws:iam::aws:policy/aws-service-role/AutoScalingServiceRolePolicy',
    description: 'Default Service-Linked Role enables access to AWS Services and Resources used or managed by Auto Scaling',
    customSuffix: true,
  },
}

const trustPolicy = (service: string) =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }] })

export async function CreateServiceLinkedRole(
  input: { AWSServiceName: string; Description?: string; CustomSuffix?: string },
  ctx: AwsContext,
  state: IamState,
) {
  const svc = LINKED[input.AWSServiceName]
  // Other services are not modelled here (AWS's own text for an unknown principal is not confirmed).
  if (!svc) throw invalidInput(`Service principal ${input.AWSServiceName} is not supported for service-linked roles.`)
  if (input.CustomSuffix !== undefined && !svc.customSuffix) throw invalidInput(`Custom suffix is not allowed for ${input.AWSServiceName}`)
  const roleName = input.CustomSuffix ? `${svc.roleName}_${input.CustomSuffix}` : svc.roleName
  if (state.role(ctx.account, roleName)) {
    throw invalidInput(`Service role name ${roleName} has been taken in this account, please try a different suffix.`)
  }
  const description = input.Description ?? svc.description
  const role = newRole(state, ctx, {
    RoleName: roleName,
    Path: `/aws-service-role/${input.AWSServiceName}/`,
    AssumeRolePolicyDocument: trustPolicy(input.AWSServiceName),
    ...(description ? { Description: description } : {}),
  })
  role.serviceLinkedTo = input.AWSServiceName
  role.attachedPolicies = [svc.policyArn]
  await state.putRole(role)
  return { Role: roleOut(role, 'created') }
}

/** Deletion is immediate here (nothing in KECS uses the role); the task records SUCCEEDED. */
export async function DeleteServiceLinkedRole(input: { RoleName: string }, ctx: AwsContext, state: IamState) {
  const role = mustRole(state, ctx, input.RoleName)
  if (!role.serviceLinkedTo) throw invalidInput(`Role ${role.RoleName} is not a service-linked role.`)
  const DeletionTaskId = `task${role.Path}${role.RoleName}/${randomUUID()}`
  await state.write([
    state.roles.stageDelete(nameKey(role.account, role.RoleName)),
    state.deletionTasks.stagePut(`${ctx.account}/${DeletionTaskId}`, { account: ctx.account, DeletionTaskId, Status: 'SUCCEEDED' }),
  ])
  return { DeletionTaskId }
}

export function GetServiceLinkedRoleDeletionStatus(input: { DeletionTaskId: string }, ctx: AwsContext, state: IamState) {
  const task = state.deletionTasks.get(`${ctx.account}/${input.DeletionTaskId}`)
  if (!task) throw noSuchEntity(`Deletion task ${input.DeletionTaskId} cannot be found.`)
  return { Status: task.Status }
}
