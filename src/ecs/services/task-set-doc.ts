import type { TaskSet } from '@aws-sdk/client-ecs'
import { isArn, parseArn } from '../arns.js'
import { epochSeconds } from '../clock.js'
import type { RequestContext } from '../context.js'
import { serializeShape } from '../model/serialize.js'
import { getTags, stageDeleteTags } from '../tag-store.js'
import type { EcsDeps, Wire } from '../types.js'
import type { Repos } from '../repos.js'
import type { WriteOp } from '../../store/store.js'
import { taskSetKey, type ServiceDoc } from './service-doc.js'

/**
 * Task sets of services with the EXTERNAL deployment controller (service-doc.ts, "Task sets"): one
 * document per task set in `repos.taskSets` under taskSetKey(scope, cluster, service, id), the TaskSet
 * shape (built in ECS's key order) plus `kecs`. Status ACTIVE when created, PRIMARY after
 * UpdateServicePrimaryTaskSet, DRAINING after DeleteTaskSet (or when its service is deleted) until no
 * task of it is left, then the document goes (DescribeTaskSets reports it MISSING). Its tasks carry
 * `startedBy: <task set id>` and `group: service:<name>`; the Kubernetes side runs each task set as a
 * Deployment of its own.
 */
export type TaskSetStatus = 'PRIMARY' | 'ACTIVE' | 'DRAINING'

export type TaskSetDoc = Omit<Wire<TaskSet>, 'tags'> & {
  id: string
  taskSetArn: string
  serviceArn: string
  clusterArn: string
  status: TaskSetStatus
  taskDefinition: string
  computedDesiredCount: number
  runningCount: number
  pendingCount: number
  createdAt: number
  updatedAt: number
  scale: { value: number; unit: 'PERCENT' }
  stabilityStatus: 'STEADY_STATE' | 'STABILIZING'
  stabilityStatusAt: number
  kecs: TaskSetInternal
}

export interface TaskSetInternal {
  clusterName: string
  serviceName: string
  /** Tags its tasks get (propagateTags, enableECSManagedTags), fixed when it was created. */
  taskTags: { key: string; value: string }[]
  clientToken?: string
  requestFingerprint?: string
}

/** A task set in ECS's TaskSet shape: tags only when asked for (include TAGS) or given (CreateTaskSet echoes them). */
export function renderTaskSet(repos: Pick<Repos, 'tags'>, doc: TaskSetDoc, opts: { tags?: boolean; echoTags?: unknown[] } = {}): Wire<TaskSet> {
  const tags = opts.tags ? getTags(repos as Repos, doc.taskSetArn) : opts.echoTags?.length ? opts.echoTags : undefined
  return serializeShape('TaskSet', { ...doc, tags }) as Wire<TaskSet>
}

/**
 * computedDesiredCount: the service's desiredCount × scale%, always rounded up (API reference,
 * TaskSet.computedDesiredCount: 1.2 → 2). A hair of tolerance keeps 10 × 30% at 3 whatever the float error.
 */
export function computedDesiredCount(desiredCount: number, scalePercent: number): number {
  const raw = (Math.max(0, desiredCount) * Math.max(0, scalePercent)) / 100
  return Math.max(0, Math.ceil(raw - 1e-9))
}

/** What a task set should run now: nothing while it drains or its service is not ACTIVE. */
export function wantedCount(service: Pick<ServiceDoc, 'status' | 'desiredCount'>, ts: Pick<TaskSetDoc, 'status' | 'scale'>): number {
  if (service.status !== 'ACTIVE' || ts.status === 'DRAINING') return 0
  return computedDesiredCount(service.desiredCount, ts.scale?.value ?? 0)
}

type Scope = Pick<RequestContext, 'account' | 'region'>

/** The stored task sets of a service (any status), with their keys, oldest first. */
export function taskSetEntries(repos: Pick<Repos, 'taskSets'>, serviceArn: string): [string, TaskSetDoc][] {
  const out: [string, TaskSetDoc][] = []
  for (const [key, ts] of repos.taskSets.entries()) {
    if (ts?.serviceArn === serviceArn) out.push([key, ts])
  }
  return out.sort((a, b) => a[1].createdAt - b[1].createdAt)
}

/** The task set id a reference names: an id (`ecs-svc/<digits>`) or a task set ARN of this service. */
export function taskSetIdOf(ctx: Scope, clusterName: string, serviceName: string, ref: string): string | undefined {
  if (!isArn(ref)) return ref || undefined
  const p = parseArn(ref)
  if (!p || p.service !== 'ecs' || p.resourceType !== 'task-set' || p.account !== ctx.account || p.region !== ctx.region) return undefined
  const [cluster, service, ...rest] = p.resource.split('/')
  if (cluster !== clusterName || service !== serviceName || !rest.length) return undefined
  return rest.join('/')
}

/** The stored task set a reference names in a service, with its key. */
export function findTaskSet(ctx: Scope, repos: Pick<Repos, 'taskSets'>, service: ServiceDoc, ref: string): [string, TaskSetDoc] | undefined {
  const id = taskSetIdOf(ctx, service.kecs.clusterName, service.serviceName, ref)
  if (!id) return undefined
  const key = taskSetKey(ctx, service.kecs.clusterName, service.serviceName, id)
  const doc = repos.taskSets.get(key)
  return doc && doc.serviceArn === service.serviceArn ? [key, doc] : undefined
}

/**
 * After the service's desiredCount changed: every task set's computedDesiredCount follows (stored in
 * the same job as the service, so responses show it at once).
 */
export function stageTaskSetCounts(repos: Pick<Repos, 'taskSets'>, service: ServiceDoc, nowMs: number): WriteOp[] {
  const ops: WriteOp[] = []
  for (const [key, ts] of taskSetEntries(repos, service.serviceArn)) {
    const computed = wantedCount(service, ts)
    if (computed === ts.computedDesiredCount) continue
    const next = structuredClone(ts)
    next.computedDesiredCount = computed
    next.updatedAt = epochSeconds(nowMs)
    if (next.stabilityStatus !== 'STABILIZING') {
      next.stabilityStatus = 'STABILIZING'
      next.stabilityStatusAt = epochSeconds(nowMs)
    }
    ops.push(repos.taskSets.stagePut(key, next))
  }
  return ops
}

/**
 * The service is deleted: its task sets drain (or, when nothing runs them, go at once with their tags).
 */
export function stageTaskSetsDrain(deps: Pick<EcsDeps, 'repos'>, service: ServiceDoc, nowMs: number, now: boolean): WriteOp[] {
  const ops: WriteOp[] = []
  for (const [key, ts] of taskSetEntries(deps.repos, service.serviceArn)) {
    if (now) {
      ops.push(deps.repos.taskSets.stageDelete(key), stageDeleteTags(deps.repos, ts.taskSetArn))
      continue
    }
    if (ts.status === 'DRAINING') continue
    const next = structuredClone(ts)
    next.status = 'DRAINING'
    next.computedDesiredCount = 0
    next.updatedAt = epochSeconds(nowMs)
    next.stabilityStatus = 'STABILIZING'
    next.stabilityStatusAt = epochSeconds(nowMs)
    ops.push(deps.repos.taskSets.stagePut(key, next))
  }
  return ops
}
