import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { rfc3339Nano } from '../../src/ecs/metadata/format.js'
import type { MetadataInput } from '../../src/ecs/metadata/input.js'
import { containerOnlyMetadata, taskMetadata } from '../../src/ecs/metadata/task.js'
import { containerStats, taskStats } from '../../src/ecs/metadata/stats.js'
import { dummyCredentials, credentialsError } from '../../src/ecs/metadata/credentials.js'
import { failureResponse, parseProtectionRequest, protectionResponse } from '../../src/ecs/metadata/agent-protection.js'
import { metadataBaseUrl } from '../../src/ecs/metadata/paths.js'
import { containerRuntimeId } from '../../src/ecs/tasks/container-ids.js'
import type { TaskDoc } from '../../src/ecs/tasks/task-doc.js'
import type { TaskDefinitionDoc } from '../../src/ecs/task-definitions/task-definition-doc.js'

/**
 * Task metadata shaping (docs/ecs-facts.md#task-metadata-endpoint): stored task docs → the exact JSON the
 * endpoint returns, keys in the agent's order.
 */
const A = 'arn:aws:ecs:us-east-1:000000000000'
const TASK_ID = '0123456789abcdef0123456789abcdef'
const NOW = 1_700_000_100_000

const fargateTd: TaskDefinitionDoc = {
  taskDefinitionArn: `${A}:task-definition/web:3`,
  family: 'web',
  revision: 3,
  networkMode: 'awsvpc',
  cpu: '256',
  memory: '512',
  taskRoleArn: 'arn:aws:iam::000000000000:role/app',
  volumes: [{ name: 'scratch', host: {} }],
  containerDefinitions: [
    {
      name: 'app',
      image: 'nginx:1.27',
      cpu: 128,
      memory: 256,
      essential: true,
      portMappings: [{ containerPort: 80, hostPort: 80, protocol: 'tcp' }],
      dockerLabels: { team: 'blue' },
      logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-region': 'us-east-1', 'awslogs-group': '/ecs/web' } },
      healthCheck: { command: ['CMD-SHELL', 'true'] },
      mountPoints: [{ sourceVolume: 'scratch', containerPath: '/scratch' }],
    },
    { name: 'sidecar', image: 'busybox', cpu: 0, essential: false },
  ],
}

const fargateTask: TaskDoc = {
  attachments: [
    {
      id: 'att-1',
      type: 'ElasticNetworkInterface',
      status: 'ATTACHED',
      details: [
        { name: 'subnetId', value: 'subnet-1' },
        { name: 'networkInterfaceId', value: 'eni-0123456789abcdef0' },
        { name: 'macAddress', value: '02:01:23:45:67:89' },
        { name: 'privateDnsName', value: 'ip-10-244-0-7.ec2.internal' },
        { name: 'privateIPv4Address', value: '10.244.0.7' },
      ],
    },
  ],
  availabilityZone: 'us-east-1a',
  clusterArn: `${A}:cluster/default`,
  containers: [
    {
      containerArn: `${A}:container/default/${TASK_ID}/c-app`,
      taskArn: `${A}:task/default/${TASK_ID}`,
      name: 'app',
      image: 'nginx:1.27',
      imageDigest: 'sha256:aaaa',
      runtimeId: containerRuntimeId(TASK_ID, 'app'),
      lastStatus: 'RUNNING',
      healthStatus: 'HEALTHY',
      cpu: '128',
      memory: '256',
      networkInterfaces: [{ attachmentId: 'att-1', privateIpv4Address: '10.244.0.7' }],
    },
    {
      containerArn: `${A}:container/default/${TASK_ID}/c-sidecar`,
      taskArn: `${A}:task/default/${TASK_ID}`,
      name: 'sidecar',
      image: 'busybox',
      lastStatus: 'STOPPED',
      exitCode: 0,
      healthStatus: 'UNKNOWN',
      cpu: '0',
    },
  ],
  cpu: '256',
  memory: '512',
  createdAt: 1_700_000_000.123,
  pullStartedAt: 1_700_000_001.5,
  pullStoppedAt: 1_700_000_003.25,
  startedAt: 1_700_000_004,
  desiredStatus: 'RUNNING',
  lastStatus: 'RUNNING',
  launchType: 'FARGATE',
  group: 'service:web',
  ephemeralStorage: { sizeInGiB: 20 },
  taskArn: `${A}:task/default/${TASK_ID}`,
  taskDefinitionArn: `${A}:task-definition/web:3`,
  version: 4,
  kecs: { clusterName: 'default', taskId: TASK_ID, namespace: 'kecs-default', podName: TASK_ID, essential: ['app'], stopTimeoutSeconds: 30 },
}

