import { CreateClusterCommand, ECSClient, ListClustersCommand } from '@aws-sdk/client-ecs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RefusalReason } from '../../src/aws/protocol/sigv4.js'
import type { TaskDoc } from '../../src/ecs/tasks/task-doc.js'
import { taskKey } from '../../src/ecs/tasks/task-keys.js'
import { CLIENT_KEY_HEADER } from '../../src/server/auth.js'
import { startTestInstance, type TestInstance } from '../helpers/instance.js'
import { presign, signHeaders, type Keys } from '../helpers/sigv4.js'

/**
 * `--auth sigv4` on an in-process instance (src/server/auth.ts wired in src/instance): the SDK with
 * the right keys works; wrong secrets, unknown keys, unsigned and stale calls get AWS's errors in
 * each protocol's shape; session credentials KECS mints (task roles, STS) verify; what is exempt
 * stays open; without --auth nothing changes.
 */
const KEYS: Keys = { accessKeyId: 'AKIAKECSAUTHTEST0001', secretAccessKey: 'right/secret+for+kecs+auth+tests00000000' }
const ACCOUNT = '000000000000'
const ROLE = `arn:aws:iam::${ACCOUNT}:role/app`
const TASK_ID = 'cccccccccccccccccccccccccccccccc'
const STS_NS = 'https://sts.amazonaws.com/doc/2011-06-15/'

let t: TestInstance
const refused: RefusalReason[] = []
const lines: { operation: string; status: number; error?: string }[] = []

const ecs = (keys: Keys, region = 'us-east-1') =>
  new ECSClient({ endpoint: t.endpoint, region, credentials: keys, maxAttempts: 1 })
const host = () => new URL(t.endpoint).host

