import { afterEach, describe, expect, it } from 'vitest'
import { iam } from '../../src/aws/iam/index.js'
import type { Store } from '../../src/store/store.js'
import { expectAwsError, openService } from '../helpers/aws-service.js'

const TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
})

const stores: Store[] = []
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close()
})
const open = async () => {
  const s = await openService(iam)
  stores.push(s.store)
  return s
}

describe('IAM instance profiles', () => {
  it('holds one role, lists by role, and refuses deletes while a role is in it', async () => {
    const { call } = await open()
    const role = (await call('CreateRole', { RoleName: 'ecsInstanceRole', AssumeRolePolicyDocument: TRUST })).Role
    const { InstanceProfile } = await call('CreateInstanceProfile', { InstanceProfileName: 'ecs-instance', Tags: [{ Key: 'k', Value: 'v' }] })
    expect(InstanceProfile).toMatchObject({
      InstanceProfileName: 'ecs-instance',
      Path: '/',
      Arn: 'arn:aws:iam::000000000000:instance-profile/ecs-instance',
      Roles: [],
      Tags: [{ Key: 'k', Value: 'v' }],
    })
    expect(InstanceProfile.InstanceProfileId).toMatch(/^AIPA[A-Z2-7]{17}$/)
    await call('CreateRole', { RoleName: 'other', AssumeRolePolicyDocument: TRUST })

    await call('AddRoleToInstanceProfile', { InstanceProfileName: 'ecs-instance', RoleName: 'ecsInstanceRole' })
    await expectAwsError(
      call('AddRoleToInstanceProfile', { InstanceProfileName: 'ecs-instance', RoleName: 'other' }),
      'LimitExceeded',
      409,
      'Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1',
    )
    const got = (await call('GetInstanceProfile', { InstanceProfileName: 'ecs-instance' })).InstanceProfile
    expect(got.Roles).toEqual([
      {
        Path: '/',
        RoleName: 'ecsInstanceRole',
        RoleId: role.RoleId,
        Arn: role.Arn,
        CreateDate: role.CreateDate,
        AssumeRolePolicyDocument: encodeURIComponent(TRUST),
        MaxSessionDuration: 3600,
      },
    ])
    const forRole = await call('ListInstanceProfilesForRole', { RoleName: 'ecsInstanceRole' })
    expect(forRole.InstanceProfiles.map((p: any) => p.InstanceProfileName)).toEqual(['ecs-instance'])
    expect(forRole.IsTruncated).toBe(false)

    await expectAwsError(call('DeleteRole', { RoleName: 'ecsInstanceRole' }), 'DeleteConflict', 409, 'Cannot delete entity, must remove roles from instance profile first.')
    await expectAwsError(call('DeleteInstanceProfile', { InstanceProfileName: 'ecs-instance' }), 'DeleteConflict', 409)
    await expectAwsError(call('RemoveRoleFromInstanceProfile', { InstanceProfileName: 'ecs-instance', RoleName: 'other' }), 'NoSuchEntity', 404)
    await call('RemoveRoleFromInstanceProfile', { InstanceProfileName: 'ecs-instance', RoleName: 'ecsInstanceRole' })
    await call('DeleteRole', { RoleName: 'ecsInstanceRole' })
    await call('DeleteInstanceProfile', { InstanceProfileName: 'ecs-instance' })
    await expectAwsError(call('GetInstanceProfile', { InstanceProfileName: 'ecs-instance' }), 'NoSuchEntity', 404, 'Instance Profile ecs-instance cannot be found.')
  })

  it('answers unknown names, duplicates and tags', async () => {
    const { call } = await open()
    await call('CreateInstanceProfile', { InstanceProfileName: 'ip', Path: '/ecs/' })
    await expectAwsError(call('CreateInstanceProfile', { InstanceProfileName: 'IP' }), 'EntityAlreadyExists', 409)
    await expectAwsError(call('AddRoleToInstanceProfile', { InstanceProfileName: 'ip', RoleName: 'nope' }), 'NoSuchEntity', 404)
    await expectAwsError(call('AddRoleToInstanceProfile', { InstanceProfileName: 'nope', RoleName: 'nope' }), 'NoSuchEntity', 404)
    await expectAwsError(call('DeleteInstanceProfile', { InstanceProfileName: 'nope' }), 'NoSuchEntity', 404)
    await expectAwsError(call('ListInstanceProfilesForRole', { RoleName: 'nope' }), 'NoSuchEntity', 404)
    await call('TagInstanceProfile', { InstanceProfileName: 'ip', Tags: [{ Key: 'a', Value: '1' }, { Key: 'b', Value: '2' }] })
    await call('UntagInstanceProfile', { InstanceProfileName: 'ip', TagKeys: ['a'] })
    expect(await call('ListInstanceProfileTags', { InstanceProfileName: 'ip' })).toEqual({ Tags: [{ Key: 'b', Value: '2' }], IsTruncated: false })
    expect((await call('ListInstanceProfiles', { PathPrefix: '/ecs/' })).InstanceProfiles.map((p: any) => p.Arn)).toEqual([
      'arn:aws:iam::000000000000:instance-profile/ecs/ip',
    ])
    expect((await call('ListInstanceProfiles', { PathPrefix: '/other/' })).InstanceProfiles).toEqual([])
  })
})
