import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { awslogsStoppedReason, awslogsTarget, AwsLogsWriter, checkAwsLogsGroup } from '../../src/aws/logs/awslogs-sink.js'
import { logsService, type LogsState } from '../../src/aws/logs/index.js'
import type { TaskDefinitionDoc } from '../../src/ecs/task-definitions/task-definition-doc.js'
import type { TaskDoc } from '../../src/ecs/tasks/task-doc.js'
import { awslogsLaunchCheck, awslogsSink } from '../../src/instance/awslogs.js'
import { Store } from '../../src/store/store.js'

/** The awslogs driver's side: names, the group check, the stop reason, the writer, the launch check. */
const scope = { account: '000000000000', region: 'us-east-1' }
const TASK_ID = '0123456789abcdef0123456789abcdef'
let store: Store
let state: LogsState

beforeEach(async () => {
  store = await Store.open(':memory:')
  state = await logsService.open(store)
})
afterEach(async () => {
  await store.close()
})

describe('awslogsTarget', () => {
  const c = { scope, containerName: 'web', taskId: TASK_ID, runtimeId: `${TASK_ID}-1234567890` }
  it('names the stream <prefix>/<container>/<task id>, or the runtime (Docker) id without a prefix', () => {
    expect(awslogsTarget(c, { 'awslogs-group': 'g', 'awslogs-stream-prefix': 'ecs' })).toEqual({ scope, group: 'g', stream: `ecs/web/${TASK_ID}`, createGroup: false })
    expect(awslogsTarget(c, { 'awslogs-group': 'g' })!.stream).toBe(`${TASK_ID}-1234567890`)
  })
  it('takes awslogs-region and awslogs-create-group', () => {
    expect(awslogsTarget(c, { 'awslogs-group': 'g', 'awslogs-region': 'eu-west-1', 'awslogs-create-group': 'True' })).toMatchObject({
      scope: { account: scope.account, region: 'eu-west-1' },
      createGroup: true,
    })
    expect(awslogsTarget(c, {})).toBeUndefined()
  })
})

describe('checkAwsLogsGroup', () => {
  it('passes for an existing group, creates a missing one with create-group, refuses otherwise', async () => {
    expect(await checkAwsLogsGroup(state, scope, { 'awslogs-group': 'missing' })).toEqual({
      ok: false,
      reason: 'ResourceNotFoundException: The specified log group does not exist.',
    })
    expect(state.group(scope, 'missing')).toBeUndefined()
    expect(await checkAwsLogsGroup(state, scope, { 'awslogs-group': 'made', 'awslogs-create-group': 'true' }, () => 42)).toEqual({ ok: true })
    expect(state.group(scope, 'made')).toMatchObject({ name: 'made', creationTime: 42, logGroupClass: 'STANDARD' })
    expect(await checkAwsLogsGroup(state, scope, { 'awslogs-group': 'made' })).toEqual({ ok: true })
    // the group is looked up in awslogs-region
    expect((await checkAwsLogsGroup(state, scope, { 'awslogs-group': 'made', 'awslogs-region': 'eu-west-1' })).ok).toBe(false)
  })
})

describe('awslogsStoppedReason', () => {
  const reason = 'ResourceNotFoundException: The specified log group does not exist.'
  it('is the Docker driver error on EC2 and the platform error on Fargate', () => {
    expect(awslogsStoppedReason('EC2', reason, 'rid')).toBe(
      'CannotStartContainerError: Error response from daemon: failed to initialize logging driver: failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist. status code: 400, request id: rid',
    )
    expect(awslogsStoppedReason('FARGATE', reason, 'rid')).toBe(
      'ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log stream: operation error CloudWatch Logs: CreateLogStream, https response error StatusCode: 400, RequestID: rid, ResourceNotFoundException: The specified log group does not exist.',
    )
  })
})

