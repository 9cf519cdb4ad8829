import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startClusterInstance, type ClusterInstance } from '../helpers/cluster-instance.js'
import { eventually } from '../helpers/emulator.js'

/**
 * A service's serviceRegistries on the emulated cluster: each task registers in the Cloud Map service
 * when RUNNING (instance id = task id, its IP and port, the attributes ECS adds), its custom health
 * follows the task's container health check, DiscoverInstances lists it, and it is deregistered when
 * the task stops.
 */
const CLUSTER = 'cloudmap-it'
let k: ClusterInstance

async function cloudMap(op: string, body: Record<string, unknown> = {}): Promise<any> {
  const res = await fetch(k.endpoint + '/', {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': `Route53AutoNaming_v20170314.${op}` },
    body: JSON.stringify(body),
  })
  const json = await res.json()
  if (res.status !== 200) throw new Error(`${op}: ${res.status} ${JSON.stringify(json)}`)
  return json
}

async function ok(op: string, body: unknown) {
  const r = await k.call(op, body)
  expect(r.status, JSON.stringify(r.body)).toBe(200)
  return r.body
}

const discover = async (HealthStatus = 'ALL') =>
  (await cloudMap('DiscoverInstances', { NamespaceName: 'app.local', ServiceName: 'web', HealthStatus })).Instances as any[]

let nsId: string
let srv: { Id: string; Arn: string }

beforeAll(async () => {
  k = await startClusterInstance()
  await ok('CreateCluster', { clusterName: CLUSTER })
  // A CoreDNS configuration as Kind has one (the emulator runs no CoreDNS): KECS adds its rewrites there.
  await k.core.createNamespacedConfigMap({
    namespace: 'kube-system',
    body: { metadata: { name: 'coredns', namespace: 'kube-system' }, data: { Corefile: '.:53 {\n    errors\n    kubernetes cluster.local in-addr.arpa ip6.arpa\n    forward . /etc/resolv.conf\n    reload\n}\n' } },
  })
  const { OperationId } = await cloudMap('CreatePrivateDnsNamespace', { Name: 'app.local', Vpc: 'vpc-1', CreatorRequestId: 'it-ns' })
  nsId = (await cloudMap('GetOperation', { OperationId })).Operation.Targets.NAMESPACE
  srv = (
    await cloudMap('CreateService', {
      Name: 'web',
      NamespaceId: nsId,
      DnsConfig: { DnsRecords: [{ Type: 'A', TTL: 10 }, { Type: 'SRV', TTL: 10 }] },
      HealthCheckCustomConfig: {},
    })
  ).Service
})
afterAll(async () => k?.stopAll())

