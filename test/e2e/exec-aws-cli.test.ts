/**
 * End-to-end: ECS Exec on `kecs start -d --cluster emulated`. The `aws` CLI's execute-command is
 * refused as ECS refuses it for a task run without execute command; for one with it, the CLI gets as
 * far as handing the session to the Session Manager plugin (not installed here: a stand-in on PATH
 * records its arguments). `kecs exec` prints a command's output and exits with its code, for a task
 * run with execute command and for a service's task.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BIN, BUILT, cliHome, hasCommand, until, type CliHome } from '../helpers/cli.js'

const hasAws = await hasCommand('aws', ['--version'])
if (!hasAws) console.warn('[e2e] the `aws` CLI is not installed: the exec e2e tests are SKIPPED')

const CLUSTER = 'e2e-exec'
const TIMEOUT = 120_000
const NOT_ENABLED =
  'The execute command failed because execute command was not enabled when the task was run or the execute command agent isn’t running. Wait and try again or run a new task with execute command enabled and try again.'

let cli: CliHome | undefined
let endpoint = ''

const ecs = (args: string[], opts: { ok?: boolean } = {}) => cli!.awsEcs(endpoint, args, opts)
/** execute-command prints what the plugin prints (text), so it is run without JSON parsing. */
const executeCommand = (arn: string) =>
  cli!.run('aws', ['--endpoint-url', endpoint, 'ecs', 'execute-command', '--cluster', CLUSTER, '--task', arn, '--container', 'app', '--interactive', '--command', 'env'])

async function api(operation: string, body: object): Promise<any> {
  const r = await fetch(endpoint, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': `AmazonEC2ContainerServiceV20141113.${operation}` },
    body: JSON.stringify(body),
  })
  const json = await r.json()
  expect(r.status, `${operation}: ${JSON.stringify(json)}`).toBe(200)
  return json
}

async function runTask(extra: string[]): Promise<string> {
  const r = await ecs(['run-task', '--cluster', CLUSTER, '--task-definition', 'shell', ...extra])
  expect(r.json.failures).toEqual([])
  const arn = r.json.tasks[0].taskArn as string
  await ecs(['wait', 'tasks-running', '--cluster', CLUSTER, '--tasks', arn])
  return arn
}

const agentRunning = (arn: string) =>
  until(`ExecuteCommandAgent RUNNING on ${arn}`, async () => {
    const t = (await api('DescribeTasks', { cluster: CLUSTER, tasks: [arn] })).tasks[0]
    return t.containers[0].managedAgents?.[0]?.lastStatus === 'RUNNING' ? t : undefined
  })

beforeAll(async () => {
  if (!hasAws) return
  if (!BUILT) throw new Error('dist/ is missing: run `npm run build` first (`npm test` does)')
  cli = cliHome('kecs-e2e-exec-', {
    env: (home) => ({ HOME: home, KECS_EMULATOR_SPEED: '5', PATH: `${join(home, 'bin')}:${process.env.PATH}`, PLUGIN_LOG: join(home, 'plugin-args.json') }),
  })
  // The aws CLI checks for the plugin (no arguments) before it calls ExecuteCommand, then runs it with the session.
  mkdirSync(join(cli.home, 'bin'))
  const plugin = join(cli.home, 'bin', 'session-manager-plugin')
  writeFileSync(
    plugin,
    `#!/bin/sh\nif [ $# -eq 0 ]; then echo "The Session Manager plugin was installed successfully. Use the AWS CLI to start a session."; exit 0; fi\n` +
      `printf '%s\\n' "$@" > "$PLUGIN_LOG"\n`,
  )
  chmodSync(plugin, 0o755)
  endpoint = (await cli.startDetached('default', { args: ['--cluster', 'emulated'] })).endpoint
  await api('CreateCluster', { clusterName: CLUSTER })
  await api('RegisterTaskDefinition', {
    family: 'shell',
    containerDefinitions: [{ name: 'app', image: 'busybox:1.36', memory: 64, command: ['sleep', '3600'], environment: [{ name: 'GREETING', value: 'hello from ecs' }] }],
  })
}, TIMEOUT)

afterAll(async () => {
  await cli?.cleanup()
})

