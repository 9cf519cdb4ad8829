import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { metadataBaseUrl } from '../../src/ecs/metadata/paths.js'
import { stageTags } from '../../src/ecs/tag-store.js'
import type { TaskDoc } from '../../src/ecs/tasks/task-doc.js'
import { taskKey } from '../../src/ecs/tasks/task-keys.js'
import { containerRuntimeId } from '../../src/ecs/tasks/container-ids.js'
import { startTestInstance, type TestInstance } from '../helpers/instance.js'

/**
 * The task metadata endpoint on a running instance, with task docs seeded into the store (as the
 * reconciler leaves them): URLs of the shape the converter injects resolve, the state behind task
 * protection is the one GetTaskProtection shows, credentials exist only for tasks with a role.
 */
const ACCOUNT = '000000000000'
const REGION = 'us-east-1'
const A = `arn:aws:ecs:${REGION}:${ACCOUNT}`
const SERVICE_TASK = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'
const PLAIN_TASK = 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb'
const ROLE = `arn:aws:iam::${ACCOUNT}:role/app`

let t: TestInstance
let base: string

function taskDoc(id: string, opts: { td: string; group: string; containers: string[] }): TaskDoc {
  const arn = `${A}:task/default/${id}`
  return {
    attachments: [
      {
        id: `att-${id}`,
        type: 'ElasticNetworkInterface',
        status: 'ATTACHED',
        details: [
          { name: 'subnetId', value: 'subnet-1' },
          { name: 'privateIPv4Address', value: '10.244.0.9' },
        ],
      },
    ],
    availabilityZone: `${REGION}a`,
    clusterArn: `${A}:cluster/default`,
    containers: opts.containers.map((name) => ({
      containerArn: `${A}:container/default/${id}/${name}`,
      taskArn: arn,
      name,
      image: 'nginx',
      lastStatus: 'RUNNING',
      cpu: '0',
      runtimeId: containerRuntimeId(id, name),
    })),
    createdAt: 1_700_000_000,
    startedAt: 1_700_000_002,
    desiredStatus: 'RUNNING',
    lastStatus: 'RUNNING',
    launchType: 'FARGATE',
    group: opts.group,
    taskArn: arn,
    taskDefinitionArn: opts.td,
    version: 3,
    kecs: { clusterName: 'default', taskId: id, namespace: 'kecs-default', podName: id, essential: [opts.containers[0]!], stopTimeoutSeconds: 30 },
  }
}

const get = async (path: string, init?: RequestInit) => {
  const res = await fetch(base + path, init)
  const text = await res.text()
  return { status: res.status, type: res.headers.get('content-type'), body: JSON.parse(text) as any }
}

beforeAll(async () => {
  t = await startTestInstance()
  base = metadataBaseUrl(t.endpoint)
  expect((await t.call('CreateCluster', { clusterName: 'default' })).status).toBe(200)
  const withRole = await t.call('RegisterTaskDefinition', {
    family: 'web',
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    cpu: '256',
    memory: '512',
    taskRoleArn: ROLE,
    containerDefinitions: [
      { name: 'app', image: 'nginx', essential: true, portMappings: [{ containerPort: 80 }] },
      { name: 'log', image: 'busybox', essential: false },
    ],
  })
  expect(withRole.status).toBe(200)
  const noRole = await t.call('RegisterTaskDefinition', {
    family: 'plain',
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    cpu: '256',
    memory: '512',
    containerDefinitions: [{ name: 'main', image: 'nginx' }],
  })
  expect(noRole.status).toBe(200)
  const scope = { account: ACCOUNT, region: REGION }
  const svc = taskDoc(SERVICE_TASK, { td: withRole.body.taskDefinition.taskDefinitionArn, group: 'service:web', containers: ['app', 'log'] })
  const plain = taskDoc(PLAIN_TASK, { td: noRole.body.taskDefinition.taskDefinitionArn, group: 'family:plain', containers: ['main'] })
  await t.instance.repos.store.write([
    t.instance.repos.tasks.stagePut(taskKey(scope, 'default', SERVICE_TASK), svc),
    t.instance.repos.tasks.stagePut(taskKey(scope, 'default', PLAIN_TASK), plain),
    stageTags(t.instance.repos, svc.taskArn, [{ key: 'env', value: 'dev' }]),
  ])
})
afterAll(async () => t?.stop())