describe('AwsLogsWriter', () => {
  const target = { scope, group: 'g', stream: 'ecs/web/t', createGroup: false }
  it('creates the stream on first use, keeps time order, and drops lines of a missing group', async () => {
    const w = new AwsLogsWriter(state, () => 1000)
    expect(await w.write(target, [{ timestamp: 1, message: 'lost' }])).toBe(0)
    expect(state.stream(scope, 'g', 'ecs/web/t')).toBeUndefined()
    await state.putGroup({ ...scope, name: 'g', creationTime: 0, logGroupClass: 'STANDARD', deletionProtectionEnabled: false, tags: {}, storedBytes: 0 })
    expect(await w.write(target, [{ timestamp: 10, message: 'a' }, { timestamp: 5, message: 'clock stepped back' }])).toBe(2)
    const rows = await state.readStream(scope, 'g', 'ecs/web/t', { fromHead: true, limit: 10 })
    expect(rows.map((r) => [r.timestamp, r.message])).toEqual([
      [10, 'a'],
      [10, 'clock stepped back'],
    ])
    expect(w.lastTimestamp(target)).toBe(10)
  })
  it('creates the group with create-group', async () => {
    const w = new AwsLogsWriter(state, () => 7)
    await w.write({ ...target, createGroup: true }, [{ timestamp: 1, message: 'x' }])
    expect(state.group(scope, 'g')?.creationTime).toBe(7)
  })
})

describe('awslogsLaunchCheck (the task start path)', () => {
  const task = (launchType: string) =>
    ({ taskArn: `arn:aws:ecs:us-east-1:000000000000:task/c/${TASK_ID}`, launchType, kecs: { taskId: TASK_ID } }) as unknown as TaskDoc
  const td = (options: Record<string, string>, driver = 'awslogs') =>
    ({ containerDefinitions: [{ name: 'side' }, { name: 'app', logConfiguration: { logDriver: driver, options: { 'awslogs-region': 'us-east-1', ...options } } }] }) as TaskDefinitionDoc

  it('stops a task whose awslogs group is missing, with the driver error for its launch type', async () => {
    const check = awslogsLaunchCheck(state)
    const ec2 = await check(task('EC2'), td({ 'awslogs-group': 'nope' }))
    expect(ec2).toEqual({ stopCode: 'TaskFailedToStart', stoppedReason: expect.stringMatching(/^CannotStartContainerError: .*The specified log group does not exist\. status code: 400/) })
    const fargate = await check(task('FARGATE'), td({ 'awslogs-group': 'nope', 'awslogs-stream-prefix': 'ecs' }))
    expect(fargate?.stoppedReason).toMatch(/^ResourceInitializationError: failed to validate logger args: /)
  })
  it('lets it start when the group exists, is created, or the driver is not awslogs', async () => {
    const check = awslogsLaunchCheck(state)
    expect(await check(task('EC2'), td({ 'awslogs-group': 'new', 'awslogs-create-group': 'true' }))).toBeUndefined()
    expect(state.group(scope, 'new')).toBeDefined()
    expect(await check(task('EC2'), td({ 'awslogs-group': 'new' }))).toBeUndefined()
    expect(await check(task('EC2'), td({ 'awslogs-group': 'nope' }, 'json-file'))).toBeUndefined()
  })
})

describe('awslogsSink', () => {
  const lc = { logDriver: 'awslogs', options: { 'awslogs-group': 'g', 'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': 'p', 'awslogs-create-group': 'true' } }
  const tds = new Map<string, unknown>([['000000000000/us-east-1/web/1', { containerDefinitions: [{ name: 'app', logConfiguration: lc }, { name: 'side' }] }]])
  const daemonTds = new Map<string, unknown>([['000000000000/us-east-1/agent/2', { containerDefinitions: [{ name: 'agent', logConfiguration: lc }] }]])
  const repos = { taskDefinitions: tds, daemonTaskDefinitions: daemonTds } as never
  const task = (tdArn: string) =>
    ({ taskArn: `arn:aws:ecs:us-east-1:000000000000:task/c/${TASK_ID}`, taskDefinitionArn: tdArn, kecs: { taskId: TASK_ID }, containers: [] }) as unknown as TaskDoc

  it("wants the awslogs containers of a task's or a daemon task's definition, and writes their lines", async () => {
    const sink = awslogsSink(state, repos, () => 5)
    const web = task('arn:aws:ecs:us-east-1:000000000000:task-definition/web:1')
    expect(sink.wants(web, 'app')).toBe(true)
    expect(sink.wants(web, 'side')).toBe(false)
    expect(sink.wants(task('arn:aws:ecs:us-east-1:000000000000:task-definition/other:1'), 'app')).toBe(false)
    const agent = task('arn:aws:ecs:us-east-1:000000000000:daemon-task-definition/agent:2')
    expect(sink.wants(agent, 'agent')).toBe(true)
    await sink.onLines(web, 'app', [{ timestamp: 3, message: 'hi' }])
    expect((await state.readStream(scope, 'g', `p/app/${TASK_ID}`, { fromHead: true, limit: 5 })).map((r) => r.message)).toEqual(['hi'])
    expect(sink.resumeAfter!(web, 'app')).toBe(3)
  })
})
