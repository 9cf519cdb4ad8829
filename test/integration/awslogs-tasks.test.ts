import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { LogsState } from '../../src/aws/logs/state.js'
import type { AwsContext } from '../../src/aws/service.js'
import { startClusterInstance, type ClusterInstance } from '../helpers/cluster-instance.js'
import { eventually } from '../helpers/emulator.js'

/**
 * The awslogs log driver on the emulated cluster: a task's container lines reach CloudWatch Logs
 * (group `awslogs-group`, stream `<prefix>/<container>/<task id>`, or the container's runtime id
 * without a prefix), read back with GetLogEvents and FilterLogEvents; `awslogs-create-group` makes the
 * group; without it a missing group stops the task with the driver's error.
 */
const CLUSTER = 'awslogs-it'
const ACCOUNT = '000000000000'
const REGION = 'us-east-1'
let k: ClusterInstance

async function logs(op: string, input: Record<string, unknown>, region = REGION, on: ClusterInstance = k): Promise<any> {
  const opened = on.instance.aws.get('logs')!
  const ctx: AwsContext = { region, account: ACCOUNT, requestId: 'it', operation: op, principalArn: `arn:aws:iam::${ACCOUNT}:root`, now: () => Date.now() }
  return (await opened.service.handlers[op]!(input, ctx, opened.state as LogsState)) ?? {}
}

const awslogs = (options: Record<string, string>) => ({ logDriver: 'awslogs', options: { 'awslogs-region': REGION, ...options } })

async function register(family: string, logConfiguration: unknown, command = ['echo', `hello-from-${family}`]) {
  const r = await k.call('RegisterTaskDefinition', {
    family,
    containerDefinitions: [{ name: 'app', image: 'busybox:1.36', memory: 64, command, logConfiguration }],
  })
  expect(r.status, JSON.stringify(r.body)).toBe(200)
}

async function run(family: string) {
  const r = await k.call('RunTask', { cluster: CLUSTER, taskDefinition: family })
  expect(r.status, JSON.stringify(r.body)).toBe(200)
  const t = r.body.tasks[0]
  return { arn: t.taskArn as string, id: (t.taskArn as string).split('/').pop()! }
}

const describeTask = async (arn: string) => (await k.call('DescribeTasks', { cluster: CLUSTER, tasks: [arn] })).body.tasks[0]

beforeAll(async () => {
  k = await startClusterInstance()
  await k.call('CreateCluster', { clusterName: CLUSTER })
})
afterAll(async () => k?.stopAll())

