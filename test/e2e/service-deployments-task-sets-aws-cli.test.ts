/**
 * End-to-end: the service deployments API and task sets with the real `aws` CLI against a KECS
 * instance attached to the emulated cluster (in-process, as services-aws-cli.test.ts). One happy path
 * of each operation; waiting between steps polls the instance in-process (the CLI has no waiter for these).
 */
import { DescribeServiceDeploymentsCommand, DescribeTaskSetsCommand, type ServiceDeployment, type TaskSet } from '@aws-sdk/client-ecs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cliHome, hasCommand, type CliHome } from '../helpers/cli.js'
import { startClusterInstance, type ClusterInstance } from '../helpers/cluster-instance.js'
import { eventually } from '../helpers/emulator.js'

const hasAws = await hasCommand('aws', ['--version'])
if (!hasAws) console.warn('[e2e] the `aws` CLI is not installed: the service deployment and task set e2e tests are SKIPPED')

const CLUSTER = 'e2e-sd'
const TIMEOUT = 120_000
let k: ClusterInstance
let cli: CliHome | undefined

/** `aws ecs <args>` against the instance; JSON out; must succeed. */
const ecs = async (args: string[]) => (await cli!.awsEcs(k.endpoint, args, { timeout: 60_000 })).json

const sdStatus = async (arn: string): Promise<ServiceDeployment | undefined> =>
  (await k.ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] }))).serviceDeployments![0]
const taskSet = async (id: string): Promise<TaskSet | undefined> =>
  (await k.ecs.send(new DescribeTaskSetsCommand({ cluster: CLUSTER, service: 'ext', taskSets: [id] }))).taskSets![0]

beforeAll(async () => {
  if (!hasAws) return
  cli = cliHome('kecs-e2e-sd-', { env: (home) => ({ HOME: home }) })
  k = await startClusterInstance({ speed: 5 })
  await ecs(['create-cluster', '--cluster-name', CLUSTER])
  for (const c of [
    { name: 'app', image: 'nginx:1.27', memory: 64 },
    { name: 'app', image: 'nginx:1.28', memory: 64, dockerLabels: { 'kecs.simulate.image-pull-error': 'true' } },
  ]) {
    await ecs(['register-task-definition', '--family', 'web', '--container-definitions', JSON.stringify([c])])
  }
}, TIMEOUT)

afterAll(async () => {
  await k?.stopAll()
  await cli?.cleanup()
})

