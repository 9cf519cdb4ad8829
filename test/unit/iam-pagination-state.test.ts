import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { iam } from '../../src/aws/iam/index.js'
import { loadModel } from '../../src/aws/models/index.js'
import { AWS_SERVICES, openAwsServices } from '../../src/aws/registry.js'
import type { Store } from '../../src/store/store.js'
import { expectAwsError, openService, outputViolations } from '../helpers/aws-service.js'

const TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
})

const stores: Store[] = []
const dirs: string[] = []
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close()
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})
const open = async (path?: string) => {
  const s = await openService(iam, path)
  stores.push(s.store)
  return s
}

describe('IAM pagination', () => {
  it('pages with Marker/MaxItems, never giving a Marker on the last page', async () => {
    const { call } = await open()
    for (let i = 0; i < 7; i++) await call('CreateRole', { RoleName: `role-${i}`, AssumeRolePolicyDocument: TRUST })
    const names: string[] = []
    let marker: string | undefined
    let pages = 0
    do {
      const page = await call('ListRoles', { MaxItems: 3, ...(marker ? { Marker: marker } : {}) })
      pages++
      names.push(...page.Roles.map((r: any) => r.RoleName))
      // List answers leave RoleLastUsed and Tags out.
      expect(page.Roles[0].RoleLastUsed).toBeUndefined()
      if (page.IsTruncated) expect(page.Marker).toEqual(expect.any(String))
      else expect(page.Marker).toBeUndefined()
      marker = page.Marker
    } while (marker)
    expect(pages).toBe(3)
    expect(names).toEqual(Array.from({ length: 7 }, (_, i) => `role-${i}`))
    const exact = await call('ListRoles', { MaxItems: 7 })
    expect(exact.IsTruncated).toBe(false)
    expect(exact.Marker).toBeUndefined()
    expect((await call('ListRoles', {})).Roles).toHaveLength(7)
  })

  it('keeps a page right when items change between calls, and refuses a foreign marker', async () => {
    const { call } = await open()
    await call('CreateRole', { RoleName: 'r', AssumeRolePolicyDocument: TRUST })
    for (const n of ['a', 'b', 'c', 'd']) {
      await call('PutRolePolicy', {
        RoleName: 'r',
        PolicyName: n,
        PolicyDocument: JSON.stringify({ Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] }),
      })
    }
    const first = await call('ListRolePolicies', { RoleName: 'r', MaxItems: 2 })
    expect(first).toMatchObject({ PolicyNames: ['a', 'b'], IsTruncated: true })
    await call('DeleteRolePolicy', { RoleName: 'r', PolicyName: 'b' })
    const second = await call('ListRolePolicies', { RoleName: 'r', MaxItems: 2, Marker: first.Marker })
    expect(second).toEqual({ PolicyNames: ['c', 'd'], IsTruncated: false })
    await expectAwsError(call('ListRolePolicies', { RoleName: 'r', Marker: 'garbage' }), 'InvalidInput', 400)
    await expectAwsError(call('ListRoles', { MaxItems: 0 }), 'ValidationError', 400)
    const tags = Array.from({ length: 5 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }))
    await call('TagRole', { RoleName: 'r', Tags: tags })
    const t1 = await call('ListRoleTags', { RoleName: 'r', MaxItems: 4 })
    const t2 = await call('ListRoleTags', { RoleName: 'r', MaxItems: 4, Marker: t1.Marker })
    expect([...t1.Tags, ...t2.Tags]).toEqual(tags)
    expect(t2.IsTruncated).toBe(false)
  })

  it('pages policy versions and attached policies', async () => {
    const { call } = await open()
    await call('CreateRole', { RoleName: 'r', AssumeRolePolicyDocument: TRUST })
    for (const arn of ['AdministratorAccess', 'ReadOnlyAccess', 'CloudWatchLogsFullAccess']) {
      await call('AttachRolePolicy', { RoleName: 'r', PolicyArn: `arn:aws:iam::aws:policy/${arn}` })
    }
    const a = await call('ListAttachedRolePolicies', { RoleName: 'r', MaxItems: 2 })
    const b = await call('ListAttachedRolePolicies', { RoleName: 'r', MaxItems: 2, Marker: a.Marker })
    expect([...a.AttachedPolicies, ...b.AttachedPolicies].map((p: any) => p.PolicyName)).toEqual([
      'AdministratorAccess',
      'CloudWatchLogsFullAccess',
      'ReadOnlyAccess',
    ])
    const doc = JSON.stringify({ Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] })
    const { Policy } = await call('CreatePolicy', { PolicyName: 'p', PolicyDocument: doc })
    for (let i = 0; i < 3; i++) await call('CreatePolicyVersion', { PolicyArn: Policy.Arn, PolicyDocument: doc })
    const v1 = await call('ListPolicyVersions', { PolicyArn: Policy.Arn, MaxItems: 3 })
    const v2 = await call('ListPolicyVersions', { PolicyArn: Policy.Arn, MaxItems: 3, Marker: v1.Marker })
    expect([...v1.Versions, ...v2.Versions].map((v: any) => v.VersionId)).toEqual(['v4', 'v3', 'v2', 'v1'])
    expect(v2.Marker).toBeUndefined()
  })
})

