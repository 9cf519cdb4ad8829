/**
 * End-to-end: capacity providers, managed EBS volumes and the smaller fidelity answers, through the
 * BUILT CLI (`kecs start -d --cluster emulated` with a temporary KECS_HOME), driven with the real
 * `aws` CLI as a new user would.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BUILT, cliHome, until, hasCommand, type CliHome } from '../helpers/cli.js'

const hasAws = await hasCommand('aws', ['--version'])
if (!hasAws) console.warn('[e2e] the `aws` CLI is not installed: the capacity provider e2e tests are SKIPPED')

const CLUSTER = 'e2e-cp'
const TIMEOUT = 120_000
const ASG = 'arn:aws:autoscaling:us-east-1:000000000000:autoScalingGroup:0b1c2d3e-aaaa-bbbb-cccc-0123456789ab:autoScalingGroupName/e2e-asg'
const ROLE = 'arn:aws:iam::000000000000:role/ecsInfrastructureRole'

let cli: CliHome | undefined
let endpoint = ''

const ecs = (args: string[], opts: { ok?: boolean } = {}) => cli!.awsEcs(endpoint, args, opts)
const json = (v: unknown) => JSON.stringify(v)

beforeAll(async () => {
  if (!hasAws) return
  if (!BUILT) throw new Error('dist/ is missing: run `npm run build` first (`npm test` does)')
  cli = cliHome('kecs-e2e-cp-', { env: (home) => ({ HOME: home, KECS_EMULATOR_SPEED: '5' }) })
  endpoint = (await cli.startDetached('default', { args: ['--cluster', 'emulated'] })).endpoint
}, TIMEOUT)

afterAll(async () => {
  await cli?.cleanup()
})

describe.skipIf(!hasAws)('capacity providers with the aws CLI on `kecs start --cluster emulated`', { timeout: TIMEOUT }, () => {
  it('describe-capacity-providers lists FARGATE and FARGATE_SPOT; create-capacity-provider stores an ASG provider', async () => {
    const builtin = (await ecs(['describe-capacity-providers'])).json
    expect(builtin.capacityProviders.map((p: { name: string }) => p.name)).toEqual(['FARGATE', 'FARGATE_SPOT'])

    const created = (
      await ecs([
        'create-capacity-provider',
        '--name', 'e2e-asg-cp',
        '--auto-scaling-group-provider', `autoScalingGroupArn=${ASG},managedScaling={status=ENABLED,targetCapacity=100},managedTerminationProtection=DISABLED`,
        '--tags', 'key=team,value=e2e',
      ])
    ).json.capacityProvider
    expect(created).toMatchObject({
      name: 'e2e-asg-cp',
      status: 'ACTIVE',
      type: 'EC2_AUTOSCALING',
      autoScalingGroupProvider: {
        autoScalingGroupArn: ASG,
        managedScaling: { status: 'ENABLED', targetCapacity: 100, minimumScalingStepSize: 1, maximumScalingStepSize: 10000, instanceWarmupPeriod: 300 },
        managedTerminationProtection: 'DISABLED',
      },
    })
    const again = await ecs(['create-capacity-provider', '--name', 'e2e-asg-cp', '--auto-scaling-group-provider', 'autoScalingGroupArn=other'], { ok: false })
    expect(again.exitCode).not.toBe(0)
    expect(again.stderr).toContain('The specified capacity provider already exists.')
    const bad = await ecs(['create-capacity-provider', '--name', 'ecs-reserved', '--auto-scaling-group-provider', 'autoScalingGroupArn=x'], { ok: false })
    expect(bad.stderr).toContain('InvalidParameterException')
  })

  it('a cluster with the provider carries as_policy attachments; run-task with the default strategy names the provider', async () => {
    const c = (
      await ecs([
        'create-cluster', '--cluster-name', CLUSTER,
        '--capacity-providers', 'e2e-asg-cp', 'FARGATE',
        '--default-capacity-provider-strategy', 'capacityProvider=e2e-asg-cp,weight=1',
        '--settings', 'name=containerInsights,value=enabled',
      ])
    ).json.cluster
    expect(c.capacityProviders).toEqual(['e2e-asg-cp', 'FARGATE'])
    expect(c.attachmentsStatus).toBe('UPDATE_COMPLETE')
    expect(c.attachments.map((a: { type: string }) => a.type)).toContain('as_policy')

    const d = (await ecs(['describe-clusters', '--clusters', CLUSTER, '--include', 'ATTACHMENTS'])).json.clusters[0]
    expect(d.attachments.length).toBeGreaterThan(0)
    expect(d.settings).toEqual([{ name: 'containerInsights', value: 'enabled' }])

    await ecs(['register-task-definition', '--family', 'e2e-cp', '--container-definitions', json([{ name: 'app', image: 'busybox:1.36', memory: 64, command: ['sleep', '3600'] }])])
    const run = (await ecs(['run-task', '--cluster', CLUSTER, '--task-definition', 'e2e-cp'])).json
    expect(run.failures).toEqual([])
    expect(run.tasks[0]).toMatchObject({ capacityProviderName: 'e2e-asg-cp', launchType: 'EC2' })
    await ecs(['stop-task', '--cluster', CLUSTER, '--task', run.tasks[0].taskArn])
  })

  it('update-capacity-provider answers UPDATE_IN_PROGRESS; delete while associated says DELETE_FAILED and why', async () => {
    const u = (await ecs(['update-capacity-provider', '--name', 'e2e-asg-cp', '--auto-scaling-group-provider', 'managedScaling={status=ENABLED,targetCapacity=50}'])).json
    expect(u.capacityProvider.updateStatus).toBe('UPDATE_IN_PROGRESS')
    const now = (await ecs(['describe-capacity-providers', '--capacity-providers', 'e2e-asg-cp'])).json.capacityProviders[0]
    expect(now.autoScalingGroupProvider.managedScaling.targetCapacity).toBe(50)
    expect(now.updateStatus).toBe('UPDATE_COMPLETE')

    const del = (await ecs(['delete-capacity-provider', '--capacity-provider', 'e2e-asg-cp'])).json.capacityProvider
    expect(del.updateStatus).toBe('DELETE_FAILED')
    expect(del.updateStatusReason).toContain(`associated with cluster: ${CLUSTER}`)
  })

  it('run-task with --volume-configurations gives the task an EBS attachment: CREATED, ATTACHED with a volume id, DELETED', async () => {
    await ecs([
      'register-task-definition', '--family', 'e2e-ebs',
      '--container-definitions', json([{ name: 'app', image: 'busybox:1.36', memory: 64, command: ['sleep', '3600'], mountPoints: [{ sourceVolume: 'data', containerPath: '/data' }] }]),
      '--volumes', json([{ name: 'data', configuredAtLaunch: true }]),
    ])
    const run = (
      await ecs([
        'run-task', '--cluster', CLUSTER, '--task-definition', 'e2e-ebs', '--launch-type', 'EC2',
        '--volume-configurations', json([{ name: 'data', managedEBSVolume: { roleArn: ROLE, sizeInGiB: 10 } }]),
      ])
    ).json
    expect(run.failures).toEqual([])
    const arn = run.tasks[0].taskArn
    expect(run.tasks[0].attachments).toContainEqual(expect.objectContaining({ type: 'AmazonElasticBlockStorage', status: 'CREATED' }))
    await ecs(['wait', 'tasks-running', '--cluster', CLUSTER, '--tasks', arn])
    const t = (await ecs(['describe-tasks', '--cluster', CLUSTER, '--tasks', arn])).json.tasks[0]
    const ebs = t.attachments.find((a: { type: string }) => a.type === 'AmazonElasticBlockStorage')
    expect(ebs.status).toBe('ATTACHED')
    expect(ebs.details).toContainEqual({ name: 'volumeId', value: expect.stringMatching(/^vol-[0-9a-f]{17}$/) })
    await ecs(['stop-task', '--cluster', CLUSTER, '--task', arn])
    await until('the EBS attachment DELETED', async () => {
      const s = (await ecs(['describe-tasks', '--cluster', CLUSTER, '--tasks', arn])).json.tasks[0]
      return s.lastStatus === 'STOPPED' && s.attachments.find((a: { type: string }) => a.type === 'AmazonElasticBlockStorage').status === 'DELETED'
    }, 60_000)
  })

  it('an ARN names its cluster: list-service-deployments --service <ARN> without --cluster; ECS defaults shown', async () => {
    const svc = (
      await ecs(['create-service', '--cluster', CLUSTER, '--service-name', 'e2e-web', '--task-definition', 'e2e-cp', '--desired-count', '0', '--launch-type', 'EC2'])
    ).json.service
    expect(svc.deploymentConfiguration.alarms).toEqual({ alarmNames: [], rollback: false, enable: false })
    const list = (await ecs(['list-service-deployments', '--service', svc.serviceArn])).json
    expect(list.serviceDeployments).toHaveLength(1)
    const described = (await ecs(['describe-services', '--services', svc.serviceArn])).json
    expect(described.services.map((s: { serviceName: string }) => s.serviceName)).toEqual(['e2e-web'])
    const rev = (await ecs(['describe-service-revisions', '--service-revision-arns', list.serviceDeployments[0].targetServiceRevisionArn])).json
    expect(rev.serviceRevisions[0].serviceConnectConfiguration).toEqual({ enabled: false })
    const td = (await ecs(['describe-task-definition', '--task-definition', 'e2e-cp'])).json
    expect(td.tags).toEqual([])
    const untag = await ecs(['untag-resource', '--resource-arn', svc.serviceArn, '--tag-keys', 'bad!key'], { ok: false })
    expect(untag.exitCode).not.toBe(0)
    expect(untag.stderr).toContain('InvalidParameterException')
    await ecs(['delete-service', '--service', svc.serviceArn, '--force'])
  })
})
