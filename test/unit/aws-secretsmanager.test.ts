import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { secretsmanager, type SecretsState } from '../../src/aws/secretsmanager/index.js'
import { ACCOUNT, openService, REGION, type ServiceHarness } from '../helpers/aws-handler-harness.js'

let h: ServiceHarness<SecretsState>
beforeEach(async () => {
  h = await openService(secretsmanager)
})
afterEach(async () => {
  await h.close()
})

const DAY = 86_400_000
const token = (n: number) => `${String(n).padStart(8, '0')}-aaaa-bbbb-cccc-000000000000`

describe('Secrets Manager CreateSecret / DescribeSecret', () => {
  it('follows the aws_secretsmanager_secret and _secret_version flows', async () => {
    // Create: CreateSecret with a token, description (always sent) and tags; no value.
    const created = await h.call('CreateSecret', { Name: 'app/db', ClientRequestToken: token(1), Description: '', Tags: [{ Key: 'env', Value: 'dev' }] })
    expect(created.Name).toBe('app/db')
    expect(created.ARN).toMatch(new RegExp(`^arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:app/db-[A-Za-z0-9]{6}$`))
    expect(created.VersionId).toBeUndefined()
    // Read: DescribeSecret (by ARN, TF's id) and GetResourcePolicy.
    const d = await h.call('DescribeSecret', { SecretId: created.ARN })
    expect(d).toEqual({ ARN: created.ARN, Name: 'app/db', Description: '', LastChangedDate: h.clock.now / 1000, Tags: [{ Key: 'env', Value: 'dev' }], CreatedDate: h.clock.now / 1000 })
    expect(await h.call('GetResourcePolicy', { SecretId: created.ARN })).toEqual({ ARN: created.ARN, Name: 'app/db' })
    // Policy, tags and description updates.
    await h.call('PutResourcePolicy', { SecretId: created.ARN, ResourcePolicy: '{"Version":"2012-10-17","Statement":[]}' })
    expect((await h.call('GetResourcePolicy', { SecretId: created.ARN })).ResourcePolicy).toBe('{"Version":"2012-10-17","Statement":[]}')
    await h.call('DeleteResourcePolicy', { SecretId: created.ARN })
    expect((await h.call('GetResourcePolicy', { SecretId: created.ARN })).ResourcePolicy).toBeUndefined()
    expect((await h.fail('PutResourcePolicy', { SecretId: created.ARN, ResourcePolicy: 'not json' })).code).toBe('MalformedPolicyDocumentException')
    await h.call('UpdateSecret', { SecretId: created.ARN, ClientRequestToken: token(2), Description: 'db creds', KmsKeyId: 'alias/mine' })
    await h.call('TagResource', { SecretId: created.ARN, Tags: [{ Key: 'team', Value: 'x' }, { Key: 'env', Value: 'prod' }] })
    await h.call('UntagResource', { SecretId: created.ARN, TagKeys: ['team'] })
    const d2 = await h.call('DescribeSecret', { SecretId: created.ARN })
    expect(d2).toMatchObject({ Description: 'db creds', KmsKeyId: 'alias/mine', Tags: [{ Key: 'env', Value: 'prod' }] })
    expect(d2.VersionIdsToStages).toBeUndefined()
    // secret_version create: PutSecretValue then GetSecretValue(SecretId, VersionId).
    const put = await h.call('PutSecretValue', { SecretId: created.ARN, ClientRequestToken: token(3), SecretString: '{"user":"u"}' })
    expect(put).toEqual({ ARN: created.ARN, Name: 'app/db', VersionId: token(3), VersionStages: ['AWSCURRENT'] })
    const got = await h.call('GetSecretValue', { SecretId: created.ARN, VersionId: token(3) })
    expect(got).toEqual({ ARN: created.ARN, Name: 'app/db', VersionId: token(3), SecretString: '{"user":"u"}', VersionStages: ['AWSCURRENT'], CreatedDate: h.clock.now / 1000 })
    expect((await h.call('DescribeSecret', { SecretId: 'app/db' })).VersionIdsToStages).toEqual({ [token(3)]: ['AWSCURRENT'] })
    // Delete: DeleteSecret with the recovery window, then DescribeSecret shows DeletedDate.
    const del = await h.call('DeleteSecret', { SecretId: created.ARN, RecoveryWindowInDays: 7 })
    expect(del).toEqual({ ARN: created.ARN, Name: 'app/db', DeletionDate: (h.clock.now + 7 * DAY) / 1000 })
    expect((await h.call('DescribeSecret', { SecretId: created.ARN })).DeletedDate).toBe(h.clock.now / 1000)
  })

  it('returns the VersionId of a value given at create, and is idempotent on the token', async () => {
    const a = await h.call('CreateSecret', { Name: 's', ClientRequestToken: token(1), SecretString: 'v' })
    expect(a.VersionId).toBe(token(1))
    expect(await h.call('CreateSecret', { Name: 's', ClientRequestToken: token(1), SecretString: 'v' })).toEqual(a)
    const e = await h.fail('CreateSecret', { Name: 's', ClientRequestToken: token(2), SecretString: 'v' })
    expect(e.code).toBe('ResourceExistsException')
    expect(e.message).toBe('The operation failed because the secret s already exists.')
  })

  it('rejects bad names, both value kinds and a missing token', async () => {
    const e = await h.fail('CreateSecret', { Name: 'bad name!', ClientRequestToken: token(1) })
    expect(e.code).toBe('ValidationException')
    expect(e.message).toBe('Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!')
    expect((await h.fail('CreateSecret', { Name: 'b', ClientRequestToken: token(1), SecretString: 'x', SecretBinary: Buffer.from('y') })).code).toBe('InvalidParameterException')
    expect((await h.fail('CreateSecret', { Name: 'b', SecretString: 'x' })).message).toBe('You must provide a ClientRequestToken value. We recommend a UUID-type value.')
    expect((await h.fail('CreateSecret', { Name: 'b' })).code).toBe('InvalidRequestException')
  })

  it('stores SecretBinary as bytes', async () => {
    await h.call('CreateSecret', { Name: 'bin', ClientRequestToken: token(1), SecretBinary: Buffer.from([0, 1, 2, 255]) })
    const got = await h.call('GetSecretValue', { SecretId: 'bin' })
    expect(Buffer.from(got.SecretBinary).equals(Buffer.from([0, 1, 2, 255]))).toBe(true)
    expect(got.SecretString).toBeUndefined()
  })

  it('finds a secret by name, full ARN, partial ARN and name with suffix', async () => {
    const { ARN } = await h.call('CreateSecret', { Name: 'find/me', ClientRequestToken: token(1), SecretString: 'v' })
    const suffix = ARN.slice(ARN.lastIndexOf('-'))
    for (const id of ['find/me', ARN, `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:find/me`, `find/me${suffix}`]) {
      expect((await h.call('GetSecretValue', { SecretId: id })).SecretString).toBe('v')
    }
    const e = await h.fail('GetSecretValue', { SecretId: 'find/you' })
    expect(e.code).toBe('ResourceNotFoundException')
    expect(e.message).toBe("Secrets Manager can't find the specified secret.")
    expect((await h.fail('DescribeSecret', { SecretId: 'find/you' })).code).toBe('ResourceNotFoundException')
    expect((await h.fail('GetSecretValue', { SecretId: 'find/me' }, { region: 'eu-west-1' })).code).toBe('ResourceNotFoundException')
  })
})

