import { PassThrough, Writable } from 'node:stream'
import { ExecuteCommandCommand, RegisterTaskDefinitionCommand, RunTaskCommand, CreateClusterCommand, DescribeTasksCommand, type Task } from '@aws-sdk/client-ecs'
import { Exec, type V1Status } from '@kubernetes/client-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { NOT_ENABLED, ONLY_INTERACTIVE } from '../../src/ecs/exec/execute-command.js'
import { exitCodeOf } from '../../src/cli/exec.js'
import { startClusterInstance, type ClusterInstance } from '../helpers/cluster-instance.js'
import { eventually } from '../helpers/emulator.js'

/**
 * ExecuteCommand on an instance with the emulated cluster: ECS's refusals, the session it answers,
 * and the command run in the task's pod through client-node's Exec (what `kecs exec` does next).
 */
const CLUSTER = 'exec-it'
let k: ClusterInstance

async function run(family: string, enableExecuteCommand: boolean): Promise<Task> {
  const r = await k.ecs.send(new RunTaskCommand({ cluster: CLUSTER, taskDefinition: family, enableExecuteCommand }))
  const arn = r.tasks![0]!.taskArn!
  return eventually(async () => {
    const t = (await k.ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [arn] }))).tasks![0]!
    return t.lastStatus === 'RUNNING' ? t : undefined
  }, `task ${arn} RUNNING`)
}

const call = (body: Record<string, unknown>) => k.call('ExecuteCommand', { cluster: CLUSTER, interactive: true, command: 'env', ...body })

beforeAll(async () => {
  k = await startClusterInstance()
  await k.ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }))
  await k.ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'one',
      containerDefinitions: [{ name: 'app', image: 'busybox:1.36', memory: 64, command: ['sleep', '3600'], environment: [{ name: 'COLOR', value: 'blue' }] }],
    }),
  )
  await k.ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'two',
      containerDefinitions: [
        { name: 'app', image: 'busybox:1.36', memory: 64, command: ['sleep', '3600'] },
        { name: 'side', image: 'busybox:1.36', memory: 64, command: ['sleep', '3600'] },
      ],
    }),
  )
}, 60_000)
afterAll(async () => k?.stopAll())

describe('ExecuteCommand', () => {
  it('refuses a task run without execute command, with ECS\'s type and message', async () => {
    const t = await run('one', false)
    expect(t.containers![0]!.managedAgents).toBeUndefined()
    const r = await call({ task: t.taskArn })
    expect(r.status).toBe(400)
    expect(r.body).toEqual({ __type: 'InvalidParameterException', message: NOT_ENABLED })
  })

  it('refuses interactive=false, a malformed id, an unknown task', async () => {
    expect((await call({ task: 'x'.repeat(32), interactive: false })).body).toEqual({ __type: 'InvalidParameterException', message: ONLY_INTERACTIVE })
    expect((await call({ task: 'abc' })).body).toEqual({ __type: 'InvalidParameterException', message: 'task length should be one of [32,36]' })
    expect((await call({ task: '0'.repeat(32) })).body).toEqual({ __type: 'InvalidParameterException', message: 'The referenced task was not found.' })
    expect((await call({ task: '0'.repeat(32), cluster: 'nope' })).body).toMatchObject({ __type: 'ClusterNotFoundException' })
  })

  it('a task with two containers needs --container, and one it has', async () => {
    const t = await run('two', true)
    await eventually(async () => (await call({ task: t.taskArn, container: 'side' })).status === 200, 'agent RUNNING')
    expect((await call({ task: t.taskArn })).body.__type).toBe('InvalidParameterException')
    expect((await call({ task: t.taskArn, container: 'web' })).body.__type).toBe('InvalidParameterException')
  })

  it('answers the session for a task run with it; the command runs in the pod through the exec API', async () => {
    const t = await run('one', true)
    const ready = await eventually(async () => {
      const d = (await k.ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [t.taskArn!] }))).tasks![0]!
      return d.containers![0]!.managedAgents?.[0]?.lastStatus === 'RUNNING' ? d : undefined
    }, 'ExecuteCommandAgent RUNNING')
    expect(ready.containers![0]!.managedAgents![0]).toMatchObject({ name: 'ExecuteCommandAgent', lastStatus: 'RUNNING', lastStartedAt: expect.any(Date) })
    const r = await k.ecs.send(new ExecuteCommandCommand({ cluster: CLUSTER, task: t.taskArn, interactive: true, command: 'env' }))
    expect(r).toMatchObject({ clusterArn: t.clusterArn, taskArn: t.taskArn, containerName: 'app', containerArn: t.containers![0]!.containerArn, interactive: true })
    expect(r.session!.sessionId).toMatch(/^ecs-execute-command-[0-9a-f]{17}$/)
    expect(r.session!.streamUrl).toBe(`wss://ssmmessages.us-east-1.amazonaws.com/v1/data-channel/${r.session!.sessionId}?role=publish_subscribe&cell-number=AAEAAQ`)
    expect(r.session!.tokenValue!.length).toBeGreaterThan(100)

    const id = t.taskArn!.split('/').pop()!
    let out = ''
    const stdout = new Writable({ write: (c, _e, done) => ((out += c), done()) })
    let status: V1Status | undefined
    await new Promise<void>((resolve) => {
      void new Exec(k.emu.kc)
        .exec(`kecs-${CLUSTER}`, id, 'app', ['sh', '-c', 'echo $COLOR $AWS_EXECUTION_ENV; exit 9'], stdout, new PassThrough(), null, false, (s) => (status = s))
        .then((ws) => ws.on('close', () => resolve()))
    })
    expect(out).toBe('blue AWS_ECS_EC2\n')
    expect(exitCodeOf(status)).toBe(9)
  })
})