describe.skipIf(!hasAws)('service deployments and task sets with the aws CLI', { timeout: TIMEOUT }, () => {
  it('list-service-deployments, describe-service-deployments, describe-service-revisions, stop-service-deployment', async () => {
    await ecs(['create-service', '--cluster', CLUSTER, '--service-name', 'web', '--task-definition', 'web:1', '--desired-count', '2'])
    await ecs(['wait', 'services-stable', '--cluster', CLUSTER, '--services', 'web'])
    const first = (await ecs(['list-service-deployments', '--cluster', CLUSTER, '--service', 'web'])).serviceDeployments
    expect(first).toHaveLength(1)
    expect(first[0]).toMatchObject({ status: 'SUCCESSFUL' })
    expect(typeof first[0].createdAt).toBe('number')

    // a revision whose image cannot be pulled: its deployment stays IN_PROGRESS until stopped
    await ecs(['update-service', '--cluster', CLUSTER, '--service', 'web', '--task-definition', 'web:2'])
    const [current] = (await ecs(['list-service-deployments', '--cluster', CLUSTER, '--service', 'web', '--status', 'IN_PROGRESS'])).serviceDeployments
    expect(current.serviceDeploymentArn).toMatch(/:service-deployment\/e2e-sd\/web\/[0-9A-Za-z]{21}$/)
    const stopped = await ecs(['stop-service-deployment', '--service-deployment-arn', current.serviceDeploymentArn, '--stop-type', 'ROLLBACK'])
    expect(stopped).toEqual({ serviceDeploymentArn: current.serviceDeploymentArn })
    await eventually(async () => (await sdStatus(current.serviceDeploymentArn))?.status === 'ROLLBACK_SUCCESSFUL', 'ROLLBACK_SUCCESSFUL', 60_000)

    const described = await ecs(['describe-service-deployments', '--service-deployment-arns', current.serviceDeploymentArn])
    expect(described.failures).toEqual([])
    expect(described.serviceDeployments[0]).toMatchObject({
      serviceDeploymentArn: current.serviceDeploymentArn,
      status: 'ROLLBACK_SUCCESSFUL',
      sourceServiceRevisions: [{ arn: first[0].targetServiceRevisionArn }],
      targetServiceRevision: { arn: current.targetServiceRevisionArn },
      rollback: { serviceRevisionArn: first[0].targetServiceRevisionArn },
    })
    const revisions = await ecs(['describe-service-revisions', '--service-revision-arns', current.targetServiceRevisionArn, first[0].targetServiceRevisionArn])
    expect(revisions.serviceRevisions.map((r: { taskDefinition: string }) => r.taskDefinition.split('/').pop())).toEqual(['web:2', 'web:1'])
    expect(revisions.serviceRevisions[1].containerImages[0]).toMatchObject({ containerName: 'app', image: 'nginx:1.27' })
    const s = (await ecs(['describe-services', '--cluster', CLUSTER, '--services', 'web'])).services[0]
    expect(s.taskDefinition.split('/').pop()).toBe('web:1')
  })

  it('create-task-set, update-task-set, describe-task-sets, update-service-primary-task-set, delete-task-set', async () => {
    await ecs(['create-service', '--cluster', CLUSTER, '--service-name', 'ext', '--desired-count', '2', '--deployment-controller', 'type=EXTERNAL'])
    const created = (
      await ecs([
        'create-task-set',
        '--cluster',
        CLUSTER,
        '--service',
        'ext',
        '--task-definition',
        'web:1',
        '--external-id',
        'blue',
        '--scale',
        'value=100,unit=PERCENT',
        '--tags',
        'key=color,value=blue',
      ])
    ).taskSet
    expect(created).toMatchObject({ status: 'ACTIVE', computedDesiredCount: 2, externalId: 'blue', scale: { value: 100, unit: 'PERCENT' } })
    await eventually(async () => (await taskSet(created.id))?.stabilityStatus === 'STEADY_STATE', 'steady', 60_000)

    const updated = (await ecs(['update-task-set', '--cluster', CLUSTER, '--service', 'ext', '--task-set', created.id, '--scale', 'value=50,unit=PERCENT']))
      .taskSet
    expect(updated).toMatchObject({ computedDesiredCount: 1, scale: { value: 50, unit: 'PERCENT' } })
    const primary = (await ecs(['update-service-primary-task-set', '--cluster', CLUSTER, '--service', 'ext', '--primary-task-set', created.taskSetArn]))
      .taskSet
    expect(primary).toMatchObject({ id: created.id, status: 'PRIMARY' })
    await eventually(async () => (await taskSet(created.id))?.runningCount === 1, 'one task', 60_000)

    const described = await ecs(['describe-task-sets', '--cluster', CLUSTER, '--service', 'ext', '--task-sets', created.id, '--include', 'TAGS'])
    expect(described.taskSets[0]).toMatchObject({ id: created.id, status: 'PRIMARY', runningCount: 1, tags: [{ key: 'color', value: 'blue' }] })
    const s = (await ecs(['describe-services', '--cluster', CLUSTER, '--services', 'ext'])).services[0]
    expect(s).toMatchObject({ runningCount: 1, deployments: [], taskSets: [{ id: created.id, status: 'PRIMARY' }] })

    const deleted = (await ecs(['delete-task-set', '--cluster', CLUSTER, '--service', 'ext', '--task-set', created.id, '--force'])).taskSet
    expect(deleted).toMatchObject({ id: created.id, status: 'DRAINING' })
    await eventually(async () => !(await taskSet(created.id)), 'task set gone', 60_000)
    const after = await ecs(['describe-task-sets', '--cluster', CLUSTER, '--service', 'ext', '--task-sets', created.id])
    expect(after.failures[0]).toMatchObject({ reason: 'MISSING' })
  })
})
