/**
 * End-to-end: container instances, attributes, placement constraints and the agent's calls through
 * the BUILT CLI (`kecs start -d --cluster emulated`), driven with the real `aws` CLI. A second node is
 * added to the emulated cluster with kubectl, so placement has two instances to choose from.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BUILT, cliHome, freePort, hasCommand, until, type CliHome } from '../helpers/cli.js'

const hasAws = await hasCommand('aws', ['--version'])
const hasKubectl = await hasCommand('kubectl', ['version', '--client'])
if (!hasAws || !hasKubectl) console.warn('[e2e] the `aws` CLI or kubectl is not installed: the container-instance e2e tests are SKIPPED')

const CLUSTER = 'e2e-instances'
const SECOND = 'kecs-node-2'
const TIMEOUT = 120_000

let cli: CliHome | undefined
let endpoint = ''

const ecs = (args: string[], opts: { ok?: boolean } = {}) => cli!.awsEcs(endpoint, args, opts)
const kubectl = (args: string[]) => cli!.run('kubectl', ['--kubeconfig', join(cli!.instanceDir('default'), 'kubeconfig'), ...args])

async function instances(): Promise<any[]> {
  const arns = (await ecs(['list-container-instances', '--cluster', CLUSTER])).json.containerInstanceArns
  return (await ecs(['describe-container-instances', '--cluster', CLUSTER, '--container-instances', ...arns])).json.containerInstances
}

const nodeOf = (inst: any) => inst.attributes.find((a: any) => a.name === 'kecs.node-name')?.value

async function podNode(taskArn: string): Promise<string> {
  const id = taskArn.split('/').pop()!
  return until(`the pod of ${id} scheduled`, async () => {
    const r = await kubectl(['get', 'pod', '-n', `kecs-${CLUSTER}`, id, '-o', 'jsonpath={.spec.nodeName}'])
    return r.exitCode === 0 && r.stdout.trim() ? r.stdout.trim() : undefined
  })
}

/** A second Ready node, registered the way a kubelet registers (status included). */
function secondNode(dir: string): string {
  const now = new Date().toISOString()
  const file = join(dir, 'node-2.json')
  writeFileSync(
    file,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: SECOND, labels: { 'kubernetes.io/hostname': SECOND, 'kubernetes.io/os': 'linux' } },
      spec: {},
      status: {
        capacity: { cpu: '2', memory: '4Gi', pods: '110' },
        allocatable: { cpu: '2', memory: '4Gi', pods: '110' },
        conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'ready', lastHeartbeatTime: now, lastTransitionTime: now }],
        nodeInfo: {
          architecture: 'amd64',
          operatingSystem: 'linux',
          machineID: 'm2',
          systemUUID: 's2',
          bootID: 'b2',
          kernelVersion: '6.1.0',
          osImage: 'e2e node',
          containerRuntimeVersion: 'kecs-sim://0.1.0',
          kubeletVersion: 'v1.32.0',
          kubeProxyVersion: 'v1.32.0',
        },
      },
    }),
  )
  return file
}

beforeAll(async () => {
  if (!hasAws || !hasKubectl) return
  if (!BUILT) throw new Error('dist/ is missing: run `npm run build` first (`npm test` does)')
  cli = cliHome('kecs-e2e-instances-', { env: (home) => ({ HOME: home, KECS_EMULATOR_SPEED: '5', KUBECACHEDIR: join(home, 'kube-cache') }) })
  endpoint = (await cli.startDetached('default', { args: ['--cluster', 'emulated'], port: await freePort(), adminPort: await freePort() })).endpoint
  const created = await kubectl(['create', '-f', secondNode(cli.home)])
  expect(created.exitCode, created.stderr).toBe(0)
  await ecs(['create-cluster', '--cluster-name', CLUSTER])
  await ecs([
    'register-task-definition',
    '--family',
    'e2e-sleeper',
    '--container-definitions',
    JSON.stringify([{ name: 'app', image: 'busybox:1.36', memory: 64, command: ['sleep', '3600'] }]),
  ])
}, TIMEOUT)

afterAll(async () => {
  await cli?.cleanup()
})

