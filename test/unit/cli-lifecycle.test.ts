import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { bootInstance, explainStartError, type Booted } from '../../src/cli/boot.js'
import { CliError } from '../../src/lib/errors.js'
import { instanceDir, instanceFile, isPidAlive, readInstance, writeInstance } from '../../src/cli/registry.js'
import type { StartOptions } from '../../src/cli/start-options.js'
import { instanceStatus } from '../../src/cli/status.js'
import { stopInstance } from '../../src/cli/stop.js'
import { PortInUseError } from '../../src/lib/listen.js'
import { StoreLockedError } from '../../src/store/store.js'

const ui = { plain: true, silent: true, log: () => {} }

function occupy(): Promise<{ server: Server; port: number }> {
  return new Promise((resolve) => {
    const server = createServer()
    server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as { port: number }).port }))
  })
}

describe('instance lifecycle (in process)', () => {
  let home: string
  let booted: Booted | undefined
  const opts = (over: Partial<StartOptions> = {}): StartOptions => ({
    name: 'default',
    host: '127.0.0.1',
    port: 0,
    adminPort: 0,
    cluster: 'auto',
    timeoutMs: 10_000,
    home,
    ...over,
  })
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'kecs-life-'))
  })
  afterEach(async () => {
    await booted?.shutdown()
    booted = undefined
    rmSync(home, { recursive: true, force: true })
  })

  it('boots, records itself in instance.json, reports status over admin, and cleans up on shutdown', async () => {
    booted = await bootInstance(opts(), ui)
    const dir = instanceDir('default', home)
    const rec = readInstance(dir)!
    expect(rec).toMatchObject({ name: 'default', pid: process.pid, clusterProvider: 'emulated' })
    expect(rec.kubeconfig).toBe(join(dir, 'kubeconfig'))
    expect(rec.port).toBeGreaterThan(0)
    expect(rec.endpoint).toBe(`http://127.0.0.1:${rec.port}`)

    const ready = await fetch(`http://127.0.0.1:${rec.adminPort}/ready`)
    expect(ready.status).toBe(200)
    expect(await ready.json()).toMatchObject({ status: 'ready', clusterProvider: 'emulated' })

    const st = await instanceStatus('default', home)
    expect(st).toMatchObject({ state: 'running', pid: process.pid, clusterProvider: 'emulated', admin: 'ready' })
    expect(st.resources).toMatchObject({ clusters: 0, taskDefinitions: 0 })

    await booted.shutdown()
    booted = undefined
    expect(existsSync(instanceFile(dir))).toBe(false)
    expect((await instanceStatus('default', home)).state).toBe('stopped')
  })

  it('refuses a second instance with the same name', async () => {
    booted = await bootInstance(opts(), ui)
    const err = await bootInstance(opts(), ui).catch((e) => e)
    expect(err).toBeInstanceOf(CliError)
    expect(err.message).toMatch(/instance "default" is already running \(pid \d+/)
  })

  it('names the port and the flag when a port is taken', async () => {
    const { server, port } = await occupy()
    try {
      let err = await bootInstance(opts({ port }), ui).catch((e) => e)
      expect(err).toBeInstanceOf(CliError)
      expect(err.message).toBe(`port ${port} on 127.0.0.1 is already in use`)
      expect(err.hint).toMatch(/--port/)
      err = await bootInstance(opts({ adminPort: port }), ui).catch((e) => e)
      expect(err.message).toBe(`port ${port} on 127.0.0.1 is already in use`)
      expect(err.hint).toMatch(/--admin-port/)
      // The failed attempts closed their store: a new boot opens it.
      booted = await bootInstance(opts(), ui)
    } finally {
      server.close()
    }
  })

  it('turns a locked store into a one-line "already running" error', () => {
    const e = explainStartError(new StoreLockedError('the store /x/kecs.duckdb is in use by another KECS process (pid 7)'), opts())
    expect(e).toBeInstanceOf(CliError)
    expect((e as CliError).message).toBe(
      'instance "default" is already running: the store /x/kecs.duckdb is in use by another KECS process (pid 7)',
    )
    expect((explainStartError(new PortInUseError('127.0.0.1', 8081), opts({ port: 8080, adminPort: 8081 })) as CliError).hint).toMatch(
      /--admin-port/,
    )
  })
})

describe('kecs stop', () => {
  let home: string
  let child: ChildProcess | undefined
  const lines: string[] = []
  const log = (l: string) => lines.push(l)
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'kecs-stop-'))
    lines.length = 0
  })
  afterEach(() => {
    if (child?.pid && isPidAlive(child.pid)) child.kill('SIGKILL')
    child = undefined
    rmSync(home, { recursive: true, force: true })
  })

  const record = (pid: number) => ({
    name: 'default',
    pid,
    host: '127.0.0.1',
    port: 1,
    adminPort: 2,
    endpoint: 'http://127.0.0.1:1',
    clusterProvider: 'none',
    startedAt: new Date().toISOString(),
    kubeconfig: null,
    region: 'us-east-1',
  })
  const spawnNode = async (code: string) => {
    child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'ignore'] })
    await new Promise((r) => child!.stdout!.once('data', r)) // signal handlers are installed
    return child.pid!
  }

  it('says clearly when nothing runs', async () => {
    expect(await stopInstance('default', { home, log })).toBe('not-running')
    expect(lines.join('\n')).toMatch(/not running: nothing to stop/)
  })

  it('cleans up a stale instance.json whose pid is gone, and says so', async () => {
    const done = spawn(process.execPath, ['-e', ''])
    await new Promise((r) => done.on('exit', r))
    const dir = instanceDir('default', home)
    writeInstance(dir, record(done.pid!))
    expect(await stopInstance('default', { home, log })).toBe('stale')
    expect(existsSync(instanceFile(dir))).toBe(false)
    expect(lines.join('\n')).toMatch(new RegExp(`pid ${done.pid} is gone.*removed its stale instance.json`))
  })

  it('sends SIGTERM and waits for the process to exit', async () => {
    const pid = await spawnNode(`process.on('SIGTERM', () => process.exit(0)); console.log('up'); setInterval(() => {}, 1000)`)
    writeInstance(instanceDir('default', home), record(pid))
    expect(await stopInstance('default', { home, log })).toBe('stopped')
    expect(isPidAlive(pid)).toBe(false)
    expect(existsSync(instanceFile(instanceDir('default', home)))).toBe(false)
    expect(lines.join('\n')).toMatch(`Stopped KECS "default" (pid ${pid})`)
  })

  it('SIGKILLs a process that ignores SIGTERM after the grace period', async () => {
    const pid = await spawnNode(`process.on('SIGTERM', () => {}); console.log('up'); setInterval(() => {}, 1000)`)
    writeInstance(instanceDir('default', home), record(pid))
    expect(await stopInstance('default', { home, log, graceMs: 300 })).toBe('killed')
    expect(isPidAlive(pid)).toBe(false)
    expect(lines.join('\n')).toMatch(/did not stop within .*killing it/)
  })

  it('--delete-cluster says there is nothing to delete for an instance without a cluster', async () => {
    const done = spawn(process.execPath, ['-e', ''])
    await new Promise((r) => done.on('exit', r))
    writeInstance(instanceDir('default', home), record(done.pid!))
    await stopInstance('default', { home, log, deleteCluster: true })
    expect(lines.join('\n')).toMatch(/ran without a cluster; nothing to delete/)
  })
})
