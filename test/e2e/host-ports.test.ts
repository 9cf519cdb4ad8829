/**
 * End-to-end: a task's hostPort answers `curl` on localhost. The BUILT CLI (`kecs start -d --cluster
 * emulated`, temporary KECS_HOME), the real `aws` CLI (run-task, its waiters) and the real `curl`.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BUILT, cliHome, freePort, hasCommand, type CliHome } from '../helpers/cli.js'

const TIMEOUT = 120_000
const NAME = 'hostports'
const CLUSTER = 'e2e-hostports'

const hasAws = await hasCommand('aws', ['--version'])
const hasCurl = await hasCommand('curl', ['--version'])
if (!hasAws || !hasCurl) console.warn('[e2e] `aws` or `curl` is not installed: the host port e2e test is SKIPPED')

let cli: CliHome | undefined
let endpoint = ''

const run = (cmd: string, args: string[]) => cli!.run(cmd, args, { timeout: 100_000 })
const ecs = async (args: string[]) => (await cli!.awsEcs(endpoint, args)).json

/** `curl -s` until it answers (exit 0) or, with `refused`, until the connection is refused (exit 7). */
async function curlUntil(port: number, want: 'answer' | 'refused') {
  const deadline = Date.now() + 30_000
  for (;;) {
    const r = await run('curl', ['-s', '--max-time', '10', `http://127.0.0.1:${port}/`])
    if (want === 'answer' ? r.exitCode === 0 : r.exitCode === 7) return r
    if (Date.now() > deadline) throw new Error(`curl :${port}: still exit ${r.exitCode} (${r.stdout}${r.stderr}), wanted ${want}`)
    await new Promise((res) => setTimeout(res, 100))
  }
}

beforeAll(async () => {
  if (!hasAws || !hasCurl) return
  if (!BUILT) throw new Error('dist/ is missing: run `npm run build` first (`npm test` does)')
  cli = cliHome('kecs-e2e-hostports-', { env: () => ({ KECS_EMULATOR_SPEED: '5' }) })
  endpoint = (await cli.startDetached(NAME, { args: ['--cluster', 'emulated'] })).endpoint
}, TIMEOUT)

afterAll(async () => cli?.cleanup())

describe.skipIf(!hasAws || !hasCurl)('host ports with curl on `kecs start --cluster emulated`', { timeout: TIMEOUT }, () => {
  it('run-task with a hostPort → curl localhost:<hostPort> reaches the task; stop-task → refused', async () => {
    const hostPort = await freePort()
    await ecs(['create-cluster', '--cluster-name', CLUSTER])
    const containers = [{ name: 'web', image: 'nginx:1.27', memory: 64, portMappings: [{ containerPort: 80, hostPort }] }]
    await ecs(['register-task-definition', '--family', 'web', '--container-definitions', JSON.stringify(containers)])
    const arn: string = (await ecs(['run-task', '--cluster', CLUSTER, '--task-definition', 'web'])).tasks[0].taskArn
    await ecs(['wait', 'tasks-running', '--cluster', CLUSTER, '--tasks', arn])
    const id = arn.split('/').pop()!

    const r = await curlUntil(hostPort, 'answer')
    expect(r.stdout).toBe(`kecs emulated container web (pod ${id}) port 80: GET /`)
    const head = await run('curl', ['-s', '-i', `http://localhost:${hostPort}/status`])
    expect(head.stdout).toMatch(/^HTTP\/1\.1 200 OK\r\n/)
    expect(head.stdout).toContain(`X-Kecs-Pod: ${id}`)

    await ecs(['stop-task', '--cluster', CLUSTER, '--task', arn])
    await ecs(['wait', 'tasks-stopped', '--cluster', CLUSTER, '--tasks', arn])
    await curlUntil(hostPort, 'refused')
    const log = readFileSync(join(cli!.instanceDir(NAME), 'kecs.log'), 'utf8')
    expect(log).toContain(`host port 127.0.0.1:${hostPort} forwards to task group family:web (cluster ${CLUSTER})`)
  })
})
