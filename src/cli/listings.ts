import {
  DescribeClustersCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  paginateListClusters,
  paginateListServices,
  paginateListTaskDefinitions,
  paginateListTasks,
  type Cluster,
  type DesiredStatus,
  type ECSClient,
  type Service,
  type Task,
} from '@aws-sdk/client-ecs'
import { parseTaskDefinitionArn } from '../ecs/arns.js'
import { age, arnName, displayTaskId, table, taskDefinitionName, type Column } from './table.js'

/**
 * The shortcut listings (`kecs clusters`, `services`, `tasks`, `task-definitions`): every page of the
 * List call, then Describe in the batch sizes ECS allows; rows for people, the described objects for
 * `--json`.
 */

const chunks = <T>(items: T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, i * size + size))

async function all<P>(pages: AsyncIterable<P>, pick: (p: P) => string[] | undefined): Promise<string[]> {
  const out: string[] = []
  for await (const page of pages) out.push(...(pick(page) ?? []))
  return out
}

export async function listClusters(ecs: ECSClient): Promise<Cluster[]> {
  const arns = await all(paginateListClusters({ client: ecs, pageSize: 100 }, {}), (p) => p.clusterArns)
  const out: Cluster[] = []
  for (const batch of chunks(arns, 100)) {
    const r = await ecs.send(new DescribeClustersCommand({ clusters: batch }))
    out.push(...(r.clusters ?? []))
  }
  return out.sort((a, b) => (a.clusterName ?? '').localeCompare(b.clusterName ?? ''))
}

export async function listServices(ecs: ECSClient, cluster: string): Promise<Service[]> {
  const arns = await all(paginateListServices({ client: ecs, pageSize: 100 }, { cluster }), (p) => p.serviceArns)
  const out: Service[] = []
  for (const batch of chunks(arns, 10)) {
    const r = await ecs.send(new DescribeServicesCommand({ cluster, services: batch }))
    out.push(...(r.services ?? []))
  }
  return out.sort((a, b) => (a.serviceName ?? '').localeCompare(b.serviceName ?? ''))
}

/** `--status` of `kecs tasks`: ListTasks' desiredStatus, or both RUNNING and STOPPED. */
export const TASK_STATUSES = ['ALL', 'RUNNING', 'PENDING', 'STOPPED'] as const
export type TaskStatusChoice = (typeof TASK_STATUSES)[number]

export async function listTaskArns(
  ecs: ECSClient,
  o: { cluster: string; serviceName?: string; family?: string; status?: TaskStatusChoice },
): Promise<string[]> {
  const statuses: DesiredStatus[] = !o.status || o.status === 'ALL' ? ['RUNNING', 'STOPPED'] : [o.status]
  const arns: string[] = []
  for (const desiredStatus of statuses) {
    const input = { cluster: o.cluster, serviceName: o.serviceName, family: o.family, desiredStatus }
    arns.push(...(await all(paginateListTasks({ client: ecs, pageSize: 100 }, input), (p) => p.taskArns)))
  }
  return [...new Set(arns)]
}

export async function describeTasks(ecs: ECSClient, cluster: string, arns: string[]): Promise<Task[]> {
  const out: Task[] = []
  for (const batch of chunks(arns, 100)) {
    const r = await ecs.send(new DescribeTasksCommand({ cluster, tasks: batch }))
    out.push(...(r.tasks ?? []))
  }
  return out
}

/** Oldest first, so the newest task is the last line on screen. */
export async function listTasks(
  ecs: ECSClient,
  o: { cluster: string; serviceName?: string; status?: TaskStatusChoice },
): Promise<Task[]> {
  const tasks = await describeTasks(ecs, o.cluster, await listTaskArns(ecs, o))
  const t = (x: Task) => (x.createdAt ? new Date(x.createdAt).getTime() : 0)
  return tasks.sort((a, b) => t(a) - t(b) || (a.taskArn ?? '').localeCompare(b.taskArn ?? ''))
}

/** One row of `kecs task-definitions`: a family and its newest ACTIVE revision. */
export interface FamilySummary {
  family: string
  latestRevision: number
  /** ARN of the latest revision. */
  taskDefinitionArn: string
  /** How many ACTIVE revisions the family has. */
  activeRevisions: number
}

/** Families from ListTaskDefinitions (ACTIVE revisions, every page), newest revision of each. */
export async function listTaskDefinitionFamilies(ecs: ECSClient): Promise<FamilySummary[]> {
  const arns = await all(paginateListTaskDefinitions({ client: ecs, pageSize: 100 }, { status: 'ACTIVE' }), (p) => p.taskDefinitionArns)
  return summarizeFamilies(arns)
}

