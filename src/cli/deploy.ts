import { CreateServiceCommand, DescribeServicesCommand, UpdateServiceCommand, type Service } from '@aws-sdk/client-ecs'
import type { ChalkInstance } from 'chalk'
import { readFileSync } from 'node:fs'
import type { EcsEvent } from '../events/bus.js'
import { ensureDefaultCluster } from './default-cluster.js'
import { isUnsupported, withApi, type Api, type ApiTarget } from './api.js'
import { latestEventLines, parseServiceSpec, rolloutVerdict, toCreateInput, toUpdateInput, type Verdict } from './deploy-input.js'
import { humanMs } from '../lib/duration.js'
import { CliError } from '../lib/errors.js'
import { formatEvent } from './event-format.js'
import { StreamError } from './event-stream.js'
import { liveFeed, napper } from './live-watch.js'
import { taskDefinitionName } from './table.js'

/** `kecs deploy FILE` after flag parsing. */
export interface DeployOptions extends ApiTarget {
  file: string
  /** --cluster; else the file's `cluster`; else `default`. */
  cluster?: string
  timeoutMs: number
  wait: boolean
  forceNewDeployment?: boolean
}

export interface DeployIo {
  /** The outcome line. */
  out(line: string): void
  /** Live events and notes. */
  err(line: string): void
  signal: AbortSignal
  errChalk?: ChalkInstance
  /** DescribeServices between live events (default 3 s). */
  pollMs?: number
}