describe.skipIf(!hasAws || !hasKubectl)('container instances with the aws CLI on `kecs start --cluster emulated`', { timeout: TIMEOUT }, () => {
  it('list/describe-container-instances: both nodes, ACTIVE, with ECS fields and attributes', async () => {
    const all = await instances()
    expect(all.map(nodeOf).sort()).toEqual(['kecs-node', SECOND])
    for (const i of all) {
      expect(i).toMatchObject({ status: 'ACTIVE', agentConnected: true, runningTasksCount: 0, pendingTasksCount: 0 })
      expect(i.ec2InstanceId).toMatch(/^i-[0-9a-f]{17}$/)
      const names = i.attributes.map((a: any) => a.name)
      expect(names).toEqual(expect.arrayContaining(['ecs.os-type', 'ecs.cpu-architecture', 'ecs.instance-type', 'com.amazonaws.ecs.capability.task-iam-role']))
      expect(i.registeredResources.find((r: any) => r.name === 'CPU').integerValue).toBeGreaterThan(0)
    }
  })

  it('put-attributes, list-attributes, list-container-instances --filter, delete-attributes', async () => {
    const [a] = await instances()
    const put = await ecs(['put-attributes', '--cluster', CLUSTER, '--attributes', `name=stack,value=production,targetId=${a.containerInstanceArn}`])
    expect(put.json.attributes).toEqual([{ name: 'stack', value: 'production', targetId: a.containerInstanceArn }])
    const listed = await ecs(['list-attributes', '--cluster', CLUSTER, '--target-type', 'container-instance', '--attribute-name', 'stack'])
    expect(listed.json.attributes).toEqual([{ name: 'stack', value: 'production', targetId: a.containerInstanceArn }])
    const filtered = await ecs(['list-container-instances', '--cluster', CLUSTER, '--filter', 'attribute:stack == production'])
    expect(filtered.json.containerInstanceArns).toEqual([a.containerInstanceArn])
    const byType = await ecs(['list-container-instances', '--cluster', CLUSTER, '--filter', 'attribute:ecs.instance-type == t3.micro'])
    expect(byType.json.containerInstanceArns).toEqual([])
    const bad = await ecs(['list-container-instances', '--cluster', CLUSTER, '--filter', 'attribute:stack =='], { ok: false })
    expect(bad.exitCode).not.toBe(0)
    expect(bad.stderr).toContain('InvalidParameterException')
    const del = await ecs(['delete-attributes', '--cluster', CLUSTER, '--attributes', `name=stack,targetId=${a.containerInstanceArn}`])
    expect(del.json.attributes[0]).toMatchObject({ name: 'stack', value: 'production', targetId: a.containerInstanceArn })
  })

  it('run-task with memberOf lands on the matching node; unsatisfiable constraints give failures[]', async () => {
    const target = (await instances()).find((i) => nodeOf(i) === SECOND)
    const r = await ecs([
      'run-task', '--cluster', CLUSTER, '--task-definition', 'e2e-sleeper',
      '--placement-constraints', `type=memberOf,expression=attribute:kecs.node-name == ${SECOND}`,
    ])
    expect(r.json.tasks[0].containerInstanceArn).toBe(target.containerInstanceArn)
    expect(await podNode(r.json.tasks[0].taskArn)).toBe(SECOND)
    const none = await ecs([
      'run-task', '--cluster', CLUSTER, '--task-definition', 'e2e-sleeper',
      '--placement-constraints', 'type=memberOf,expression=attribute:ecs.instance-type == t3.micro',
    ])
    expect(none.json.tasks).toEqual([])
    expect(none.json.failures.map((f: any) => f.reason)).toEqual(['MemberOf placement constraint unsatisfied.', 'MemberOf placement constraint unsatisfied.'])
    await ecs(['wait', 'tasks-running', '--cluster', CLUSTER, '--tasks', r.json.tasks[0].taskArn])
    const busy = await ecs(['list-container-instances', '--cluster', CLUSTER, '--filter', 'runningTasksCount > 0'])
    expect(busy.json.containerInstanceArns).toEqual([target.containerInstanceArn])
    await ecs(['stop-task', '--cluster', CLUSTER, '--task', r.json.tasks[0].taskArn])
  })

  it('run-task with distinctInstance: one task per instance, the rest in failures[]', async () => {
    const r = await ecs([
      'run-task', '--cluster', CLUSTER, '--task-definition', 'e2e-sleeper', '--count', '3', '--group', 'spread',
      '--placement-constraints', 'type=distinctInstance',
    ])
    expect(r.json.tasks).toHaveLength(2)
    expect(new Set(r.json.tasks.map((t: any) => t.containerInstanceArn)).size).toBe(2)
    expect(r.json.failures.map((f: any) => f.reason)).toContain('DistinctInstance placement constraint unsatisfied.')
    const nodes = await Promise.all(r.json.tasks.map((t: any) => podNode(t.taskArn)))
    expect(new Set(nodes).size).toBe(2)
    for (const t of r.json.tasks) await ecs(['stop-task', '--cluster', CLUSTER, '--task', t.taskArn])
  })

  it('update-container-instances-state DRAINING cordons the node; ACTIVE uncordons', async () => {
    const target = (await instances()).find((i) => nodeOf(i) === SECOND)
    const d = await ecs(['update-container-instances-state', '--cluster', CLUSTER, '--container-instances', target.containerInstanceArn, '--status', 'DRAINING'])
    expect(d.json).toMatchObject({ containerInstances: [{ status: 'DRAINING' }], failures: [] })
    expect((await kubectl(['get', 'node', SECOND, '-o', 'jsonpath={.spec.unschedulable}'])).stdout.trim()).toBe('true')
    const draining = await ecs(['list-container-instances', '--cluster', CLUSTER, '--status', 'DRAINING'])
    expect(draining.json.containerInstanceArns).toEqual([target.containerInstanceArn])
    const r = await ecs(['run-task', '--cluster', CLUSTER, '--task-definition', 'e2e-sleeper'])
    expect(r.json.tasks[0].containerInstanceArn).not.toBe(target.containerInstanceArn)
    await ecs(['update-container-instances-state', '--cluster', CLUSTER, '--container-instances', target.containerInstanceArn, '--status', 'ACTIVE'])
    expect((await kubectl(['get', 'node', SECOND, '-o', 'jsonpath={.spec.unschedulable}'])).stdout.trim()).toBe('false')
    await ecs(['stop-task', '--cluster', CLUSTER, '--task', r.json.tasks[0].taskArn])
  })

  it('update-container-agent: NoUpdateAvailableException', async () => {
    const [a] = await instances()
    const r = await ecs(['update-container-agent', '--cluster', CLUSTER, '--container-instance', a.containerInstanceArn], { ok: false })
    expect(r.exitCode).not.toBe(0)
    expect(r.stderr).toContain('NoUpdateAvailableException')
  })

  it('register-container-instance, then deregister-container-instance --force', async () => {
    const reg = await ecs([
      'register-container-instance', '--cluster', CLUSTER,
      '--instance-identity-document', JSON.stringify({ instanceId: 'i-0123456789abcdef0', instanceType: 't3.micro' }),
      '--attributes', 'name=team,value=a',
    ])
    const inst = reg.json.containerInstance
    expect(inst).toMatchObject({ status: 'ACTIVE', ec2InstanceId: 'i-0123456789abcdef0' })
    expect(inst.attributes).toEqual(expect.arrayContaining([{ name: 'team', value: 'a' }]))
    const micro = await ecs(['list-container-instances', '--cluster', CLUSTER, '--filter', 'attribute:ecs.instance-type == t3.micro'])
    expect(micro.json.containerInstanceArns).toEqual([inst.containerInstanceArn])
    const gone = await ecs(['deregister-container-instance', '--cluster', CLUSTER, '--container-instance', inst.containerInstanceArn, '--force'])
    expect(gone.json.containerInstance.status).toBe('INACTIVE')
    const left = await ecs(['list-container-instances', '--cluster', CLUSTER])
    expect(left.json.containerInstanceArns).not.toContain(inst.containerInstanceArn)
  })

  it("the agent's calls: discover-poll-endpoint and the submit-* calls", async () => {
    const ep = await ecs(['discover-poll-endpoint', '--cluster', CLUSTER])
    expect(ep.json.endpoint).toBe('https://ecs-a-1.us-east-1.amazonaws.com/')
    const r = await ecs(['run-task', '--cluster', CLUSTER, '--task-definition', 'e2e-sleeper'])
    const task = r.json.tasks[0].taskArn
    const t = await ecs(['submit-task-state-change', '--cluster', CLUSTER, '--task', task, '--status', 'RUNNING'])
    expect(t.json.acknowledgment).toEqual(expect.any(String))
    const c = await ecs(['submit-container-state-change', '--cluster', CLUSTER, '--task', task, '--container-name', 'app', '--status', 'RUNNING'])
    expect(c.json.acknowledgment).toEqual(expect.any(String))
    const a = await ecs([
      'submit-attachment-state-changes', '--cluster', CLUSTER,
      '--attachments', 'attachmentArn=arn:aws:ecs:us-east-1:000000000000:attachment/x,status=ATTACHED',
    ])
    expect(a.json.acknowledgment).toEqual(expect.any(String))
    await ecs(['stop-task', '--cluster', CLUSTER, '--task', task])
  })
})
