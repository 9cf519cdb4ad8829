import { DescribeServicesCommand, DescribeTasksCommand, type ECSClient, type Service, type Task } from '@aws-sdk/client-ecs'
import type { ChalkInstance } from 'chalk'
import type { EcsEvent } from '../events/bus.js'
import { isUnsupported, withApi, type Api, type ApiTarget } from './api.js'
import { CliError } from '../lib/errors.js'
import { formatNotice } from './event-format.js'
import { streamEvents, StreamError } from './event-stream.js'
import { parseSince } from './events.js'
import { formatLogLine, mergeByTime, type LogLine, type LogPrintOptions } from './log-format.js'
import { collectLog, LogFollower, LogRequestError, type LogQuery } from './log-stream.js'
import { describeTasks, listTaskArns } from './listings.js'

/** `kecs logs TASK|SERVICE` after flag parsing. */
export interface LogsOptions extends ApiTarget {
  ref: string
  cluster: string
  container?: string
  follow: boolean
  /** The last N lines of each container (all when undefined). */
  tail?: number
  /** An ISO time, or a duration back from now. */
  since?: string
  timestamps?: boolean
}

export interface LogsIo {
  out(line: string): void
  err(line: string): void
  signal: AbortSignal
  /** Colours for stdout (prefixes) and stderr (notices). */
  chalk?: ChalkInstance
  errChalk?: ChalkInstance
}

export type LogTarget = { kind: 'task'; cluster: string; task: Task } | { kind: 'service'; cluster: string; service: Service }

const TASK_ID = /^[0-9a-f]{32}$/
/** The shortest task id prefix looked up (`kecs tasks` shows 8 characters). */
const MIN_PREFIX = 4

/** `task/<cluster>/<id>` and `service/<cluster>/<name>` name their cluster; the old short forms do not. */
function clusterOfArn(arn: string): string | undefined {
  const parts = arn.split(':').slice(5).join(':').split('/')
  return parts.length >= 3 ? parts[1] : undefined
}

async function describeTask(ecs: ECSClient, cluster: string, ref: string): Promise<Task | undefined> {
  const r = await ecs.send(new DescribeTasksCommand({ cluster, tasks: [ref] }))
  return r.tasks?.[0]
}

async function describeService(ecs: ECSClient, cluster: string, ref: string): Promise<Service | undefined> {
  try {
    const r = await ecs.send(new DescribeServicesCommand({ cluster, services: [ref] }))
    const s = r.services?.[0]
    return s && s.status !== 'INACTIVE' ? s : undefined
  } catch (e) {
    if (isUnsupported(e)) return undefined // a KECS without services: only tasks can match
    throw e
  }
}

/**
 * What TASK|SERVICE names: a task ARN or id (a unique prefix of a task id, as `kecs tasks` shows
 * them, works too), or a service ARN or name.
 */
export async function resolveTarget(ecs: ECSClient, cluster: string, ref: string): Promise<LogTarget> {
  if (ref.startsWith('arn:')) {
    const c = clusterOfArn(ref) ?? cluster
    if (/:task\//.test(ref)) {
      const task = await describeTask(ecs, c, ref)
      if (task) return { kind: 'task', cluster: c, task }
      throw new CliError(`task ${ref} not found`, 'Stopped tasks are kept for an hour; list tasks with: kecs tasks')
    }
    if (/:service\//.test(ref)) {
      const service = await describeService(ecs, c, ref)
      if (service) return { kind: 'service', cluster: c, service }
      throw new CliError(`service ${ref} not found`, `List services with: kecs services --cluster ${c}`)
    }
    throw new CliError(`${ref} is neither a task nor a service ARN`)
  }
  if (TASK_ID.test(ref)) {
    const task = await describeTask(ecs, cluster, ref)
    if (task) return { kind: 'task', cluster, task }
  }
  const service = await describeService(ecs, cluster, ref)
  if (service) return { kind: 'service', cluster, service }
  if (!TASK_ID.test(ref)) {
    const task = await describeTask(ecs, cluster, ref)
    if (task) return { kind: 'task', cluster, task }
  }
  if (ref.length >= MIN_PREFIX) {
    const arns = (await listTaskArns(ecs, { cluster })).filter((a) => a.slice(a.lastIndexOf('/') + 1).startsWith(ref))
    if (arns.length > 1) throw new CliError(`task id prefix ${ref} is ambiguous in cluster ${cluster} (${arns.length} tasks)`, 'Give more of the id.')
    if (arns.length === 1) {
      const task = await describeTask(ecs, cluster, arns[0]!)
      if (task) return { kind: 'task', cluster, task }
    }
  }
  throw new CliError(`no task or service "${ref}" in cluster ${cluster}`, `List them with: kecs tasks --cluster ${cluster} / kecs services --cluster ${cluster}`)
}

const containerNames = (t: Task) => (t.containers ?? []).map((c) => c.name ?? '').filter(Boolean)

/** The containers to read: --container (which the task must have), else all of them. */
export function pickContainers(task: Task, container: string | undefined): string[] {
  const names = containerNames(task)
  if (!container) return names
  if (!names.includes(container)) {
    throw new CliError(`task ${task.taskArn?.split('/').pop()} has no container "${container}"`, `Its containers: ${names.join(', ')}`)
  }
  return [container]
}

/** For LogFollower: a container may still print while neither it nor its task is STOPPED. */
export function taskStillRunning(ecs: ECSClient, cluster: string) {
  return async (taskArn: string, container: string): Promise<boolean> => {
    const t = await describeTask(ecs, cluster, taskArn).catch(() => undefined)
    if (!t || t.lastStatus === 'STOPPED') return false
    return t.containers?.find((c) => c.name === container)?.lastStatus !== 'STOPPED'
  }
}

