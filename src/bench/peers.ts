import { spawn, type ChildProcess } from 'node:child_process'
import { accessSync, constants } from 'node:fs'
import { createServer } from 'node:net'
import { delimiter, join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { createRawClient } from './client.js'

/** Another ECS emulator the same workload can run against, for a side-by-side table. */
export interface Peer {
  name: string
  /** The executable, or undefined when it is not installed. */
  locate(): string | undefined
  start(executable: string): Promise<RunningPeer>
}

export interface RunningPeer {
  endpoint: string
  /** The peer's process, for its memory (suites read /proc/<pid>/status). */
  pid?: number
  stop(): Promise<void>
}

/** First executable named `name` on PATH. */
export function findOnPath(name: string, path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue
    const candidate = join(dir, name)
    try {
      accessSync(candidate, constants.X_OK)
      return candidate
    } catch {
      /* not here */
    }
  }
  return undefined
}

/** A loopback port free right now (the peer binds it a moment later; start() retries on a race). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(0, host, () => {
      const addr = srv.address()
      const port = typeof addr === 'object' && addr ? addr.port : 0
      srv.close(() => resolve(port))
    })
  })
}

/** Resolves when the child has exited (at once if it already has). */
const exited = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    child.once('exit', () => resolve())
  })

/** Peer processes alive now, so an interrupted bench can still end them (killPeersNow). */
const live = new Set<ChildProcess>()

/** Synchronous last resort for SIGINT/SIGTERM/exit: signals every peer process this bench started. */
export function killPeersNow(): void {
  for (const child of live) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
  live.clear()
}

/** Puts a child the bench started (a KECS CLI process) where an interrupted bench ends it too. */
export function trackChild(child: ChildProcess): void {
  live.add(child)
}

/** SIGTERM, then SIGKILL after 5 s; resolves once the child has exited. */
export async function stopChild(child: ChildProcess): Promise<void> {
  live.delete(child)
  if (child.exitCode !== null || child.signalCode !== null) return
  child.kill('SIGTERM')
  const done = await Promise.race([exited(child).then(() => true), sleep(5_000).then(() => false)])
  if (!done) {
    child.kill('SIGKILL')
    await exited(child)
  }
}

/** Python moto's standalone server (`pip install 'moto[server]'`), which serves ECS among all services. */
export const moto: Peer = {
  name: 'moto',
  locate: () => findOnPath('moto_server'),
  async start(executable) {
    let lastError: Error | undefined
    for (let attempt = 0; attempt < 3; attempt++) {
      const port = await freePort()
      const child = spawn(executable, ['-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] })
      live.add(child)
      // moto logs every request to stderr: keep draining it (a full pipe would stall moto), keep a tail for errors.
      let tail = ''
      child.stderr!.on('data', (c: Buffer) => {
        tail = (tail + c.toString('utf8')).slice(-2_000)
      })
      let spawnError: Error | undefined
      child.once('error', (e) => (spawnError = e))

      const endpoint = `http://127.0.0.1:${port}`
      const probe = createRawClient(endpoint, { maxSockets: 1, timeoutMs: 2_000 })
      const deadline = Date.now() + 30_000
      try {
        while (Date.now() < deadline) {
          if (spawnError) throw spawnError
          if (child.exitCode !== null || child.signalCode !== null) break
          try {
            await probe.call('ListClusters', {})
            return { endpoint, pid: child.pid, stop: () => stopChild(child) }
          } catch {
            await sleep(100)
          }
        }
      } finally {
        probe.close()
      }
      await stopChild(child)
      lastError = new Error(`moto_server did not answer on ${endpoint}: ${tail.trim().split('\n').slice(-3).join(' | ') || 'no output'}`)
      if (!/address already in use/i.test(tail)) break
    }
    throw lastError ?? new Error('moto_server did not start')
  },
}

/** Time from spawning moto_server to its first ECS answer (ms); the process is stopped after. */
export async function motoStartMs(executable: string): Promise<number> {
  const port = await freePort()
  const t0 = performance.now()
  const child = spawn(executable, ['-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'ignore', 'ignore'] })
  live.add(child)
  const probe = createRawClient(`http://127.0.0.1:${port}`, { maxSockets: 1, timeoutMs: 2_000 })
  try {
    const deadline = Date.now() + 30_000
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`moto_server exited with code ${child.exitCode}`)
      try {
        await probe.call('ListClusters', {})
        return performance.now() - t0
      } catch {
        await sleep(20)
      }
    }
    throw new Error('moto_server did not answer within 30 s')
  } finally {
    probe.close()
    await stopChild(child)
  }
}

/** Peers to compare with, in column order. */
export const peers: Peer[] = [moto]
