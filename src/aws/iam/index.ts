import type { AwsHandler, AwsService } from '../service.js'
import * as attachments from './attachments.js'
import * as instanceProfiles from './instance-profiles.js'
import * as policies from './policies.js'
import * as rolePolicies from './role-policies.js'
import * as roles from './roles.js'
import * as serviceLinked from './service-linked-roles.js'
import { IamState } from './state.js'
import * as users from './users.js'
import { MODEL_FILE, validateInput } from './validate.js'

/**
 * IAM for ECS stacks: roles, inline and managed policies, attachments, instance profiles and
 * service-linked roles, and users with access keys (minimal). Global: state is per account, whatever the request's region.
 */
const operations = {
  CreateRole: roles.CreateRole,
  GetRole: roles.GetRole,
  ListRoles: roles.ListRoles,
  UpdateRole: roles.UpdateRole,
  UpdateRoleDescription: roles.UpdateRoleDescription,
  UpdateAssumeRolePolicy: roles.UpdateAssumeRolePolicy,
  PutRolePermissionsBoundary: roles.PutRolePermissionsBoundary,
  DeleteRolePermissionsBoundary: roles.DeleteRolePermissionsBoundary,
  DeleteRole: roles.DeleteRole,
  TagRole: roles.TagRole,
  UntagRole: roles.UntagRole,
  ListRoleTags: roles.ListRoleTags,

  PutRolePolicy: rolePolicies.PutRolePolicy,
  GetRolePolicy: rolePolicies.GetRolePolicy,
  ListRolePolicies: rolePolicies.ListRolePolicies,
  DeleteRolePolicy: rolePolicies.DeleteRolePolicy,

  CreatePolicy: policies.CreatePolicy,
  GetPolicy: policies.GetPolicy,
  GetPolicyVersion: policies.GetPolicyVersion,
  ListPolicyVersions: policies.ListPolicyVersions,
  CreatePolicyVersion: policies.CreatePolicyVersion,
  DeletePolicyVersion: policies.DeletePolicyVersion,
  SetDefaultPolicyVersion: policies.SetDefaultPolicyVersion,
  ListPolicies: policies.ListPolicies,
  DeletePolicy: policies.DeletePolicy,
  TagPolicy: policies.TagPolicy,
  UntagPolicy: policies.UntagPolicy,
  ListPolicyTags: policies.ListPolicyTags,

  AttachRolePolicy: attachments.AttachRolePolicy,
  DetachRolePolicy: attachments.DetachRolePolicy,
  ListAttachedRolePolicies: attachments.ListAttachedRolePolicies,
  ListEntitiesForPolicy: attachments.ListEntitiesForPolicy,

  CreateInstanceProfile: instanceProfiles.CreateInstanceProfile,
  GetInstanceProfile: instanceProfiles.GetInstanceProfile,
  AddRoleToInstanceProfile: instanceProfiles.AddRoleToInstanceProfile,
  RemoveRoleFromInstanceProfile: instanceProfiles.RemoveRoleFromInstanceProfile,
  ListInstanceProfiles: instanceProfiles.ListInstanceProfiles,
  ListInstanceProfilesForRole: instanceProfiles.ListInstanceProfilesForRole,
  DeleteInstanceProfile: instanceProfiles.DeleteInstanceProfile,
  TagInstanceProfile: instanceProfiles.TagInstanceProfile,
  UntagInstanceProfile: instanceProfiles.UntagInstanceProfile,
  ListInstanceProfileTags: instanceProfiles.ListInstanceProfileTags,

  CreateServiceLinkedRole: serviceLinked.CreateServiceLinkedRole,
  DeleteServiceLinkedRole: serviceLinked.DeleteServiceLinkedRole,
  GetServiceLinkedRoleDeletionStatus: serviceLinked.GetServiceLinkedRoleDeletionStatus,

  CreateUser: users.CreateUser,
  GetUser: users.GetUser,
  ListUsers: users.ListUsers,
  DeleteUser: users.DeleteUser,
  TagUser: users.TagUser,
  UntagUser: users.UntagUser,
  ListUserTags: users.ListUserTags,
  CreateAccessKey: users.CreateAccessKey,
  ListAccessKeys: users.ListAccessKeys,
  UpdateAccessKey: users.UpdateAccessKey,
  DeleteAccessKey: users.DeleteAccessKey,
} satisfies Record<string, AwsHandler<IamState>>

/**
 * Every handler first checks its input against the model (the codec may have; direct callers may
 * not), and always answers a promise, so an error never escapes synchronously.
 */
const handlers: Record<string, AwsHandler<IamState>> = Object.fromEntries(
  Object.entries(operations).map(([name, fn]) => [
    name,
    async (input: any, ctx, state) => {
      validateInput(name, input)
      return (fn as AwsHandler<IamState>)(input ?? {}, ctx, state)
    },
  ]),
)

export const iam: AwsService<IamState> = {
  name: 'iam',
  protocol: 'query',
  modelFile: MODEL_FILE,
  open: (store) => IamState.open(store),
  handlers,
}

export type { IamState } from './state.js'
