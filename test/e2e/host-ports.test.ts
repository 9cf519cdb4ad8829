/**
 * End-to-end: a task's hostPort answers `curl` on localhost. The BUILT CLI (`kecs start -d --cluster
 * emulated`, temporary KECS_HOME), the real `aws` CLI (run-task, its waiters) and the real `curl`.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { execa } from 'execa'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const BIN = join(ROOT, 'bin', 'run.js')
const BUILT = existsSync(join(ROOT, 'dist', 'commands', 'start.js'))
const TIMEOUT = 120_000
const NAME = 'hostports'
const CLUSTER = 'e2e-hostports'

const works = async (cmd: string, args: string[]) => (await execa(cmd, args, { reject: false }).catch(() => ({ exitCode: 1 }))).exitCode === 0
const hasAws = await works('aws', ['--version'])
const hasCurl = await works('curl', ['--version'])
if (!hasAws || !hasCurl) console.warn('[e2e] `aws` or `curl` is not installed: the host port e2e test is SKIPPED')

let home = ''
let endpoint = ''

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number }
      srv.close(() => resolve(port))
    })
  })
}

function env(): Record<string, string> {
  const keep = Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_') && !k.startsWith('KECS_'))
  return {
    ...(Object.fromEntries(keep) as Record<string, string>),
    KECS_HOME: home,
    KECS_EMULATOR_SPEED: '5',
    CI: 'true',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_REGION: 'us-east-1',
    AWS_CONFIG_FILE: join(home, 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'no-aws-credentials'),
    AWS_PAGER: '',
  }
}

const run = (cmd: string, args: string[]) => execa(cmd, args, { env: env(), extendEnv: false, reject: false, timeout: 100_000 })
const kecs = (args: string[]) => run(process.execPath, [BIN, ...args])

async function ecs(args: string[]) {
  const r = await run('aws', ['--endpoint-url', endpoint, '--output', 'json', 'ecs', ...args])
  expect(r.exitCode, `aws ecs ${args.join(' ')}: ${r.stderr}`).toBe(0)
  return r.stdout.trim() ? JSON.parse(r.stdout) : undefined
}

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
  home = mkdtempSync(join(tmpdir(), 'kecs-e2e-hostports-'))
  const port = await freePort()
  const r = await kecs(['start', '-d', '--name', NAME, '--cluster', 'emulated', '--port', String(port), '--admin-port', String(await freePort())])
  expect(r.exitCode, r.stderr + r.stdout).toBe(0)
  endpoint = `http://127.0.0.1:${port}`
}, TIMEOUT)

afterAll(async () => {
  if (!home) return
  const record = join(home, 'instances', NAME, 'instance.json')
  if (existsSync(record)) {
    await kecs(['stop', '--name', NAME])
    try {
      process.kill(JSON.parse(readFileSync(record, 'utf8')).pid, 'SIGKILL')
    } catch {
      /* stopped and removed */
    }
  }
  rmSync(home, { recursive: true, force: true })
})

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
    const log = readFileSync(join(home, 'instances', NAME, 'kecs.log'), 'utf8')
    expect(log).toContain(`host port 127.0.0.1:${hostPort} forwards to task group family:web (cluster ${CLUSTER})`)
  })
})
