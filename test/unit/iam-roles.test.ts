import { describe, expect, it } from 'vitest'
import { iam } from '../../src/aws/iam/index.js'
import { expectAwsError, openPerTest } from '../helpers/aws-service.js'

const TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }],
})
const INLINE = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: ['ssm:GetParameters', 'secretsmanager:GetSecretValue'], Resource: '*' }],
})
const EXEC_POLICY = 'arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy'

const open = openPerTest(iam)

describe('IAM roles: the Terraform flow', () => {
  it('creates a role, attaches a managed policy, puts an inline policy, reads all back, detaches and deletes', async () => {
    const { call, ctx } = await open()
    const created = await call('CreateRole', {
      RoleName: 'app-exec',
      AssumeRolePolicyDocument: TRUST,
      Description: 'task execution',
      Tags: [{ Key: 'env', Value: 'dev' }],
    })
    const role = created.Role
    expect(role).toMatchObject({
      RoleName: 'app-exec',
      Path: '/',
      Arn: 'arn:aws:iam::000000000000:role/app-exec',
      Description: 'task execution',
      MaxSessionDuration: 3600,
      CreateDate: Math.floor(ctx.now() / 1000),
      Tags: [{ Key: 'env', Value: 'dev' }],
    })
    expect(role.RoleLastUsed).toBeUndefined()
    expect(role.RoleId).toMatch(/^AROA[A-Z2-7]{17}$/)
    // AWS returns the trust policy URL-encoded (RFC 3986); clients unescape it.
    expect(role.AssumeRolePolicyDocument).toBe(encodeURIComponent(TRUST))
    expect(decodeURIComponent(role.AssumeRolePolicyDocument)).toBe(TRUST)

    await call('AttachRolePolicy', { RoleName: 'app-exec', PolicyArn: EXEC_POLICY })
    await call('PutRolePolicy', { RoleName: 'app-exec', PolicyName: 'secrets', PolicyDocument: INLINE })

    const got = await call('GetRole', { RoleName: 'app-exec' })
    expect(got.Role).toEqual({ ...role, RoleLastUsed: {} })
    expect(await call('ListRolePolicies', { RoleName: 'app-exec' })).toEqual({ PolicyNames: ['secrets'], IsTruncated: false })
    expect(await call('GetRolePolicy', { RoleName: 'app-exec', PolicyName: 'secrets' })).toEqual({
      RoleName: 'app-exec',
      PolicyName: 'secrets',
      PolicyDocument: encodeURIComponent(INLINE),
    })
    expect(await call('ListAttachedRolePolicies', { RoleName: 'app-exec' })).toEqual({
      AttachedPolicies: [{ PolicyName: 'AmazonECSTaskExecutionRolePolicy', PolicyArn: EXEC_POLICY }],
      IsTruncated: false,
    })
    expect((await call('GetPolicy', { PolicyArn: EXEC_POLICY })).Policy.AttachmentCount).toBe(1)
    expect(await call('ListInstanceProfilesForRole', { RoleName: 'app-exec' })).toEqual({ InstanceProfiles: [], IsTruncated: false })

    await expectAwsError(call('DeleteRole', { RoleName: 'app-exec' }), 'DeleteConflict', 409, 'Cannot delete entity, must detach all policies first.')
    await call('DetachRolePolicy', { RoleName: 'app-exec', PolicyArn: EXEC_POLICY })
    await expectAwsError(call('DeleteRole', { RoleName: 'app-exec' }), 'DeleteConflict', 409, 'Cannot delete entity, must delete policies first.')
    await call('DeleteRolePolicy', { RoleName: 'app-exec', PolicyName: 'secrets' })
    await call('DeleteRole', { RoleName: 'app-exec' })

    await expectAwsError(call('GetRole', { RoleName: 'app-exec' }), 'NoSuchEntity', 404, 'The role with name app-exec cannot be found.')
    expect((await call('GetPolicy', { PolicyArn: EXEC_POLICY })).Policy.AttachmentCount).toBe(0)
  })

  it('updates description, session duration, trust policy and permissions boundary', async () => {
    const { call } = await open()
    await call('CreateRole', { RoleName: 'r', Path: '/app/', AssumeRolePolicyDocument: TRUST })
    expect((await call('GetRole', { RoleName: 'r' })).Role.Arn).toBe('arn:aws:iam::000000000000:role/app/r')
    expect(await call('UpdateRole', { RoleName: 'r', MaxSessionDuration: 7200 })).toEqual({})
    const desc = await call('UpdateRoleDescription', { RoleName: 'r', Description: 'new' })
    expect(desc.Role).toMatchObject({ Description: 'new', MaxSessionDuration: 7200 })
    const trust2 = TRUST.replace('ecs-tasks', 'ec2')
    await call('UpdateAssumeRolePolicy', { RoleName: 'r', PolicyDocument: trust2 })
    await call('PutRolePermissionsBoundary', { RoleName: 'r', PermissionsBoundary: 'arn:aws:iam::aws:policy/ReadOnlyAccess' })
    const role = (await call('GetRole', { RoleName: 'r' })).Role
    expect(decodeURIComponent(role.AssumeRolePolicyDocument)).toBe(trust2)
    expect(role.PermissionsBoundary).toEqual({
      PermissionsBoundaryType: 'PermissionsBoundaryPolicy',
      PermissionsBoundaryArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess',
    })
    expect((await call('GetPolicy', { PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' })).Policy.PermissionsBoundaryUsageCount).toBe(1)
    await call('DeleteRolePermissionsBoundary', { RoleName: 'r' })
    expect((await call('GetRole', { RoleName: 'r' })).Role.PermissionsBoundary).toBeUndefined()
    await expectAwsError(
      call('CreateRole', { RoleName: 'b', AssumeRolePolicyDocument: TRUST, PermissionsBoundary: 'arn:aws:iam::000000000000:policy/nope' }),
      'NoSuchEntity',
      404,
      'Scope ARN: arn:aws:iam::000000000000:policy/nope does not exist or is not attachable.',
    )
  })

  it('tags roles with case-insensitive keys and lists them', async () => {
    const { call } = await open()
    await call('CreateRole', { RoleName: 'r', AssumeRolePolicyDocument: TRUST, Tags: [{ Key: 'Env', Value: 'a' }] })
    await call('TagRole', { RoleName: 'r', Tags: [{ Key: 'env', Value: 'b' }, { Key: 'team', Value: 'x' }] })
    expect(await call('ListRoleTags', { RoleName: 'r' })).toEqual({
      Tags: [{ Key: 'env', Value: 'b' }, { Key: 'team', Value: 'x' }],
      IsTruncated: false,
    })
    await call('UntagRole', { RoleName: 'r', TagKeys: ['TEAM'] })
    expect((await call('GetRole', { RoleName: 'r' })).Role.Tags).toEqual([{ Key: 'env', Value: 'b' }])
    await expectAwsError(
      call('TagRole', { RoleName: 'r', Tags: [{ Key: 'a', Value: '1' }, { Key: 'A', Value: '2' }] }),
      'InvalidInput',
      400,
      'Duplicate tag keys found. Please note that Tag keys are case insensitive.',
    )
    const many = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }))
    await expectAwsError(call('TagRole', { RoleName: 'r', Tags: many }), 'LimitExceeded', 409)
    await expectAwsError(call('TagRole', { RoleName: 'nope', Tags: [{ Key: 'a', Value: '' }] }), 'NoSuchEntity', 404)
  })

  it('finds roles by name whatever the case and refuses a name that differs only in case', async () => {
    const { call } = await open()
    await call('CreateRole', { RoleName: 'MyRole', AssumeRolePolicyDocument: TRUST })
    expect((await call('GetRole', { RoleName: 'myrole' })).Role.RoleName).toBe('MyRole')
    await expectAwsError(
      call('CreateRole', { RoleName: 'MYROLE', AssumeRolePolicyDocument: TRUST }),
      'EntityAlreadyExists',
      409,
      'Role with name MYROLE already exists.',
    )
  })

  it('keeps roles per account, whatever the region', async () => {
    const { call, ctx } = await open()
    await call('CreateRole', { RoleName: 'r', AssumeRolePolicyDocument: TRUST })
    expect((await call('GetRole', { RoleName: 'r' }, { ...ctx, region: 'eu-west-1' })).Role.RoleName).toBe('r')
    await expectAwsError(call('GetRole', { RoleName: 'r' }, { ...ctx, account: '111111111111' }), 'NoSuchEntity', 404)
    expect((await call('ListRoles', {}, { ...ctx, account: '111111111111' })).Roles).toEqual([])
  })
})

describe('IAM roles: input and policy errors', () => {
  it('refuses malformed trust policies', async () => {
    const { call } = await open()
    const create = (doc: string) => call('CreateRole', { RoleName: 'r', AssumeRolePolicyDocument: doc })
    await expectAwsError(create('{not json'), 'MalformedPolicyDocument', 400, 'This policy contains invalid Json')
    await expectAwsError(create('[]'), 'MalformedPolicyDocument', 400, 'This policy contains invalid Json')
    await expectAwsError(create('{"Version":"2012-10-17"}'), 'MalformedPolicyDocument', 400)
    await expectAwsError(create('{"Version":"2001-01-01","Statement":[]}'), 'MalformedPolicyDocument', 400, 'The policy must contain a valid version string')
    await expectAwsError(
      create('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}'),
      'MalformedPolicyDocument',
      400,
      'Missing required field Principal',
    )
    await expectAwsError(
      create('{"Statement":[{"Effect":"Maybe","Principal":"*","Action":"sts:AssumeRole"}]}'),
      'MalformedPolicyDocument',
      400,
    )
    const stmt = (extra: object) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', ...extra }] })
    await expectAwsError(create(stmt({ Principal: { Service: 7 } })), 'MalformedPolicyDocument', 400, /^Invalid principal in policy/)
    await expectAwsError(create(stmt({ Principal: { Robot: 'x' } })), 'MalformedPolicyDocument', 400, /^Invalid principal in policy/)
    await expectAwsError(create(stmt({ Principal: '*', Resource: '*' })), 'MalformedPolicyDocument', 400, 'Has prohibited field Resource')
    await expectAwsError(create(stmt({ Principal: '*', Colour: 'red' })), 'MalformedPolicyDocument', 400, 'Syntax errors in policy.')
    await expectAwsError(
      create(JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject' }] })),
      'MalformedPolicyDocument',
      400,
      'AssumeRole policy may only specify STS AssumeRole actions.',
    )
    // What ECS stacks use passes: services, accounts, OIDC federation with conditions.
    await call('CreateRole', {
      RoleName: 'ok',
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Sid: 'ecs', Effect: 'Allow', Principal: { Service: ['ecs-tasks.amazonaws.com', 'ecs.amazonaws.com'] }, Action: ['sts:AssumeRole', 'sts:TagSession'] },
          { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::000000000000:root' }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'sts:ExternalId': 'x' } } },
          { Effect: 'Allow', Principal: { Federated: 'arn:aws:iam::000000000000:oidc-provider/token.actions.githubusercontent.com' }, Action: 'sts:AssumeRoleWithWebIdentity' },
        ],
      }),
    })
    await expectAwsError(call('UpdateAssumeRolePolicy', { RoleName: 'ok', PolicyDocument: '{}' }), 'MalformedPolicyDocument', 400)
    await expectAwsError(call('UpdateAssumeRolePolicy', { RoleName: 'nope', PolicyDocument: TRUST }), 'NoSuchEntity', 404)
  })

  it('refuses malformed inline policies and unknown role policies', async () => {
    const { call } = await open()
    await call('CreateRole', { RoleName: 'r', AssumeRolePolicyDocument: TRUST })
    const put = (doc: string) => call('PutRolePolicy', { RoleName: 'r', PolicyName: 'p', PolicyDocument: doc })
    await expectAwsError(put('nope'), 'MalformedPolicyDocument', 400, 'This policy contains invalid Json')
    await expectAwsError(put(TRUST), 'MalformedPolicyDocument', 400, 'Policy document should not specify a principal.')
    await expectAwsError(put('{"Statement":{"Effect":"Allow","Resource":"*"}}'), 'MalformedPolicyDocument', 400, 'Policy statement must contain actions.')
    await expectAwsError(put('{"Statement":{"Effect":"Allow","Action":"s3:*"}}'), 'MalformedPolicyDocument', 400, 'Policy statement must contain resources.')
    await expectAwsError(put('{"Statement":{"Effect":"Allow","Action":["s3:*",1],"Resource":"*"}}'), 'MalformedPolicyDocument', 400, 'Syntax errors in policy.')
    await expectAwsError(put('{"Statement":{"Action":"s3:*","Resource":"*"}}'), 'MalformedPolicyDocument', 400, 'Missing required field Effect')
    const big = JSON.stringify({ Statement: [{ Effect: 'Allow', Action: Array.from({ length: 700 }, (_, i) => `s3:Action${i}`), Resource: '*' }] })
    await expectAwsError(put(big), 'LimitExceeded', 409, 'Cannot exceed quota for RolePolicySize: 10240')
    await expectAwsError(call('PutRolePolicy', { RoleName: 'nope', PolicyName: 'p', PolicyDocument: INLINE }), 'NoSuchEntity', 404)
    await expectAwsError(
      call('GetRolePolicy', { RoleName: 'r', PolicyName: 'p' }),
      'NoSuchEntity',
      404,
      'The role policy with name p cannot be found.',
    )
    await expectAwsError(call('DeleteRolePolicy', { RoleName: 'r', PolicyName: 'p' }), 'NoSuchEntity', 404)
    // Putting again under the same name replaces the document.
    await put(INLINE)
    await put(INLINE.replace('ssm:GetParameters', 'ssm:GetParameter'))
    expect((await call('ListRolePolicies', { RoleName: 'r' })).PolicyNames).toEqual(['p'])
    expect(decodeURIComponent((await call('GetRolePolicy', { RoleName: 'r', PolicyName: 'p' })).PolicyDocument)).toContain('ssm:GetParameter"')
  })

  it('validates names, paths and ranges against the model', async () => {
    const { call } = await open()
    await expectAwsError(
      call('CreateRole', { RoleName: 'bad name', AssumeRolePolicyDocument: TRUST }),
      'ValidationError',
      400,
      "1 validation error detected: Value 'bad name' at 'roleName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+",
    )
    await expectAwsError(call('CreateRole', { RoleName: 'x'.repeat(65), AssumeRolePolicyDocument: TRUST }), 'ValidationError', 400, /length less than or equal to 64/)
    await expectAwsError(call('CreateRole', { RoleName: 'r', Path: 'app', AssumeRolePolicyDocument: TRUST }), 'ValidationError', 400, /at 'path'/)
    await expectAwsError(
      call('CreateRole', { RoleName: 'r', AssumeRolePolicyDocument: TRUST, MaxSessionDuration: 60 }),
      'ValidationError',
      400,
      /Value 60 at 'maxSessionDuration' failed to satisfy constraint: Member must have value greater than or equal to 3600/,
    )
    await expectAwsError(call('CreateRole', { RoleName: 'r' }), 'ValidationError', 400, "1 validation error detected: Value null at 'assumeRolePolicyDocument' failed to satisfy constraint: Member must not be null")
    await expectAwsError(
      call('CreateRole', { RoleName: 'r', AssumeRolePolicyDocument: TRUST, Tags: [{ Key: '', Value: 'v' }] }),
      'ValidationError',
      400,
      /at 'tags.1.member.key'/,
    )
    await expectAwsError(call('GetRole', {}), 'ValidationError', 400)
  })
})