const reason = (e: unknown) => (e instanceof LogRequestError || e instanceof Error ? e.message : String(e))

export async function runLogs(o: LogsOptions, io: LogsIo): Promise<void> {
  const since = o.since ? parseSince(o.since) : undefined
  if (o.tail !== undefined && (!Number.isInteger(o.tail) || o.tail < -1)) {
    throw new CliError(`invalid --tail ${o.tail}`, 'Give a number of lines (-1 for all).')
  }
  const tail = o.tail === -1 ? undefined : o.tail
  await withApi(o, async (api) => {
    const target = await resolveTarget(api.ecs, o.cluster, o.ref)
    const base: Omit<LogQuery, 'taskArn' | 'container' | 'follow'> = { endpoint: api.endpoint, clientKey: api.clientKey, region: api.region, cluster: target.cluster, tail, since }
    if (target.kind === 'task') {
      const containers = pickContainers(target.task, o.container)
      const print: LogPrintOptions = { prefix: containers.length > 1, timestamps: o.timestamps, chalk: io.chalk }
      const streams = containers.map((container) => ({ taskArn: target.task.taskArn!, container }))
      await (o.follow
        ? followStreams(base, streams, print, io, taskStillRunning(api.ecs, target.cluster))
        : printCollected(base, streams, print, io))
      return
    }
    await serviceLogs(api, target.service, target.cluster, base, o, io)
  })
}

async function printCollected(
  base: Omit<LogQuery, 'taskArn' | 'container' | 'follow'>,
  streams: { taskArn: string; container: string }[],
  print: LogPrintOptions,
  io: LogsIo,
): Promise<void> {
  const lines = await Promise.all(streams.map((s) => collectLog({ ...base, ...s }, io.signal)))
  for (const l of mergeByTime(lines)) io.out(formatLogLine(l, print))
}

/** Follows the given streams until every one has ended (their containers stopped) or the signal. */
async function followStreams(
  base: Omit<LogQuery, 'taskArn' | 'container' | 'follow'>,
  streams: { taskArn: string; container: string }[],
  print: LogPrintOptions,
  io: LogsIo,
  mayStillPrint: (taskArn: string, container: string) => Promise<boolean>,
): Promise<void> {
  const failures: string[] = []
  const follower = new LogFollower(
    base,
    (l) => io.out(formatLogLine(l, print)),
    (key, e) => failures.push(`${key.split('/').slice(-2).join('/')}: ${reason(e)}`),
    io.signal,
    mayStillPrint,
  )
  for (const s of streams) follower.add(s.taskArn, s.container)
  await follower.idle()
  if (failures.length) throw new CliError(`could not read the logs of ${failures.join('; ')}`)
}

/**
 * A service's logs: its running tasks' containers, interleaved with a `<task>/<container> |` prefix.
 * With follow, tasks the service starts later are picked up from the live feed, until Ctrl+C.
 */
async function serviceLogs(
  api: Api,
  service: Service,
  cluster: string,
  base: Omit<LogQuery, 'taskArn' | 'container' | 'follow'>,
  o: LogsOptions,
  io: LogsIo,
): Promise<void> {
  const name = service.serviceName!
  const listedAt = new Date(Math.floor(Date.now() / 1000) * 1000 - 1000)
  const tasks = await describeTasks(api.ecs, cluster, await listTaskArns(api.ecs, { cluster, serviceName: name, status: 'RUNNING' }))
  const print: LogPrintOptions = { prefix: true, timestamps: o.timestamps, chalk: io.chalk }
  const wanted = (names: string[]) => (o.container ? names.filter((n) => n === o.container) : names)

  if (!o.follow) {
    if (tasks.length === 0) io.err(`service ${name} has no running tasks.`)
    const streams = tasks.flatMap((t) => wanted(containerNames(t)).map((container) => ({ taskArn: t.taskArn!, container })))
    await printCollected(base, streams, print, io)
    return
  }

  const follower = new LogFollower(
    base,
    (l) => io.out(formatLogLine(l, print)),
    (key, e) => io.err(`! ${key.split('/').slice(-2).join('/')}: ${reason(e)}`),
    io.signal,
    taskStillRunning(api.ecs, cluster),
  )
  const addTask = (taskArn: string, names: string[]) => {
    for (const c of wanted(names)) follower.add(taskArn, c)
  }
  for (const t of tasks) addTask(t.taskArn!, containerNames(t))
  if (tasks.length === 0) io.err(`service ${name} has no running tasks yet: waiting for some (Ctrl+C to stop).`)
  const onEvent = (e: EcsEvent) => {
    const d = e.detail as { taskArn?: string; desiredStatus?: string; lastStatus?: string; containers?: { name?: string }[] }
    if (!d.taskArn || d.desiredStatus !== 'RUNNING' || d.lastStatus === 'STOPPED' || follower.has(d.taskArn)) return
    addTask(d.taskArn, (d.containers ?? []).map((c) => c.name ?? '').filter(Boolean))
  }
  try {
    await streamEvents({
      endpoint: api.feedEndpoint,
      filters: { cluster, service: name, detailType: ['ECS Task State Change'] },
      since: listedAt,
      signal: io.signal,
      onEvent,
      onNotice: (n) => {
        if (n.code !== 'connected') io.err(formatNotice(n, { chalk: io.errChalk }))
      },
    })
  } catch (e) {
    if (!(e instanceof StreamError)) throw e
    io.err(`! ${e.message}: new tasks of ${name} will not be picked up`)
    await new Promise<void>((r) => (io.signal.aborted ? r() : io.signal.addEventListener('abort', () => r(), { once: true })))
  } finally {
    follower.stop()
  }
}