const appId = () => containerRuntimeId(SERVICE_TASK, 'app')

describe('task metadata endpoint', () => {
  it('v4: the calling container, the task with every container, tags, stats', async () => {
    const c = await get(`/v4/${appId()}`)
    expect(c.status).toBe(200)
    expect(c.type).toMatch(/^application\/json/)
    expect(c.body).toMatchObject({
      DockerId: appId(),
      Name: 'app',
      KnownStatus: 'RUNNING',
      ContainerARN: `${A}:container/default/${SERVICE_TASK}/app`,
      Networks: [{ NetworkMode: 'awsvpc', IPv4Addresses: ['10.244.0.9'] }],
      Ports: [{ ContainerPort: 80, Protocol: 'tcp', HostPort: 80 }],
    })
    expect(c.body.Labels['com.amazonaws.ecs.task-definition-family']).toBe('web')

    const task = await get(`/v4/${appId()}/task`)
    expect(task.status).toBe(200)
    expect(task.body).toMatchObject({
      Cluster: `${A}:cluster/default`,
      TaskARN: `${A}:task/default/${SERVICE_TASK}`,
      Family: 'web',
      Revision: '1',
      LaunchType: 'FARGATE',
      ServiceName: 'web',
      Limits: { CPU: 0.25, Memory: 512 },
    })
    expect(task.body.Containers.map((x: any) => x.Name)).toEqual(['app', 'log'])
    expect(task.body).not.toHaveProperty('TaskTags')

    const tagged = await get(`/v4/${appId()}/taskWithTags`)
    expect(tagged.body.TaskTags).toEqual({ env: 'dev' })

    const stats = await get(`/v4/${appId()}/stats`)
    expect(stats.status).toBe(200)
    expect(stats.body.id).toBe(appId())
    expect(stats.body).toHaveProperty('network_rate_stats')
    const all = await get(`/v4/${appId()}/task/stats`)
    expect(Object.keys(all.body).sort()).toEqual([appId(), containerRuntimeId(SERVICE_TASK, 'log')].sort())
  })

  it('v3: the same paths with the v3 shapes', async () => {
    const c = await get(`/v3/${appId()}`)
    expect(c.status).toBe(200)
    expect(c.body).not.toHaveProperty('ContainerARN')
    expect(c.body.Networks).toEqual([{ NetworkMode: 'awsvpc', IPv4Addresses: ['10.244.0.9'] }])
    const task = await get(`/v3/${appId()}/task`)
    expect(task.body).not.toHaveProperty('LaunchType')
    expect(task.body.Containers).toHaveLength(2)
    expect((await get(`/v3/${appId()}/stats`)).body).not.toHaveProperty('network_rate_stats')
    expect((await get(`/v3/${appId()}/task/stats`)).status).toBe(200)
    expect((await get(`/v3/${appId()}/taskWithTags`)).body.TaskTags).toEqual({ env: 'dev' })
  })

  it('unknown ids answer 404 with a JSON message', async () => {
    for (const path of [
      `/v4/${SERVICE_TASK}-0000000000`,
      `/v4/${'c'.repeat(32)}-${appId().split('-').pop()}`,
      '/v4/not-an-id',
      `/v4/${SERVICE_TASK}-0000000000/task`,
      `/v3/${SERVICE_TASK}-0000000000/task/stats`,
    ]) {
      const r = await get(path)
      expect(r.status, path).toBe(404)
      expect(typeof r.body).toBe('string')
    }
    expect((await get(`/v4/nope`)).body).toMatch(/^V4 container metadata handler: /)
  })
})