describe('IAM service-linked roles', () => {
  it('creates AWSServiceRoleForECS, protects it, and deletes it through a deletion task', async () => {
    const { call } = await open()
    const { Role } = await call('CreateServiceLinkedRole', { AWSServiceName: 'ecs.amazonaws.com' })
    expect(Role).toMatchObject({
      RoleName: 'AWSServiceRoleForECS',
      Path: '/aws-service-role/ecs.amazonaws.com/',
      Arn: 'arn:aws:iam::000000000000:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS',
    })
    expect(JSON.parse(decodeURIComponent(Role.AssumeRolePolicyDocument)).Statement[0].Principal).toEqual({ Service: 'ecs.amazonaws.com' })
    expect((await call('GetRole', { RoleName: 'AWSServiceRoleForECS' })).Role.RoleId).toBe(Role.RoleId)
    expect((await call('ListAttachedRolePolicies', { RoleName: 'AWSServiceRoleForECS' })).AttachedPolicies).toEqual([
      { PolicyName: 'AmazonECSServiceRolePolicy', PolicyArn: 'arn:aws:iam::aws:policy/aws-service-role/AmazonECSServiceRolePolicy' },
    ])
    await expectAwsError(
      call('CreateServiceLinkedRole', { AWSServiceName: 'ecs.amazonaws.com' }),
      'InvalidInput',
      400,
      'Service role name AWSServiceRoleForECS has been taken in this account, please try a different suffix.',
    )
    await expectAwsError(call('CreateServiceLinkedRole', { AWSServiceName: 'ecs.amazonaws.com', CustomSuffix: 'x' }), 'InvalidInput', 400)
    await expectAwsError(call('DeleteRole', { RoleName: 'AWSServiceRoleForECS' }), 'UnmodifiableEntity', 400, /protected role 'AWSServiceRoleForECS'/)
    await expectAwsError(call('UpdateAssumeRolePolicy', { RoleName: 'AWSServiceRoleForECS', PolicyDocument: TRUST }), 'UnmodifiableEntity', 400)
    await expectAwsError(call('AttachRolePolicy', { RoleName: 'AWSServiceRoleForECS', PolicyArn: EXEC_POLICY }), 'UnmodifiableEntity', 400)

    const { DeletionTaskId } = await call('DeleteServiceLinkedRole', { RoleName: 'AWSServiceRoleForECS' })
    expect(DeletionTaskId).toMatch(/^task\/aws-service-role\/ecs.amazonaws.com\/AWSServiceRoleForECS\/[0-9a-f-]{36}$/)
    expect(await call('GetServiceLinkedRoleDeletionStatus', { DeletionTaskId })).toEqual({ Status: 'SUCCEEDED' })
    await expectAwsError(call('GetRole', { RoleName: 'AWSServiceRoleForECS' }), 'NoSuchEntity', 404)
    await expectAwsError(call('GetServiceLinkedRoleDeletionStatus', { DeletionTaskId: 'task/x' }), 'NoSuchEntity', 404)
  })

  it('refuses to delete an ordinary role as service-linked, and unknown services', async () => {
    const { call } = await open()
    await call('CreateRole', { RoleName: 'r', AssumeRolePolicyDocument: TRUST })
    await expectAwsError(call('DeleteServiceLinkedRole', { RoleName: 'r' }), 'InvalidInput', 400)
    await expectAwsError(call('DeleteServiceLinkedRole', { RoleName: 'nope' }), 'NoSuchEntity', 404)
    await expectAwsError(call('CreateServiceLinkedRole', { AWSServiceName: 'example.amazonaws.com' }), 'InvalidInput', 400)
    const asg = await call('CreateServiceLinkedRole', { AWSServiceName: 'autoscaling.amazonaws.com', CustomSuffix: 'ecs' })
    expect(asg.Role.RoleName).toBe('AWSServiceRoleForAutoScaling_ecs')
  })
})

describe('IAM state for neighbour services', () => {
  it('finds a role by ARN and records its last use for GetRole', async () => {
    const { call, state, ctx } = await open()
    const { Role } = await call('CreateRole', { RoleName: 'task', Path: '/ecs/', AssumeRolePolicyDocument: TRUST })
    expect(state.roleByArn(Role.Arn)?.RoleId).toBe(Role.RoleId)
    expect(state.roleByArn('arn:aws:iam::000000000000:role/task')).toBeUndefined()
    expect(state.roleByArn('arn:aws:iam::000000000000:role/ecs/nope')).toBeUndefined()
    await state.markRoleUsed(Role.Arn, 'eu-west-1', ctx.now() + 5000)
    expect((await call('GetRole', { RoleName: 'task' })).Role.RoleLastUsed).toEqual({
      LastUsedDate: Math.floor(ctx.now() / 1000) + 5,
      Region: 'eu-west-1',
    })
  })
})
