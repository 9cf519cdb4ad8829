import { DocTable } from '../../store/doc-table.js'
import type { Store, WriteOp } from '../../store/store.js'
import { nameKey } from './ids.js'

/**
 * IAM state. IAM is global: rows are keyed by account only (never region), with the lower-cased
 * name, because IAM names are unique regardless of case. Documents are kept as the caller sent them
 * and URL-encoded on the way out.
 */
export interface Tag {
  Key: string
  Value: string
}

export interface RoleDoc {
  account: string
  RoleName: string
  RoleId: string
  Arn: string
  Path: string
  /** Epoch seconds. */
  CreateDate: number
  AssumeRolePolicyDocument: string
  Description?: string
  MaxSessionDuration: number
  PermissionsBoundaryArn?: string
  Tags: Tag[]
  /** Inline policies by name, in the case they were put with. */
  inlinePolicies: { PolicyName: string; PolicyDocument: string }[]
  /** ARNs of attached managed policies (customer or AWS managed), in attach order. */
  attachedPolicies: string[]
  /** Set on service-linked roles: the AWS service that owns the role (`ecs.amazonaws.com`). */
  serviceLinkedTo?: string
  /** When and where the role was last assumed (set by STS through IamState.markRoleUsed). */
  lastUsed?: { LastUsedDate: number; Region: string }
}

export interface PolicyVersionDoc {
  VersionId: string
  Document: string
  CreateDate: number
}

export interface PolicyDoc {
  account: string
  PolicyName: string
  PolicyId: string
  Arn: string
  Path: string
  Description?: string
  CreateDate: number
  DefaultVersionId: string
  versions: PolicyVersionDoc[]
  /** The next `v<n>`: version ids are never reused. */
  nextVersion: number
  Tags: Tag[]
}

export interface InstanceProfileDoc {
  account: string
  InstanceProfileName: string
  InstanceProfileId: string
  Arn: string
  Path: string
  CreateDate: number
  Tags: Tag[]
  /** Lower-cased names (keys) of the role(s) in the profile; IAM allows at most one. */
  roles: string[]
}

export interface AccessKeyDoc {
  AccessKeyId: string
  SecretAccessKey: string
  Status: 'Active' | 'Inactive'
  CreateDate: number
}

export interface UserDoc {
  account: string
  UserName: string
  UserId: string
  Arn: string
  Path: string
  CreateDate: number
  PermissionsBoundaryArn?: string
  Tags: Tag[]
  accessKeys: AccessKeyDoc[]
}

export interface DeletionTaskDoc {
  account: string
  DeletionTaskId: string
  Status: 'SUCCEEDED'
}

export class IamState {
  private constructor(
    readonly store: Store,
    readonly roles: DocTable<RoleDoc>,
    readonly policies: DocTable<PolicyDoc>,
    readonly instanceProfiles: DocTable<InstanceProfileDoc>,
    readonly deletionTasks: DocTable<DeletionTaskDoc>,
    readonly users: DocTable<UserDoc>,
  ) {}

  static async open(store: Store): Promise<IamState> {
    return new IamState(
      store,
      await new DocTable<RoleDoc>(store, 'iam_roles').load(),
      await new DocTable<PolicyDoc>(store, 'iam_policies').load(),
      await new DocTable<InstanceProfileDoc>(store, 'iam_instance_profiles').load(),
      await new DocTable<DeletionTaskDoc>(store, 'iam_deletion_tasks').load(),
      await new DocTable<UserDoc>(store, 'iam_users').load(),
    )
  }

  role(account: string, name: string): RoleDoc | undefined {
    return this.roles.get(nameKey(account, name))
  }

  /** A customer managed policy by name (names are account-unique whatever the path). */
  policyByName(account: string, name: string): PolicyDoc | undefined {
    return this.policies.get(nameKey(account, name))
  }

  instanceProfile(account: string, name: string): InstanceProfileDoc | undefined {
    return this.instanceProfiles.get(nameKey(account, name))
  }

  user(account: string, name: string): UserDoc | undefined {
    return this.users.get(nameKey(account, name))
  }

  putUser(user: UserDoc): Promise<void> {
    return this.users.put(nameKey(user.account, user.UserName), user)
  }

  *accountUsers(account: string): Iterable<UserDoc> {
    for (const u of this.users.values()) if (u.account === account) yield u
  }

  /** The user an IAM access key belongs to, for any account (key ids are globally unique). */
  accessKeyOwner(accessKeyId: string): { user: UserDoc; key: AccessKeyDoc } | undefined {
    for (const user of this.users.values()) {
      const key = user.accessKeys.find((k) => k.AccessKeyId === accessKeyId)
      if (key) return { user, key }
    }
    return undefined
  }

  /** The role an ARN names (`arn:aws:iam::<acct>:role<path><name>`), path included; for STS and ECS. */
  roleByArn(arn: string): RoleDoc | undefined {
    const m = /^arn:aws:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(arn)
    const role = m ? this.role(m[1]!, m[2]!) : undefined
    return role && role.Arn === arn ? role : undefined
  }

  /** Records a use of the role (GetRole's RoleLastUsed); STS calls this on AssumeRole. */
  markRoleUsed(arn: string, region: string, nowMs: number): Promise<void> {
    const role = this.roleByArn(arn)
    if (!role) return Promise.resolve()
    return this.putRole({ ...role, lastUsed: { LastUsedDate: Math.floor(nowMs / 1000), Region: region } })
  }

  *accountRoles(account: string): Iterable<RoleDoc> {
    for (const r of this.roles.values()) if (r.account === account) yield r
  }

  *accountPolicies(account: string): Iterable<PolicyDoc> {
    for (const p of this.policies.values()) if (p.account === account) yield p
  }

  *accountInstanceProfiles(account: string): Iterable<InstanceProfileDoc> {
    for (const p of this.instanceProfiles.values()) if (p.account === account) yield p
  }

  putRole(role: RoleDoc): Promise<void> {
    return this.roles.put(nameKey(role.account, role.RoleName), role)
  }

  putPolicy(policy: PolicyDoc): Promise<void> {
    return this.policies.put(nameKey(policy.account, policy.PolicyName), policy)
  }

  putInstanceProfile(p: InstanceProfileDoc): Promise<void> {
    return this.instanceProfiles.put(nameKey(p.account, p.InstanceProfileName), p)
  }

  /** Several staged writes in one commit (e.g. a role and the profile it leaves). */
  write(ops: WriteOp[]): Promise<void> {
    return this.store.write(ops)
  }
}
