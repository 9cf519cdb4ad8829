import type { ManagedVolume } from './managed-volumes.js'
import type { Task } from '@aws-sdk/client-ecs'
import { isArn, taskArn as buildTaskArn } from '../arns.js'
import type { RequestContext } from '../context.js'
import type { Repos } from '../repos.js'
import { scopedKey } from '../../store/scoped-key.js'
import { serializeShape } from '../model/serialize.js'
import { getTags } from '../tag-store.js'
import type { Wire } from '../types.js'
import { parseTaskArn, taskKey } from './task-keys.js'

/**
 * A task as stored in `repos.tasks` under `taskKey(scope, cluster, id)` (task-keys.ts): the ECS Task shape (what
 * DescribeTasks returns, minus tags, which live in the tag store) plus `kecs`, what KECS needs to run
 * it and never shows. clusterCounts (clusters/counts.ts) reads clusterArn, lastStatus, launchType and
 * capacityProviderName from these docs.
 */
export type TaskDoc = Omit<Wire<Task>, 'tags'> & {
  taskArn: string
  clusterArn: string
  lastStatus: string
  desiredStatus: string
  version: number
  kecs: TaskInternal
}

export interface TaskInternal {
  clusterName: string
  taskId: string
  /** Where the task runs, set by the runtime: the pod (named after the task id for RunTask/StartTask). */
  namespace?: string
  podName?: string
  /** Names of the essential containers (an exit of one stops the task). */
  essential: string[]
  /** Grace period for the pod on stop: the largest stopTimeout of the task (default 30s). */
  stopTimeoutSeconds: number
  /** RunTask clientToken and a fingerprint of the request it came with (idempotency). */
  clientToken?: string
  requestFingerprint?: string
  /** Task scale-in protection (UpdateTaskProtection); expiresAt in epoch ms. */
  protection?: { enabled: boolean; expiresAt?: number }
  /** Settings KECS accepted but could not apply (converter findings), for users and docs. */
  ignored?: { field: string; reason: string }[]
  /** The task came from a pod KECS did not create itself (a service's Deployment pod). */
  adopted?: boolean
  /** EBS volumes configured at launch (managed-volumes.ts). */
  managedVolumes?: ManagedVolume[]
}

/** Task lifecycle, in order (docs/architecture.md#lifecycle-as-data): lastStatus never moves backwards. */
const LIFECYCLE = [
  'PROVISIONING',
  'PENDING',
  'ACTIVATING',
  'RUNNING',
  'DEACTIVATING',
  'STOPPING',
  'DEPROVISIONING',
  'STOPPED',
] as const
export type TaskStatus = (typeof LIFECYCLE)[number]

export const statusRank = (s: string | undefined) => LIFECYCLE.indexOf((s ?? 'PROVISIONING') as TaskStatus)

type Scope = Pick<RequestContext, 'account' | 'region'>

/**
 * The stored task a DescribeTasks/StopTask reference names inside a cluster: a task id, or a task ARN
 * (long format `task/<cluster>/<id>`, or the old `task/<id>`). Another cluster's task is not found.
 */
export function findTask(
  ctx: RequestContext,
  repos: Pick<Repos, 'tasks'>,
  clusterName: string,
  ref: string,
): TaskDoc | undefined {
  let id = ref
  if (isArn(ref)) {
    const p = parseTaskArn(ref)
    if (!p || p.region !== ctx.region || p.account !== ctx.account) return undefined
    if (p.clusterName !== undefined && p.clusterName !== clusterName) return undefined
    id = p.taskId
  }
  if (!id || id.includes('/')) return undefined
  return repos.tasks.get(taskKey(ctx, clusterName, id))
}

/** The ARN a reference stands for, for `failures[].arn`. */
export const refArn = (ctx: Scope, clusterName: string, ref: string) => (isArn(ref) ? ref : buildTaskArn(ctx, clusterName, ref))

/**
 * A stored task in ECS's Task shape (the model's members only: `kecs` and anything else internal
 * dropped at any depth), tags from the tag store when asked. A fresh copy: callers may change it
 * without touching the stored doc, and it does not follow later changes of the doc.
 */
export function renderTask(repos: Pick<Repos, 'tags'> | undefined, doc: TaskDoc, opts: { tags?: boolean } = {}): Wire<Task> {
  const tags = opts.tags && repos ? getTags(repos as Repos, doc.taskArn) : []
  return serializeShape('Task', { ...doc, tags }) as Wire<Task>
}