describe('credentials endpoint', () => {
  it('dummy credentials for the task role, under /metadata and at the root', async () => {
    for (const url of [`${base}/v2/credentials/${SERVICE_TASK}`, `${t.endpoint}/v2/credentials/${SERVICE_TASK}`, `${base}/v1/credentials?id=${SERVICE_TASK}`]) {
      const res = await fetch(url)
      expect(res.status, url).toBe(200)
      const body = (await res.json()) as any
      expect(body).toMatchObject({ RoleArn: ROLE })
      expect(body.AccessKeyId).toMatch(/^ASIA/)
      expect(Date.parse(body.Expiration)).toBeGreaterThan(Date.now())
    }
  })

  it('unknown ids, tasks without a role and missing ids answer the agent errors', async () => {
    const unknown = await get(`/v2/credentials/${'d'.repeat(32)}`)
    expect(unknown).toMatchObject({ status: 400, body: { code: 'InvalidIdInRequest', message: 'CredentialsV2Request: Credentials not found' } })
    expect((await get(`/v2/credentials/${PLAIN_TASK}`)).body.code).toBe('InvalidIdInRequest')
    expect(await get('/v2/credentials/')).toMatchObject({ status: 400, body: { code: 'NoIdInRequest' } })
    expect(await get('/v1/credentials')).toMatchObject({
      status: 400,
      body: { code: 'NoIdInRequest', message: 'CredentialsV1Request: No Credential ID in the request' },
    })
  })
})

describe('task protection through ECS_AGENT_URI', () => {
  const url = () => `/api/${appId()}/task-protection/v1/state`
  const put = (body: string, id = appId()) =>
    get(`/api/${id}/task-protection/v1/state`, { method: 'PUT', body, headers: { 'Content-Type': 'application/json' } })

  it('GET and PUT share the state GetTaskProtection / UpdateTaskProtection use', async () => {
    const before = await get(url())
    expect(before).toMatchObject({
      status: 200,
      body: { protection: { ExpirationDate: null, ProtectionEnabled: false, TaskArn: `${A}:task/default/${SERVICE_TASK}` } },
    })
    const on = await put('{"ProtectionEnabled":true,"ExpiresInMinutes":60}')
    expect(on.status).toBe(200)
    expect(on.body.protection.ProtectionEnabled).toBe(true)
    const expires = Date.parse(on.body.protection.ExpirationDate)
    expect(expires).toBeGreaterThan(Date.now() + 59 * 60_000)

    const viaApi = await t.call('GetTaskProtection', { cluster: 'default', tasks: [SERVICE_TASK] })
    expect(viaApi.body.protectedTasks[0]).toMatchObject({ protectionEnabled: true })
    expect(viaApi.body.protectedTasks[0].expirationDate * 1000).toBe(expires)

    await t.call('UpdateTaskProtection', { cluster: 'default', tasks: [SERVICE_TASK], protectionEnabled: false })
    expect((await get(url())).body.protection.ProtectionEnabled).toBe(false)
  })

  it('bad bodies, unknown tasks, tasks without a role and tasks outside a service', async () => {
    expect(await put('{"ProtectionEnabled":true,"Bogus":1}')).toMatchObject({
      status: 400,
      body: { error: { Code: 'InvalidParameterException', Message: 'UpdateTaskProtection: failed to decode request' } },
    })
    expect(await put('{}')).toMatchObject({
      status: 400,
      body: { error: { Arn: `${A}:task/default/${SERVICE_TASK}`, Code: 'InvalidParameterException' } },
    })
    expect(await put('{"ProtectionEnabled":true,"ExpiresInMinutes":0}')).toMatchObject({
      status: 400,
      body: { requestID: expect.any(String), error: { Code: 'InvalidParameterException' } },
    })
    expect(await get(`/api/${SERVICE_TASK}-0000000000/task-protection/v1/state`)).toMatchObject({
      status: 404,
      body: { error: { Code: 'ResourceNotFoundException' } },
    })
    const plainId = containerRuntimeId(PLAIN_TASK, 'main')
    expect(await get(`/api/${plainId}/task-protection/v1/state`)).toMatchObject({
      status: 403,
      body: { error: { Code: 'AccessDeniedException' } },
    })
  })
})
