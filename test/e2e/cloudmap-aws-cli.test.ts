/**
 * End-to-end: Cloud Map through the BUILT CLI (`kecs start -d --cluster emulated`), driven with the
 * real `aws` CLI configured only by `kecs env`: a private DNS namespace and a service, an ECS service
 * whose serviceRegistries register its tasks, `aws servicediscovery discover-instances` listing them
 * (host prefix injection off, as `kecs env` exports it), and the instances gone once the tasks stop.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BUILT, cliHome, hasCommand, until, type CliHome, type Started } from '../helpers/cli.js'

const hasAws = await hasCommand('aws', ['--version'])
if (!hasAws) console.warn('[e2e] the `aws` CLI is not installed: the Cloud Map e2e tests are SKIPPED')

const TIMEOUT = 180_000
const CLUSTER = 'cm-e2e'
let cli: CliHome | undefined
let inst: Started
/** What `kecs env` exports. */
let kecsEnv: Record<string, string> = {}

/** The aws CLI with only `kecs env`'s settings (no --endpoint-url). */
const aws = async (args: string[], env: Record<string, string> = {}) => {
  const r = await cli!.run('aws', ['--output', 'json', ...args], { env: { ...kecsEnv, ...env }, timeout: 60_000 })
  return { ...r, json: r.exitCode === 0 && r.stdout.trim() ? JSON.parse(r.stdout) : undefined }
}
const ok = async (args: string[]) => {
  const r = await aws(args)
  expect(r.exitCode, `aws ${args.join(' ')}: ${r.stderr}`).toBe(0)
  return r.json
}

beforeAll(async () => {
  if (!hasAws) return
  if (!BUILT) throw new Error('dist/ is missing: run `npm run build` first (`npm test` does)')
  cli = cliHome('kecs-e2e-cloudmap-', { env: (home) => ({ HOME: home }) })
  inst = await cli.startDetached('default', { args: ['--cluster', 'emulated'] })
  const env = await cli.kecs(['env'])
  expect(env.exitCode, env.stderr).toBe(0)
  for (const line of env.stdout.split('\n')) {
    const m = /^export ([A-Z0-9_]+)=(.*)$/.exec(line.trim())
    if (m) kecsEnv[m[1]!] = m[2]!.replace(/^'|'$/g, '')
  }
}, TIMEOUT)

afterAll(async () => {
  await cli?.cleanup()
})

