import { epochSeconds } from '../clock.js'
import { resolveCluster } from '../clusters/resolve.js'
import type { RequestContext } from '../context.js'
import { invalidParameter } from '../errors.js'
import type { EcsDeps, Wire, Handler } from '../types.js'
import { taskKeyOf } from './task-keys.js'
import { isExpired, stoppedRetentionMs } from './runtime.js'
import { findTask, refArn, type TaskDoc } from './task-doc.js'

/**
 * Task scale-in protection. Only tasks of a service can be protected (others fail with
 * TASK_NOT_VALID, as ECS documents); protection lapses after `expiresInMinutes` (default 120,
 * 1-2880). KECS records it; the service scheduler reads it when it chooses tasks to stop.
 */
const DEFAULT_MINUTES = 120
const MAX_MINUTES = 2880
const MAX_UPDATE = 10
const MAX_GET = 100

type Failure = { arn: string; reason: string; detail?: string }

function lookup(ctx: RequestContext, deps: EcsDeps, clusterName: string, ref: string, failures: Failure[]): TaskDoc | undefined {
  const doc = findTask(ctx, deps.repos, clusterName, ref)
  if (!doc || isExpired(doc, deps.clock.now(), stoppedRetentionMs(deps))) {
    failures.push({ arn: refArn(ctx, clusterName, ref), reason: 'MISSING' })
    return undefined
  }
  if (!doc.group?.startsWith('service:')) {
    failures.push({ arn: doc.taskArn, reason: 'TASK_NOT_VALID', detail: 'Task protection is only supported for tasks that are part of a service.' })
    return undefined
  }
  return doc
}

/** Whether protection is on now (it lapses at its expiry) and until when. */
function protectionOf(doc: TaskDoc, nowMs: number): { enabled: boolean; expiresAt?: number } {
  const p = doc.kecs.protection
  if (!p?.enabled || (p.expiresAt !== undefined && p.expiresAt <= nowMs)) return { enabled: false }
  return p
}

const protectedTask = (doc: TaskDoc, nowMs: number) => {
  const p = protectionOf(doc, nowMs)
  return p.enabled
    ? { taskArn: doc.taskArn, protectionEnabled: true, expirationDate: epochSeconds(p.expiresAt!) }
    : { taskArn: doc.taskArn, protectionEnabled: false }
}

const updateTaskProtection: Handler<'UpdateTaskProtection'> = async (input, ctx, deps) => {
  const cluster = resolveCluster(ctx, deps, input.cluster)
  const refs = input.tasks ?? []
  if (refs.length === 0) throw invalidParameter('Tasks cannot be empty.')
  if (refs.length > MAX_UPDATE) throw invalidParameter(`tasks can have at most ${MAX_UPDATE} items.`)
  const minutes = input.expiresInMinutes ?? DEFAULT_MINUTES
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > MAX_MINUTES) {
    throw invalidParameter(`expiresInMinutes must be between 1 and ${MAX_MINUTES}.`)
  }
  const now = deps.clock.now()
  const failures: Failure[] = []
  const protectedTasks = []
  const ops = []
  for (const ref of refs) {
    const current = lookup(ctx, deps, cluster.clusterName, ref, failures)
    if (!current) continue
    const doc: TaskDoc = structuredClone(current)
    doc.kecs.protection = input.protectionEnabled ? { enabled: true, expiresAt: now + minutes * 60_000 } : { enabled: false }
    ops.push(deps.repos.tasks.stagePut(taskKeyOf(doc), doc))
    protectedTasks.push(protectedTask(doc, now))
  }
  if (ops.length) await deps.repos.store.write(ops)
  return { protectedTasks, failures }
}

const getTaskProtection: Handler<'GetTaskProtection'> = async (input, ctx, deps) => {
  const cluster = resolveCluster(ctx, deps, input.cluster)
  const refs = input.tasks ?? []
  if (refs.length > MAX_GET) throw invalidParameter(`tasks can have at most ${MAX_GET} items.`)
  const now = deps.clock.now()
  const failures: Failure[] = []
  const protectedTasks = []
  for (const ref of refs) {
    const doc = lookup(ctx, deps, cluster.clusterName, ref, failures)
    if (doc) protectedTasks.push(protectedTask(doc, now))
  }
  return { protectedTasks, failures }
}

export const handlers = {
  GetTaskProtection: getTaskProtection,
  UpdateTaskProtection: updateTaskProtection,
}
