import type { ContainerDefinition, KeyValuePair, Task, TaskOverride } from '@aws-sdk/client-ecs'
import { CliError } from '../lib/errors.js'

/**
 * The pure parts of `kecs run`: `--env K=V` parsing, the RunTask overrides they become, and which exit
 * code the command ends with once its tasks have stopped.
 */

/**
 * `--env K=V` (the value may hold `=`, and be empty), or `--env K` to pass on this shell's value of K
 * (as `docker run -e K` does), for secrets in CI.
 */
export function parseEnvPairs(pairs: readonly string[], env: NodeJS.ProcessEnv = process.env): KeyValuePair[] {
  const out = new Map<string, string>()
  for (const p of pairs) {
    const eq = p.indexOf('=')
    const name = eq < 0 ? p : p.slice(0, eq)
    if (name.trim() === '' || /\s/.test(name)) {
      throw new CliError(`invalid --env "${p}"`, 'Use --env NAME=VALUE (or --env NAME to pass on its value from this shell).')
    }
    let value: string
    if (eq < 0) {
      const v = env[name]
      if (v === undefined) throw new CliError(`--env ${name}: ${name} is not set in this shell`, `Give a value: --env ${name}=VALUE`)
      value = v
    } else value = p.slice(eq + 1)
    out.set(name, value) // the last one given wins, as in docker
  }
  return [...out].map(([name, value]) => ({ name, value }))
}

/**
 * The container `--env` applies to: `--container`, else the only container of the task definition;
 * with several, the user must say which.
 */
export function envContainer(defs: readonly ContainerDefinition[], container: string | undefined): string {
  const names = defs.map((d) => d.name ?? '')
  if (container) {
    if (!names.includes(container)) throw new CliError(`the task definition has no container "${container}"`, `Its containers: ${names.join(', ')}`)
    return container
  }
  if (names.length === 1) return names[0]!
  throw new CliError(
    `the task definition has ${names.length} containers: say which one --env is for`,
    `Add --container NAME (one of: ${names.join(', ')}).`,
  )
}

export function buildOverrides(
  defs: readonly ContainerDefinition[],
  env: KeyValuePair[],
  container: string | undefined,
): TaskOverride | undefined {
  if (env.length === 0) return undefined
  return { containerOverrides: [{ name: envContainer(defs, container), environment: env }] }
}

/** Essential containers of a definition (`essential` defaults to true). */
export function essentialNames(defs: readonly ContainerDefinition[]): Set<string> {
  return new Set(defs.filter((d) => d.essential !== false).map((d) => d.name ?? ''))
}

export interface TaskOutcome {
  code: number
  /** Why the code is not 0, for the one-line message. */
  reason?: string
}

/** Exit codes outside 0–255 cannot be a process's: they become 1. */
const asExitCode = (n: number) => (Number.isInteger(n) && n >= 0 && n <= 255 ? n : 1)

/**
 * A stopped task's exit code: 1 when it failed to start (CannotPullContainerError...) or an essential
 * container has no exit code; else the first non-zero exit code of its essential containers (in
 * definition order), else 0.
 */
export function taskExitCode(task: Task, essential: ReadonlySet<string>): TaskOutcome {
  const id = task.taskArn?.slice(task.taskArn.lastIndexOf('/') + 1) ?? '?'
  if (task.stopCode === 'TaskFailedToStart') {
    return { code: 1, reason: `task ${id} failed to start: ${task.stoppedReason ?? 'TaskFailedToStart'}` }
  }
  const containers = task.containers ?? []
  const ess = essential.size > 0 ? containers.filter((c) => essential.has(c.name ?? '')) : containers
  const order = [...essential]
  ess.sort((a, b) => order.indexOf(a.name ?? '') - order.indexOf(b.name ?? ''))
  for (const c of ess) {
    if (typeof c.exitCode !== 'number') {
      const why = c.reason ?? task.stoppedReason ?? task.stopCode ?? 'no exit code'
      return { code: 1, reason: `task ${id}: essential container ${c.name} did not exit on its own (${why})` }
    }
  }
  const failed = ess.find((c) => c.exitCode !== 0)
  if (failed) return { code: asExitCode(failed.exitCode!), reason: `task ${id}: essential container ${failed.name} exited with code ${failed.exitCode}` }
  return { code: 0 }
}

/** Several tasks (--count): the first non-zero outcome, in the order RunTask returned them. */
export function runExitCode(outcomes: readonly TaskOutcome[]): TaskOutcome {
  return outcomes.find((o) => o.code !== 0) ?? { code: 0 }
}