describe('IAM state', () => {
  it('survives a restart of the store', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kecs-iam-'))
    dirs.push(dir)
    const path = join(dir, 'kecs.duckdb')
    const first = await open(path)
    const role = (await first.call('CreateRole', { RoleName: 'r', AssumeRolePolicyDocument: TRUST, Tags: [{ Key: 'a', Value: 'b' }] })).Role
    const doc = JSON.stringify({ Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] })
    const { Policy } = await first.call('CreatePolicy', { PolicyName: 'p', PolicyDocument: doc })
    await first.call('CreatePolicyVersion', { PolicyArn: Policy.Arn, PolicyDocument: doc, SetAsDefault: true })
    await first.call('AttachRolePolicy', { RoleName: 'r', PolicyArn: Policy.Arn })
    await first.call('PutRolePolicy', { RoleName: 'r', PolicyName: 'inline', PolicyDocument: doc })
    await first.call('CreateInstanceProfile', { InstanceProfileName: 'ip' })
    await first.call('AddRoleToInstanceProfile', { InstanceProfileName: 'ip', RoleName: 'r' })
    const { DeletionTaskId } = await first.call('DeleteServiceLinkedRole', {
      RoleName: (await first.call('CreateServiceLinkedRole', { AWSServiceName: 'ecs.amazonaws.com' })).Role.RoleName,
    })
    await first.call('CreateUser', { UserName: 'ci' })
    const key = (await first.call('CreateAccessKey', { UserName: 'ci' })).AccessKey
    await first.store.close()
    stores.splice(stores.indexOf(first.store), 1)

    const second = await open(path)
    expect((await second.call('GetRole', { RoleName: 'r' })).Role).toEqual({ ...role, RoleLastUsed: {} })
    expect((await second.call('GetPolicy', { PolicyArn: Policy.Arn })).Policy).toMatchObject({ DefaultVersionId: 'v2', AttachmentCount: 1 })
    expect((await second.call('ListRolePolicies', { RoleName: 'r' })).PolicyNames).toEqual(['inline'])
    expect((await second.call('GetInstanceProfile', { InstanceProfileName: 'ip' })).InstanceProfile.Roles[0].RoleName).toBe('r')
    expect(await second.call('GetServiceLinkedRoleDeletionStatus', { DeletionTaskId })).toEqual({ Status: 'SUCCEEDED' })
    expect(second.state.accessKeyOwner(key.AccessKeyId)?.key.SecretAccessKey).toBe(key.SecretAccessKey)
    // Version ids keep counting after the restart.
    expect((await second.call('CreatePolicyVersion', { PolicyArn: Policy.Arn, PolicyDocument: doc })).PolicyVersion.VersionId).toBe('v3')
  })

  it('is registered and opens through the service registry', async () => {
    const { store } = await open()
    expect(AWS_SERVICES).toContain(iam)
    const opened = await openAwsServices(store, [iam])
    expect(opened.get('iam')?.service).toBe(iam)
    expect(iam.protocol).toBe('query')
    // Every handler is a model operation.
    const model = loadModel(iam.modelFile)
    expect(Object.keys(iam.handlers).filter((op) => !model.operations[op])).toEqual([])
  })

  it('the output check catches off-model answers', () => {
    const model = loadModel(iam.modelFile)
    expect(outputViolations(model, 'GetRoleResponse', { Role: { RoleName: 'r', CreateDate: '2020-01-01', Extra: 1 } })).toEqual([
      '$.Role.Path: required',
      '$.Role.RoleId: required',
      '$.Role.Arn: required',
      '$.Role.CreateDate: not epoch seconds',
      '$.Role.Extra: not a member of Role',
    ])
  })
})

describe('IAM handlers', () => {
  it('reject rather than throw, even for bad input', async () => {
    const { state, ctx } = await open()
    const p = iam.handlers.GetRole!({ RoleName: 'bad name' }, ctx, state)
    expect(p).toBeInstanceOf(Promise)
    await expect(p).rejects.toMatchObject({ code: 'ValidationError' })
    await expect(iam.handlers.GetRole!(undefined, ctx, state)).rejects.toMatchObject({ code: 'ValidationError' })
  })
})
