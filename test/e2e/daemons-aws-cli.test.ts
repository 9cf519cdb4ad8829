/**
 * End-to-end: daemons through the BUILT CLI (`kecs start -d --cluster emulated` with a temporary
 * KECS_HOME), driven with the installed `aws` CLI (its botocore knows the daemon operations and
 * waiters), and `kubectl` for the DaemonSet.
 */
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BUILT, cliHome, hasCommand, until, type CliHome } from '../helpers/cli.js'

const hasAws = await hasCommand('aws', ['--version'])
const hasKubectl = await hasCommand('kubectl', ['version', '--client'])
if (!hasAws) console.warn('[e2e] the `aws` CLI is not installed: the daemon e2e tests are SKIPPED')

const CLUSTER = 'e2e-daemons'
const CP = 'arn:aws:ecs:us-east-1:000000000000:capacity-provider/e2e-managed-instances'
const TIMEOUT = 180_000

let cli: CliHome | undefined
let endpoint = ''

const ecs = (args: string[], opts: { ok?: boolean } = {}) => cli!.awsEcs(endpoint, args, opts)
const kubeconfig = () => join(cli!.instanceDir('default'), 'kubeconfig')

const deploymentStatus = async (arn: string) =>
  (await ecs(['describe-daemon-deployments', '--daemon-deployment-arns', arn])).json.daemonDeployments[0]

beforeAll(async () => {
  if (!hasAws) return
  if (!BUILT) throw new Error('dist/ is missing: run `npm run build` first (`npm test` does)')
  cli = cliHome('kecs-e2e-daemons-', { env: (home) => ({ HOME: home, KECS_EMULATOR_SPEED: '5', KUBECACHEDIR: join(home, 'kube-cache') }) })
  endpoint = (await cli.startDetached('default', { args: ['--cluster', 'emulated'] })).endpoint
  await ecs(['create-cluster', '--cluster-name', CLUSTER])
}, TIMEOUT)

afterAll(async () => {
  await cli?.cleanup()
})