describe('Secrets Manager versions and stages', () => {
  let arn: string
  beforeEach(async () => {
    arn = (await h.call('CreateSecret', { Name: 'rot', ClientRequestToken: token(1), SecretString: 'one' })).ARN
  })

  it('rotates AWSCURRENT to the new version and AWSPREVIOUS to the old', async () => {
    h.clock.now += 1000
    await h.call('PutSecretValue', { SecretId: arn, ClientRequestToken: token(2), SecretString: 'two' })
    h.clock.now += 1000
    await h.call('PutSecretValue', { SecretId: arn, ClientRequestToken: token(3), SecretString: 'three' })
    expect((await h.call('DescribeSecret', { SecretId: arn })).VersionIdsToStages).toEqual({ [token(2)]: ['AWSPREVIOUS'], [token(3)]: ['AWSCURRENT'] })
    expect((await h.call('GetSecretValue', { SecretId: arn })).SecretString).toBe('three')
    expect((await h.call('GetSecretValue', { SecretId: arn, VersionStage: 'AWSPREVIOUS' })).SecretString).toBe('two')
    // Version 1 is deprecated: listed only with IncludeDeprecated, still readable by id.
    expect((await h.call('ListSecretVersionIds', { SecretId: arn })).Versions.map((v: any) => v.VersionId)).toEqual([token(2), token(3)])
    const all = await h.call('ListSecretVersionIds', { SecretId: arn, IncludeDeprecated: true })
    expect(all.Versions.map((v: any) => [v.VersionId, v.VersionStages, v.KmsKeyIds])).toEqual([
      [token(1), [], ['DefaultEncryptionKey']],
      [token(2), ['AWSPREVIOUS'], ['DefaultEncryptionKey']],
      [token(3), ['AWSCURRENT'], ['DefaultEncryptionKey']],
    ])
    expect(all).toMatchObject({ ARN: arn, Name: 'rot' })
    expect((await h.call('GetSecretValue', { SecretId: arn, VersionId: token(1) })).SecretString).toBe('one')
  })

  it('puts a version under the stages given without touching AWSCURRENT', async () => {
    const p = await h.call('PutSecretValue', { SecretId: arn, ClientRequestToken: token(2), SecretString: 'pending', VersionStages: ['AWSPENDING'] })
    expect(p.VersionStages).toEqual(['AWSPENDING'])
    expect((await h.call('GetSecretValue', { SecretId: arn })).SecretString).toBe('one')
    expect((await h.call('GetSecretValue', { SecretId: arn, VersionStage: 'AWSPENDING' })).SecretString).toBe('pending')
  })

  it('applies the ClientRequestToken idempotency rules', async () => {
    const again = await h.call('PutSecretValue', { SecretId: arn, ClientRequestToken: token(1), SecretString: 'one' })
    expect(again).toEqual({ ARN: arn, Name: 'rot', VersionId: token(1), VersionStages: ['AWSCURRENT'] })
    const e = await h.fail('PutSecretValue', { SecretId: arn, ClientRequestToken: token(1), SecretString: 'different' })
    expect(e.code).toBe('ResourceExistsException')
    expect((await h.fail('PutSecretValue', { SecretId: arn, ClientRequestToken: token(9) })).code).toBe('InvalidRequestException')
  })

  it('moves stages with UpdateSecretVersionStage', async () => {
    await h.call('PutSecretValue', { SecretId: arn, ClientRequestToken: token(2), SecretString: 'two', VersionStages: ['AWSPENDING'] })
    // Moving AWSCURRENT needs RemoveFromVersionId naming its holder.
    const need = await h.fail('UpdateSecretVersionStage', { SecretId: arn, VersionStage: 'AWSCURRENT', MoveToVersionId: token(2) })
    expect(need.code).toBe('InvalidParameterException')
    expect(need.message).toBe(
      `The parameter RemoveFromVersionId can't be empty. Staging label AWSCURRENT is currently attached to version ${token(1)}, so you must explicitly reference that version in RemoveFromVersionId.`,
    )
    await h.call('UpdateSecretVersionStage', { SecretId: arn, VersionStage: 'AWSCURRENT', MoveToVersionId: token(2), RemoveFromVersionId: token(1) })
    expect((await h.call('DescribeSecret', { SecretId: arn })).VersionIdsToStages).toEqual({ [token(1)]: ['AWSPREVIOUS'], [token(2)]: ['AWSPENDING', 'AWSCURRENT'] })
    // TF's version delete: remove every stage but AWSCURRENT.
    await h.call('UpdateSecretVersionStage', { SecretId: arn, VersionStage: 'AWSPENDING', RemoveFromVersionId: token(2) })
    expect((await h.call('GetSecretValue', { SecretId: arn, VersionId: token(2) })).VersionStages).toEqual(['AWSCURRENT'])
    const rm = await h.fail('UpdateSecretVersionStage', { SecretId: arn, VersionStage: 'AWSCURRENT', RemoveFromVersionId: token(2) })
    expect(rm.message).toBe("You can only move staging label AWSCURRENT to a different secret version. It can't be completely removed.")
    const wrong = await h.fail('UpdateSecretVersionStage', { SecretId: arn, VersionStage: 'AWSPENDING', RemoveFromVersionId: token(1) })
    expect(wrong.message).toBe('You provided a VersionStage that is not associated to the provided VersionId.')
    expect((await h.fail('UpdateSecretVersionStage', { SecretId: arn, VersionStage: 'X', MoveToVersionId: token(7) })).code).toBe('ResourceNotFoundException')
    // A custom stage can move freely when nobody holds it.
    await h.call('UpdateSecretVersionStage', { SecretId: arn, VersionStage: 'blue', MoveToVersionId: token(1) })
    expect((await h.call('GetSecretValue', { SecretId: arn, VersionStage: 'blue' })).VersionId).toBe(token(1))
  })

  it('names the missing stage or version, and a stage not on the version', async () => {
    const stage = await h.fail('GetSecretValue', { SecretId: arn, VersionStage: 'AWSPREVIOUS' })
    expect(stage.code).toBe('ResourceNotFoundException')
    expect(stage.message).toBe("Secrets Manager can't find the specified secret value for staging label: AWSPREVIOUS")
    expect((await h.fail('GetSecretValue', { SecretId: arn, VersionId: token(8) })).code).toBe('ResourceNotFoundException')
    const mismatch = await h.fail('GetSecretValue', { SecretId: arn, VersionId: token(1), VersionStage: 'AWSPREVIOUS' })
    expect(mismatch.code).toBe('InvalidRequestException')
    expect(mismatch.message).toBe('You provided a VersionStage that is not associated to the provided VersionId.')
    await h.call('CreateSecret', { Name: 'empty', ClientRequestToken: token(5) })
    expect((await h.fail('GetSecretValue', { SecretId: 'empty' })).message).toBe("Secrets Manager can't find the specified secret value for staging label: AWSCURRENT")
  })

  it('makes the first version AWSCURRENT even when other stages are asked for', async () => {
    await h.call('CreateSecret', { Name: 'novalue', ClientRequestToken: token(1) })
    const p = await h.call('PutSecretValue', { SecretId: 'novalue', ClientRequestToken: token(2), SecretString: 'x', VersionStages: ['blue'] })
    expect(p.VersionStages).toEqual(['blue', 'AWSCURRENT'])
    expect((await h.call('GetSecretValue', { SecretId: 'novalue' })).SecretString).toBe('x')
  })

  it('makes a new current version from UpdateSecret with a value', async () => {
    const u = await h.call('UpdateSecret', { SecretId: arn, ClientRequestToken: token(2), SecretString: 'two' })
    expect(u).toEqual({ ARN: arn, Name: 'rot', VersionId: token(2) })
    expect((await h.call('GetSecretValue', { SecretId: 'rot' })).SecretString).toBe('two')
    expect((await h.call('GetSecretValue', { SecretId: 'rot', VersionStage: 'AWSPREVIOUS' })).SecretString).toBe('one')
  })
})

