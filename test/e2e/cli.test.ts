/**
 * End-to-end: the BUILT CLI (`node bin/run.js`, compiled by `npm run build`, which `npm test` runs
 * first) with a temporary KECS_HOME, driven like a user would, plus real clients (aws CLI, the SDK).
 */
import { CreateClusterCommand, ECSClient, ListClustersCommand } from '@aws-sdk/client-ecs'
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { execa } from 'execa'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const BIN = join(ROOT, 'bin', 'run.js')
const BUILT = existsSync(join(ROOT, 'dist', 'commands', 'start.js'))
const TIMEOUT = 30_000

const hasAws = (await execa('aws', ['--version'], { reject: false }).catch(() => ({ exitCode: 1 }))).exitCode === 0
if (!hasAws) console.warn('[e2e] the `aws` CLI is not installed: the AWS CLI tests are SKIPPED')

let home: string
const started = new Set<string>()

/** A free port: bind port 0, read it, release it. */
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

/** Only what the CLI and the clients need: no user AWS config, dummy credentials, a temporary KECS_HOME. */
function env(): Record<string, string> {
  const keep = Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_') && !k.startsWith('KECS_'))
  return {
    ...(Object.fromEntries(keep) as Record<string, string>),
    KECS_HOME: home,
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

const kecs = (args: string[]) => {
  if (args[0] === 'start') started.add(args.includes('--name') ? args[args.indexOf('--name') + 1]! : 'default')
  return execa(process.execPath, [BIN, ...args], { env: env(), extendEnv: false, reject: false, timeout: 25_000 })
}
const aws = (args: string[]) => execa('aws', args, { env: env(), extendEnv: false, reject: false, timeout: 25_000 })
const sh = (script: string) => execa('bash', ['-c', script], { env: env(), extendEnv: false, reject: false, timeout: 25_000 })

const instanceJson = (name: string) => join(home, 'instances', name, 'instance.json')
const readRecord = (name: string) => JSON.parse(readFileSync(instanceJson(name), 'utf8'))

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 10_000) {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    if (await check()) return
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`timed out waiting for ${what}`)
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch {
    return false
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z'
  } catch {
    return true
  }
}

const sdk = (endpoint: string) =>
  new ECSClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 })

async function startDetached(name: string) {
  const port = await freePort()
  const adminPort = await freePort()
  const r = await kecs(['start', '-d', '--name', name, '--port', String(port), '--admin-port', String(adminPort)])
  expect(r.exitCode, r.stderr + r.stdout).toBe(0)
  return { port, adminPort, endpoint: `http://127.0.0.1:${port}`, out: r.stdout, pid: readRecord(name).pid as number }
}

beforeAll(() => {
  if (!BUILT) throw new Error('dist/ is missing: run `npm run build` first (`npm test` does)')
  home = mkdtempSync(join(tmpdir(), 'kecs-e2e-'))
})

afterAll(async () => {
  for (const name of started) {
    if (!existsSync(instanceJson(name))) continue
    await kecs(['stop', '--name', name])
    try {
      const { pid } = readRecord(name)
      if (alive(pid)) process.kill(pid, 'SIGKILL')
    } catch {
      /* stopped and removed */
    }
  }
  rmSync(home, { recursive: true, force: true })
})

