import { AppsV1Api } from '@kubernetes/client-node'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startClusterInstance, type ClusterInstance } from '../helpers/cluster-instance.js'
import { eventually } from '../helpers/emulator.js'

/**
 * Daemons on the emulated cluster: a daemon task definition, CreateDaemon → a DaemonSet → one task
 * per node; daemon deployments and revisions as the service machinery rolls them out; a failing
 * revision trips the circuit breaker and rolls back; DeleteDaemon drains; errors as ECS gives them.
 */

const CLUSTER = 'daemons-it'
const CP = 'my-managed-instances'
let k: ClusterInstance
let apps: AppsV1Api
const dir = mkdtempSync(join(tmpdir(), 'kecs-daemons-it-'))

async function start() {
  k = await startClusterInstance({ dir })
  apps = k.emu.kc.makeApiClient(AppsV1Api)
}

async function call(op: string, body: unknown) {
  const r = await k.call(op, body)
  if (r.status !== 200) throw new Error(`${op}: ${r.status} ${JSON.stringify(r.body)}`)
  return r.body
}

const describeDeployment = async (arn: string) => (await call('DescribeDaemonDeployments', { daemonDeploymentArns: [arn] })).daemonDeployments[0]
const waitDeployment = (arn: string, status: string) =>
  eventually(async () => {
    const d = await describeDeployment(arn)
    return d.status === status ? d : undefined
  }, `deployment ${status}`, 60_000)

let good = ''
let bad = ''

beforeAll(async () => {
  await start()
  await call('CreateCluster', { clusterName: CLUSTER })
  good = (await call('RegisterDaemonTaskDefinition', { family: 'agent', cpu: '128', memory: '256', containerDefinitions: [{ name: 'agent', image: 'busybox:1.36', command: ['sleep', '3600'] }] })).daemonTaskDefinitionArn
  bad = (await call('RegisterDaemonTaskDefinition', {
    family: 'agent',
    containerDefinitions: [{ name: 'agent', image: 'busybox:1.37', command: ['false'] }],
    tags: [{ key: 'kecs.simulate.exit-code', value: '1' }],
  })).daemonTaskDefinitionArn
}, 60_000)
afterAll(async () => {
  await k?.stopAll()
  rmSync(dir, { recursive: true, force: true })
})

describe('daemon task definitions', () => {
  it('register gives revisions of a family; describe fills ECS defaults', async () => {
    expect(good).toMatch(/^arn:aws:ecs:us-east-1:\d{12}:daemon-task-definition\/agent:1$/)
    expect(bad).toMatch(/daemon-task-definition\/agent:2$/)
    const d = (await call('DescribeDaemonTaskDefinition', { daemonTaskDefinition: 'agent:1' })).daemonTaskDefinition
    expect(d).toMatchObject({ family: 'agent', revision: 1, status: 'ACTIVE', cpu: '128', memory: '256', volumes: [] })
    expect(d.containerDefinitions[0]).toMatchObject({ essential: true, mountPoints: [], secrets: [] })
    expect((await call('DescribeDaemonTaskDefinition', { daemonTaskDefinition: 'agent' })).daemonTaskDefinition.revision).toBe(2)
    const listed = await call('ListDaemonTaskDefinitions', { familyPrefix: 'ag' })
    expect(listed.daemonTaskDefinitions.map((x: any) => x.arn)).toEqual([good, bad])
    expect((await call('ListDaemonTaskDefinitions', { revision: 'LAST_REGISTERED' })).daemonTaskDefinitions.map((x: any) => x.arn)).toEqual([bad])
    expect((await k.call('DescribeDaemonTaskDefinition', { daemonTaskDefinition: 'nope:1' })).body.__type).toBe('ClientException')
  })
})