function readSpec(file: string) {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (e) {
    throw new CliError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`)
  }
  return parseServiceSpec(text, file)
}

async function describeService(api: Api, cluster: string, name: string): Promise<Service | undefined> {
  try {
    const r = await api.ecs.send(new DescribeServicesCommand({ cluster, services: [name] }))
    return r.services?.[0]
  } catch (e) {
    if (isUnsupported(e)) throw new CliError('this KECS instance does not support services yet (DescribeServices)')
    throw e
  }
}

/**
 * Creates the service when it does not exist (or is INACTIVE), else updates it, then follows the
 * rollout on the live feed (deployment and service events) and DescribeServices until the new
 * deployment completes (resolves) or fails: circuit breaker, rollback, timeout (CliError with the
 * service's latest events).
 */
export async function runDeploy(o: DeployOptions, io: DeployIo): Promise<void> {
  const spec = readSpec(o.file)
  const cluster = o.cluster ?? (typeof spec.cluster === 'string' ? spec.cluster : undefined) ?? 'default'
  const name = spec.serviceName
  await withApi(o, async (api) => {
    await ensureDefaultCluster(api.ecs, cluster, io.err)
    const existing = await describeService(api, cluster, name)
    if (existing?.status === 'DRAINING') {
      throw new CliError(`service ${name} is being deleted (DRAINING)`, 'Wait until it is gone (INACTIVE), then deploy again.')
    }
    const update = existing?.status === 'ACTIVE'
    const feed = o.wait ? watchService(api, cluster, name, io) : undefined
    let service: Service
    try {
      await feed?.connected
      if (update) {
        const { input, ignored } = toUpdateInput(spec, cluster, { forceNewDeployment: o.forceNewDeployment })
        const createOnly = ['launchType', 'role', 'schedulingStrategy', 'tags', 'clientToken']
        const cannot = ignored.filter((k) => createOnly.includes(k) && differs(k, spec[k], existing!))
        if (cannot.length) io.err(`Note: UpdateService cannot change ${cannot.join(', ')}: left as they are on ${name}.`)
        const unknown = ignored.filter((k) => !createOnly.includes(k))
        if (unknown.length) io.err(`Note: ignored members that are not UpdateService input: ${unknown.join(', ')}.`)
        service = (await api.ecs.send(new UpdateServiceCommand(input))).service!
      } else {
        const { input, ignored } = toCreateInput(spec, cluster)
        if (ignored.length) io.err(`Note: ignored members that are not CreateService input: ${ignored.join(', ')}.`)
        service = (await api.ecs.send(new CreateServiceCommand(input))).service!
      }
    } catch (e) {
      feed?.stop()
      if (isUnsupported(e)) throw new CliError(`this KECS instance does not support services yet (${update ? 'UpdateService' : 'CreateService'})`)
      throw e
    }
    const deploymentId = service.deployments?.find((d) => d.status === 'PRIMARY')?.id
    io.err(
      `${update ? 'Updated' : 'Created'} service ${name} in cluster ${cluster}: ` +
        `${taskDefinitionName(service.taskDefinition) ?? '?'}, desired ${service.desiredCount ?? 0}` +
        (deploymentId ? `, deployment ${deploymentId}` : ''),
    )
    if (!feed) {
      io.out(`service ${name}: ${update ? 'updated' : 'created'} (not waiting for the rollout)`)
      return
    }
    try {
      const verdict = await feed.until(deploymentId, o.timeoutMs)
      io.out(`service ${name} reached a steady state: ${verdict.summary}${deploymentId ? ` (deployment ${deploymentId})` : ''}`)
    } finally {
      feed.stop()
    }
  })
}

/** Whether a create-only member of the file differs from the existing service (worth a note). */
function differs(key: string, value: unknown, s: Service): boolean {
  switch (key) {
    case 'clientToken':
      return false
    case 'launchType':
      return value !== s.launchType
    case 'schedulingStrategy':
      return value !== (s.schedulingStrategy ?? 'REPLICA')
    case 'role':
      return value !== s.roleArn
    default:
      return true
  }
}

/**
 * The rollout watch: the service's live events (printed), each one a cue to DescribeServices, plus a
 * slower DescribeServices cadence for a feed that is down.
 */
function watchService(api: Api, cluster: string, name: string, io: DeployIo) {
  const pause = napper(io.signal)
  /** A live event came since the last DescribeServices: look again at once. */
  let dirty = false
  let failedByEvent: string | undefined
  let deploymentId: string | undefined

  const onEvent = (e: EcsEvent) => {
    io.err(formatEvent(e, { chalk: io.errChalk }))
    const d = e.detail as { eventName?: string; deploymentId?: string; reason?: string }
    if (e['detail-type'] === 'ECS Deployment State Change' && d.eventName === 'SERVICE_DEPLOYMENT_FAILED' && deploymentId && d.deploymentId === deploymentId) {
      failedByEvent = `deployment ${deploymentId} of service ${name} failed${d.reason ? `: ${d.reason}` : ''}`
    }
    dirty = true
    pause.wake()
  }
  const feed = liveFeed(api, { cluster, service: name }, io, onEvent, (e) => {
    io.err(`! ${e instanceof StreamError ? e.message : `event stream failed: ${(e as Error).message}`}: following the rollout with DescribeServices only`)
  })

  const fail = async (reason: string, service?: Service) => {
    const s = service ?? (await describeService(api, cluster, name).catch(() => undefined))
    const lines = latestEventLines(s?.events)
    return new CliError(reason, `See the service's events: aws ecs describe-services --cluster ${cluster} --services ${name}`, 1, lines.length ? [`Latest events of service ${name}:`, ...lines] : [])
  }

  return {
    connected: feed.connected,
    async until(id: string | undefined, timeoutMs: number): Promise<Extract<Verdict, { state: 'steady' }>> {
      deploymentId = id
      const deadline = Date.now() + timeoutMs
      const pollMs = io.pollMs ?? 3_000
      let last = ''
      for (;;) {
        if (io.signal.aborted) throw new CliError('interrupted: the rollout goes on', `Watch it with: kecs events --cluster ${cluster} --service ${name}`, 130)
        if (failedByEvent) throw await fail(failedByEvent)
        dirty = false
        const service = await describeService(api, cluster, name)
        const v = service ? rolloutVerdict(service, id) : ({ state: 'failed', reason: `service ${name} is gone` } as const)
        if (v.state === 'steady') return v
        if (v.state === 'failed') throw await fail(v.reason, service)
        if (v.summary !== last) io.err(`service ${name}: ${(last = v.summary)}`)
        if (Date.now() >= deadline) {
          throw await fail(`service ${name} did not reach a steady state within ${humanMs(timeoutMs)} (${last})`, service)
        }
        if (dirty) continue
        await pause.nap(Math.min(pollMs, Math.max(0, deadline - Date.now())))
      }
    },
    stop: feed.stop,
  }
}
