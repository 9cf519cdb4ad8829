/**
 * The process runner every docker and kind call goes through (docs/architecture.md#injected-clock-timers-and-process-runner): production uses execa,
 * unit tests a scripted fake, so the Kind provider is testable without Docker.
 */
export interface RunOptions {
  /** Kills the process after this long; the result then has `timedOut: true`. */
  timeoutMs?: number
  /** Extra environment for this call (merged over the runner's). */
  env?: Record<string, string | undefined>
  /** Sees each output line as it comes (kind's progress while it creates a cluster). */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void
}

export interface RunResult {
  /** The process's exit code; 127 when the command was not found, -1 when it was killed. */
  exitCode: number
  stdout: string
  stderr: string
  /** The executable is not on PATH (spawn ENOENT). */
  notFound: boolean
  timedOut: boolean
}

export type Runner = (cmd: string, args: string[], opts?: RunOptions) => Promise<RunResult>

/** A runner over execa. `env` replaces process.env as the base environment (tests put fakes on PATH). */
export function createRunner(base: { env?: NodeJS.ProcessEnv } = {}): Runner {
  return async (cmd, args, opts = {}) => {
    const env = { ...(base.env ?? process.env), ...opts.env }
    // Loaded on the first call: commands that never run docker or kind do not load execa.
    const { execa } = await import('execa')
    const sub = execa(cmd, args, {
      env,
      extendEnv: false,
      reject: false,
      stdin: 'ignore',
      timeout: opts.timeoutMs,
      // Killed with the parent: a `kecs start` that gives up must not leave `kind create` behind.
      cleanup: true,
    })
    if (opts.onLine) {
      follow(sub.stdout, (l) => opts.onLine!(l, 'stdout'))
      follow(sub.stderr, (l) => opts.onLine!(l, 'stderr'))
    }
    const r = await sub
    const notFound = (r as { code?: string }).code === 'ENOENT'
    return {
      exitCode: notFound ? 127 : (r.exitCode ?? -1),
      stdout: String(r.stdout ?? ''),
      stderr: String(r.stderr ?? ''),
      notFound,
      timedOut: r.timedOut === true,
    }
  }
}

function follow(stream: NodeJS.ReadableStream | null | undefined, onLine: (line: string) => void): void {
  if (!stream) return
  let rest = ''
  stream.on('data', (chunk: Buffer | string) => {
    const lines = (rest + chunk.toString()).split(/\r?\n|\r/)
    rest = lines.pop() ?? ''
    for (const l of lines) if (l.trim() !== '') onLine(l)
  })
  stream.on('end', () => {
    if (rest.trim() !== '') onLine(rest)
    rest = ''
  })
}

/** The runner `kecs` uses unless a test injects another. */
export const defaultRunner: Runner = createRunner()

/** One call a fake runner received. */
export interface RunnerCall {
  cmd: string
  args: string[]
}

export type FakeResponse = Partial<RunResult> | undefined

/**
 * A scripted runner for unit tests: `respond(cmd, args)` answers each call (undefined: the command
 * is not found). Calls are recorded in order in `calls`.
 */
export function fakeRunner(respond: (cmd: string, args: string[]) => FakeResponse | Promise<FakeResponse>): Runner & {
  calls: RunnerCall[]
} {
  const calls: RunnerCall[] = []
  const run = async (cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> => {
    calls.push({ cmd, args: [...args] })
    const r = await respond(cmd, args)
    if (!r) return { exitCode: 127, stdout: '', stderr: '', notFound: true, timedOut: false }
    const out: RunResult = { exitCode: 0, stdout: '', stderr: '', notFound: false, timedOut: false, ...r }
    if (opts.onLine) {
      for (const l of out.stdout.split('\n')) if (l.trim()) opts.onLine(l, 'stdout')
      for (const l of out.stderr.split('\n')) if (l.trim()) opts.onLine(l, 'stderr')
    }
    return out
  }
  return Object.assign(run, { calls })
}

/** `cmd arg arg` for messages. */
export const commandLine = (cmd: string, args: string[]) => [cmd, ...args].join(' ')

/** The last non-empty lines of an output, for error messages. */
export function tail(text: string, lines = 15): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trimEnd())
    .filter((l) => l.trim() !== '')
    .slice(-lines)
}