describe('daemons', () => {
  let daemonArn = ''
  let first = ''

  it('CreateDaemon runs one task per node on a DaemonSet; the first deployment succeeds', async () => {
    const r = await call('CreateDaemon', { daemonName: 'agent', clusterArn: CLUSTER, daemonTaskDefinitionArn: good, capacityProviderArns: [CP] })
    daemonArn = r.daemonArn
    first = r.deploymentArn
    expect(r).toMatchObject({ status: 'ACTIVE', daemonArn: expect.stringMatching(/:daemon\/daemons-it\/agent$/) })
    expect(first).toMatch(/:daemon-deployment\/daemons-it\/agent\/[A-Za-z0-9]{16}$/)
    const d = await waitDeployment(first, 'SUCCESSFUL')
    expect(d).toMatchObject({
      statusReason: 'Deployment completed successfully.',
      circuitBreaker: { failureCount: 0, status: 'MONITORING_COMPLETE', threshold: 3 },
      alarms: { alarmNames: [], status: 'DISABLED', triggeredAlarmNames: [] },
      sourceDaemonRevisions: [],
      targetDaemonRevision: { totalRunningInstanceCount: 1, capacityProviders: [{ arn: expect.stringMatching(/:capacity-provider\/my-managed-instances$/), runningInstanceCount: 1 }] },
      deploymentConfiguration: { drainPercent: 25, bakeTimeInMinutes: 0 },
    })
    const { items } = await apps.listNamespacedDaemonSet({ namespace: `kecs-${CLUSTER}` })
    expect(items).toHaveLength(1)
    const daemon = (await call('DescribeDaemon', { daemonArn })).daemon
    expect(daemon).toMatchObject({ status: 'ACTIVE', deploymentArn: first, currentRevisions: [{ totalRunningCount: 1 }] })
    const rev = (await call('DescribeDaemonRevisions', { daemonRevisionArns: [daemon.currentRevisions[0].arn] })).daemonRevisions[0]
    expect(rev).toMatchObject({
      daemonArn,
      daemonTaskDefinitionArn: good,
      containerImages: [{ containerName: 'agent', image: 'busybox:1.36' }],
      propagateTags: 'NONE',
      enableECSManagedTags: false,
      critical: true,
    })
    expect(rev.daemonRevisionArn).toMatch(/:daemon-revision\/daemons-it\/agent\/\d{19}$/)
  }, 90_000)

  it('the daemon’s task is a task of the cluster; its service is not a service', async () => {
    const tasks = (await call('ListTasks', { cluster: CLUSTER })).taskArns
    expect(tasks).toHaveLength(1)
    const t = (await call('DescribeTasks', { cluster: CLUSTER, tasks })).tasks[0]
    expect(t.taskDefinitionArn).toBe(good)
    expect((await call('ListServices', { cluster: CLUSTER })).serviceArns).toEqual([])
    const c = (await call('DescribeClusters', { clusters: [CLUSTER] })).clusters[0]
    expect(c.activeServicesCount).toBe(0)
    expect((await call('ListDaemons', { clusterArn: CLUSTER })).daemonSummariesList.map((x: any) => x.daemonArn)).toEqual([daemonArn])
  })

  it('a revision whose container exits trips the breaker and rolls back to the last good one', async () => {
    const r = await call('UpdateDaemon', { daemonArn, daemonTaskDefinitionArn: bad, capacityProviderArns: [CP] })
    expect(r.deploymentArn).not.toBe(first)
    const d = await waitDeployment(r.deploymentArn, 'ROLLBACK_SUCCESSFUL')
    expect(d.circuitBreaker).toMatchObject({ status: 'TRIGGERED', threshold: 3 })
    expect(d.circuitBreaker.failureCount).toBeGreaterThanOrEqual(3)
    expect(d.sourceDaemonRevisions).toHaveLength(1)
    const firstRevision = (await describeDeployment(first)).targetDaemonRevision.arn
    expect(d.rollback).toMatchObject({ rollbackTargetDaemonRevisionArn: firstRevision, reason: expect.stringContaining('circuit breaker') })
    const listed = (await call('ListDaemonDeployments', { daemonArn })).daemonDeployments
    expect(listed.map((x: any) => x.daemonDeploymentArn)).toEqual([r.deploymentArn, first])
    expect((await call('ListDaemonDeployments', { daemonArn, status: ['SUCCESSFUL'] })).daemonDeployments).toHaveLength(1)
    const daemon = (await call('DescribeDaemon', { daemonArn })).daemon
    await eventually(async () => {
      const now = (await call('DescribeDaemon', { daemonArn })).daemon
      return now.currentRevisions.length === 1 && now.currentRevisions[0].arn === firstRevision && now.currentRevisions[0].totalRunningCount === 1
    }, 'back on the first revision', 60_000)
    expect(daemon.status).toBe('ACTIVE')
  }, 120_000)

  it('after a restart the daemon, its deployments and its task carry on', async () => {
    const before = (await call('ListTasks', { cluster: CLUSTER })).taskArns
    const deployments = (await call('ListDaemonDeployments', { daemonArn })).daemonDeployments
    await k.stopAll({ keepDirs: true })
    await start()
    expect((await call('ListDaemonDeployments', { daemonArn })).daemonDeployments).toEqual(deployments)
    const daemon = (await call('DescribeDaemon', { daemonArn })).daemon
    expect(daemon.currentRevisions).toEqual([expect.objectContaining({ totalRunningCount: 1 })])
    await eventually(async () => JSON.stringify((await call('ListTasks', { cluster: CLUSTER })).taskArns) === JSON.stringify(before), 'same task')
    expect((await call('ListServices', { cluster: CLUSTER })).serviceArns).toEqual([])
  }, 90_000)

  it('errors: unknown daemon, Fargate providers, unknown deployment, a second daemon of the same name', async () => {
    const missing = await k.call('DescribeDaemon', { daemonArn: daemonArn.replace('/agent', '/nope') })
    expect(missing.body.__type).toBe('DaemonNotFoundException')
    const fargate = await k.call('CreateDaemon', { daemonName: 'x', clusterArn: CLUSTER, daemonTaskDefinitionArn: good, capacityProviderArns: ['FARGATE'] })
    expect(fargate.body).toEqual({ __type: 'InvalidParameterException', message: 'ECS Managed Daemons is only supported for Amazon ECS Managed Instances Capacity Providers.' })
    const again = await k.call('CreateDaemon', { daemonName: 'agent', clusterArn: CLUSTER, daemonTaskDefinitionArn: good, capacityProviderArns: [CP] })
    expect(again.body.__type).toBe('InvalidParameterException')
    const noCluster = await k.call('CreateDaemon', { daemonName: 'x', clusterArn: 'nope', daemonTaskDefinitionArn: good, capacityProviderArns: [CP] })
    expect(noCluster.body.__type).toBe('ClusterNotFoundException')
    const unknown = await call('DescribeDaemonDeployments', { daemonDeploymentArns: [`${first.slice(0, -16)}AAAAAAAAAAAAAAAA`] })
    expect(unknown).toMatchObject({ daemonDeployments: [], failures: [{ reason: 'MISSING' }] })
  })

  it('DeleteDaemon drains its tasks; its task definition then reads DELETED', async () => {
    await call('DeleteDaemonTaskDefinition', { daemonTaskDefinition: good })
    expect((await call('DescribeDaemonTaskDefinition', { daemonTaskDefinition: good })).daemonTaskDefinition.status).toBe('DELETE_IN_PROGRESS')
    const r = await call('DeleteDaemon', { daemonArn })
    expect(r.status).toBe('DELETE_IN_PROGRESS')
    await waitDeployment(r.deploymentArn, 'SUCCESSFUL')
    await eventually(async () => (await apps.listNamespacedDaemonSet({ namespace: `kecs-${CLUSTER}` })).items.length === 0, 'DaemonSet gone')
    expect((await call('DescribeDaemonTaskDefinition', { daemonTaskDefinition: good })).daemonTaskDefinition.status).toBe('DELETED')
    expect((await k.call('UpdateDaemon', { daemonArn, daemonTaskDefinitionArn: bad, capacityProviderArns: [CP] })).body.__type).toBe('DaemonNotActiveException')
  }, 90_000)
})
