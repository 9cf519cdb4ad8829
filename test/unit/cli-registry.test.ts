import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { homedir, tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { CliError } from '../../src/lib/errors.js'
import {
  instanceDir,
  instanceFile,
  instanceState,
  isPidAlive,
  kecsHome,
  readInstance,
  removeInstance,
  validateName,
  writeInstance,
  type InstanceRecord,
} from '../../src/cli/registry.js'

const record = (over: Partial<InstanceRecord> = {}): InstanceRecord => ({
  name: 'default',
  pid: process.pid,
  host: '127.0.0.1',
  port: 8080,
  adminPort: 8081,
  endpoint: 'http://127.0.0.1:8080',
  clusterProvider: 'none',
  startedAt: new Date().toISOString(),
  kubeconfig: null,
  region: 'us-east-1',
  ...over,
})

/** A pid that certainly existed and is gone now. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' })
  await new Promise((r) => child.on('exit', r))
  return child.pid!
}

describe('instance registry', () => {
  let home: string
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'kecs-reg-'))
  })
  afterEach(() => rmSync(home, { recursive: true, force: true }))

  it('defaults KECS_HOME to ~/.kecs and honours the variable', () => {
    expect(kecsHome({})).toBe(join(homedir(), '.kecs'))
    expect(kecsHome({ KECS_HOME: '' })).toBe(join(homedir(), '.kecs'))
    expect(kecsHome({ KECS_HOME: '/x/y' })).toBe('/x/y')
  })

  it('puts an instance under instances/<name>', () => {
    expect(instanceDir('ci', home)).toBe(join(home, 'instances', 'ci'))
  })

  it('rejects names that are not safe directory names', () => {
    for (const bad of ['', '../x', 'a/b', '.hidden', 'a b', 'x'.repeat(64)]) {
      expect(() => validateName(bad), bad).toThrow(CliError)
    }
    for (const good of ['default', 'ci-1', 'team_a.b', 'X9']) expect(validateName(good)).toBe(good)
  })

  it('writes, reads and removes instance.json', () => {
    const dir = instanceDir('default', home)
    expect(readInstance(dir)).toBeUndefined()
    expect(instanceState(dir)).toEqual({ state: 'absent' })
    writeInstance(dir, record())
    expect(readInstance(dir)).toEqual(record({ startedAt: readInstance(dir)!.startedAt }))
    expect(instanceState(dir).state).toBe('running')
    expect(removeInstance(dir)).toBe(true)
    expect(existsSync(instanceFile(dir))).toBe(false)
    expect(removeInstance(dir)).toBe(false)
  })

  it('removes instance.json for a pid only when the file still names that pid', () => {
    const dir = instanceDir('default', home)
    writeInstance(dir, record({ pid: 4242 }))
    expect(removeInstance(dir, 1111)).toBe(false)
    expect(existsSync(instanceFile(dir))).toBe(true)
    expect(removeInstance(dir, 4242)).toBe(true)
    expect(existsSync(instanceFile(dir))).toBe(false)
  })

  it('reports a record whose process is gone as stale', async () => {
    const dir = instanceDir('default', home)
    const pid = await deadPid()
    expect(isPidAlive(pid)).toBe(false)
    writeInstance(dir, record({ pid }))
    const st = instanceState(dir)
    expect(st.state).toBe('stale')
    if (st.state === 'stale') {
      expect(st.record?.pid).toBe(pid)
      expect(st.reason).toContain(String(pid))
    }
  })

  it.skipIf(!existsSync('/proc/self/cmdline'))('treats a live pid that is no longer a Node.js process as stale (pid reuse)', async () => {
    const other = spawn('sleep', ['30'], { stdio: 'ignore' })
    try {
      await new Promise((r) => other.once('spawn', r))
      const dir = instanceDir('default', home)
      writeInstance(dir, record({ pid: other.pid! }))
      const st = instanceState(dir)
      expect(st.state).toBe('stale')
      if (st.state === 'stale') expect(st.reason).toContain('another program')
    } finally {
      other.kill('SIGKILL')
    }
  })

  it('reports an unreadable instance.json as stale', () => {
    const dir = instanceDir('default', home)
    mkdirSync(dir, { recursive: true })
    writeFileSync(instanceFile(dir), '{not json')
    expect(instanceState(dir).state).toBe('stale')
  })

  it('knows this process is alive and rejects nonsense pids', () => {
    expect(isPidAlive(process.pid)).toBe(true)
    expect(isPidAlive(0)).toBe(false)
    expect(isPidAlive(-5)).toBe(false)
    expect(isPidAlive(1.5)).toBe(false)
  })
})