describe('Secrets Manager delete, restore and purge', () => {
  let arn: string
  beforeEach(async () => {
    arn = (await h.call('CreateSecret', { Name: 'gone', ClientRequestToken: token(1), SecretString: 'v' })).ARN
  })

  it('schedules deletion (default 30 days); every other operation refuses until restored', async () => {
    const del = await h.call('DeleteSecret', { SecretId: 'gone' })
    expect(del.DeletionDate).toBe((h.clock.now + 30 * DAY) / 1000)
    const marked = "You can't perform this operation on the secret because it was marked for deletion."
    for (const [op, input] of [
      ['GetSecretValue', { SecretId: arn }],
      ['PutSecretValue', { SecretId: arn, ClientRequestToken: token(2), SecretString: 'x' }],
      ['UpdateSecretVersionStage', { SecretId: arn, VersionStage: 'x', MoveToVersionId: token(1) }],
      ['TagResource', { SecretId: arn, Tags: [{ Key: 'a', Value: 'b' }] }],
    ] as const) {
      const e = await h.fail(op, input)
      expect(e.code, op).toBe('InvalidRequestException')
      expect(e.message, op).toBe(marked)
    }
    const updated = await h.fail('UpdateSecret', { SecretId: arn, Description: 'd' })
    expect(updated.message).toBe(`An error occurred (InvalidRequestException) when calling the UpdateSecret operation: ${marked}`)
    expect((await h.fail('DeleteSecret', { SecretId: arn })).message).toBe("You tried to perform the operation on a secret that's currently marked deleted.")
    const recreate = await h.fail('CreateSecret', { Name: 'gone', ClientRequestToken: token(3) })
    expect(recreate.message).toBe("You can't create this secret because a secret with this name is already scheduled for deletion.")
    expect((await h.call('ListSecrets', {})).SecretList).toEqual([])
    expect((await h.call('ListSecrets', { IncludePlannedDeletion: true })).SecretList.map((s: any) => s.Name)).toEqual(['gone'])
    expect(await h.call('RestoreSecret', { SecretId: arn })).toEqual({ ARN: arn, Name: 'gone' })
    expect((await h.call('DescribeSecret', { SecretId: arn })).DeletedDate).toBeUndefined()
    expect((await h.call('GetSecretValue', { SecretId: arn })).SecretString).toBe('v')
  })

  it('checks the recovery window and its conflict with ForceDeleteWithoutRecovery', async () => {
    const both = await h.fail('DeleteSecret', { SecretId: arn, RecoveryWindowInDays: 7, ForceDeleteWithoutRecovery: true })
    expect(both.code).toBe('InvalidParameterException')
    expect(both.message).toBe("You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.")
    for (const days of [6, 31]) {
      const e = await h.fail('DeleteSecret', { SecretId: arn, RecoveryWindowInDays: days })
      expect(e.message).toBe('The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).')
    }
    expect((await h.fail('DeleteSecret', { SecretId: 'nobody' })).code).toBe('ResourceNotFoundException')
  })

  it('force-deletes at once (also a scheduled secret, and a missing one without error)', async () => {
    await h.call('DeleteSecret', { SecretId: arn, RecoveryWindowInDays: 7 })
    const f = await h.call('DeleteSecret', { SecretId: arn, ForceDeleteWithoutRecovery: true })
    expect(f).toEqual({ ARN: arn, Name: 'gone', DeletionDate: h.clock.now / 1000 })
    expect((await h.fail('DescribeSecret', { SecretId: arn })).code).toBe('ResourceNotFoundException')
    expect((await h.call('DeleteSecret', { SecretId: 'never-was', ForceDeleteWithoutRecovery: true })).Name).toBe('never-was')
    // The name is free again, with a new ARN suffix... or the same by chance; either way a new secret.
    const again = await h.call('CreateSecret', { Name: 'gone', ClientRequestToken: token(4), SecretString: 'new' })
    expect((await h.call('GetSecretValue', { SecretId: again.ARN })).SecretString).toBe('new')
  })

  it('purges a secret once its recovery window has passed, also across a restart', async () => {
    await h.call('DeleteSecret', { SecretId: arn, RecoveryWindowInDays: 7 })
    h.clock.now += 7 * DAY - 1
    expect((await h.call('DescribeSecret', { SecretId: arn })).DeletedDate).toBeDefined()
    h.clock.now += 1
    expect((await h.fail('DescribeSecret', { SecretId: arn })).code).toBe('ResourceNotFoundException')
    expect((await h.fail('RestoreSecret', { SecretId: arn })).code).toBe('ResourceNotFoundException')
    await h.restart()
    expect((await h.fail('DescribeSecret', { SecretId: arn })).code).toBe('ResourceNotFoundException')
    expect((await h.call('CreateSecret', { Name: 'gone', ClientRequestToken: token(5) })).Name).toBe('gone')
  })
})