const input = (over: Partial<MetadataInput> = {}): MetadataInput => ({
  task: fargateTask,
  taskDefinition: fargateTd,
  nowMs: NOW,
  ...over,
})

const expectedApp = {
  DockerId: `${TASK_ID}-${containerRuntimeId(TASK_ID, 'app').split('-').pop()}`,
  Name: 'app',
  DockerName: 'app',
  Image: 'nginx:1.27',
  ImageID: 'sha256:aaaa',
  Ports: [{ ContainerPort: 80, Protocol: 'tcp', HostPort: 80 }],
  Labels: {
    'com.amazonaws.ecs.cluster': `${A}:cluster/default`,
    'com.amazonaws.ecs.container-name': 'app',
    'com.amazonaws.ecs.task-arn': `${A}:task/default/${TASK_ID}`,
    'com.amazonaws.ecs.task-definition-family': 'web',
    'com.amazonaws.ecs.task-definition-version': '3',
    team: 'blue',
  },
  DesiredStatus: 'RUNNING',
  KnownStatus: 'RUNNING',
  Limits: { CPU: 128, Memory: 256 },
  CreatedAt: '2023-11-14T22:13:23.25Z',
  StartedAt: '2023-11-14T22:13:24Z',
  Type: 'NORMAL',
  Health: { status: 'HEALTHY', statusSince: '2023-11-14T22:13:24Z' },
  Volumes: [{ Source: `/var/lib/ecs/data/${TASK_ID}/scratch`, Destination: '/scratch' }],
  LogDriver: 'awslogs',
  LogOptions: { 'awslogs-group': '/ecs/web', 'awslogs-region': 'us-east-1' },
  ContainerARN: `${A}:container/default/${TASK_ID}/c-app`,
  Networks: [
    {
      NetworkMode: 'awsvpc',
      IPv4Addresses: ['10.244.0.7'],
      AttachmentIndex: 0,
      MACAddress: '02:01:23:45:67:89',
      IPv4SubnetCIDRBlock: '10.244.0.0/24',
      DomainNameServers: ['10.244.0.2'],
      DomainNameSearchList: ['ec2.internal'],
      PrivateDNSName: 'ip-10-244-0-7.ec2.internal',
      SubnetGatewayIpv4Address: '10.244.0.1/24',
    },
  ],
  Snapshotter: 'overlayfs',
}

/** Exact equality including key order (JSON as the endpoint writes it). */
const same = (actual: unknown, expected: unknown) => expect(JSON.stringify(actual, null, 1)).toBe(JSON.stringify(expected, null, 1))

