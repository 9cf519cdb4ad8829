import { spawn, type ChildProcessByStdio } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { execa, type Result } from 'execa'
import { expect } from 'vitest'

/**
 * The built CLI (`node bin/run.js`, from `npm run build`) in a temporary KECS_HOME, for end-to-end
 * tests: start instances on free ports, run real clients with only dummy AWS settings, clean up.
 */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url))
export const BIN = join(ROOT, 'bin', 'run.js')
export const BUILT = existsSync(join(ROOT, 'dist', 'commands', 'start.js'))

/** A free port: bind port 0, read it, release it. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number }
      srv.close(() => resolve(port))
    })
  })
}

export function alive(pid: number): boolean {
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

/** Polls `check` until it gives a truthy value, and returns that value. */
export async function until<T>(what: string, check: () => T | Promise<T>, ms = 30_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    const v = await check()
    if (v) return v as NonNullable<T>
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`timed out waiting for ${what}`)
}

export async function hasCommand(cmd: string, args: string[]): Promise<boolean> {
  const r = await execa(cmd, args, { reject: false }).catch(() => ({ exitCode: 1 }))
  return r.exitCode === 0
}

/** What `kecs`/`run` give: text stdout and stderr, never a rejection. */
export type Ran = Result<{ reject: false; timeout: number }>

export interface CliHome {
  home: string
  /** Environment for the CLI and clients: no user AWS config, dummy credentials, this KECS_HOME. */
  env(extra?: Record<string, string>): Record<string, string>
  kecs(args: string[], extra?: Record<string, string>): Promise<Ran>
  /** Any command with `env()`; never rejects (check `exitCode`). */
  run(cmd: string, args: string[], opts?: { env?: Record<string, string>; timeout?: number }): Promise<Ran>
  /** `aws --endpoint-url <endpoint> --output json ecs <args>`; fails the test unless it exits 0 (or `ok: false`). */
  awsEcs(endpoint: string, args: string[], opts?: { ok?: boolean; timeout?: number }): Promise<Ran & { json: any }>
  /** The CLI as a child process whose output (stdout and stderr, interleaved) is read while it runs. */
  spawnKecs(args: string[]): Spawned
  /** `kecs start -d` on free ports (or the given ones, to restart in place); fails the test when it does not exit 0. */
  startDetached(name: string, opts?: { args?: string[]; env?: Record<string, string>; port?: number; adminPort?: number }): Promise<Started>
  instanceDir(name: string): string
  /** Stops every instance in this home (SIGKILL if `stop` did not end it) and removes the home. */
  cleanup(): Promise<void>
}

export interface Spawned {
  child: ChildProcessByStdio<null, Readable, Readable>
  /** Everything it printed so far. */
  output(): string
  /** Its exit code (null when ended by a signal). */
  exited: Promise<number | null>
}

export interface Started {
  name: string
  port: number
  adminPort: number
  endpoint: string
  pid: number
  stdout: string
}

/** `opts.env`: this test file's own variables, in every `env()` (a per-call `extra` still wins). */
export function cliHome(prefix = 'kecs-e2e-', opts: { env?: (home: string) => Record<string, string> } = {}): CliHome {
  const home = mkdtempSync(join(tmpdir(), prefix))
  const own = opts.env?.(home) ?? {}
  const env = (extra: Record<string, string> = {}) => {
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
      ...own,
      ...extra,
    }
  }
  const instanceDir = (name: string) => join(home, 'instances', name)
  const run = (cmd: string, args: string[], o: { env?: Record<string, string>; timeout?: number } = {}): Promise<Ran> =>
    execa(cmd, args, { env: env(o.env), extendEnv: false, reject: false, timeout: o.timeout ?? 60_000 })
  const kecs = (args: string[], extra?: Record<string, string>) => run(process.execPath, [BIN, ...args], { env: extra })
  return {
    home,
    env,
    kecs,
    run,
    instanceDir,
    spawnKecs(args) {
      const child = spawn(process.execPath, [BIN, ...args], { env: env(), stdio: ['ignore', 'pipe', 'pipe'] })
      let out = ''
      child.stdout.on('data', (d) => (out += d))
      child.stderr.on('data', (d) => (out += d))
      const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)))
      return { child, output: () => out, exited }
    },
    async awsEcs(endpoint, args, o = {}) {
      const r = await run('aws', ['--endpoint-url', endpoint, '--output', 'json', 'ecs', ...args], { timeout: o.timeout ?? 100_000 })
      if (o.ok !== false) expect(r.exitCode, `aws ecs ${args.join(' ')}: ${r.stderr}`).toBe(0)
      return { ...r, json: r.stdout.trim() ? JSON.parse(r.stdout) : undefined }
    },
    async startDetached(name, opts = {}) {
      const port = opts.port ?? (await freePort())
      const adminPort = opts.adminPort ?? (await freePort())
      const r = await kecs(['start', '-d', '--name', name, '--port', String(port), '--admin-port', String(adminPort), ...(opts.args ?? [])], opts.env)
      if (r.exitCode !== 0) throw new Error(`kecs start -d exited ${r.exitCode}: ${r.stderr}${r.stdout}`)
      const record = JSON.parse(readFileSync(join(instanceDir(name), 'instance.json'), 'utf8'))
      return { name, port, adminPort, endpoint: `http://127.0.0.1:${port}`, pid: record.pid, stdout: String(r.stdout) }
    },
    async cleanup() {
      const dir = join(home, 'instances')
      for (const name of existsSync(dir) ? readdirSync(dir) : []) {
        const file = join(instanceDir(name), 'instance.json')
        if (!existsSync(file)) continue
        let pid: number | undefined
        try {
          pid = JSON.parse(readFileSync(file, 'utf8')).pid
        } catch {
          /* half-written: stop cleans it up */
        }
        await kecs(['stop', '--name', name])
        if (pid && alive(pid)) process.kill(pid, 'SIGKILL')
      }
      rmSync(home, { recursive: true, force: true })
    },
  }
}