describe.skipIf(!hasAws)('ECS Exec on `kecs start --cluster emulated`', { timeout: TIMEOUT }, () => {
  it('aws ecs execute-command is refused for a task run without execute command', async () => {
    const arn = await runTask([])
    const r = await executeCommand(arn)
    expect(r.exitCode).not.toBe(0)
    expect(r.stderr).toContain(`An error occurred (InvalidParameterException) when calling the ExecuteCommand operation: ${NOT_ENABLED}`)

    // kecs exec refuses it the same way.
    const k = await cli!.kecs(['exec', arn.split('/').pop()!, '--cluster', CLUSTER, '--', 'env'])
    expect(k.exitCode).toBe(1)
    expect(k.stderr).toContain(`Error: InvalidParameterException: ${NOT_ENABLED}`)
  })

  it('kecs exec prints the output and exits with the command\'s code; ExecuteCommand answers the session fields', async () => {
    const arn = await runTask(['--enable-execute-command'])
    const t = await agentRunning(arn)
    expect(t.enableExecuteCommand).toBe(true)
    const id = arn.split('/').pop()!

    // (execa strips the last newline of what it captured)
    const echo = await cli!.kecs(['exec', id, '--cluster', CLUSTER, '--', 'sh', '-c', 'echo "$GREETING"; cat /etc/hostname'])
    expect(echo.stderr).toBe('')
    expect(echo.stdout).toBe(`hello from ecs\n${id}`)
    expect(echo.exitCode).toBe(0)

    const env = await cli!.kecs(['exec', id, '--cluster', CLUSTER, '--container', 'app', '--', 'env'])
    expect(env.stdout).toContain('GREETING=hello from ecs\n')
    expect(env.stdout).toMatch(/^AWS_REGION=us-east-1$/m)

    const failed = await cli!.kecs(['exec', id, '--cluster', CLUSTER, '--', 'sh', '-c', 'echo bye; exit 7'])
    expect(failed.stdout).toBe('bye')
    expect(failed.exitCode).toBe(7)

    const missing = await cli!.kecs(['exec', id, '--cluster', CLUSTER, '--', 'no-such-tool'])
    expect(missing.exitCode).toBe(127)
    expect(missing.stderr).toContain('executable file not found in $PATH')

    // The API answer as ECS gives it (the aws CLI would hand `session` to the Session Manager plugin).
    const answer = await api('ExecuteCommand', { cluster: CLUSTER, task: arn, container: 'app', interactive: true, command: 'env' })
    expect(answer).toMatchObject({
      clusterArn: `arn:aws:ecs:us-east-1:000000000000:cluster/${CLUSTER}`,
      taskArn: arn,
      containerName: 'app',
      containerArn: t.containers[0].containerArn,
      interactive: true,
      session: {
        sessionId: expect.stringMatching(/^ecs-execute-command-[0-9a-f]{17}$/),
        streamUrl: expect.stringMatching(/^wss:\/\/ssmmessages\.us-east-1\.amazonaws\.com\/v1\/data-channel\/ecs-execute-command-[0-9a-f]{17}\?role=publish_subscribe/),
        tokenValue: expect.any(String),
      },
    })

    // The aws CLI accepts the answer and starts the plugin with the session and the SSM target it builds
    // from DescribeTasks (ecs:<cluster>_<task id>_<container runtimeId>).
    const log = join(cli!.home, 'plugin-args.json')
    const aws = await executeCommand(arn)
    expect(aws.exitCode, aws.stderr).toBe(0)
    expect(existsSync(log)).toBe(true)
    const [session, region, action, , target] = readFileSync(log, 'utf8').split('\n')
    expect(JSON.parse(session!)).toMatchObject({ sessionId: expect.stringMatching(/^ecs-execute-command-/), streamUrl: expect.any(String), tokenValue: expect.any(String) })
    expect([region, action]).toEqual(['us-east-1', 'StartSession'])
    expect(JSON.parse(target!)).toEqual({ Target: `ecs:${CLUSTER}_${id}_${t.containers[0].runtimeId}` })
  })

  it('a service with enableExecuteCommand gives its tasks exec; -i passes stdin to a shell', async () => {
    await ecs(['create-service', '--cluster', CLUSTER, '--service-name', 'web', '--task-definition', 'shell', '--desired-count', '1', '--enable-execute-command'])
    const arn = await until('a running service task', async () => {
      const l = await api('ListTasks', { cluster: CLUSTER, serviceName: 'web', desiredStatus: 'RUNNING' })
      return l.taskArns[0] as string | undefined
    })
    await agentRunning(arn)
    const piped = await cli!.run('sh', ['-c', `printf 'echo $GREETING\\nexit 4\\n' | "${process.execPath}" "${BIN}" exec ${arn} -i -- sh`])
    expect(piped.stdout).toBe('hello from ecs')
    expect(piped.exitCode).toBe(4)
  })
})
