import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { CliError } from '../lib/errors.js'
import { httpUrl } from './admin-client.js'

/**
 * The instance registry: `$KECS_HOME/instances/<name>/instance.json` says which process serves an
 * instance and where. Written by the running instance once it is ready, removed when it shuts down;
 * a file whose pid is gone is stale (the process was killed) and is cleaned up by `stop`/`start`.
 */
export interface InstanceRecord {
  name: string
  pid: number
  host: string
  port: number
  /** Where the admin port listens (absent in older records: `host`). */
  adminHost?: string
  adminPort: number
  endpoint: string
  /** The cluster provider in use (`none` when the instance runs without a cluster). */
  clusterProvider: string
  /** ISO 8601. */
  startedAt: string
  /** Kubeconfig of the instance's cluster, when it has one. */
  kubeconfig: string | null
  /** Region requests default to when they carry no SigV4 scope (what `kecs env` exports). */
  region: string
  /** `--aws-endpoint`: where calls for AWS services KECS does not serve are forwarded (absent in older records). */
  awsEndpoint?: string | null
  /** `--auth`: `sigv4` when every AWS call must be signed (absent in older records: none). */
  auth?: 'none' | 'sigv4'
  /** With `--auth sigv4`: the key KECS's own CLI and web UI send instead of signing (src/server/auth.ts). */
  clientKey?: string
}

export type InstanceState =
  | { state: 'running'; record: InstanceRecord }
  /** instance.json exists but its process is gone (or the file is unreadable). */
  | { state: 'stale'; record?: InstanceRecord; reason: string }
  | { state: 'absent' }

/** The admin endpoint of a recorded instance: `http://<admin host>:<admin port><path>`, reachable from here. */
export const adminUrl = (r: Pick<InstanceRecord, 'host' | 'adminHost' | 'adminPort'>, path = '') => httpUrl(r.adminHost ?? r.host, r.adminPort, path)

export const DEFAULT_NAME = 'default'

/** ` --name <name>` for hints, empty for the default instance. */
export const nameSuffix = (name: string) => (name === DEFAULT_NAME ? '' : ` --name ${name}`)

export function kecsHome(env: NodeJS.ProcessEnv = process.env): string {
  return env.KECS_HOME && env.KECS_HOME.trim() !== '' ? env.KECS_HOME : join(homedir(), '.kecs')
}

/** Instance names become directory names: keep them to a safe, portable alphabet. */
export function validateName(name: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/.test(name)) {
    throw new CliError(`invalid instance name "${name}"`, 'Use letters, digits, ".", "_" and "-" (at most 63 characters).')
  }
  return name
}

export function instanceDir(name: string, home = kecsHome()): string {
  return join(home, 'instances', validateName(name))
}

/** True before any instance was started in this KECS_HOME (it has no instances folder yet). */
export function isFirstStart(home = kecsHome()): boolean {
  return !existsSync(join(home, 'instances'))
}

export const instanceFile = (dir: string) => join(dir, 'instance.json')
export const logFile = (dir: string) => join(dir, 'kecs.log')

/** True when a process with this pid exists and is not a zombie (an exited child nobody reaped). */
export function isPidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false
  try {
    process.kill(pid, 0)
  } catch (e) {
    // EPERM: it exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
  try {
    // Linux: "pid (comm) S ..." — state Z means it has exited and waits to be reaped.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3)
    return state !== 'Z' && state !== 'X'
  } catch {
    return true // no /proc (macOS): kill(0) is all we know
  }
}

/**
 * Guards against pid reuse (e.g. instance.json left over from before a reboot): on Linux, a live pid
 * whose command line is not a Node.js process is not a KECS instance. Elsewhere we cannot tell.
 */
export function looksLikeKecs(pid: number): boolean {
  let cmdline: string
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ')
  } catch {
    return true
  }
  return cmdline === '' || /node|kecs|bun/i.test(cmdline)
}

export function readInstance(dir: string): InstanceRecord | undefined {
  let text: string
  try {
    text = readFileSync(instanceFile(dir), 'utf8')
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw e
  }
  const rec = JSON.parse(text) as InstanceRecord
  if (typeof rec !== 'object' || rec === null || typeof rec.pid !== 'number') throw new Error('instance.json has no pid')
  return rec
}

/**
 * Written atomically (temp file + rename) so a reader never sees half a file, readable by its owner
 * only (it may hold the client key of an instance started with --auth sigv4).
 */
export function writeInstance(dir: string, record: InstanceRecord): void {
  mkdirSync(dir, { recursive: true })
  const tmp = `${instanceFile(dir)}.${process.pid}.tmp`
  writeFileSync(tmp, JSON.stringify(record, null, 2) + '\n', { mode: 0o600 })
  renameSync(tmp, instanceFile(dir))
}

/**
 * Removes instance.json. With `pid`, only when the file still names that process, so an instance
 * shutting down never removes the file of a newer one.
 */
export function removeInstance(dir: string, pid?: number): boolean {
  const file = instanceFile(dir)
  if (!existsSync(file)) return false
  if (pid !== undefined) {
    try {
      if (readInstance(dir)?.pid !== pid) return false
    } catch {
      return false
    }
  }
  rmSync(file, { force: true })
  return true
}

export function instanceState(dir: string): InstanceState {
  let record: InstanceRecord | undefined
  try {
    record = readInstance(dir)
  } catch (e) {
    return { state: 'stale', reason: `instance.json is unreadable (${(e as Error).message})` }
  }
  if (!record) return { state: 'absent' }
  if (!isPidAlive(record.pid)) return { state: 'stale', record, reason: `pid ${record.pid} is gone` }
  if (!looksLikeKecs(record.pid)) return { state: 'stale', record, reason: `pid ${record.pid} is now another program` }
  return { state: 'running', record }
}