/** A call signed by the SDK signer and sent with fetch: the raw answer. */
async function signedFetch(keys: Keys, r: { service: string; target?: string; form?: string; body?: string; date?: Date; region?: string }) {
  const headers: Record<string, string> = r.target
    ? { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': r.target }
    : { 'content-type': 'application/x-www-form-urlencoded' }
  const body = r.form ?? r.body ?? '{}'
  const s = await signHeaders(keys, { host: host(), headers, body, service: r.service, region: r.region, date: r.date })
  const res = await fetch(t.endpoint + '/', { method: 'POST', headers: s.headers, body })
  return { status: res.status, text: await res.text(), headers: res.headers }
}

beforeAll(async () => {
  t = await startTestInstance({
    auth: { credentials: [KEYS], onRefused: (r) => refused.push(r) },
    onRequest: (l) => lines.push(l),
  })
  // A task with a role, as the reconciler leaves it, for the task credentials endpoint.
  const c = ecs(KEYS)
  await c.send(new CreateClusterCommand({ clusterName: 'default' }))
  const arn = `arn:aws:ecs:us-east-1:${ACCOUNT}:task/default/${TASK_ID}`
  const doc = {
    taskArn: arn,
    clusterArn: `arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/default`,
    taskDefinitionArn: `arn:aws:ecs:us-east-1:${ACCOUNT}:task-definition/web:1`,
    overrides: { containerOverrides: [], taskRoleArn: ROLE },
    containers: [],
    lastStatus: 'RUNNING',
    desiredStatus: 'RUNNING',
    launchType: 'FARGATE',
    createdAt: 1_700_000_000,
    version: 1,
    kecs: { clusterName: 'default', taskId: TASK_ID, namespace: 'kecs-default', podName: TASK_ID, essential: [], stopTimeoutSeconds: 30 },
  } as unknown as TaskDoc
  await t.instance.repos.store.write([t.instance.repos.tasks.stagePut(taskKey({ account: ACCOUNT, region: 'us-east-1' }, 'default', TASK_ID), doc)])
  c.destroy()
})
afterAll(async () => t?.stop())

describe('--auth sigv4 on the ECS API', () => {
  it('the SDK with the configured keys works (ListClusters, CreateCluster)', async () => {
    const c = ecs(KEYS, 'eu-west-1')
    expect((await c.send(new CreateClusterCommand({ clusterName: 'signed' }))).cluster?.clusterArn).toBe(
      `arn:aws:ecs:eu-west-1:${ACCOUNT}:cluster/signed`,
    )
    expect((await c.send(new ListClustersCommand({}))).clusterArns).toEqual([`arn:aws:ecs:eu-west-1:${ACCOUNT}:cluster/signed`])
    c.destroy()
  })

  it('a wrong secret: InvalidSignatureException (403); an unknown key: UnrecognizedClientException (403)', async () => {
    const wrong = ecs({ ...KEYS, secretAccessKey: 'wrong' })
    await expect(wrong.send(new ListClustersCommand({}))).rejects.toMatchObject({
      name: 'InvalidSignatureException',
      message:
        'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
      $metadata: { httpStatusCode: 403 },
    })
    const unknown = ecs({ accessKeyId: 'AKIANOBODY', secretAccessKey: KEYS.secretAccessKey })
    await expect(unknown.send(new CreateClusterCommand({ clusterName: 'nope' }))).rejects.toMatchObject({
      name: 'UnrecognizedClientException',
      message: 'The security token included in the request is invalid.',
      $metadata: { httpStatusCode: 403 },
    })
    wrong.destroy()
    unknown.destroy()
    const c = ecs(KEYS)
    expect((await c.send(new ListClustersCommand({}))).clusterArns).not.toContain(`arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/nope`)
    c.destroy()
  })

  it('an unsigned call: MissingAuthenticationTokenException, JSON shape', async () => {
    const r = await t.call('ListClusters', {})
    expect(r.status).toBe(403)
    expect(r.body).toEqual({ __type: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' })
    expect(r.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException')
    expect(r.headers.get('content-type')).toBe('application/x-amz-json-1.1')
  })

  it('a malformed Authorization header: IncompleteSignatureException (400)', async () => {
    const r = await t.call('ListClusters', {}, { Authorization: 'AWS4-HMAC-SHA256 Credential=AKIAKECSAUTHTEST0001/20260101/us-east-1/ecs/aws4_request' })
    expect(r.status).toBe(400)
    expect(r.body.__type).toBe('IncompleteSignatureException')
    expect(r.body.message).toContain("Authorization header requires 'Signature' parameter.")
  })

  it('a call dated 20 minutes ago: InvalidSignatureException, "Signature expired"', async () => {
    const r = await signedFetch(KEYS, {
      service: 'ecs',
      target: 'AmazonEC2ContainerServiceV20141113.ListClusters',
      date: new Date(Date.now() - 20 * 60_000),
    })
    expect(r.status).toBe(403)
    const body = JSON.parse(r.text)
    expect(body.__type).toBe('InvalidSignatureException')
    expect(body.message).toMatch(/^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 15 min\.\)$/)
  })

  it('a body changed after signing is refused; a neighbour JSON service answers in its shape', async () => {
    const s = await signHeaders(KEYS, {
      host: host(),
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AmazonSSM.GetParameter' },
      body: '{"Name":"a"}',
      service: 'ssm',
    })
    const res = await fetch(t.endpoint + '/', { method: 'POST', headers: s.headers, body: '{"Name":"b"}' })
    expect(res.status).toBe(400)
    expect(await res.json()).toEqual({ __type: 'XAmzContentSHA256Mismatch', message: "The provided 'x-amz-content-sha256' header does not match what was computed." })
  })
})

describe('--auth sigv4 on the query protocol (STS)', () => {
  const form = 'Action=GetCallerIdentity&Version=2011-06-15'

  it('signed right: answers; wrong secret: SignatureDoesNotMatch, XML with the STS namespace', async () => {
    const ok = await signedFetch(KEYS, { service: 'sts', form })
    expect(ok.status).toBe(200)
    expect(ok.text).toContain(`<Arn>arn:aws:iam::${ACCOUNT}:root</Arn>`)
    const bad = await signedFetch({ ...KEYS, secretAccessKey: 'wrong' }, { service: 'sts', form })
    expect(bad.status).toBe(403)
    expect(bad.headers.get('content-type')).toBe('text/xml')
    expect(bad.text).toContain(`<ErrorResponse xmlns="${STS_NS}"><Error><Type>Sender</Type><Code>SignatureDoesNotMatch</Code>`)
    const unknown = await signedFetch({ ...KEYS, accessKeyId: 'AKIANOBODY' }, { service: 'sts', form })
    expect(unknown.text).toContain('<Code>InvalidClientTokenId</Code><Message>The security token included in the request is invalid.</Message>')
  })

  it('unsigned: MissingAuthenticationToken, as STS words it', async () => {
    const res = await fetch(t.endpoint + '/', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form })
    expect(res.status).toBe(403)
    expect(await res.text()).toMatch(
      new RegExp(`<ErrorResponse xmlns="${STS_NS}"><Error><Type>Sender</Type><Code>MissingAuthenticationToken</Code><Message>Request is missing Authentication Token</Message></Error><RequestId>`),
    )
    const get = await fetch(`${t.endpoint}/?${form}`)
    expect(get.status).toBe(403)
    expect(await get.text()).toContain('<Code>MissingAuthenticationToken</Code>')
  })

  it('a presigned GetCallerIdentity URL works, and stops working once changed', async () => {
    const p = await presign(KEYS, { method: 'GET', host: host(), query: { Action: 'GetCallerIdentity', Version: '2011-06-15' }, expiresIn: 60 })
    const res = await fetch(`${t.endpoint}${p.path}?${p.query}`)
    expect(res.status).toBe(200)
    expect(await res.text()).toContain('<GetCallerIdentityResponse')
    const bad = await fetch(`${t.endpoint}${p.path}?${p.query.replace('GetCallerIdentity', 'GetSessionToken')}`)
    expect(bad.status).toBe(403)
    expect(await bad.text()).toContain('<Code>SignatureDoesNotMatch</Code>')
  })

  it('AssumeRole credentials sign calls that verify, and name the role', async () => {
    const r = await signedFetch(KEYS, {
      service: 'sts',
      form: `Action=AssumeRole&Version=2011-06-15&RoleArn=${encodeURIComponent(ROLE)}&RoleSessionName=ci`,
    })
    expect(r.status).toBe(200)
    const field = (name: string) => new RegExp(`<${name}>([^<]+)</${name}>`).exec(r.text)![1]!
    const session = { accessKeyId: field('AccessKeyId'), secretAccessKey: field('SecretAccessKey'), sessionToken: field('SessionToken') }
    const who = await signedFetch(session, { service: 'sts', form: 'Action=GetCallerIdentity&Version=2011-06-15' })
    expect(who.status).toBe(200)
    expect(who.text).toContain(`<Arn>arn:aws:sts::${ACCOUNT}:assumed-role/app/ci</Arn>`)
    const c = ecs(session)
    expect((await c.send(new ListClustersCommand({}))).clusterArns).toBeDefined()
    c.destroy()
    // The token with another secret, or the secret with another token: refused.
    const forged = await signedFetch({ ...session, secretAccessKey: KEYS.secretAccessKey }, { service: 'sts', form: 'Action=GetCallerIdentity&Version=2011-06-15' })
    expect(forged.text).toContain('<Code>SignatureDoesNotMatch</Code>')
  })
})

describe('--auth sigv4: task role credentials and what is exempt', () => {
  it('the task credentials endpoint answers unsigned, and its credentials sign calls that verify', async () => {
    const res = await fetch(`${t.endpoint}/v2/credentials/${TASK_ID}`)
    expect(res.status).toBe(200)
    const cred = (await res.json()) as { AccessKeyId: string; SecretAccessKey: string; Token: string; RoleArn: string }
    expect(cred.RoleArn).toBe(ROLE)
    const task = { accessKeyId: cred.AccessKeyId, secretAccessKey: cred.SecretAccessKey, sessionToken: cred.Token }
    const c = ecs(task)
    expect((await c.send(new ListClustersCommand({}))).clusterArns).toContain(`arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/default`)
    c.destroy()
    const who = await signedFetch(task, { service: 'sts', form: 'Action=GetCallerIdentity&Version=2011-06-15' })
    expect(who.text).toContain(`<Arn>arn:aws:sts::${ACCOUNT}:assumed-role/app/${TASK_ID}</Arn>`)
    // The same key and token with a made-up secret: refused.
    const forged = ecs({ ...task, secretAccessKey: 'x'.repeat(40) })
    await expect(forged.send(new ListClustersCommand({}))).rejects.toMatchObject({ name: 'InvalidSignatureException' })
    forged.destroy()
  })

  it('/status, /ui, the metadata endpoint and a browser GET / answer without a signature; /kecs/v1/logs does not', async () => {
    expect((await fetch(`${t.endpoint}/status`)).status).toBe(200)
    expect([200, 503]).toContain((await fetch(`${t.endpoint}/ui`)).status)
    expect((await fetch(`${t.endpoint}/metadata/v2/credentials/${TASK_ID}`)).status).toBe(200)
    expect((await fetch(`${t.endpoint}/`, { headers: { accept: 'text/html' }, redirect: 'manual' })).status).toBe(302)
    const logs = await fetch(`${t.endpoint}/kecs/v1/logs?task=${TASK_ID}`)
    expect(logs.status).toBe(403)
    expect(await logs.json()).toMatchObject({ __type: 'MissingAuthenticationTokenException' })
    // Another path that would be forwarded or 404: checked too.
    expect((await fetch(`${t.endpoint}/2015-03-31/functions`)).status).toBe(403)
  })

  it("KECS's own client key passes; a wrong one is an unknown key", async () => {
    const key = t.instance.auth!.clientKey
    expect(t.instance.auth?.mode).toBe('sigv4')
    expect((await t.call('ListClusters', {}, { [CLIENT_KEY_HEADER]: key })).status).toBe(200)
    const logs = await fetch(`${t.endpoint}/kecs/v1/logs?task=${'e'.repeat(32)}`, { headers: { [CLIENT_KEY_HEADER]: key } })
    expect(logs.status).toBe(404) // past the check: the task is unknown
    const wrong = await t.call('ListClusters', {}, { [CLIENT_KEY_HEADER]: `${key}x` })
    expect(wrong).toMatchObject({ status: 403, body: { __type: 'UnrecognizedClientException' } })
  })

  it('every refusal is reported once, with its reason, and logged', async () => {
    const before = refused.length
    await t.call('ListClusters', {})
    expect(refused.slice(before)).toEqual(['missing'])
    expect(refused).toEqual(expect.arrayContaining(['missing', 'mismatch', 'unknown-key', 'incomplete', 'expired', 'content-hash']))
    expect(lines.at(-1)).toMatchObject({
      operation: 'refused AmazonEC2ContainerServiceV20141113.ListClusters',
      status: 403,
      error: 'MissingAuthenticationTokenException',
    })
  })

  it('admin /status says the auth mode', async () => {
    const s = (await (await fetch(`http://127.0.0.1:${t.instance.admin.port}/status`)).json()) as { auth: string }
    expect(s.auth).toBe('sigv4')
  })
})

describe('without --auth', () => {
  it('unsigned calls are served as before', async () => {
    const open = await startTestInstance()
    try {
      expect((await open.call('ListClusters', {})).status).toBe(200)
      const sts = await fetch(`${open.endpoint}/?Action=GetCallerIdentity&Version=2011-06-15`)
      expect(sts.status).toBe(200)
      expect(open.instance.auth).toBeUndefined()
      const s = (await (await fetch(`http://127.0.0.1:${open.instance.admin.port}/status`)).json()) as { auth: string }
      expect(s.auth).toBe('none')
    } finally {
      await open.stop()
    }
  })
})