export function summarizeFamilies(arns: string[]): FamilySummary[] {
  const byFamily = new Map<string, FamilySummary>()
  for (const arn of arns) {
    const parsed = parseTaskDefinitionArn(arn)
    if (!parsed) continue
    const { family, revision } = parsed
    const cur = byFamily.get(family)
    if (!cur) byFamily.set(family, { family, latestRevision: revision, taskDefinitionArn: arn, activeRevisions: 1 })
    else {
      cur.activeRevisions++
      if (revision > cur.latestRevision) Object.assign(cur, { latestRevision: revision, taskDefinitionArn: arn })
    }
  }
  return [...byFamily.values()].sort((a, b) => a.family.localeCompare(b.family))
}

// ---- tables ----

export function clustersTable(clusters: Cluster[]): string[] {
  if (clusters.length === 0) return ['No clusters. Create one with: aws ecs create-cluster --cluster-name NAME']
  const cols: Column<Cluster>[] = [
    { header: 'name', value: (c) => c.clusterName },
    { header: 'status', value: (c) => c.status },
    { header: 'services', value: (c) => c.activeServicesCount ?? 0, align: 'right' },
    { header: 'running', value: (c) => c.runningTasksCount ?? 0, align: 'right' },
    { header: 'pending', value: (c) => c.pendingTasksCount ?? 0, align: 'right' },
    { header: 'instances', value: (c) => c.registeredContainerInstancesCount ?? 0, align: 'right' },
  ]
  return table(clusters, cols)
}

/** The PRIMARY deployment's rollout state (`-` for services without the ECS deployment controller). */
const rollout = (s: Service) => s.deployments?.find((d) => d.status === 'PRIMARY')?.rolloutState

export function servicesTable(services: Service[], cluster: string, now = Date.now()): string[] {
  if (services.length === 0) return [`No services in cluster ${cluster}.`]
  const cols: Column<Service>[] = [
    { header: 'name', value: (s) => s.serviceName },
    { header: 'status', value: (s) => s.status },
    { header: 'desired', value: (s) => s.desiredCount ?? 0, align: 'right' },
    { header: 'running', value: (s) => s.runningCount ?? 0, align: 'right' },
    { header: 'pending', value: (s) => s.pendingCount ?? 0, align: 'right' },
    { header: 'task definition', value: (s) => taskDefinitionName(s.taskDefinition) },
    { header: 'rollout', value: rollout },
    { header: 'age', value: (s) => age(s.createdAt, now) },
  ]
  return table(services, cols)
}

/** Why a stopped task stopped, in a few words: `EssentialContainerExited (app exit 3)`. */
export function stopSummary(t: Task): string | undefined {
  if (t.lastStatus !== 'STOPPED' && t.desiredStatus !== 'STOPPED') return undefined
  const exits = (t.containers ?? []).filter((c) => typeof c.exitCode === 'number').map((c) => `${c.name} exit ${c.exitCode}`)
  const why = t.stopCode === 'TaskFailedToStart' ? t.stoppedReason ?? t.stopCode : t.stopCode
  return [why, exits.length ? `(${exits.join(', ')})` : undefined].filter(Boolean).join(' ') || undefined
}

export function tasksTable(tasks: Task[], o: { cluster: string; status?: string; service?: string }, now = Date.now()): string[] {
  if (tasks.length === 0) {
    const which = !o.status || o.status === 'ALL' ? '' : `${o.status.toLowerCase()} `
    return [`No ${which}tasks in cluster ${o.cluster}${o.service ? ` for service ${o.service}` : ''}.`]
  }
  const cols: Column<Task>[] = [
    { header: 'id', value: (t) => displayTaskId(arnName(t.taskArn) ?? '') },
    { header: 'task definition', value: (t) => taskDefinitionName(t.taskDefinitionArn) },
    { header: 'last status', value: (t) => t.lastStatus },
    { header: 'desired', value: (t) => t.desiredStatus },
    { header: 'group', value: (t) => t.group },
    { header: 'launch', value: (t) => t.launchType },
    { header: 'age', value: (t) => age(t.createdAt, now) },
    { header: 'stopped', value: stopSummary },
  ]
  return table(tasks, cols)
}

export function taskDefinitionsTable(families: FamilySummary[]): string[] {
  if (families.length === 0) return ['No task definitions. Register one with: aws ecs register-task-definition --cli-input-json file://FILE']
  const cols: Column<FamilySummary>[] = [
    { header: 'family', value: (f) => f.family },
    { header: 'latest', value: (f) => f.latestRevision, align: 'right' },
    { header: 'active revisions', value: (f) => f.activeRevisions, align: 'right' },
    { header: 'arn', value: (f) => f.taskDefinitionArn },
  ]
  return table(families, cols)
}