describe('kecs start -d, status, env, stop', { timeout: TIMEOUT }, () => {
  let inst: Awaited<ReturnType<typeof startDetached>>

  beforeAll(async () => {
    inst = await startDetached('default')
  }, TIMEOUT)

  it('prints the endpoint and the env lines, and records the instance', () => {
    expect(inst.out).toContain(inst.endpoint)
    expect(inst.out).toContain(`export AWS_ENDPOINT_URL_ECS=${inst.endpoint}`)
    expect(inst.out).toContain('export AWS_ACCESS_KEY_ID=test')
    const rec = readRecord('default')
    expect(rec).toMatchObject({
      name: 'default',
      host: '127.0.0.1',
      port: inst.port,
      adminPort: inst.adminPort,
      endpoint: inst.endpoint,
      clusterProvider: 'emulated',
    })
    expect(rec.kubeconfig).toMatch(/kubeconfig$/)
    expect(alive(rec.pid)).toBe(true)
    expect(Date.parse(rec.startedAt)).not.toBeNaN()
    expect(existsSync(join(home, 'instances', 'default', 'kecs.log'))).toBe(true)
    expect(existsSync(join(home, 'instances', 'default', 'kecs.duckdb'))).toBe(true)
  })

  it('answers the aws CLI with --endpoint-url', { skip: !hasAws }, async () => {
    const r = await aws(['--endpoint-url', inst.endpoint, 'ecs', 'list-clusters', '--output', 'json'])
    expect(r.exitCode, r.stderr).toBe(0)
    expect(Array.isArray(JSON.parse(r.stdout).clusterArns)).toBe(true)
  })

  it('gives the aws CLI a ClientException for an unknown task definition (non-zero exit)', { skip: !hasAws }, async () => {
    const r = await aws(['--endpoint-url', inst.endpoint, 'ecs', 'describe-task-definition', '--task-definition', 'no-such-family'])
    expect(r.exitCode).not.toBe(0)
    expect(r.stderr).toContain('ClientException')
  })

  it('kecs env prints export lines; eval "$(kecs env)" points the aws CLI at the instance', async () => {
    const r = await kecs(['env'])
    expect(r.exitCode, r.stderr).toBe(0)
    expect(r.stdout.split('\n')).toEqual([
      `export AWS_ENDPOINT_URL_ECS=${inst.endpoint}`,
      'export AWS_REGION=us-east-1',
      'export AWS_DEFAULT_REGION=us-east-1',
      'export AWS_ACCESS_KEY_ID=test',
      'export AWS_SECRET_ACCESS_KEY=test',
    ])
    if (!hasAws) return console.warn('[e2e] aws CLI missing: skipped the eval "$(kecs env)" + aws part')
    const s = await sh(
      `unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_REGION AWS_DEFAULT_REGION; eval "$(${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} env)" && aws ecs list-clusters --output json`,
    )
    expect(s.exitCode, s.stderr).toBe(0)
    expect(JSON.parse(s.stdout)).toHaveProperty('clusterArns')
  })

  it('kecs status --json reports pid, endpoint, provider, uptime and resource counts', async () => {
    const ecs = sdk(inst.endpoint)
    await ecs.send(new CreateClusterCommand({ clusterName: 'e2e-status' }))
    ecs.destroy()
    const r = await kecs(['status', '--json'])
    expect(r.exitCode, r.stderr).toBe(0)
    const s = JSON.parse(r.stdout)
    expect(s).toMatchObject({
      name: 'default',
      state: 'running',
      pid: inst.pid,
      endpoint: inst.endpoint,
      adminPort: inst.adminPort,
      clusterProvider: 'emulated',
      admin: 'ready',
    })
    expect(s.uptimeSeconds).toBeGreaterThanOrEqual(0)
    expect(s.resources.clusters).toBeGreaterThanOrEqual(1)
    const text = await kecs(['status'])
    expect(text.exitCode).toBe(0)
    expect(text.stdout).toContain(`pid        ${inst.pid}`)
    expect(text.stdout).toMatch(/resources .*clusters=\d+/)
  })

  it('fails in one line naming the port and the flag when a port is in use', async () => {
    let r = await kecs(['start', '-d', '--name', 'other', '--port', String(inst.port), '--admin-port', String(await freePort())])
    expect(r.exitCode).not.toBe(0)
    expect(r.stderr).toContain(`Error: port ${inst.port} on 127.0.0.1 is already in use`)
    expect(r.stderr).toContain('--port')
    r = await kecs(['start', '-d', '--name', 'other', '--port', String(await freePort()), '--admin-port', String(inst.adminPort)])
    expect(r.exitCode).not.toBe(0)
    expect(r.stderr).toContain(`Error: port ${inst.adminPort} on 127.0.0.1 is already in use`)
    expect(r.stderr).toContain('--admin-port')
    // Foreground too (the check happens when the server binds).
    r = await kecs(['start', '--name', 'other', '--port', String(inst.port), '--admin-port', String(await freePort())])
    expect(r.exitCode).not.toBe(0)
    expect(r.stderr).toContain(`Error: port ${inst.port} on 127.0.0.1 is already in use`)
  })

  it('refuses a second instance with the same name', async () => {
    const r = await kecs(['start', '-d', '--port', String(await freePort()), '--admin-port', String(await freePort())])
    expect(r.exitCode).not.toBe(0)
    expect(r.stderr).toMatch(/Error: instance "default" is already running \(pid \d+/)
  })

  it('refuses a second instance even without instance.json: the store is locked', async () => {
    const file = instanceJson('default')
    renameSync(file, `${file}.aside`)
    try {
      const r = await kecs(['start', '-d', '--port', String(await freePort()), '--admin-port', String(await freePort())])
      expect(r.exitCode).not.toBe(0)
      expect(r.stderr).toMatch(/Error: instance "default" is already running: .*in use by another KECS process/)
      expect(r.stderr).toContain('--- last lines of') // the child's kecs.log
    } finally {
      renameSync(`${file}.aside`, file)
    }
  })

  it('-d gives up after --timeout, stops the child and shows the tail of kecs.log', async () => {
    const r = await kecs(['start', '-d', '--name', 'slow', '--timeout', '1ms', '--port', '0', '--admin-port', '0'])
    expect(r.exitCode).not.toBe(0)
    expect(r.stderr).toMatch(/^Error: .*(not ready within 1ms|did not start within 1ms)/m)
    expect(existsSync(instanceJson('slow'))).toBe(false)
  })

  it('refuses an unknown cluster provider with the list of choices', async () => {
    const r = await kecs(['start', '-d', '--name', 'prov', '--cluster', 'minikube'])
    expect(r.exitCode).not.toBe(0)
    expect(r.stderr).toMatch(/minikube/)
  })

  it('kecs stop ends it; then status, env and stop say it is not running', async () => {
    const r = await kecs(['stop'])
    expect(r.exitCode, r.stderr).toBe(0)
    expect(r.stdout).toContain(`Stopped KECS "default" (pid ${inst.pid})`)
    expect(alive(inst.pid)).toBe(false)
    expect(existsSync(instanceJson('default'))).toBe(false)

    const st = await kecs(['status'])
    expect(st.exitCode).not.toBe(0)
    expect(st.stderr).toContain('KECS "default" is not running')
    const json = await kecs(['status', '--json'])
    expect(json.exitCode).not.toBe(0)
    expect(JSON.parse(json.stdout).state).toBe('stopped')
    const e = await kecs(['env'])
    expect(e.exitCode).not.toBe(0)
    expect(e.stderr).toContain('Error: KECS "default" is not running')
    const again = await kecs(['stop'])
    expect(again.exitCode).toBe(0)
    expect(again.stdout).toContain('nothing to stop')
  })
})

describe('kill -9', { timeout: TIMEOUT }, () => {
  it('kecs stop cleans up the stale instance.json and says so', async () => {
    const inst = await startDetached('stale')
    process.kill(inst.pid, 'SIGKILL')
    await until('the instance to die', () => !alive(inst.pid))
    const st = await kecs(['status', '--name', 'stale'])
    expect(st.exitCode).not.toBe(0)
    expect(st.stderr).toContain(`pid ${inst.pid} is gone`)
    const r = await kecs(['stop', '--name', 'stale'])
    expect(r.exitCode, r.stderr).toBe(0)
    expect(r.stdout).toContain('removed its stale instance.json')
    expect(existsSync(instanceJson('stale'))).toBe(false)
  })

  it('loses no acknowledged write: a cluster created before kill -9 is there after a restart', async () => {
    const first = await startDetached('durable')
    let ecs = sdk(first.endpoint)
    const created = await ecs.send(new CreateClusterCommand({ clusterName: 'survivor' }))
    ecs.destroy()
    expect(created.cluster?.clusterArn).toMatch(/cluster\/survivor$/)
    process.kill(first.pid, 'SIGKILL')
    await until('the instance to die', () => !alive(first.pid))

    const second = await startDetached('durable')
    expect(second.out).toContain('Removed a stale instance.json')
    ecs = sdk(second.endpoint)
    const listed = await ecs.send(new ListClustersCommand({}))
    ecs.destroy()
    expect(listed.clusterArns).toContain(created.cluster!.clusterArn)
    expect((await kecs(['stop', '--name', 'durable'])).exitCode).toBe(0)
  })
})

describe('kecs start in the foreground', { timeout: TIMEOUT }, () => {
  it('logs one line per request and shuts down cleanly on SIGINT', async () => {
    const port = await freePort()
    const adminPort = await freePort()
    started.add('fg')
    const child = spawn(process.execPath, [BIN, 'start', '--name', 'fg', '--port', String(port), '--admin-port', String(adminPort)], {
      env: env(),
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (out += d))
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)))
    try {
      await until('the instance to be ready', () => out.includes('is ready'))
      expect(out).toMatch(/Open store/)
      expect(out).toMatch(/ECS API on http:\/\/127\.0\.0\.1:\d+/)
      expect(out).toMatch(/Admin on http:\/\/127\.0\.0\.1:\d+/)
      expect(readRecord('fg').pid).toBe(child.pid)

      const res = await fetch(`http://127.0.0.1:${port}/`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': 'AmazonEC2ContainerServiceV20141113.ListClusters' },
        body: '{}',
      })
      expect(res.status).toBe(200)
      await until('the request log line', () => /ListClusters 200 \d+ms/.test(out))

      child.kill('SIGINT')
      expect(await exited).toBe(0)
      expect(out).toContain('KECS "fg" stopped.')
      expect(existsSync(instanceJson('fg'))).toBe(false)
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL')
    }
  })
})
