import { spawn } from 'node:child_process'
import { closeSync, mkdirSync, openSync, readFileSync, statSync, writeSync } from 'node:fs'
import { resolveProvider } from '../cluster/providers.js'
import { getJson } from './admin-client.js'
import { checkNotRunning } from './not-running.js'
import { humanMs } from '../lib/duration.js'
import { CliError } from '../lib/errors.js'
import { defaultAdminHost } from '../lib/local-hosts.js'
import { canBind } from './ports.js'
import { adminUrl, instanceDir, isPidAlive, kecsHome, logFile, readInstance, type InstanceRecord } from './registry.js'
import { startArgs, type StartOptions } from './start-options.js'

/** How to run the CLI again in a child: the node flags (e.g. `--import tsx` for bin/dev.js) and the script. */
export interface Launcher {
  execPath: string
  execArgv: string[]
  script: string
}

export const currentLauncher = (): Launcher => ({
  execPath: process.execPath,
  execArgv: process.execArgv,
  script: process.argv[1]!,
})

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** The last `lines` lines of a file from byte `from` on (this run's part of kecs.log). */
export function tail(file: string, lines = 20, from = 0): string[] {
  let text = ''
  try {
    text = readFileSync(file).subarray(from).toString('utf8')
  } catch {
    return []
  }
  return text.replace(/\s+$/, '').split('\n').slice(-lines)
}

/**
 * `kecs start -d`: checks what can fail fast (instance already running, ports, provider), then spawns
 * `kecs start` without -d as a detached process writing to <instance dir>/kecs.log, and waits until
 * it has written instance.json and its admin /ready answers. On exit or timeout of the child, the
 * error carries the tail of kecs.log.
 */
export async function startDetached(o: StartOptions, launcher: Launcher, log: (line: string) => void): Promise<InstanceRecord> {
  const home = o.home ?? kecsHome()
  const dir = instanceDir(o.name, home)
  checkNotRunning(dir, o.name, log)
  await resolveProvider(o.cluster) // a provider that is not available fails here, in one line
  for (const [host, port, flag] of [
    [o.host, o.port, '--port'],
    [o.adminHost ?? defaultAdminHost(o.host), o.adminPort, '--admin-port'],
  ] as const) {
    if (port !== 0 && !(await canBind(host, port))) {
      throw new CliError(`port ${port} on ${host} is already in use`, `Choose another with ${flag} <port>.`)
    }
  }

  mkdirSync(dir, { recursive: true })
  const logPath = logFile(dir)
  const fd = openSync(logPath, 'a')
  const from = statSync(logPath).size
  writeSync(fd, `--- kecs start -d at ${new Date().toISOString()} ---\n`)
  const child = spawn(launcher.execPath, [...launcher.execArgv, launcher.script, ...startArgs(o)], {
    detached: true,
    stdio: ['ignore', fd, fd],
    env: { ...process.env, KECS_HOME: home, KECS_DETACHED: '1' },
  })
  closeSync(fd)
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined
  child.on('exit', (code, signal) => (exited = { code, signal }))
  child.on('error', () => (exited = { code: null, signal: null }))
  child.unref()

  // The child reports its own failure as `Error:`/`Hint:` lines: surface those as ours.
  const failed = (reason: string, hint: string) => {
    const lines = tail(logPath, 20, from)
    const details = lines.length ? [`--- last lines of ${logPath} ---`, ...lines, '---'] : []
    const childError = lines.findLast((l) => l.startsWith('Error: '))?.slice('Error: '.length)
    const childHint = lines.findLast((l) => l.startsWith('Hint: '))?.slice('Hint: '.length)
    return childError
      ? new CliError(`${childError} (${reason})`, childHint ?? hint, 1, details)
      : new CliError(reason, hint, 1, details)
  }
  const deadline = Date.now() + o.timeoutMs
  while (Date.now() < deadline) {
    if (exited) {
      const how = exited.signal ? `was killed by ${exited.signal}` : `exited with code ${exited.code}`
      throw failed(`the KECS instance ${how} while starting`, `See ${logPath}.`)
    }
    let rec: InstanceRecord | undefined
    try {
      rec = readInstance(dir)
    } catch {
      /* being written */
    }
    if (rec && rec.pid === child.pid) {
      const ready = await getJson(adminUrl(rec, '/ready'), 1000)
      if (ready?.status === 200) return rec
    }
    // Polled often: a poll is a file read (and one loopback request once instance.json is there).
    await sleep(25)
  }
  await stopChild(child.pid)
  throw failed(
    `the KECS instance was not ready within ${humanMs(o.timeoutMs)}; stopped it`,
    `See ${logPath}; raise --timeout if the cluster is slow to start.`,
  )
}

/** SIGTERM a child that missed its deadline (it cleans up after itself), SIGKILL if it lingers. */
async function stopChild(pid: number | undefined) {
  if (!pid || !isPidAlive(pid)) return
  process.kill(pid, 'SIGTERM')
  const deadline = Date.now() + 5000
  while (isPidAlive(pid) && Date.now() < deadline) await sleep(50)
  if (isPidAlive(pid)) process.kill(pid, 'SIGKILL')
}
