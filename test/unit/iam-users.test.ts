import { describe, expect, it } from 'vitest'
import { iam } from '../../src/aws/iam/index.js'
import { expectAwsError, openPerTest } from '../helpers/aws-service.js'

const open = openPerTest(iam)

describe('IAM users and access keys', () => {
  it('creates a user with two access keys at most, and deletes it once its keys are gone', async () => {
    const { call, ctx, state } = await open()
    const { User } = await call('CreateUser', { UserName: 'ci', Path: '/bots/', Tags: [{ Key: 'team', Value: 'x' }] })
    expect(User).toMatchObject({ UserName: 'ci', Path: '/bots/', Arn: 'arn:aws:iam::000000000000:user/bots/ci', Tags: [{ Key: 'team', Value: 'x' }] })
    expect(User.UserId).toMatch(/^AIDA[A-Z2-7]{17}$/)
    await expectAwsError(call('CreateUser', { UserName: 'CI' }), 'EntityAlreadyExists', 409, 'User with name CI already exists.')
    expect((await call('GetUser', { UserName: 'ci' })).User).toEqual(User)

    const k1 = (await call('CreateAccessKey', { UserName: 'ci' })).AccessKey
    expect(k1).toMatchObject({ UserName: 'ci', Status: 'Active' })
    expect(k1.AccessKeyId).toMatch(/^AKIA[A-Z2-7]{16}$/)
    expect(k1.SecretAccessKey).toHaveLength(40)
    expect(state.accessKeyOwner(k1.AccessKeyId)?.user.Arn).toBe(User.Arn)
    await call('CreateAccessKey', { UserName: 'ci' })
    await expectAwsError(call('CreateAccessKey', { UserName: 'ci' }), 'LimitExceeded', 409, 'Cannot exceed quota for AccessKeysPerUser: 2')
    await call('UpdateAccessKey', { UserName: 'ci', AccessKeyId: k1.AccessKeyId, Status: 'Inactive' })
    const keys = await call('ListAccessKeys', { UserName: 'ci' })
    expect(keys.AccessKeyMetadata).toHaveLength(2)
    expect(keys.AccessKeyMetadata.find((k: any) => k.AccessKeyId === k1.AccessKeyId)).toEqual({
      UserName: 'ci',
      AccessKeyId: k1.AccessKeyId,
      Status: 'Inactive',
      CreateDate: Math.floor(ctx.now() / 1000),
    })
    // The caller's own keys when it is that user.
    const asUser = { ...ctx, principalArn: User.Arn }
    expect((await call('ListAccessKeys', {}, asUser)).AccessKeyMetadata).toHaveLength(2)
    expect((await call('GetUser', {}, asUser)).User.UserName).toBe('ci')
    await expectAwsError(
      call('ListAccessKeys', {}, { ...ctx, principalArn: 'arn:aws:sts::000000000000:assumed-role/r/s' }),
      'ValidationError',
      400,
      'Must specify userName when calling with non-User credentials',
    )

    await expectAwsError(call('DeleteUser', { UserName: 'ci' }), 'DeleteConflict', 409)
    for (const k of keys.AccessKeyMetadata) await call('DeleteAccessKey', { UserName: 'ci', AccessKeyId: k.AccessKeyId })
    await expectAwsError(call('DeleteAccessKey', { UserName: 'ci', AccessKeyId: k1.AccessKeyId }), 'NoSuchEntity', 404, `The Access Key with id ${k1.AccessKeyId} cannot be found.`)
    await call('DeleteUser', { UserName: 'ci' })
    await expectAwsError(call('GetUser', { UserName: 'ci' }), 'NoSuchEntity', 404, 'The user with name ci cannot be found.')
  })

  it('answers GetUser for the root caller, lists and tags users, and counts user boundaries', async () => {
    const { call } = await open()
    expect((await call('GetUser', {})).User).toMatchObject({ UserId: '000000000000', Arn: 'arn:aws:iam::000000000000:root' })
    const boundary = 'arn:aws:iam::aws:policy/ReadOnlyAccess'
    const { User } = await call('CreateUser', { UserName: 'b', PermissionsBoundary: boundary })
    await call('CreateUser', { UserName: 'a' })
    await call('TagUser', { UserName: 'a', Tags: [{ Key: 'k', Value: 'v' }] })
    await call('UntagUser', { UserName: 'a', TagKeys: ['nope'] })
    expect(await call('ListUserTags', { UserName: 'a' })).toEqual({ Tags: [{ Key: 'k', Value: 'v' }], IsTruncated: false })
    const page = await call('ListUsers', { MaxItems: 1 })
    expect(page.Users.map((u: any) => u.UserName)).toEqual(['a'])
    expect((await call('ListUsers', { Marker: page.Marker })).Users.map((u: any) => u.UserName)).toEqual(['b'])
    expect((await call('GetPolicy', { PolicyArn: boundary })).Policy.PermissionsBoundaryUsageCount).toBe(1)
    expect(await call('ListEntitiesForPolicy', { PolicyArn: boundary })).toEqual({
      PolicyGroups: [],
      PolicyUsers: [{ UserName: 'b', UserId: User.UserId }],
      PolicyRoles: [],
      IsTruncated: false,
    })
    await expectAwsError(call('CreateUser', { UserName: 'c', PermissionsBoundary: 'arn:aws:iam::000000000000:policy/none' }), 'NoSuchEntity', 404)
    await expectAwsError(call('TagUser', { UserName: 'nope', Tags: [] }), 'NoSuchEntity', 404)
  })
})