describe('task metadata v4', () => {
  it('container: every field of a running Fargate container, in the agent order', () => {
    same(containerOnlyMetadata(input(), fargateTask.containers![0]!, 'v4'), expectedApp)
  })

  it('task: task fields, both containers, Fargate extras and the service name', () => {
    const sidecarId = containerRuntimeId(TASK_ID, 'sidecar')
    same(taskMetadata(input(), { version: 'v4' }), {
      Cluster: `${A}:cluster/default`,
      TaskARN: `${A}:task/default/${TASK_ID}`,
      Family: 'web',
      Revision: '3',
      DesiredStatus: 'RUNNING',
      KnownStatus: 'RUNNING',
      Limits: { CPU: 0.25, Memory: 512 },
      PullStartedAt: '2023-11-14T22:13:21.5Z',
      PullStoppedAt: '2023-11-14T22:13:23.25Z',
      AvailabilityZone: 'us-east-1a',
      LaunchType: 'FARGATE',
      Containers: [
        expectedApp,
        {
          DockerId: sidecarId,
          Name: 'sidecar',
          DockerName: 'sidecar',
          Image: 'busybox',
          ImageID: expect.any(String),
          Labels: {
            'com.amazonaws.ecs.cluster': `${A}:cluster/default`,
            'com.amazonaws.ecs.container-name': 'sidecar',
            'com.amazonaws.ecs.task-arn': `${A}:task/default/${TASK_ID}`,
            'com.amazonaws.ecs.task-definition-family': 'web',
            'com.amazonaws.ecs.task-definition-version': '3',
          },
          DesiredStatus: 'RUNNING',
          KnownStatus: 'STOPPED',
          ExitCode: 0,
          Limits: { CPU: 2, Memory: 0 },
          CreatedAt: '2023-11-14T22:13:23.25Z',
          StartedAt: '2023-11-14T22:13:24Z',
          Type: 'NORMAL',
          ContainerARN: `${A}:container/default/${TASK_ID}/c-sidecar`,
          Networks: expectedApp.Networks,
          Snapshotter: 'overlayfs',
        },
      ].map((c) => ({ ...c, ImageID: c.Name === 'sidecar' ? sidecarImageId() : c.ImageID })),
      ServiceName: 'web',
      ClockDrift: { ClockErrorBound: 0.5, ReferenceTimestamp: '2023-11-14T22:15:00Z', ClockSynchronizationStatus: 'SYNCHRONIZED' },
      EphemeralStorageMetrics: { Utilized: 256, Reserved: 20480 },
      FaultInjectionEnabled: false,
    })
  })

  it('taskWithTags adds TaskTags (sorted); Fargate has no ContainerInstanceTags', () => {
    const out = taskMetadata(input({ tags: [{ key: 'z', value: '1' }, { key: 'a', value: '2' }] }), { version: 'v4', withTags: true })
    same(out.TaskTags, { a: '2', z: '1' })
    expect(out).not.toHaveProperty('ContainerInstanceTags')
    expect(Object.keys(out).indexOf('TaskTags')).toBeLessThan(Object.keys(out).indexOf('LaunchType'))
  })

  it('EC2 bridge task: short cluster name, ecs- DockerName, host port bindings, VPCID, no Fargate extras', () => {
    const td: TaskDefinitionDoc = {
      taskDefinitionArn: `${A}:task-definition/batch:1`,
      family: 'batch',
      revision: 1,
      containerDefinitions: [{ name: 'job', image: 'alpine', cpu: 0, memoryReservation: 64, portMappings: [{ containerPort: 8080, hostPort: 0 }] }],
    }
    const task: TaskDoc = {
      ...structuredClone(fargateTask),
      attachments: [],
      launchType: 'EC2',
      group: 'family:batch',
      taskDefinitionArn: td.taskDefinitionArn,
      containerInstanceArn: `${A}:container-instance/default/abc`,
      cpu: undefined,
      memory: undefined,
      containers: [
        {
          containerArn: `${A}:container/default/${TASK_ID}/c-job`,
          taskArn: fargateTask.taskArn,
          name: 'job',
          image: 'alpine',
          lastStatus: 'RUNNING',
          cpu: '0',
          memoryReservation: '64',
          networkBindings: [{ bindIP: '0.0.0.0', containerPort: 8080, hostPort: 32768, protocol: 'tcp' }],
        },
      ],
    }
    delete task.ephemeralStorage
    const out = taskMetadata({ task, taskDefinition: td, nowMs: NOW, containerInstanceTags: [{ key: 'k', value: 'v' }] }, { version: 'v4', withTags: true })
    expect(Object.keys(out)).toEqual([
      'Cluster', 'TaskARN', 'Family', 'Revision', 'DesiredStatus', 'KnownStatus', 'PullStartedAt', 'PullStoppedAt',
      'AvailabilityZone', 'ContainerInstanceTags', 'LaunchType', 'Containers', 'VPCID', 'FaultInjectionEnabled',
    ])
    expect(out.Cluster).toBe('default')
    expect(out.VPCID).toMatch(/^vpc-[0-9a-f]{17}$/)
    same(out.ContainerInstanceTags, { k: 'v' })
    const c = (out.Containers as Record<string, unknown>[])[0]!
    expect(c.DockerName).toMatch(/^ecs-batch-1-job-[0-9a-f]{20}$/)
    expect((c.Labels as Record<string, string>)['com.amazonaws.ecs.cluster']).toBe('default')
    same(c.Ports, [{ ContainerPort: 8080, Protocol: 'tcp', HostPort: 32768, HostIp: '0.0.0.0' }])
    same(c.Networks, [{ NetworkMode: 'bridge' }])
    expect(c).not.toHaveProperty('Snapshotter')
  })

  it('a pending container has no timestamps; a stopped task reports FinishedAt and ExecutionStoppedAt', () => {
    const pending = structuredClone(fargateTask)
    pending.lastStatus = 'PENDING'
    delete pending.pullStoppedAt
    delete pending.startedAt
    pending.containers![0]!.lastStatus = 'PENDING'
    const p = containerOnlyMetadata(input({ task: pending }), pending.containers![0]!, 'v4')
    expect(p).not.toHaveProperty('CreatedAt')
    expect(p).not.toHaveProperty('StartedAt')
    expect(p.KnownStatus).toBe('PENDING')

    const stopped = structuredClone(fargateTask)
    Object.assign(stopped, { lastStatus: 'STOPPED', desiredStatus: 'STOPPED', executionStoppedAt: 1_700_000_050, stoppedAt: 1_700_000_051 })
    Object.assign(stopped.containers![0]!, { lastStatus: 'STOPPED', exitCode: 137 })
    const s = taskMetadata(input({ task: stopped }), { version: 'v4' })
    expect(s.ExecutionStoppedAt).toBe('2023-11-14T22:14:10Z')
    const app = (s.Containers as Record<string, unknown>[])[0]!
    expect(app).toMatchObject({ DesiredStatus: 'STOPPED', KnownStatus: 'STOPPED', ExitCode: 137, FinishedAt: '2023-11-14T22:14:10Z' })
  })
})

