import { bootInstance } from './boot.js'
import { oneLine } from '../lib/errors.js'
import { logFile } from './registry.js'
import { readyLines, requestLine } from './printers.js'
import type { StartOptions } from './start-options.js'

export interface ForegroundIo {
  out: (line: string) => void
  err: (line: string) => void
  /** Plain lines instead of the live task list (CI=true, or stdout is not a TTY). */
  plain: boolean
  /** Set in the child a detached start spawns: its output goes to kecs.log. */
  detachedChild?: boolean
  /** No instance was ever started in this KECS_HOME: say what to try next. */
  firstStart?: boolean
}

export function isPlainOutput(env: NodeJS.ProcessEnv = process.env, stdout: { isTTY?: boolean } = process.stdout): boolean {
  return !stdout.isTTY || (env.CI !== undefined && env.CI !== '' && env.CI !== 'false' && env.CI !== '0')
}

/**
 * `kecs start` in the foreground: boots the instance, logs one line per request, and on SIGINT/SIGTERM
 * shuts down cleanly (in-flight requests finish, the store closes, instance.json is removed).
 * Resolves once the instance has stopped.
 */
export async function runForeground(o: StartOptions, io: ForegroundIo): Promise<void> {
  const booted = await bootInstance(o, {
    plain: io.plain,
    log: io.out,
    onRequest: (r) => io.out(requestLine(r)),
    onError: (e, requestId) => io.err(`request ${requestId} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`),
  })
  for (const line of readyLines(booted.record, {
    logFile: io.detachedChild ? logFile(booted.dir) : undefined,
    firstStart: io.firstStart && !io.detachedChild,
  })) io.out(line)

  await new Promise<void>((resolve) => {
    let stopping = false
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        io.err(`${signal} again: exiting without waiting`)
        process.exit(130)
      }
      stopping = true
      io.out(`${signal}: stopping KECS "${o.name}" (waiting for in-flight requests)...`)
      booted
        .shutdown()
        .then(
          () => io.out(`KECS "${o.name}" stopped.`),
          (e) => io.err(`shutdown failed: ${oneLine(e)}`),
        )
        .finally(() => {
          process.off('SIGINT', onSignal)
          process.off('SIGTERM', onSignal)
          resolve()
        })
    }
    process.on('SIGINT', onSignal)
    process.on('SIGTERM', onSignal)
  })
}
