import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { execa } from 'execa'

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

export async function until(what: string, check: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    if (await check()) return
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`timed out waiting for ${what}`)
}

export async function hasCommand(cmd: string, args: string[]): Promise<boolean> {
  const r = await execa(cmd, args, { reject: false }).catch(() => ({ exitCode: 1 }))
  return r.exitCode === 0
}

export interface CliHome {
  home: string
  /** Environment for the CLI and clients: no user AWS config, dummy credentials, this KECS_HOME. */
  env(extra?: Record<string, string>): Record<string, string>
  kecs(args: string[], extra?: Record<string, string>): ReturnType<typeof execa>
  /** `kecs start -d` on free ports; fails the test when it does not exit 0. */
  startDetached(name: string, opts?: { args?: string[]; env?: Record<string, string> }): Promise<Started>
  instanceDir(name: string): string
  /** Stops every instance started here (SIGKILL if `stop` did not end it) and removes the home. */
  cleanup(): Promise<void>
}

export interface Started {
  name: string
  port: number
  adminPort: number
  endpoint: string
  pid: number
  stdout: string
}

export function cliHome(prefix = 'kecs-e2e-'): CliHome {
  const home = mkdtempSync(join(tmpdir(), prefix))
  const names = new Set<string>()
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
      ...extra,
    }
  }
  const instanceDir = (name: string) => join(home, 'instances', name)
  const kecs = (args: string[], extra?: Record<string, string>) => {
    if (args[0] === 'start') names.add(args.includes('--name') ? args[args.indexOf('--name') + 1]! : 'default')
    return execa(process.execPath, [BIN, ...args], { env: env(extra), extendEnv: false, reject: false, timeout: 60_000 })
  }
  return {
    home,
    env,
    kecs,
    instanceDir,
    async startDetached(name, opts = {}) {
      const port = await freePort()
      const adminPort = await freePort()
      const r = await kecs(['start', '-d', '--name', name, '--port', String(port), '--admin-port', String(adminPort), ...(opts.args ?? [])], opts.env)
      if (r.exitCode !== 0) throw new Error(`kecs start -d exited ${r.exitCode}: ${r.stderr}${r.stdout}`)
      const record = JSON.parse(readFileSync(join(instanceDir(name), 'instance.json'), 'utf8'))
      return { name, port, adminPort, endpoint: `http://127.0.0.1:${port}`, pid: record.pid, stdout: String(r.stdout) }
    },
    async cleanup() {
      for (const name of names) {
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
