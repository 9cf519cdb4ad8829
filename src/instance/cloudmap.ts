import { deregisterInstance, healthOf, registerInstance, updateInstanceCustomHealthStatus } from '../aws/servicediscovery/instances.js'
import { parseArn as parseCloudMapArn } from '../aws/servicediscovery/ids.js'
import type { CloudMapState } from '../aws/servicediscovery/state.js'
import { AwsError, type AwsContext } from '../aws/service.js'
import { parseArn, parseTaskDefinitionArn } from '../ecs/arns.js'
import type { Repos } from '../ecs/repos.js'
import { serviceKeyOfTask } from '../ecs/services/scheduler.js'
import { taskDefinitionKey } from '../ecs/task-definitions/family-index.js'
import type { TaskDoc } from '../ecs/tasks/task-doc.js'
import { taskKeyOf } from '../ecs/tasks/task-keys.js'
import type { EcsSignals } from '../ecs/types.js'
import type { DnsZone } from '../kube/cloudmap-dns.js'

/**
 * A service's `serviceRegistries` in Cloud Map, wired between ECS (tasks, their services) and Cloud
 * Map: each task of the service registers as an instance of the registry's Cloud Map service once it
 * is RUNNING (instance id = task id, as ECS does), its custom health follows the task's health, and it
 * is deregistered when the task leaves RUNNING. ECS never imports Cloud Map: this listens to the
 * typed task signal and calls Cloud Map's own handlers.
 */
type Registry = { registryArn?: string; port?: number; containerName?: string; containerPort?: number }

/** Attribute ECS puts on what it registers; KECS finds its own registrations (after a restart) by it. */
const CLUSTER_ATTR = 'ECS_CLUSTER_NAME'

/** The task's private IP as ECS reports it: the ENI's privateIPv4Address, a container's interface, else the recorded pod IP. */
export function taskIp(t: TaskDoc): string | undefined {
  for (const a of t.attachments ?? []) {
    const ip = a.details?.find((d) => d.name === 'privateIPv4Address')?.value
    if (ip) return ip
  }
  for (const c of t.containers ?? []) {
    const ip = c.networkInterfaces?.find((n) => n.privateIpv4Address)?.privateIpv4Address
    if (ip) return ip
  }
  const recorded = (t.kecs as { podIp?: unknown }).podIp
  return typeof recorded === 'string' && recorded ? recorded : undefined
}

/** The port for SRV records: the registry's `port`, else the container port (awsvpc) or its host port (bridge / host). */
function portOf(t: TaskDoc, reg: Registry): number | undefined {
  if (reg.port !== undefined) return reg.port
  if (!reg.containerName || reg.containerPort === undefined) return undefined
  const c = t.containers?.find((x) => x.name === reg.containerName)
  const binding = c?.networkBindings?.find((b) => b.containerPort === reg.containerPort && b.hostPort)
  return binding?.hostPort ?? reg.containerPort
}

export interface CloudMapRegistrar {
  /** Registers what runs and deregisters what stopped (at start, after a restart of KECS). */
  resync(): Promise<void>
  stop(): void
  /** Resolves once the registrations queued so far are done (tests). */
  idle(): Promise<void>
}

