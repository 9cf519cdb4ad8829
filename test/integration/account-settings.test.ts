import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  CreateClusterCommand,
  DeleteAccountSettingCommand,
  ListAccountSettingsCommand,
  PutAccountSettingCommand,
  PutAccountSettingDefaultCommand,
  paginateListAccountSettings,
} from '@aws-sdk/client-ecs'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startTestInstance, type TestInstance } from '../helpers/instance.js'

const ROOT = 'arn:aws:iam::000000000000:root'
const USER = 'arn:aws:iam::000000000000:user/dev'
const ROLE = 'arn:aws:iam::000000000000:role/ci'

function expectError(r: { status: number; body: any }, type: string, message?: string) {
  expect(r.status, JSON.stringify(r.body)).toBe(400)
  expect(r.body.__type).toBe(type)
  if (message !== undefined) expect(r.body.message).toBe(message)
}

describe('account settings', () => {
  let t: TestInstance
  beforeAll(async () => {
    t = await startTestInstance()
  })
  afterAll(async () => t.stop())

  it('lists nothing explicit on a fresh account', async () => {
    const out = await t.ecs.send(new ListAccountSettingsCommand({}))
    expect(out.settings).toEqual([])
  })

  it('PutAccountSettingDefault sets the account default on the root principal', async () => {
    const out = await t.ecs.send(new PutAccountSettingDefaultCommand({ name: 'awsvpcTrunking', value: 'enabled' }))
    expect(out.setting).toEqual({ name: 'awsvpcTrunking', value: 'enabled', principalArn: ROOT, type: 'user' })
  })

  it('PutAccountSetting applies to the caller (root in KECS) or to a principal', async () => {
    let out = await t.ecs.send(new PutAccountSettingCommand({ name: 'fargateTaskRetirementWaitPeriod', value: '14' }))
    expect(out.setting).toEqual({ name: 'fargateTaskRetirementWaitPeriod', value: '14', principalArn: ROOT, type: 'user' })
    out = await t.ecs.send(new PutAccountSettingCommand({ name: 'awsvpcTrunking', value: 'disabled', principalArn: USER }))
    expect(out.setting).toEqual({ name: 'awsvpcTrunking', value: 'disabled', principalArn: USER, type: 'user' })
  })

  it('lists explicit values of a principal, filtered by name and value', async () => {
    let out = await t.ecs.send(new ListAccountSettingsCommand({}))
    expect(out.settings?.map((s) => s.name)).toEqual(['awsvpcTrunking', 'fargateTaskRetirementWaitPeriod'])
    out = await t.ecs.send(new ListAccountSettingsCommand({ principalArn: USER }))
    expect(out.settings).toEqual([{ name: 'awsvpcTrunking', value: 'disabled', principalArn: USER, type: 'user' }])
    out = await t.ecs.send(new ListAccountSettingsCommand({ name: 'awsvpcTrunking', value: 'enabled' }))
    expect(out.settings).toHaveLength(1)
    out = await t.ecs.send(new ListAccountSettingsCommand({ name: 'awsvpcTrunking', value: 'disabled' }))
    expect(out.settings).toEqual([])
  })

  it('resolves effective settings principal → account default → AWS default', async () => {
    const eff = async (principalArn?: string) => {
      const all = []
      for await (const p of paginateListAccountSettings({ client: t.ecs }, { effectiveSettings: true, principalArn })) {
        all.push(...p.settings!)
      }
      return Object.fromEntries(all.map((s) => [s.name, s]))
    }
    const role = await eff(ROLE)
    expect(role.awsvpcTrunking).toMatchObject({ value: 'enabled', principalArn: ROOT })
    expect(role.serviceLongArnFormat).toMatchObject({ value: 'enabled' })
    expect(role.containerInsights).toMatchObject({ value: 'disabled' })
    expect(role.guardDutyActivate).toMatchObject({ type: 'aws_managed' })
    expect(Object.keys(role)).toHaveLength(11)
    const user = await eff(USER)
    expect(user.awsvpcTrunking).toMatchObject({ value: 'disabled', principalArn: USER })
  })

  it('pages 1-10 at a time, default 10', async () => {
    const pages: number[] = []
    for await (const p of paginateListAccountSettings({ client: t.ecs, pageSize: 4 }, { effectiveSettings: true })) {
      pages.push(p.settings!.length)
    }
    expect(pages).toEqual([4, 4, 3])
    const first = await t.ecs.send(new ListAccountSettingsCommand({ effectiveSettings: true }))
    expect(first.settings).toHaveLength(10)
    expect(first.nextToken).toBeDefined()
    expectError(await t.call('ListAccountSettings', { maxResults: 11 }), 'InvalidParameterException')
    expectError(await t.call('ListAccountSettings', { maxResults: 0 }), 'InvalidParameterException')
  })

  it('refuses a value filter without a name', async () => {
    expectError(await t.call('ListAccountSettings', { value: 'enabled' }), 'InvalidParameterException')
  })

  it('validates names and values', async () => {
    expectError(await t.call('PutAccountSetting', { name: 'noSuchSetting', value: 'enabled' }), 'InvalidParameterException')
    let r = await t.call('PutAccountSetting', { name: 'containerInsights', value: 'on' })
    expectError(r, 'InvalidParameterException')
    expect(r.body.message).toContain('enhanced, enabled, disabled')
    expectError(await t.call('PutAccountSettingDefault', { name: 'tagResourceAuthorization', value: 'enabled' }), 'InvalidParameterException')
    expectError(await t.call('PutAccountSettingDefault', { name: 'fargateTaskRetirementWaitPeriod', value: '3' }), 'InvalidParameterException')
    expectError(await t.call('PutAccountSettingDefault', { name: 'guardDutyActivate', value: 'on' }), 'InvalidParameterException')
    expectError(await t.call('PutAccountSetting', { name: 'awsvpcTrunking', value: 'enabled', principalArn: 'bob' }), 'InvalidParameterException')
    r = await t.call('PutAccountSettingDefault', { name: 'tagResourceAuthorization', value: 'off' })
    expect(r.status).toBe(200)
  })

  it('DeleteAccountSetting removes an explicit value and answers with it', async () => {
    const out = await t.ecs.send(new DeleteAccountSettingCommand({ name: 'awsvpcTrunking', principalArn: USER }))
    expect(out.setting).toEqual({ name: 'awsvpcTrunking', value: 'disabled', principalArn: USER, type: 'user' })
    const list = await t.ecs.send(new ListAccountSettingsCommand({ principalArn: USER }))
    expect(list.settings).toEqual([])
    const eff = await t.ecs.send(
      new ListAccountSettingsCommand({ principalArn: USER, effectiveSettings: true, name: 'awsvpcTrunking' }),
    )
    expect(eff.settings).toEqual([{ name: 'awsvpcTrunking', value: 'enabled', principalArn: ROOT, type: 'user' }])
  })

  it('gives CreateCluster its containerInsights default', async () => {
    await t.ecs.send(new PutAccountSettingDefaultCommand({ name: 'containerInsights', value: 'enhanced' }))
    const c = await t.ecs.send(new CreateClusterCommand({ clusterName: 'insightful' }))
    expect(c.cluster?.settings).toEqual([{ name: 'containerInsights', value: 'enhanced' }])
    const explicit = await t.ecs.send(
      new CreateClusterCommand({ clusterName: 'plain', settings: [{ name: 'containerInsights', value: 'disabled' }] }),
    )
    expect(explicit.cluster?.settings).toEqual([{ name: 'containerInsights', value: 'disabled' }])
    await t.ecs.send(new DeleteAccountSettingCommand({ name: 'containerInsights' }))
  })

  it('keeps settings per region', async () => {
    const r = await t.call(
      'ListAccountSettings',
      {},
      { Authorization: 'AWS4-HMAC-SHA256 Credential=AKID/20250101/eu-west-1/ecs/aws4_request, SignedHeaders=host, Signature=x' },
    )
    expect(r.status).toBe(200)
    expect(r.body.settings).toEqual([])
  })
})

describe('account settings across a restart', () => {
  it('are kept in the store', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kecs-settings-'))
    try {
      let t = await startTestInstance({ dir })
      await t.ecs.send(new PutAccountSettingDefaultCommand({ name: 'containerInsights', value: 'enabled' }))
      await t.stop()
      t = await startTestInstance({ dir })
      try {
        const out = await t.ecs.send(new ListAccountSettingsCommand({ name: 'containerInsights' }))
        expect(out.settings).toEqual([
          { name: 'containerInsights', value: 'enabled', principalArn: ROOT, type: 'user' },
        ])
      } finally {
        await t.stop()
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