describe('Secrets Manager ListSecrets, BatchGetSecretValue, GetRandomPassword', () => {
  beforeEach(async () => {
    await h.call('CreateSecret', { Name: 'prod/db', ClientRequestToken: token(1), SecretString: 'a', Description: 'Database password', Tags: [{ Key: 'env', Value: 'prod' }] })
    h.clock.now += 1000
    await h.call('CreateSecret', { Name: 'prod/api', ClientRequestToken: token(2), SecretString: 'b', Tags: [{ Key: 'env', Value: 'prod' }, { Key: 'team', Value: 'web' }] })
    h.clock.now += 1000
    await h.call('CreateSecret', { Name: 'dev/db', ClientRequestToken: token(3), SecretString: 'c', Description: 'dev database' })
  })
  const names = async (input: Record<string, unknown>) => (await h.call('ListSecrets', input)).SecretList.map((s: any) => s.Name)

  it('filters by name, description, tag key and value, all, and negation', async () => {
    expect(await names({})).toEqual(['prod/db', 'prod/api', 'dev/db'])
    expect(await names({ Filters: [{ Key: 'name', Values: ['prod/'] }] })).toEqual(['prod/db', 'prod/api'])
    expect(await names({ Filters: [{ Key: 'name', Values: ['PROD/'] }] })).toEqual([])
    expect(await names({ Filters: [{ Key: 'description', Values: ['DATABASE'] }] })).toEqual(['prod/db'])
    expect(await names({ Filters: [{ Key: 'tag-key', Values: ['team'] }] })).toEqual(['prod/api'])
    expect(await names({ Filters: [{ Key: 'tag-value', Values: ['prod'] }, { Key: 'name', Values: ['prod/d'] }] })).toEqual(['prod/db'])
    expect(await names({ Filters: [{ Key: 'all', Values: ['dev'] }] })).toEqual(['dev/db'])
    expect(await names({ Filters: [{ Key: 'name', Values: ['!prod'] }] })).toEqual(['dev/db'])
    expect(await names({ SortBy: 'name', SortOrder: 'asc' })).toEqual(['dev/db', 'prod/api', 'prod/db'])
    const entry = (await h.call('ListSecrets', { Filters: [{ Key: 'name', Values: ['dev/db'] }] })).SecretList[0]
    expect(entry.SecretVersionsToStages).toEqual({ [token(3)]: ['AWSCURRENT'] })
  })

  it('pages with MaxResults', async () => {
    const first = await h.call('ListSecrets', { MaxResults: 2 })
    expect(first.SecretList).toHaveLength(2)
    const second = await h.call('ListSecrets', { MaxResults: 2, NextToken: first.NextToken })
    expect(second.SecretList.map((s: any) => s.Name)).toEqual(['dev/db'])
    expect(second.NextToken).toBeUndefined()
    expect((await h.fail('ListSecrets', { NextToken: 'nope' })).code).toBe('InvalidNextToken')
  })

  it('batch-gets by id list (with per-id errors) and by filter', async () => {
    const r = await h.call('BatchGetSecretValue', { SecretIdList: ['prod/db', 'nope'] })
    expect(r.SecretValues.map((v: any) => v.SecretString)).toEqual(['a'])
    expect(r.Errors).toEqual([{ SecretId: 'nope', ErrorCode: 'ResourceNotFoundException', Message: "Secrets Manager can't find the specified secret." }])
    const f = await h.call('BatchGetSecretValue', { Filters: [{ Key: 'name', Values: ['prod'] }] })
    expect(f.SecretValues.map((v: any) => v.Name)).toEqual(['prod/db', 'prod/api'])
    expect((await h.fail('BatchGetSecretValue', {})).code).toBe('InvalidParameterException')
  })

  it('generates passwords to the rules', async () => {
    const p = (await h.call('GetRandomPassword', {})).RandomPassword as string
    expect(p).toHaveLength(32)
    expect(p).toMatch(/[a-z]/)
    expect(p).toMatch(/[A-Z]/)
    expect(p).toMatch(/[0-9]/)
    const digits = (await h.call('GetRandomPassword', { PasswordLength: 12, ExcludeLowercase: true, ExcludeUppercase: true, ExcludePunctuation: true })).RandomPassword
    expect(digits).toMatch(/^[0-9]{12}$/)
    const noAbc = (await h.call('GetRandomPassword', { PasswordLength: 200, ExcludeCharacters: 'abc' })).RandomPassword
    expect(noAbc).not.toMatch(/[abc]/)
    expect((await h.fail('GetRandomPassword', { ExcludeLowercase: true, ExcludeUppercase: true, ExcludeNumbers: true, ExcludePunctuation: true })).code).toBe('InvalidParameterException')
  })

  it('records the day of last access', async () => {
    await h.call('GetSecretValue', { SecretId: 'prod/db' })
    const day = Math.floor(h.clock.now / DAY) * DAY
    expect((await h.call('DescribeSecret', { SecretId: 'prod/db' })).LastAccessedDate).toBe(day / 1000)
  })

  it('survives a restart', async () => {
    const { ARN } = await h.call('DescribeSecret', { SecretId: 'prod/db' })
    await h.call('PutSecretValue', { SecretId: ARN, ClientRequestToken: token(9), SecretString: 'a2' })
    await h.call('PutResourcePolicy', { SecretId: ARN, ResourcePolicy: '{}' })
    await h.call('DeleteSecret', { SecretId: 'dev/db', RecoveryWindowInDays: 10 })
    await h.restart()
    const d = await h.call('DescribeSecret', { SecretId: ARN })
    expect(d.VersionIdsToStages).toEqual({ [token(1)]: ['AWSPREVIOUS'], [token(9)]: ['AWSCURRENT'] })
    expect(d.Tags).toEqual([{ Key: 'env', Value: 'prod' }])
    expect((await h.call('GetResourcePolicy', { SecretId: ARN })).ResourcePolicy).toBe('{}')
    expect((await h.call('DescribeSecret', { SecretId: 'dev/db' })).DeletedDate).toBeDefined()
  })
})