describe('serviceRegistries', () => {
  it('registers each RUNNING task, follows its health and deregisters it when it stops', async () => {
    await ok('RegisterTaskDefinition', {
      family: 'web',
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '256',
      memory: '512',
      containerDefinitions: [
        {
          name: 'app',
          image: 'nginx:1.27',
          portMappings: [{ containerPort: 8080 }],
          healthCheck: { command: ['CMD-SHELL', 'true'], interval: 5, retries: 1, startPeriod: 0 },
        },
      ],
    })
    await ok('CreateService', {
      cluster: CLUSTER,
      serviceName: 'web',
      taskDefinition: 'web',
      launchType: 'FARGATE',
      desiredCount: 2,
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'] } },
      serviceRegistries: [{ registryArn: srv.Arn, containerName: 'app', containerPort: 8080 }],
    })
    const found = await eventually(async () => {
      const all = await discover('HEALTHY')
      return all.length === 2 ? all : undefined
    }, 'two healthy instances')
    const tasks = (await ok('DescribeTasks', { cluster: CLUSTER, tasks: (await ok('ListTasks', { cluster: CLUSTER })).taskArns })).tasks
    const byId = new Map<string, any>(tasks.map((t: any) => [t.taskArn.split('/').pop(), t]))
    for (const inst of found) {
      const task = byId.get(inst.InstanceId)
      expect(task, inst.InstanceId).toBeDefined()
      const ip = task.attachments[0].details.find((d: any) => d.name === 'privateIPv4Address').value
      expect(inst).toMatchObject({ NamespaceName: 'app.local', ServiceName: 'web', HealthStatus: 'HEALTHY' })
      expect(inst.Attributes).toMatchObject({
        AWS_INSTANCE_IPV4: ip,
        AWS_INSTANCE_PORT: '8080',
        ECS_CLUSTER_NAME: CLUSTER,
        ECS_SERVICE_NAME: 'web',
        ECS_TASK_DEFINITION_FAMILY: 'web',
        REGION: 'us-east-1',
        AVAILABILITY_ZONE: task.availabilityZone,
      })
    }
    expect((await cloudMap('GetService', { Id: srv.Id })).Service.InstanceCount).toBe(2)
    // The cluster's DNS view agrees: a headless Service `web` in kecs-cm-app-local with the instances' IPs,
    // and CoreDNS rewriting <name>.app.local to it.
    const ips = found.map((i) => i.Attributes.AWS_INSTANCE_IPV4).sort()
    const ep = await eventually(async () => {
      const e = await k.core.readNamespacedEndpoints({ namespace: 'kecs-cm-app-local', name: 'web' }).catch(() => undefined)
      const got = (e?.subsets?.[0]?.addresses ?? []).map((a) => a.ip).sort()
      return JSON.stringify(got) === JSON.stringify(ips) ? e : undefined
    }, 'the Endpoints of web in kecs-cm-app-local')
    expect(ep.subsets![0]!.ports).toEqual([{ name: 'p8080', port: 8080, protocol: 'TCP' }])
    const ksvc = await k.core.readNamespacedService({ namespace: 'kecs-cm-app-local', name: 'web' })
    expect(ksvc.spec).toMatchObject({ clusterIP: 'None' })
    expect(ksvc.spec!.selector).toBeUndefined()
    const corefile = await eventually(async () => {
      const cm = await k.core.readNamespacedConfigMap({ namespace: 'kube-system', name: 'coredns' })
      return cm.data?.Corefile?.includes('kecs cloudmap begin') ? cm.data.Corefile : undefined
    }, 'the CoreDNS rewrite')
    expect(corefile).toContain('name regex (.+)\\.app\\.local\\.$ {1}.kecs-cm-app-local.svc.cluster.local.')
    // Stopping a task deregisters it; the scheduler's replacement registers in its turn.
    const stopped = found[0].InstanceId as string
    await ok('StopTask', { cluster: CLUSTER, task: stopped })
    await eventually(async () => !(await discover()).some((i) => i.InstanceId === stopped), 'the stopped task deregistered')
    await eventually(async () => {
      const all = await discover('HEALTHY')
      return all.length === 2 && !all.some((i) => i.InstanceId === stopped) ? all : undefined
    }, 'the replacement registered')
    // Scaling to zero deregisters them all; the Cloud Map service can then be deleted.
    await ok('UpdateService', { cluster: CLUSTER, service: 'web', desiredCount: 0 })
    await eventually(async () => ((await discover()).length === 0 ? true : undefined), 'all deregistered')
    await eventually(async () => {
      const e = await k.core.readNamespacedEndpoints({ namespace: 'kecs-cm-app-local', name: 'web' })
      return (e.subsets ?? []).length === 0 ? true : undefined
    }, 'the Endpoints emptied')
    const ops = await cloudMap('ListOperations', { Filters: [{ Name: 'SERVICE_ID', Values: [srv.Id] }] })
    expect(ops.Operations.length).toBeGreaterThanOrEqual(6)
  })

  it('registers a task whose container health check fails as UNHEALTHY: DiscoverInstances HEALTHY leaves it out', async () => {
    const sick = (await cloudMap('CreateService', { Name: 'sick', NamespaceId: nsId, DnsConfig: { DnsRecords: [{ Type: 'A', TTL: 10 }] }, HealthCheckCustomConfig: {} })).Service
    await ok('RegisterTaskDefinition', {
      family: 'sick',
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '256',
      memory: '512',
      containerDefinitions: [
        {
          name: 'app',
          image: 'nginx:1.27',
          dockerLabels: { 'kecs.simulate.unhealthy': 'true' },
          healthCheck: { command: ['CMD-SHELL', 'false'], interval: 5, retries: 1, startPeriod: 0 },
        },
      ],
    })
    await ok('CreateService', {
      cluster: CLUSTER,
      serviceName: 'sick',
      taskDefinition: 'sick',
      launchType: 'FARGATE',
      desiredCount: 1,
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'] } },
      serviceRegistries: [{ registryArn: sick.Arn }],
    })
    const find = async (HealthStatus: string) =>
      (await cloudMap('DiscoverInstances', { NamespaceName: 'app.local', ServiceName: 'sick', HealthStatus })).Instances as any[]
    const seen = await eventually(async () => {
      const all = await find('ALL')
      return all.find((i) => i.HealthStatus === 'UNHEALTHY')
    }, 'an unhealthy instance')
    expect(seen.Attributes.AWS_INIT_HEALTH_STATUS).toBe('UNHEALTHY')
    expect((await find('HEALTHY')).some((i) => i.InstanceId === seen.InstanceId)).toBe(false)
    await ok('DeleteService', { cluster: CLUSTER, service: 'sick', force: true })
    await eventually(async () => ((await find('ALL')).length === 0 ? true : undefined), 'the sick tasks deregistered')
  })
})
