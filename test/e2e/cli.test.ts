/**
 * End-to-end: the BUILT CLI (`node bin/run.js`, compiled by `npm run build`, which `npm test` runs
 * first) with a temporary KECS_HOME, driven like a user would, plus real clients (aws CLI, the SDK).
 */
import { CreateClusterCommand, ECSClient, ListClustersCommand } from '@aws-sdk/client-ecs'
import { existsSync, readFileSync, renameSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BIN, BUILT, alive, cliHome, freePort, hasCommand, until, type CliHome, type Started } from '../helpers/cli.js'

const TIMEOUT = 30_000

const hasAws = await hasCommand('aws', ['--version'])
if (!hasAws) console.warn('[e2e] the `aws` CLI is not installed: the AWS CLI tests are SKIPPED')

let cli: CliHome

const kecs = (args: string[]) => cli.kecs(args)
const aws = (args: string[]) => cli.run('aws', args, { timeout: 25_000 })
const sh = (script: string) => cli.run('bash', ['-c', script], { timeout: 25_000 })

const instanceJson = (name: string) => join(cli.instanceDir(name), 'instance.json')
const readRecord = (name: string) => JSON.parse(readFileSync(instanceJson(name), 'utf8'))

const sdk = (endpoint: string) =>
  new ECSClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 })

const startDetached = (name: string) => cli.startDetached(name)

beforeAll(() => {
  if (!BUILT) throw new Error('dist/ is missing: run `npm run build` first (`npm test` does)')
  cli = cliHome('kecs-e2e-')
})

afterAll(async () => cli?.cleanup())

describe('kecs start -d, status, env, stop', { timeout: TIMEOUT }, () => {
  let inst: Started

  beforeAll(async () => {
    inst = await startDetached('default')
  }, TIMEOUT)

  it('prints the endpoint and the env lines, and records the instance', () => {
    expect(inst.stdout).toContain(inst.endpoint)
    expect(inst.stdout).toContain(`export AWS_ENDPOINT_URL_ECS=${inst.endpoint}`)
    expect(inst.stdout).toContain('export AWS_ACCESS_KEY_ID=test')
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
    expect(existsSync(join(cli.instanceDir('default'), 'kecs.log'))).toBe(true)
    expect(existsSync(join(cli.instanceDir('default'), 'kecs.duckdb'))).toBe(true)
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
      ...['SSM', 'SECRETS_MANAGER', 'CLOUDWATCH_LOGS', 'STS', 'IAM', 'SERVICEDISCOVERY'].map((s) => `export AWS_ENDPOINT_URL_${s}=${inst.endpoint}`),
      'export AWS_REGION=us-east-1',
      'export AWS_DEFAULT_REGION=us-east-1',
      // DiscoverInstances' data- host prefix would not resolve for 127.0.0.1
      'export AWS_DISABLE_HOST_PREFIX_INJECTION=true',
      'export AWS_ACCESS_KEY_ID=test',
      'export AWS_SECRET_ACCESS_KEY=test',
    ])
    if (!hasAws) return console.warn('[e2e] aws CLI missing: skipped the eval "$(kecs env)" + aws part')
    const s = await sh(
      `unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_REGION AWS_DEFAULT_REGION; eval "$(${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} env)" && aws ecs list-clusters --output json && aws sts get-caller-identity --query Account --output text`,
    )
    expect(s.exitCode, s.stderr).toBe(0)
    // the ECS answer, then STS's (through AWS_ENDPOINT_URL_STS) on the last line
    const lines = s.stdout.trim().split('\n')
    expect(lines.at(-1)).toBe('000000000000')
    expect(JSON.parse(lines.slice(0, -1).join('\n'))).toHaveProperty('clusterArns')
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
    expect(second.stdout).toContain('Removed a stale instance.json')
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
    const { child, output, exited } = cli.spawnKecs(['start', '--name', 'fg', '--port', String(port), '--admin-port', String(adminPort)])
    try {
      await until('the instance to be ready', () => output().includes('is ready'))
      expect(output()).toMatch(/Open store/)
      expect(output()).toMatch(/ECS API on http:\/\/127\.0\.0\.1:\d+/)
      expect(output()).toMatch(/Admin on http:\/\/127\.0\.0\.1:\d+/)
      expect(readRecord('fg').pid).toBe(child.pid)

      const res = await fetch(`http://127.0.0.1:${port}/`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': 'AmazonEC2ContainerServiceV20141113.ListClusters' },
        body: '{}',
      })
      expect(res.status).toBe(200)
      await until('the request log line', () => /ListClusters 200 \d+ms/.test(output()))

      child.kill('SIGINT')
      expect(await exited).toBe(0)
      expect(output()).toContain('KECS "fg" stopped.')
      expect(existsSync(instanceJson('fg'))).toBe(false)
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL')
    }
  })
})
