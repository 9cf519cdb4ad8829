import {
  DescribeTaskDefinitionCommand,
  RunTaskCommand,
  type LaunchType,
  type NetworkConfiguration,
  type Task,
  type TaskDefinition,
} from '@aws-sdk/client-ecs'
import type { ChalkInstance } from 'chalk'
import type { EcsEvent } from '../events/bus.js'
import { ensureDefaultCluster } from './default-cluster.js'
import { ecsErrorName, withApi, type Api, type ApiTarget } from './api.js'
import { humanMs } from '../lib/duration.js'
import { CliError } from '../lib/errors.js'
import { formatEvent, RepeatFilter } from './event-format.js'
import { StreamError } from './event-stream.js'
import { liveFeed, napper, sleep } from './live-watch.js'
import { describeTasks, stopSummary } from './listings.js'
import { formatLogLine } from './log-format.js'
import { LogFollower } from './log-stream.js'
import { taskStillRunning } from './logs.js'
import { buildOverrides, essentialNames, parseEnvPairs, runExitCode, taskExitCode } from './run-args.js'
import { arnName, displayTaskId } from './table.js'

/** `kecs run` after flag parsing. */
export interface RunOptions extends ApiTarget {
  taskDefinition: string
  cluster: string
  count: number
  env: string[]
  /** The container `--env` applies to. */
  container?: string
  follow: boolean
  launchType?: string
  /** Subnets for an awsvpc task definition (a placeholder when none: KECS does not use them). */
  subnets?: string[]
  timeoutMs?: number
}

export interface RunIo {
  /** Container log lines (--follow). */
  out(line: string): void
  /** Task events and notices. */
  err(line: string): void
  signal: AbortSignal
  chalk?: ChalkInstance
  errChalk?: ChalkInstance
  /** How often DescribeTasks checks on the tasks besides the live feed (default 5 s). */
  pollMs?: number
}

/** What awsvpc task definitions get when no --subnet is given: KECS needs one to accept RunTask, and ignores it. */
export const PLACEHOLDER_SUBNET = 'subnet-kecs-local'

const TASK_EVENT = 'ECS Task State Change'
const LOG_DRAIN_MS = 5_000

/**
 * Runs a task definition (RunTask), prints its task state changes (and with --follow its containers'
 * logs) until every task stopped. Resolves when every essential container exited 0; otherwise fails
 * with a CliError whose exit code is the command's (see run-args.ts): the first non-zero essential
 * exit code, or 1 when RunTask fails or a task fails to start.
 */
export async function runTask(o: RunOptions, io: RunIo): Promise<void> {
  const env = parseEnvPairs(o.env)
  await withApi(o, async (api) => {
    await ensureDefaultCluster(api.ecs, o.cluster, io.err)
    const td = await describeTaskDefinition(api, o.taskDefinition)
    const defs = td.containerDefinitions ?? []
    const overrides = buildOverrides(defs, env, o.container)
    const networkConfiguration: NetworkConfiguration | undefined =
      td.networkMode === 'awsvpc' ? { awsvpcConfiguration: { subnets: o.subnets?.length ? o.subnets : [PLACEHOLDER_SUBNET] } } : undefined

    const watch = watchTasks(api, o.cluster, io)
    let tasks: Task[]
    try {
      await watch.connected
      const r = await api.ecs.send(
        new RunTaskCommand({
          cluster: o.cluster,
          taskDefinition: td.taskDefinitionArn,
          count: o.count,
          overrides,
          launchType: o.launchType as LaunchType | undefined,
          networkConfiguration,
          startedBy: 'kecs-run',
        }),
      )
      tasks = r.tasks ?? []
      const failures = r.failures ?? []
      if (tasks.length === 0 || failures.length > 0) {
        const why = failures.map((f) => [f.reason, f.detail].filter(Boolean).join(': ')).join('; ')
        if (tasks.length === 0) throw new CliError(`RunTask started no task${why ? `: ${why}` : ''}`)
        io.err(`! RunTask started ${tasks.length} of ${o.count} tasks: ${why}`)
      }
    } catch (e) {
      watch.stop()
      throw e
    }
    const arns = tasks.map((t) => t.taskArn!)
    io.err(`Started ${arns.length} task${arns.length === 1 ? '' : 's'} of ${arnName(td.taskDefinitionArn)} in cluster ${o.cluster}: ${arns.map((a) => arnName(a)).join(' ')}`)

    let follower: LogFollower | undefined
    if (o.follow) {
      const streams = tasks.flatMap((t) => (t.containers ?? []).map((c) => ({ taskArn: t.taskArn!, container: c.name! })))
      const print = { prefix: streams.length > 1, chalk: io.chalk }
      follower = new LogFollower(
        { endpoint: api.endpoint, clientKey: api.clientKey, region: api.region, cluster: o.cluster },
        (l) => io.out(formatLogLine(l, print)),
        (key, e) => io.err(`! logs of ${key.split('/').slice(-2).join('/')}: ${(e as Error).message}`),
        io.signal,
        taskStillRunning(api.ecs, o.cluster),
      )
      for (const s of streams) follower.add(s.taskArn, s.container)
    }

    try {
      await watch.until(arns, o.timeoutMs)
    } catch (e) {
      follower?.stop()
      throw e
    } finally {
      watch.stop()
    }
    const stopped = await describeTasks(api.ecs, o.cluster, arns)
    if (follower) {
      // The streams end as their containers stop; a little slack for the last lines, then cut.
      await Promise.race([follower.idle(), sleep(LOG_DRAIN_MS)])
      follower.stop()
    }
    if (!watch.sawEvents) for (const t of stopped) io.err(`task ${displayTaskId(arnName(t.taskArn) ?? '')} STOPPED ${stopSummary(t) ?? ''}`.trimEnd())
    const essential = essentialNames(defs)
    const byArn = new Map(stopped.map((t) => [t.taskArn, t]))
    const outcome = runExitCode(arns.map((a) => (byArn.has(a) ? taskExitCode(byArn.get(a)!, essential) : { code: 1, reason: `task ${arnName(a)} is gone` })))
    if (outcome.code !== 0) throw new CliError(outcome.reason ?? `exit code ${outcome.code}`, undefined, outcome.code)
  })
}

