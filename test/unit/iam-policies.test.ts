import { describe, expect, it } from 'vitest'
import { AWS_MANAGED_POLICIES } from '../../src/aws/iam/aws-managed-policies.js'
import { iam } from '../../src/aws/iam/index.js'
import { expectAwsError, openPerTest } from '../helpers/aws-service.js'

const TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }],
})
const doc = (action: string) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: '*' }] })
const ARN = 'arn:aws:iam::000000000000:policy/app/read-params'

const open = openPerTest(iam)

describe('IAM managed policies', () => {
  it('creates a policy and reads it and its default version back (the aws_iam_policy read)', async () => {
    const { call, ctx } = await open()
    const { Policy } = await call('CreatePolicy', {
      PolicyName: 'read-params',
      Path: '/app/',
      PolicyDocument: doc('ssm:GetParameters'),
      Description: '',
      Tags: [{ Key: 'env', Value: 'dev' }],
    })
    const now = Math.floor(ctx.now() / 1000)
    expect(Policy).toEqual({
      PolicyName: 'read-params',
      PolicyId: expect.stringMatching(/^ANPA[A-Z2-7]{17}$/),
      Arn: ARN,
      Path: '/app/',
      DefaultVersionId: 'v1',
      AttachmentCount: 0,
      PermissionsBoundaryUsageCount: 0,
      IsAttachable: true,
      CreateDate: now,
      UpdateDate: now,
      Tags: [{ Key: 'env', Value: 'dev' }],
    })
    expect((await call('GetPolicy', { PolicyArn: ARN })).Policy).toEqual(Policy)
    expect(await call('GetPolicyVersion', { PolicyArn: ARN, VersionId: 'v1' })).toEqual({
      PolicyVersion: { Document: encodeURIComponent(doc('ssm:GetParameters')), VersionId: 'v1', IsDefaultVersion: true, CreateDate: now },
    })
    expect(await call('ListPolicyTags', { PolicyArn: ARN })).toEqual({ Tags: [{ Key: 'env', Value: 'dev' }], IsTruncated: false })
    await call('TagPolicy', { PolicyArn: ARN, Tags: [{ Key: 'team', Value: 'a' }] })
    await call('UntagPolicy', { PolicyArn: ARN, TagKeys: ['env'] })
    expect((await call('GetPolicy', { PolicyArn: ARN })).Policy.Tags).toEqual([{ Key: 'team', Value: 'a' }])
  })

  it('keeps at most five versions, as the Terraform update flow expects', async () => {
    const { call, ctx } = await open()
    await call('CreatePolicy', { PolicyName: 'read-params', Path: '/app/', PolicyDocument: doc('ssm:GetParameter') })
    for (let i = 2; i <= 5; i++) {
      ctx.clock.ms += 1000
      const { PolicyVersion } = await call('CreatePolicyVersion', { PolicyArn: ARN, PolicyDocument: doc(`ssm:Get${i}`), SetAsDefault: false })
      expect(PolicyVersion).toEqual({ VersionId: `v${i}`, IsDefaultVersion: false, CreateDate: Math.floor(ctx.now() / 1000) })
    }
    await expectAwsError(
      call('CreatePolicyVersion', { PolicyArn: ARN, PolicyDocument: doc('ssm:Get6') }),
      'LimitExceeded',
      409,
      'A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.',
    )
    const listed = await call('ListPolicyVersions', { PolicyArn: ARN })
    expect(listed.Versions.map((v: any) => [v.VersionId, v.IsDefaultVersion])).toEqual([
      ['v5', false],
      ['v4', false],
      ['v3', false],
      ['v2', false],
      ['v1', true],
    ])
    expect(listed.Versions[0].Document).toBeUndefined()

    await expectAwsError(call('DeletePolicyVersion', { PolicyArn: ARN, VersionId: 'v1' }), 'DeleteConflict', 409, 'Cannot delete the default version of a policy.')
    await call('DeletePolicyVersion', { PolicyArn: ARN, VersionId: 'v2' })
    await call('SetDefaultPolicyVersion', { PolicyArn: ARN, VersionId: 'v5' })
    // Version ids are not reused.
    const v6 = await call('CreatePolicyVersion', { PolicyArn: ARN, PolicyDocument: doc('ssm:Get6'), SetAsDefault: true })
    expect(v6.PolicyVersion).toMatchObject({ VersionId: 'v6', IsDefaultVersion: true })
    const p = (await call('GetPolicy', { PolicyArn: ARN })).Policy
    expect(p.DefaultVersionId).toBe('v6')
    expect(p.UpdateDate).toBeGreaterThan(p.CreateDate)
    await expectAwsError(call('GetPolicyVersion', { PolicyArn: ARN, VersionId: 'v2' }), 'NoSuchEntity', 404)
    await expectAwsError(call('SetDefaultPolicyVersion', { PolicyArn: ARN, VersionId: 'v9' }), 'NoSuchEntity', 404)
    await expectAwsError(call('DeletePolicyVersion', { PolicyArn: ARN, VersionId: 'v9' }), 'NoSuchEntity', 404)
    await expectAwsError(call('GetPolicyVersion', { PolicyArn: ARN, VersionId: 'x1' }), 'ValidationError', 400)

    // DeletePolicy wants the non-default versions gone first (Terraform deletes them).
    await expectAwsError(call('DeletePolicy', { PolicyArn: ARN }), 'DeleteConflict', 409, /more than one version/)
    for (const v of ['v1', 'v3', 'v4', 'v5']) await call('DeletePolicyVersion', { PolicyArn: ARN, VersionId: v })
    await call('DeletePolicy', { PolicyArn: ARN })
    await expectAwsError(call('GetPolicy', { PolicyArn: ARN }), 'NoSuchEntity', 404, `Policy ${ARN} was not found.`)
  })

  it('refuses duplicate names, bad documents and bad ARNs', async () => {
    const { call } = await open()
    await call('CreatePolicy', { PolicyName: 'p', PolicyDocument: doc('s3:GetObject') })
    await expectAwsError(
      call('CreatePolicy', { PolicyName: 'P', PolicyDocument: doc('s3:GetObject') }),
      'EntityAlreadyExists',
      409,
      'A policy called P already exists. Duplicate names are not allowed.',
    )
    await expectAwsError(call('CreatePolicy', { PolicyName: 'q', PolicyDocument: '{' }), 'MalformedPolicyDocument', 400, 'This policy contains invalid Json')
    await expectAwsError(call('CreatePolicy', { PolicyName: 'q', PolicyDocument: TRUST }), 'MalformedPolicyDocument', 400)
    const big = JSON.stringify({ Statement: [{ Effect: 'Allow', Action: Array.from({ length: 500 }, (_, i) => `s3:Action${i}`), Resource: '*' }] })
    await expectAwsError(call('CreatePolicy', { PolicyName: 'q', PolicyDocument: big }), 'LimitExceeded', 409, 'Cannot exceed quota for PolicySize: 6144')
    await expectAwsError(call('CreatePolicyVersion', { PolicyArn: 'arn:aws:iam::000000000000:policy/p', PolicyDocument: '[' }), 'MalformedPolicyDocument', 400)
    await expectAwsError(call('GetPolicy', { PolicyArn: 'not-an-arn-but-long-enough' }), 'ValidationError', 400, 'Invalid ARN:  Could not be parsed!')
    await expectAwsError(call('GetPolicy', { PolicyArn: 'arn:aws:iam::000000000000:role/p' }), 'InvalidInput', 400)
    await expectAwsError(call('GetPolicy', { PolicyArn: 'arn:aws:iam::111111111111:policy/p' }), 'NoSuchEntity', 404)
    await expectAwsError(call('GetPolicy', { PolicyArn: 'arn:aws:iam::000000000000:policy/other/p' }), 'NoSuchEntity', 404)
  })

  it('serves the AWS managed policies ECS stacks attach, read-only', async () => {
    const { call } = await open()
    for (const arn of [
      'arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy',
      'arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role',
      'arn:aws:iam::aws:policy/AmazonSSMReadOnlyAccess',
      'arn:aws:iam::aws:policy/SecretsManagerReadWrite',
      'arn:aws:iam::aws:policy/CloudWatchLogsFullAccess',
      'arn:aws:iam::aws:policy/AmazonECS_FullAccess',
      'arn:aws:iam::aws:policy/AdministratorAccess',
      'arn:aws:iam::aws:policy/ReadOnlyAccess',
      'arn:aws:iam::aws:policy/ElasticLoadBalancingFullAccess',
    ]) {
      const { Policy } = await call('GetPolicy', { PolicyArn: arn })
      expect(Policy).toMatchObject({ Arn: arn, IsAttachable: true, DefaultVersionId: 'v1' })
      const v = await call('GetPolicyVersion', { PolicyArn: arn, VersionId: Policy.DefaultVersionId })
      expect(JSON.parse(decodeURIComponent(v.PolicyVersion.Document)).Statement.length).toBeGreaterThan(0)
    }
    await expectAwsError(call('CreatePolicyVersion', { PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess', PolicyDocument: doc('s3:*') }), 'AccessDenied', 403)
    await expectAwsError(call('DeletePolicy', { PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }), 'AccessDenied', 403)
    await expectAwsError(call('GetPolicy', { PolicyArn: 'arn:aws:iam::aws:policy/NoSuchPolicy' }), 'NoSuchEntity', 404)
  })

  it('lists policies by scope, path and attachment', async () => {
    const { call } = await open()
    await call('CreatePolicy', { PolicyName: 'mine', Path: '/app/', PolicyDocument: doc('s3:GetObject'), Tags: [{ Key: 'a', Value: 'b' }] })
    await call('CreateRole', { RoleName: 'r', AssumeRolePolicyDocument: TRUST })
    await call('AttachRolePolicy', { RoleName: 'r', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' })

    const local = await call('ListPolicies', { Scope: 'Local' })
    expect(local.Policies.map((p: any) => p.PolicyName)).toEqual(['mine'])
    expect(local.Policies[0].Tags).toBeUndefined()
    const aws = await call('ListPolicies', { Scope: 'AWS', MaxItems: 1000 })
    expect(aws.Policies.length).toBe(AWS_MANAGED_POLICIES.size)
    const all = await call('ListPolicies', { MaxItems: 1000 })
    expect(all.Policies.length).toBe(AWS_MANAGED_POLICIES.size + 1)
    expect((await call('ListPolicies', { PathPrefix: '/app/' })).Policies.map((p: any) => p.Arn)).toEqual(['arn:aws:iam::000000000000:policy/app/mine'])
    expect((await call('ListPolicies', { PathPrefix: '/service-role/', Scope: 'AWS' })).Policies.map((p: any) => p.PolicyName)).toContain(
      'AmazonECSTaskExecutionRolePolicy',
    )
    const attached = await call('ListPolicies', { OnlyAttached: true })
    expect(attached.Policies.map((p: any) => [p.PolicyName, p.AttachmentCount])).toEqual([['ReadOnlyAccess', 1]])
    await expectAwsError(call('ListPolicies', { Scope: 'Mine' }), 'ValidationError', 400, /enum value set/)
  })
})

describe('IAM attachments', () => {
  it('attaches customer and AWS managed policies, counts them and lists their entities', async () => {
    const { call } = await open()
    const { Policy } = await call('CreatePolicy', { PolicyName: 'p', PolicyDocument: doc('s3:GetObject') })
    await call('CreateRole', { RoleName: 'b-role', AssumeRolePolicyDocument: TRUST })
    const a = (await call('CreateRole', { RoleName: 'a-role', Path: '/svc/', AssumeRolePolicyDocument: TRUST })).Role
    await call('AttachRolePolicy', { RoleName: 'a-role', PolicyArn: Policy.Arn })
    await call('AttachRolePolicy', { RoleName: 'a-role', PolicyArn: Policy.Arn }) // no-op, as in IAM
    await call('AttachRolePolicy', { RoleName: 'b-role', PolicyArn: Policy.Arn })
    await call('AttachRolePolicy', { RoleName: 'a-role', PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' })

    expect((await call('GetPolicy', { PolicyArn: Policy.Arn })).Policy.AttachmentCount).toBe(2)
    expect((await call('ListAttachedRolePolicies', { RoleName: 'a-role' })).AttachedPolicies.map((x: any) => x.PolicyName)).toEqual([
      'AdministratorAccess',
      'p',
    ])
    const ents = await call('ListEntitiesForPolicy', { PolicyArn: Policy.Arn })
    expect(ents).toEqual({
      PolicyGroups: [],
      PolicyUsers: [],
      PolicyRoles: [
        { RoleName: 'a-role', RoleId: a.RoleId },
        { RoleName: 'b-role', RoleId: expect.stringMatching(/^AROA/) },
      ],
      IsTruncated: false,
    })
    expect((await call('ListEntitiesForPolicy', { PolicyArn: Policy.Arn, PathPrefix: '/svc/' })).PolicyRoles).toHaveLength(1)
    expect((await call('ListEntitiesForPolicy', { PolicyArn: Policy.Arn, EntityFilter: 'User' })).PolicyRoles).toEqual([])

    await expectAwsError(call('DeletePolicy', { PolicyArn: Policy.Arn }), 'DeleteConflict', 409, 'Cannot delete a policy attached to entities.')
    await call('DetachRolePolicy', { RoleName: 'a-role', PolicyArn: Policy.Arn })
    await call('DetachRolePolicy', { RoleName: 'b-role', PolicyArn: Policy.Arn })
    await call('DeletePolicy', { PolicyArn: Policy.Arn })
  })

  it('answers the errors Terraform meets', async () => {
    const { call } = await open()
    await call('CreateRole', { RoleName: 'r', AssumeRolePolicyDocument: TRUST })
    const missing = 'arn:aws:iam::000000000000:policy/missing'
    await expectAwsError(call('AttachRolePolicy', { RoleName: 'r', PolicyArn: missing }), 'NoSuchEntity', 404, `Policy ${missing} does not exist or is not attachable.`)
    await expectAwsError(call('AttachRolePolicy', { RoleName: 'nope', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }), 'NoSuchEntity', 404, 'The role with name nope cannot be found.')
    await expectAwsError(call('DetachRolePolicy', { RoleName: 'r', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }), 'NoSuchEntity', 404)
    await expectAwsError(call('ListAttachedRolePolicies', { RoleName: 'nope' }), 'NoSuchEntity', 404)
    await expectAwsError(call('ListEntitiesForPolicy', { PolicyArn: missing }), 'NoSuchEntity', 404)
    await expectAwsError(call('AttachRolePolicy', { RoleName: 'r', PolicyArn: 'definitely not an arn' }), 'ValidationError', 400)
    // Attached managed policies per role are capped (at the raised quota, 20).
    for (let i = 0; i < 20; i++) {
      const { Policy } = await call('CreatePolicy', { PolicyName: `p${i}`, PolicyDocument: doc('s3:GetObject') })
      await call('AttachRolePolicy', { RoleName: 'r', PolicyArn: Policy.Arn })
    }
    await expectAwsError(call('AttachRolePolicy', { RoleName: 'r', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }), 'LimitExceeded', 409, 'Cannot exceed quota for PoliciesPerRole: 20')
  })
})