describe.skipIf(!hasAws)('Cloud Map with the aws CLI on `kecs start --cluster emulated`', { timeout: TIMEOUT }, () => {
  it('kecs env points servicediscovery at KECS and turns host prefix injection off', () => {
    expect(kecsEnv.AWS_ENDPOINT_URL_SERVICEDISCOVERY).toBe(inst.endpoint)
    expect(kecsEnv.AWS_DISABLE_HOST_PREFIX_INJECTION).toBe('true')
  })

  it('registers an ECS service’s tasks, discover-instances lists them, and they go when the tasks stop', async () => {
    const created = await ok(['servicediscovery', 'create-private-dns-namespace', '--name', 'app.local', '--vpc', 'vpc-0e2e'])
    const op = await ok(['servicediscovery', 'get-operation', '--operation-id', created.OperationId])
    expect(op.Operation.Status).toBe('SUCCESS')
    const nsId = op.Operation.Targets.NAMESPACE
    expect((await ok(['servicediscovery', 'list-namespaces'])).Namespaces.map((n: any) => n.Name)).toEqual(['app.local'])
    const { Service } = await ok([
      'servicediscovery', 'create-service', '--name', 'web', '--namespace-id', nsId,
      '--dns-config', 'RoutingPolicy=MULTIVALUE,DnsRecords=[{Type=A,TTL=10},{Type=SRV,TTL=10}]',
      '--health-check-custom-config', 'FailureThreshold=1',
    ])
    expect(Service.DnsConfig.NamespaceId).toBe(nsId)

    await ok(['ecs', 'create-cluster', '--cluster-name', CLUSTER])
    await ok([
      'ecs', 'register-task-definition', '--family', 'web', '--network-mode', 'awsvpc', '--requires-compatibilities', 'FARGATE',
      '--cpu', '256', '--memory', '512',
      '--container-definitions', JSON.stringify([{ name: 'app', image: 'nginx:1.27', portMappings: [{ containerPort: 80 }] }]),
    ])
    await ok([
      'ecs', 'create-service', '--cluster', CLUSTER, '--service-name', 'web', '--task-definition', 'web', '--desired-count', '2',
      '--launch-type', 'FARGATE', '--network-configuration', 'awsvpcConfiguration={subnets=[subnet-1]}',
      '--service-registries', `registryArn=${Service.Arn},containerName=app,containerPort=80`,
    ])
    const w = await aws(['ecs', 'wait', 'services-stable', '--cluster', CLUSTER, '--services', 'web'])
    expect(w.exitCode, w.stderr).toBe(0)
    const taskIds = ((await ok(['ecs', 'list-tasks', '--cluster', CLUSTER, '--service-name', 'web'])).taskArns as string[]).map((a) => a.split('/').pop()!).sort()
    expect(taskIds).toHaveLength(2)

    const discover = () => ok(['servicediscovery', 'discover-instances', '--namespace-name', 'app.local', '--service-name', 'web'])
    const found = await until('both tasks registered', async () => {
      const d = await discover()
      return d.Instances.length === 2 ? d : undefined
    })
    expect(found.Instances.map((i: any) => i.InstanceId).sort()).toEqual(taskIds)
    for (const i of found.Instances) {
      expect(i).toMatchObject({ NamespaceName: 'app.local', ServiceName: 'web', HealthStatus: 'HEALTHY' })
      expect(i.Attributes).toMatchObject({ AWS_INSTANCE_PORT: '80', ECS_CLUSTER_NAME: CLUSTER, ECS_SERVICE_NAME: 'web' })
      expect(i.Attributes.AWS_INSTANCE_IPV4).toMatch(/^\d+\.\d+\.\d+\.\d+$/)
    }
    const listed = await ok(['servicediscovery', 'list-instances', '--service-id', Service.Id])
    expect(listed.Instances.map((i: any) => i.Id).sort()).toEqual(taskIds)

    // Without the setting, the CLI sends DiscoverInstances to data-<host>, which does not resolve.
    const prefixed = await aws(['servicediscovery', 'discover-instances', '--namespace-name', 'app.local', '--service-name', 'web'], {
      AWS_DISABLE_HOST_PREFIX_INJECTION: 'false',
      AWS_MAX_ATTEMPTS: '1',
    })
    expect(prefixed.exitCode).not.toBe(0)
    expect(prefixed.stderr).toContain('data-')

    // Stopping the tasks (scale to zero) deregisters them.
    await ok(['ecs', 'update-service', '--cluster', CLUSTER, '--service', 'web', '--desired-count', '0'])
    await until('the tasks deregistered', async () => ((await discover()).Instances.length === 0 ? true : undefined), 60_000)
    expect((await ok(['servicediscovery', 'get-service', '--id', Service.Id])).Service.InstanceCount).toBe(0)

    // With no instances the Cloud Map service and namespace can go.
    await ok(['ecs', 'delete-service', '--cluster', CLUSTER, '--service', 'web', '--force'])
    await ok(['servicediscovery', 'delete-service', '--id', Service.Id])
    const del = await ok(['servicediscovery', 'delete-namespace', '--id', nsId])
    expect((await ok(['servicediscovery', 'get-operation', '--operation-id', del.OperationId])).Operation).toMatchObject({ Type: 'DELETE_NAMESPACE', Status: 'SUCCESS' })
    const gone = await aws(['servicediscovery', 'get-namespace', '--id', nsId])
    expect(gone.exitCode).not.toBe(0)
    expect(gone.stderr).toContain('(NamespaceNotFound)')
  })
})