describe('task metadata v3', () => {
  it('container: no LogDriver/LogOptions/ContainerARN/Snapshotter; Networks mode + address only, in the v2 position', () => {
    const out = containerOnlyMetadata(input(), fargateTask.containers![0]!, 'v3')
    expect(Object.keys(out)).toEqual([
      'DockerId', 'Name', 'DockerName', 'Image', 'ImageID', 'Ports', 'Labels', 'DesiredStatus', 'KnownStatus', 'Limits',
      'CreatedAt', 'StartedAt', 'Type', 'Networks', 'Health', 'Volumes',
    ])
    same(out.Networks, [{ NetworkMode: 'awsvpc', IPv4Addresses: ['10.244.0.7'] }])
  })

  it('task: Containers after KnownStatus, no LaunchType or v4 extras', () => {
    const out = taskMetadata(input(), { version: 'v3' })
    expect(Object.keys(out)).toEqual([
      'Cluster', 'TaskARN', 'Family', 'Revision', 'DesiredStatus', 'KnownStatus', 'Containers', 'Limits', 'PullStartedAt',
      'PullStoppedAt', 'AvailabilityZone',
    ])
  })
})

describe('stats', () => {
  it('a running container: Docker stats that grow with uptime, within the memory limit, with v4 network rates', () => {
    const s = containerStats(input(), fargateTask.containers![0]!, 'v4') as any
    expect(s.read).toBe(rfc3339Nano(NOW))
    expect(s.id).toBe(containerRuntimeId(TASK_ID, 'app'))
    expect(s.name).toBe('/app')
    expect(s.cpu_stats.cpu_usage.total_usage).toBeGreaterThan(s.precpu_stats.cpu_usage.total_usage)
    expect(s.cpu_stats.online_cpus).toBe(2)
    expect(s.memory_stats.limit).toBe(256 * 1024 * 1024)
    expect(s.memory_stats.usage).toBeGreaterThan(0)
    expect(s.memory_stats.usage).toBeLessThanOrEqual(s.memory_stats.limit)
    expect(Object.keys(s.networks)).toEqual(['eth1'])
    expect(s.network_rate_stats).toEqual({ rx_bytes_per_sec: 1200, tx_bytes_per_sec: 800 })
    const later = containerStats(input({ nowMs: NOW + 60_000 }), fargateTask.containers![0]!, 'v4') as any
    expect(later.cpu_stats.cpu_usage.total_usage).toBeGreaterThan(s.cpu_stats.cpu_usage.total_usage)
    expect(containerStats(input(), fargateTask.containers![0]!, 'v3')).not.toHaveProperty('network_rate_stats')
  })

  it('a stopped container reads as Docker reports one: zero time, zero counters; task stats map every DockerId', () => {
    const s = containerStats(input(), fargateTask.containers![1]!, 'v4') as any
    expect(s.read).toBe('0001-01-01T00:00:00Z')
    expect(s.cpu_stats.cpu_usage.total_usage).toBe(0)
    expect(s).not.toHaveProperty('networks')
    expect(Object.keys(taskStats(input(), 'v4'))).toEqual([containerRuntimeId(TASK_ID, 'app'), containerRuntimeId(TASK_ID, 'sidecar')])
  })
})