export function cloudMapRegistrar(
  state: CloudMapState,
  repos: Pick<Repos, 'services' | 'tasks' | 'taskDefinitions'>,
  signals: EcsSignals,
  opts: { log?: (line: string) => void; now?: () => number } = {},
): CloudMapRegistrar {
  const log = opts.log ?? (() => {})
  const now = opts.now ?? Date.now
  // One chain per task: its registration and deregistration never overlap or reorder.
  const chains = new Map<string, Promise<void>>()
  let all: Promise<void> = Promise.resolve()

  const ctxFor = (scope: { account: string; region: string }, operation: string): AwsContext => ({
    ...scope,
    requestId: `ecs-${operation}`,
    operation,
    principalArn: `arn:aws:iam::${scope.account}:root`,
    now,
  })

  const registriesOf = (t: TaskDoc): Registry[] => {
    const key = serviceKeyOfTask(t)
    const svc = key ? repos.services.get(key) : undefined
    return (svc?.serviceRegistries ?? []) as Registry[]
  }

  /** Whether the task counts as healthy: RUNNING, and its container health checks (if any) pass. */
  const healthy = (t: TaskDoc): boolean => {
    if (t.lastStatus !== 'RUNNING') return false
    const td = parseTaskDefinitionArn(t.taskDefinitionArn ?? '')
    const defs = td ? repos.taskDefinitions.get(taskDefinitionKey(td, td.family, td.revision))?.containerDefinitions : undefined
    const checked = (defs ?? []).some((d) => d.healthCheck?.command?.length)
    return !checked || t.healthStatus === 'HEALTHY'
  }

  const attributesOf = (t: TaskDoc, reg: Registry, ip: string, custom: boolean): Record<string, string> => {
    const cluster = parseArn(t.clusterArn)
    const td = parseTaskDefinitionArn(t.taskDefinitionArn ?? '')
    const attrs: Record<string, string> = { AWS_INSTANCE_IPV4: ip }
    const port = portOf(t, reg)
    if (port !== undefined) attrs.AWS_INSTANCE_PORT = String(port)
    if (t.availabilityZone) attrs.AVAILABILITY_ZONE = t.availabilityZone
    if (cluster) attrs.REGION = cluster.region
    attrs[CLUSTER_ATTR] = t.kecs.clusterName
    if (t.group?.startsWith('service:')) attrs.ECS_SERVICE_NAME = t.group.slice('service:'.length)
    if (td) attrs.ECS_TASK_DEFINITION_FAMILY = td.family
    if (custom) attrs.AWS_INIT_HEALTH_STATUS = healthy(t) ? 'HEALTHY' : 'UNHEALTHY'
    return attrs
  }

  /** Brings one task's registrations in line with its state. */
  async function sync(t: TaskDoc): Promise<void> {
    const running = t.lastStatus === 'RUNNING' && t.desiredStatus !== 'STOPPED'
    const id = t.kecs.taskId
    const wanted = new Set<string>()
    if (running) {
      const ip = taskIp(t)
      for (const reg of registriesOf(t)) {
        const ref = reg.registryArn ? parseCloudMapArn(reg.registryArn) : undefined
        const svc = ref?.kind === 'service' ? state.service(ref.scope, ref.id) : undefined
        if (!svc) {
          log(`Cloud Map: task ${id}: service registry ${reg.registryArn} does not exist; the task is not registered`)
          continue
        }
        wanted.add(svc.arn)
        if (!ip) continue
        const custom = !!svc.healthCheckCustomConfig
        const existing = state.instance(svc, id)
        const attrs = attributesOf(t, reg, ip, custom)
        const ctx = ctxFor(svc, 'RegisterInstance')
        if (!existing) {
          await registerInstance({ ServiceId: svc.id, InstanceId: id, Attributes: attrs }, ctx, state)
        } else if (custom) {
          const status = healthy(t) ? 'HEALTHY' : 'UNHEALTHY'
          if (existing.health !== status) await updateInstanceCustomHealthStatus({ ServiceId: svc.id, InstanceId: id, Status: status }, ctx, state)
        }
      }
    }
    // Deregister from every service it is registered in and should not be (stopped, or registries changed).
    for (const svc of state.services.values()) {
      if (wanted.has(svc.arn)) continue
      const inst = state.instance(svc, id)
      if (!inst || inst.attributes[CLUSTER_ATTR] !== t.kecs.clusterName) continue
      await deregisterInstance({ ServiceId: svc.id, InstanceId: id }, ctxFor(svc, 'DeregisterInstance'), state).catch((e) => {
        if (!(e instanceof AwsError && e.code === 'InstanceNotFound')) throw e
      })
    }
  }

  const enqueue = (t: TaskDoc) => {
    const id = t.taskArn
    const next = (chains.get(id) ?? Promise.resolve())
      // The task as stored now: a queued sync acts on the latest state, not the one that queued it.
      .then(() => sync(repos.tasks.get(taskKeyOf(t)) ?? t))
      .catch((e) => log(`Cloud Map: task ${t.kecs.taskId}: ${(e as Error).message}`))
    chains.set(id, next)
    all = all.then(() => next)
    void next.finally(() => {
      if (chains.get(id) === next) chains.delete(id)
    })
  }

  const relevant = (t: TaskDoc, previous: TaskDoc | undefined) => {
    if (t.lastStatus === 'RUNNING') return previous?.lastStatus !== 'RUNNING' || previous?.healthStatus !== t.healthStatus || t.desiredStatus === 'STOPPED'
    return previous?.lastStatus === 'RUNNING' || (t.lastStatus === 'STOPPED' && previous?.lastStatus !== 'STOPPED')
  }

  const unsubscribe = signals.taskChanged.on(({ task, previous }) => {
    if (!task.group?.startsWith('service:')) return
    if (relevant(task, previous)) enqueue(task)
  })

  return {
    async resync() {
      const tasks = new Map<string, TaskDoc>()
      for (const t of repos.tasks.values()) if (t.group?.startsWith('service:')) tasks.set(t.kecs.taskId, t)
      for (const t of tasks.values()) enqueue(t)
      // What KECS registered for tasks that are gone altogether.
      for (const svc of [...state.services.values()]) {
        for (const inst of state.listInstances(svc)) {
          if (inst.attributes[CLUSTER_ATTR] === undefined || tasks.has(inst.id)) continue
          await deregisterInstance({ ServiceId: svc.id, InstanceId: inst.id }, ctxFor(svc, 'DeregisterInstance'), state).catch(() => {})
        }
      }
      await all
    },
    stop: unsubscribe,
    idle: () => all,
  }
}

/**
 * What DNS answers for Cloud Map, zone by zone (DNS namespaces; HTTP ones have no DNS): each DNS
 * service's instances with an IPv4 address, the healthy ones (or unknown: no health check), else all of
 * them, as Route 53 fails open. A zone name held in two accounts or regions resolves to the first.
 */
export function cloudMapZones(state: CloudMapState): DnsZone[] {
  const out = new Map<string, DnsZone>()
  for (const ns of [...state.namespaces.values()].sort((a, b) => a.created - b.created)) {
    if (ns.type === 'HTTP' || out.has(ns.name)) continue
    const zone: DnsZone = { zone: ns.name, services: [] }
    for (const svc of state.listServices(ns, ns.id)) {
      if (!svc.dnsConfig) continue
      const all = state
        .listInstances(svc)
        .filter((i) => i.attributes.AWS_INSTANCE_IPV4)
        .map((i) => ({ i, health: healthOf(svc, i) }))
      const up = all.filter((x) => x.health !== 'UNHEALTHY')
      const port = (p: string | undefined) => (p !== undefined && /^\d+$/.test(p) ? Number(p) : undefined)
      zone.services.push({
        name: svc.name,
        addresses: (up.length ? up : all).map(({ i }) => ({ ip: i.attributes.AWS_INSTANCE_IPV4!, port: port(i.attributes.AWS_INSTANCE_PORT) })),
      })
    }
    out.set(ns.name, zone)
  }
  return [...out.values()]
}
