import type { Repos } from '../repos.js'
import { getTags } from '../tag-store.js'
import { taskNeeds } from '../tasks/capacity.js'
import type { ContainerInstanceDoc } from '../tasks/node-instances.js'
import type { TaskDoc } from '../tasks/task-doc.js'
import type { InstanceFacts } from './query.js'

/**
 * A container instance as ECS shows it: the stored registration plus what runs on it now
 * (runningTasksCount, pendingTasksCount, remainingResources = registered minus what its tasks reserve,
 * PORTS plus the host ports they bind), computed from the tasks, so it is never stale.
 */
const PENDING = new Set(['PROVISIONING', 'PENDING', 'ACTIVATING'])

/** The tasks placed on the instance that have not stopped. */
export function instanceTasks(repos: Pick<Repos, 'tasks'>, doc: ContainerInstanceDoc): TaskDoc[] {
  const out: TaskDoc[] = []
  for (const t of repos.tasks.values()) {
    if (t?.containerInstanceArn === doc.containerInstanceArn && t.lastStatus !== 'STOPPED') out.push(t)
  }
  return out
}

export interface RenderOptions {
  tags?: boolean
  health?: boolean
}

export function renderInstance(repos: Pick<Repos, 'tasks' | 'tags'>, doc: ContainerInstanceDoc, opts: RenderOptions = {}) {
  const tasks = instanceTasks(repos, doc)
  const { kecs: _internal, clusterArn: _cluster, ...shown } = structuredClone(doc)
  let cpu = 0
  let memory = 0
  const ports = new Set<string>()
  const udp = new Set<string>()
  for (const t of tasks) {
    const needs = taskNeeds(t, { cpu: t.cpu, memory: t.memory })
    cpu += needs.cpu
    memory += needs.memory
    for (const c of t.containers ?? []) {
      for (const b of c.networkBindings ?? []) {
        if (b.hostPort === undefined) continue
        ;(b.protocol === 'udp' ? udp : ports).add(String(b.hostPort))
      }
    }
  }
  shown.remainingResources = (doc.registeredResources ?? []).map((r) => {
    if (r.name === 'CPU') return { ...r, integerValue: Math.max(0, (r.integerValue ?? 0) - cpu) }
    if (r.name === 'MEMORY') return { ...r, integerValue: Math.max(0, (r.integerValue ?? 0) - memory) }
    if (r.name === 'PORTS') return { ...r, stringSetValue: [...new Set([...(r.stringSetValue ?? []), ...ports])] }
    if (r.name === 'PORTS_UDP') return { ...r, stringSetValue: [...new Set([...(r.stringSetValue ?? []), ...udp])] }
    return { ...r }
  })
  shown.runningTasksCount = tasks.filter((t) => t.lastStatus === 'RUNNING').length
  shown.pendingTasksCount = tasks.filter((t) => PENDING.has(t.lastStatus)).length
  if (opts.tags) shown.tags = getTags(repos, doc.containerInstanceArn)
  else delete shown.tags
  if (opts.health) {
    const now = shown.registeredAt
    shown.healthStatus = {
      overallStatus: doc.agentConnected ? 'OK' : 'IMPAIRED',
      details: [
        {
          type: 'CONTAINER_RUNTIME',
          status: doc.agentConnected ? 'OK' : 'IMPAIRED',
          lastUpdated: now,
          lastStatusChange: now,
        },
      ],
    }
  }
  return shown
}

/** What the cluster query language asks about the instance. */
export function instanceFacts(repos: Pick<Repos, 'tasks'>, doc: ContainerInstanceDoc, extraTasks: TaskDoc[] = []): InstanceFacts {
  const tasks = [...instanceTasks(repos, doc), ...extraTasks.filter((t) => t.containerInstanceArn === doc.containerInstanceArn)]
  return {
    attributes: new Map((doc.attributes ?? []).map((a) => [a.name ?? '', a.value])),
    ec2InstanceId: doc.ec2InstanceId ?? '',
    agentConnected: !!doc.agentConnected,
    agentVersion: doc.versionInfo?.agentVersion ?? '',
    registeredAt: (doc.registeredAt ?? 0) * 1000,
    runningTasksCount: tasks.filter((t) => t.lastStatus === 'RUNNING').length,
    taskGroups: tasks.filter((t) => t.desiredStatus !== 'STOPPED').map((t) => t.group ?? ''),
  }
}