describe('credentials, protection, formats', () => {
  it('dummy credentials: stable per task and role, ASIA key, RFC 3339 expiration six hours on', () => {
    const c = dummyCredentials(fargateTask.taskArn, 'arn:aws:iam::000000000000:role/app', NOW)
    expect(Object.keys(c)).toEqual(['RoleArn', 'AccessKeyId', 'SecretAccessKey', 'Token', 'Expiration'])
    expect(c.AccessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/)
    expect(c.SecretAccessKey).toHaveLength(40)
    expect(c.Expiration).toBe('2023-11-15T04:15:00Z')
    expect(dummyCredentials(fargateTask.taskArn, 'arn:aws:iam::000000000000:role/app', NOW + 5000).AccessKeyId).toBe(c.AccessKeyId)
    same(credentialsError('InvalidIdInRequest', 2).body, {
      code: 'InvalidIdInRequest',
      message: 'CredentialsV2Request: Credentials not found',
      HTTPErrorCode: 400,
    })
  })

  it('task protection bodies as the agent writes them', () => {
    same(protectionResponse({ taskArn: 'arn:t', protectionEnabled: true, expirationDate: 1_700_000_000.5 }).body, {
      protection: { ExpirationDate: '2023-11-14T22:13:20.5Z', ProtectionEnabled: true, TaskArn: 'arn:t' },
    })
    same(protectionResponse({ taskArn: 'arn:t', protectionEnabled: false }).body, {
      protection: { ExpirationDate: null, ProtectionEnabled: false, TaskArn: 'arn:t' },
    })
    expect(failureResponse({ arn: 'arn:t', reason: 'MISSING' })).toEqual({ status: 404, body: { failure: { Arn: 'arn:t', Detail: null, Reason: 'MISSING' } } })
    expect(parseProtectionRequest('{"protectionEnabled":true,"ExpiresInMinutes":5}')).toEqual({ ok: true, protectionEnabled: true, expiresInMinutes: 5 })
    expect(parseProtectionRequest('{"ProtectionEnabled":true,"Other":1}')).toEqual({ ok: false })
    expect(parseProtectionRequest('{"ProtectionEnabled":"yes"}')).toEqual({ ok: false })
  })

  it('RFC3339Nano without trailing zeros; base URL under /metadata', () => {
    expect(rfc3339Nano(Date.UTC(2020, 9, 8, 20, 9, 11, 440))).toBe('2020-10-08T20:09:11.44Z')
    expect(rfc3339Nano(Date.UTC(2020, 9, 8, 20, 9, 11))).toBe('2020-10-08T20:09:11Z')
    expect(metadataBaseUrl('http://10.0.0.1:8080/')).toBe('http://10.0.0.1:8080/metadata')
  })
})

function sidecarImageId(): string {
  return `sha256:${createHash('sha256').update('busybox').digest('hex')}`
}
