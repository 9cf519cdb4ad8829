/** The built KECS CLI (bin/run.js, which runs dist/), as the startup and memory suites run it. */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { get } from 'node:http'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'
import { stopChild, trackChild } from './peers.js'

/** The repository root, from src/bench/ (tsx) or dist/bench/ alike. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url))
export const BIN = join(ROOT, 'bin', 'run.js')

/** Why the built CLI cannot be run (dist/ missing), or undefined when it can. */
export function cliMissing(): string | undefined {
  return existsSync(join(ROOT, 'dist', 'commands', 'start.js')) ? undefined : 'dist/ is not built (`npm run bench` builds it first)'
}

export interface CliRun {
  code: number | null
  ms: number
  output: string
}

/** Runs `kecs <args>` to its end (at most timeoutMs); `ms` is spawn to exit. */
export function kecsCli(args: string[], env: Record<string, string | undefined>, timeoutMs = 120_000): Promise<CliRun> {
  return new Promise((resolve) => {
    const t0 = performance.now()
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] })
    trackChild(child)
    let output = ''
    const keep = (c: Buffer) => (output = (output + c.toString('utf8')).slice(-4_000))
    child.stdout!.on('data', keep)
    child.stderr!.on('data', keep)
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.once('error', (e) => keep(Buffer.from(String(e))))
    child.once('close', (code) => {
      clearTimeout(timer)
      resolve({ code, ms: performance.now() - t0, output })
    })
  })
}

/** HTTP status of a GET (0 when it does not answer). */
export function httpStatus(url: string, timeoutMs = 1_000): Promise<number> {
  return new Promise((resolve) => {
    const req = get(url, (res) => {
      res.resume()
      resolve(res.statusCode ?? 0)
    })
    req.setTimeout(timeoutMs, () => req.destroy())
    req.on('error', () => resolve(0))
  })
}

export interface ForegroundKecs {
  child: ChildProcess
  pid: number
  stop(): Promise<void>
}

/** `kecs start <args>` in the foreground as a child of the bench, once its admin /ready answers 200. */
export async function startForeground(args: string[], adminPort: number, env: Record<string, string | undefined>, timeoutMs = 120_000): Promise<ForegroundKecs> {
  const child = spawn(process.execPath, [BIN, 'start', ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] })
  trackChild(child)
  let tail = ''
  child.stderr!.on('data', (c: Buffer) => (tail = (tail + c.toString('utf8')).slice(-2_000)))
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`kecs start exited with code ${child.exitCode}: ${tail.trim().split('\n').slice(-3).join(' | ')}`)
    if ((await httpStatus(`http://127.0.0.1:${adminPort}/ready`)) === 200) return { child, pid: child.pid!, stop: () => stopChild(child) }
    await sleep(100)
  }
  await stopChild(child)
  throw new Error(`kecs start was not ready within ${timeoutMs / 1000} s`)
}

/** Resident memory of a process (Linux /proc), in MB; undefined elsewhere or once it has gone. */
export function rssMb(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m ? Number(m[1]) / 1024 : undefined
  } catch {
    return undefined
  }
}
