import type { EventBus } from '../../events/bus.js'
import type { WriteOp } from '../../store/store.js'
import { parseArn } from '../arns.js'
import type { EcsDeps } from '../types.js'
import { serializeShape } from '../model/serialize.js'
import { taskKeyOfArn, type TaskDoc } from './task-doc.js'

/**
 * `ECS Task State Change` events (fact sheet ecs-events-metadata §1): the detail is the task in the
 * model's Task shape without tags, with ISO timestamps (milliseconds, `Z`) instead of epoch seconds,
 * plus `updatedAt`; `detail.version` is the task's version, bumped on every change.
 */
export function taskEventDetail(doc: TaskDoc, updatedAtMs: number): Record<string, unknown> {
  const detail = serializeShape('Task', doc, 'iso') as Record<string, unknown>
  delete detail.tags
  detail.updatedAt = new Date(updatedAtMs).toISOString()
  return detail
}

export function publishTaskChange(bus: EventBus, doc: TaskDoc, nowMs: number): void {
  const p = parseArn(doc.taskArn)
  bus.publish({
    detailType: 'ECS Task State Change',
    account: p?.account ?? '',
    region: p?.region ?? '',
    resources: [doc.taskArn],
    detail: taskEventDetail(doc, nowMs),
    time: new Date(nowMs),
  })
}

/**
 * Stores a task whose state changed (the caller bumped `version`) and publishes its event. The
 * in-memory copy changes at once; the returned promise resolves when the write is durable.
 */
export function saveTaskChange(
  deps: Pick<EcsDeps, 'repos' | 'bus' | 'clock'>,
  doc: TaskDoc,
  extraOps: WriteOp[] = [],
): Promise<void> {
  const done = deps.repos.store.write([deps.repos.tasks.stagePut(docKey(doc), doc), ...extraOps])
  publishTaskChange(deps.bus, doc, deps.clock.now())
  return done
}

/** The primary key of a stored task doc (from its long-format ARN). */
export function docKey(doc: Pick<TaskDoc, 'taskArn'>): string {
  const key = taskKeyOfArn(doc.taskArn)
  if (!key) throw new Error(`not a long-format task ARN: ${doc.taskArn}`)
  return key
}