describe('awslogs', () => {
  it('creates the group with awslogs-create-group and writes the lines to <prefix>/<container>/<task id>', async () => {
    await register('web', awslogs({ 'awslogs-group': '/ecs/web', 'awslogs-stream-prefix': 'ecs', 'awslogs-create-group': 'true' }), ['sh', '-c', 'echo hello-awslogs'])
    const task = await run('web')
    const stream = `ecs/app/${task.id}`
    const got = await eventually(async () => {
      const s = await logs('DescribeLogStreams', { logGroupName: '/ecs/web' }).catch(() => undefined)
      if (!s?.logStreams.some((x: any) => x.logStreamName === stream)) return undefined
      const ev = await logs('GetLogEvents', { logGroupName: '/ecs/web', logStreamName: stream, startFromHead: true })
      return ev.events.some((e: any) => e.message.includes('hello-awslogs')) ? ev : undefined
    }, 'container lines in CloudWatch Logs')
    expect(got.events[0]).toEqual({ timestamp: expect.any(Number), message: expect.any(String), ingestionTime: expect.any(Number) })
    // the emulated container prints what it runs: the command line is among its lines
    expect(got.events.slice(0, 3).map((e: any) => e.message)).toEqual([
      'starting container app (image busybox:1.36; simulated by the KECS emulator)',
      'exec: (image entrypoint) sh -c "echo hello-awslogs"',
      expect.stringMatching(/^environment: /),
    ])
    const filtered = await logs('FilterLogEvents', { logGroupName: '/ecs/web', filterPattern: '"hello-awslogs"' })
    expect(filtered.events.length).toBeGreaterThan(0)
    expect(filtered.events.every((e: any) => e.logStreamName === stream && e.message.includes('hello-awslogs'))).toBe(true)
    const groups = await logs('DescribeLogGroups', { logGroupNamePrefix: '/ecs/web' })
    expect(groups.logGroups.map((g: any) => g.logGroupName)).toEqual(['/ecs/web'])
    // The stream is followed live: what the container prints while it stops arrives too, once.
    await k.call('StopTask', { cluster: CLUSTER, task: task.arn })
    const all = await eventually(async () => {
      const ev = await logs('GetLogEvents', { logGroupName: '/ecs/web', logStreamName: stream, startFromHead: true })
      const msgs: string[] = ev.events.map((e: any) => e.message)
      return msgs.some((m) => m.includes('exited with code')) ? msgs : undefined
    }, 'the lines printed on stop')
    expect(all).toContain('app received SIGTERM, shutting down')
    expect(all.filter((m) => m.startsWith('starting container'))).toHaveLength(1)
  })

  it('writes into an existing group of another region (awslogs-region), the stream named by the runtime id without a prefix', async () => {
    await logs('CreateLogGroup', { logGroupName: 'plain' }, 'eu-west-1')
    await register('plain', { logDriver: 'awslogs', options: { 'awslogs-group': 'plain', 'awslogs-region': 'eu-west-1' } }, ['sh', '-c', 'echo no-prefix'])
    const task = await run('plain')
    const streams = await eventually(async () => {
      const s = await logs('DescribeLogStreams', { logGroupName: 'plain' }, 'eu-west-1')
      return s.logStreams.length ? s.logStreams : undefined
    }, 'a stream in the existing group')
    expect(streams.map((s: any) => s.logStreamName)).toEqual([expect.stringMatching(new RegExp(`^${task.id}-\\d{10}$`))])
    await eventually(async () => {
      const f = await logs('FilterLogEvents', { logGroupName: 'plain', filterPattern: 'no-prefix' }, 'eu-west-1')
      return f.events.length > 0
    }, 'lines of the container')
    // nothing went to the task's own region
    await expect(logs('DescribeLogStreams', { logGroupName: 'plain' })).rejects.toMatchObject({ code: 'ResourceNotFoundException' })
    await k.call('StopTask', { cluster: CLUSTER, task: task.arn })
  })

  it("forwards the lines of a service's tasks too", async () => {
    await register('svc', awslogs({ 'awslogs-group': '/ecs/svc', 'awslogs-stream-prefix': 'svc', 'awslogs-create-group': 'true' }), ['sh', '-c', 'echo from-service'])
    const r = await k.call('CreateService', { cluster: CLUSTER, serviceName: 'svc', taskDefinition: 'svc', desiredCount: 1 })
    expect(r.status, JSON.stringify(r.body)).toBe(200)
    const f = await eventually(async () => {
      const out = await logs('FilterLogEvents', { logGroupName: '/ecs/svc', filterPattern: 'from-service' }).catch(() => undefined)
      return out?.events.length ? out : undefined
    }, 'service task lines')
    const taskArn = (await k.call('ListTasks', { cluster: CLUSTER, serviceName: 'svc' })).body.taskArns[0] as string
    expect(f.events[0].logStreamName).toBe(`svc/app/${taskArn.split('/').pop()}`)
    await k.call('DeleteService', { cluster: CLUSTER, service: 'svc', force: true })
  })

  it('stops the task when the group is missing and awslogs-create-group is not set', async () => {
    await register('nogroup', awslogs({ 'awslogs-group': '/ecs/missing', 'awslogs-stream-prefix': 'ecs' }))
    const task = await run('nogroup')
    const stopped = await eventually(async () => {
      const t = await describeTask(task.arn)
      return t.lastStatus === 'STOPPED' ? t : undefined
    }, 'task STOPPED')
    expect(stopped.stopCode).toBe('TaskFailedToStart')
    expect(stopped.stoppedReason).toMatch(
      /^CannotStartContainerError: Error response from daemon: failed to initialize logging driver: failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist\. status code: 400, request id: [0-9a-f-]{36}$/,
    )
    await expect(logs('DescribeLogStreams', { logGroupName: '/ecs/missing' })).rejects.toMatchObject({ code: 'ResourceNotFoundException' })
  })
})

describe('awslogs across a restart', () => {
  it('keeps the events, and goes on following the running task without repeating lines', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kecs-awslogs-restart-'))
    let a: ClusterInstance | undefined
    let b: ClusterInstance | undefined
    try {
      a = await startClusterInstance({ dir })
      await a.call('CreateCluster', { clusterName: 'r' })
      const reg = await a.call('RegisterTaskDefinition', {
        family: 'long',
        containerDefinitions: [{ name: 'app', image: 'busybox', memory: 64, logConfiguration: awslogs({ 'awslogs-group': 'g', 'awslogs-stream-prefix': 'p', 'awslogs-create-group': 'true' }) }],
      })
      expect(reg.status).toBe(200)
      const arn: string = (await a.call('RunTask', { cluster: 'r', taskDefinition: 'long' })).body.tasks[0].taskArn
      const stream = `p/app/${arn.split('/').pop()}`
      const msgs = async (on: ClusterInstance): Promise<string[]> =>
        (await logs('GetLogEvents', { logGroupName: 'g', logStreamName: stream, startFromHead: true }, REGION, on).catch(() => ({ events: [] }))).events.map((e: any) => e.message as string)
      await eventually(async () => (await msgs(a!)).some((m) => m.startsWith('environment:')), 'lines before the restart')
      const before = await msgs(a)
      await a.stopAll({ keepDirs: true })
      a = undefined

      b = await startClusterInstance({ dir })
      expect((await msgs(b)).slice(0, before.length)).toEqual(before)
      await b.call('StopTask', { cluster: 'r', task: arn })
      const after = await eventually(async () => {
        const m = await msgs(b!)
        return m.some((x) => x.includes('received SIGTERM')) ? m : undefined
      }, 'lines after the restart')
      expect(after.filter((m) => m.startsWith('starting container'))).toHaveLength(1)
    } finally {
      await a?.stopAll({ keepDirs: true }).catch(() => {})
      await b?.stopAll({ keepDirs: true }).catch(() => {})
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