describe.skipIf(!hasAws)('daemons with the aws CLI on `kecs start --cluster emulated`', { timeout: TIMEOUT }, () => {
  let good = ''
  let bad = ''
  let daemonArn = ''
  let firstDeployment = ''

  it('register-daemon-task-definition, describe, list, wait daemon-task-definition-active', async () => {
    good = (
      await ecs([
        'register-daemon-task-definition',
        '--family', 'node-agent',
        '--cpu', '128',
        '--memory', '256',
        '--container-definitions', JSON.stringify([{ name: 'agent', image: 'busybox:1.36', command: ['sleep', '3600'] }]),
      ])
    ).json.daemonTaskDefinitionArn
    expect(good).toMatch(/:daemon-task-definition\/node-agent:1$/)
    bad = (
      await ecs([
        'register-daemon-task-definition',
        '--family', 'node-agent',
        '--container-definitions', JSON.stringify([{ name: 'agent', image: 'busybox:1.37' }]),
        '--tags', 'key=kecs.simulate.exit-code,value=1',
      ])
    ).json.daemonTaskDefinitionArn
    await ecs(['wait', 'daemon-task-definition-active', '--daemon-task-definition', 'node-agent:1'])
    const d = (await ecs(['describe-daemon-task-definition', '--daemon-task-definition', 'node-agent:1'])).json.daemonTaskDefinition
    expect(d).toMatchObject({ family: 'node-agent', revision: 1, cpu: '128', memory: '256', status: 'ACTIVE' })
    const list = (await ecs(['list-daemon-task-definitions', '--family', 'node-agent'])).json.daemonTaskDefinitions
    expect(list.map((x: any) => x.arn)).toEqual([good, bad])
  })

  it('create-daemon: a DaemonSet, one task per node, the deployment SUCCESSFUL (waiter), describe-daemon counts it', async () => {
    const r = (
      await ecs(['create-daemon', '--daemon-name', 'node-agent', '--cluster-arn', CLUSTER, '--daemon-task-definition-arn', good, '--capacity-provider-arns', CP])
    ).json
    expect(r.status).toBe('ACTIVE')
    daemonArn = r.daemonArn
    firstDeployment = r.deploymentArn
    await ecs(['wait', 'daemon-active', '--daemon-arn', daemonArn])
    await until('deployment SUCCESSFUL', async () => (await deploymentStatus(firstDeployment)).status === 'SUCCESSFUL', 60_000)
    await ecs(['wait', 'daemon-deployment-successful', '--daemon-deployment-arns', firstDeployment])
    const daemon = (await ecs(['describe-daemon', '--daemon-arn', daemonArn])).json.daemon
    expect(daemon).toMatchObject({ status: 'ACTIVE', currentRevisions: [{ totalRunningCount: 1, capacityProviders: [{ arn: CP, runningCount: 1 }] }] })
    const revs = (await ecs(['describe-daemon-revisions', '--daemon-revision-arns', daemon.currentRevisions[0].arn])).json.daemonRevisions
    expect(revs[0]).toMatchObject({ daemonTaskDefinitionArn: good, containerImages: [{ containerName: 'agent', image: 'busybox:1.36' }] })
    expect((await ecs(['list-daemons', '--cluster-arn', CLUSTER])).json.daemonSummariesList).toEqual([
      expect.objectContaining({ daemonArn, status: 'ACTIVE' }),
    ])
    const tasks = (await ecs(['list-tasks', '--cluster', CLUSTER])).json.taskArns
    expect(tasks).toHaveLength(1)
    expect((await ecs(['list-services', '--cluster', CLUSTER])).json.serviceArns).toEqual([])
    if (hasKubectl) {
      const r = await cli!.run('kubectl', ['--kubeconfig', kubeconfig(), 'get', 'daemonsets', '-n', `kecs-${CLUSTER}`, '-o', 'json'])
      expect(JSON.parse(r.stdout).items).toHaveLength(1)
    }
  })

  it('update-daemon to a revision whose container exits: the breaker trips and rolls back (ROLLBACK_SUCCESSFUL)', async () => {
    const r = (await ecs(['update-daemon', '--daemon-arn', daemonArn, '--daemon-task-definition-arn', bad, '--capacity-provider-arns', CP])).json
    const d = await until('rolled back', async () => {
      const x = await deploymentStatus(r.deploymentArn)
      return x.status === 'ROLLBACK_SUCCESSFUL' ? x : undefined
    }, 90_000)
    expect(d.circuitBreaker.status).toBe('TRIGGERED')
    // The waiter fails on a rolled-back deployment, as ECS's does.
    const w = await ecs(['wait', 'daemon-deployment-successful', '--daemon-deployment-arns', r.deploymentArn], { ok: false })
    expect(w.exitCode).not.toBe(0)
    const list = (await ecs(['list-daemon-deployments', '--daemon-arn', daemonArn])).json.daemonDeployments
    expect(list.map((x: any) => [x.daemonDeploymentArn, x.status])).toEqual([
      [r.deploymentArn, 'ROLLBACK_SUCCESSFUL'],
      [firstDeployment, 'SUCCESSFUL'],
    ])
  })

  it('errors as ECS gives them: an unknown daemon, a Fargate provider', async () => {
    const missing = await ecs(['describe-daemon', '--daemon-arn', `${daemonArn}-nope`], { ok: false })
    expect(missing.stderr).toContain('DaemonNotFoundException')
    const fargate = await ecs(['create-daemon', '--daemon-name', 'x', '--cluster-arn', CLUSTER, '--daemon-task-definition-arn', good, '--capacity-provider-arns', 'FARGATE'], { ok: false })
    expect(fargate.stderr).toContain('ECS Managed Daemons is only supported for Amazon ECS Managed Instances Capacity Providers.')
  })

  it('delete-daemon drains; delete-daemon-task-definition, wait daemon-task-definition-deleted', async () => {
    const r = (await ecs(['delete-daemon', '--daemon-arn', daemonArn])).json
    expect(r.status).toBe('DELETE_IN_PROGRESS')
    await until('delete deployment SUCCESSFUL', async () => (await deploymentStatus(r.deploymentArn)).status === 'SUCCESSFUL', 60_000)
    await ecs(['delete-daemon-task-definition', '--daemon-task-definition', good])
    await ecs(['wait', 'daemon-task-definition-deleted', '--daemon-task-definition', good])
    await until('no task left', async () => (await ecs(['list-tasks', '--cluster', CLUSTER])).json.taskArns.length === 0, 60_000)
  })
})