async function describeTaskDefinition(api: Api, ref: string): Promise<TaskDefinition> {
  try {
    const r = await api.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: ref }))
    return r.taskDefinition!
  } catch (e) {
    if (ecsErrorName(e) === 'ClientException') {
      throw new CliError(`task definition "${ref}" not found (${(e as Error).message})`, 'List them with: kecs task-definitions')
    }
    throw e
  }
}

/**
 * Watches the cluster's task events on the live feed: subscribed before RunTask (so no state change
 * is missed), printing those of the tasks it started; DescribeTasks every few seconds covers a feed
 * that is down.
 */
function watchTasks(api: Api, cluster: string, io: RunIo) {
  const pause = napper(io.signal)
  const early: EcsEvent[] = []
  const stopped = new Set<string>()
  const repeats = new RepeatFilter()
  let mine: Set<string> | undefined
  let sawEvents = false

  const handle = (e: EcsEvent) => {
    const arn = (e.detail as { taskArn?: string }).taskArn ?? e.resources[0] ?? ''
    if (!mine?.has(arn)) return
    sawEvents = true
    if (repeats.fresh(e)) io.err(formatEvent(e, { chalk: io.errChalk }))
    if ((e.detail as { lastStatus?: string }).lastStatus === 'STOPPED') {
      stopped.add(arn)
      pause.wake()
    }
  }
  const onEvent = (e: EcsEvent) => {
    if (mine) handle(e)
    else if (early.length < 10_000) early.push(e)
  }
  const feed = liveFeed(api, { cluster, detailType: [TASK_EVENT] }, io, onEvent, (e) => {
    if (e instanceof StreamError) io.err(`! ${e.message}: following the tasks with DescribeTasks only`)
    else io.err(`! event stream failed: ${(e as Error).message}`)
  })

  return {
    connected: feed.connected,
    get sawEvents() {
      return sawEvents
    },
    /** Resolves when every task is STOPPED; rejects on timeout or Ctrl+C. */
    async until(arns: string[], timeoutMs?: number): Promise<void> {
      mine = new Set(arns)
      for (const e of early.splice(0)) handle(e)
      const deadline = timeoutMs === undefined ? Infinity : Date.now() + timeoutMs
      const pollMs = io.pollMs ?? 5_000
      while (![...mine].every((a) => stopped.has(a))) {
        if (io.signal.aborted) {
          throw new CliError('interrupted: the tasks keep running', `Stop them with: aws ecs stop-task --cluster ${cluster} --task ID`, 130)
        }
        if (Date.now() >= deadline) {
          throw new CliError(
            `the task${arns.length === 1 ? '' : 's'} did not stop within ${humanMs(timeoutMs!)}`,
            `They keep running; stop them with: aws ecs stop-task --cluster ${cluster} --task ID`,
          )
        }
        await pause.nap(Math.min(pollMs, Math.max(0, deadline - Date.now())))
        if (![...mine].every((a) => stopped.has(a))) {
          const open = [...mine].filter((a) => !stopped.has(a))
          const now = await describeTasks(api.ecs, cluster, open).catch(() => undefined)
          if (now) {
            const found = new Set(now.map((t) => t.taskArn))
            // A task DescribeTasks no longer knows is gone for good: nothing more to wait for.
            for (const a of open) if (!found.has(a)) stopped.add(a)
            for (const t of now) if (t.lastStatus === 'STOPPED') stopped.add(t.taskArn!)
          }
        }
      }
    },
    stop: feed.stop,
  }
}
