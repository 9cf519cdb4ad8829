import type { WriteOp } from '../../store/store.js'
import { parseArn } from '../arns.js'
import type { EcsDeps } from '../types.js'
import type { TaskDoc } from './task-doc.js'
import { taskKeyOf } from './task-keys.js'
import { serializeShape } from '../model/serialize.js'

/**
 * `ECS Task State Change` events (docs/ecs-facts.md#events): the detail is the task in the
 * model's Task shape without tags, with ISO timestamps (milliseconds, `Z`) instead of epoch seconds,
 * plus `updatedAt`; `detail.version` is the task's version, bumped on every change.
 */
export function taskEventDetail(doc: TaskDoc, updatedAtMs: number): Record<string, unknown> {
  const detail = serializeShape('Task', doc, 'iso') as Record<string, unknown>
  delete detail.tags
  detail.updatedAt = new Date(updatedAtMs).toISOString()
  return detail
}

/**
 * A task changed: the typed internal signal first (the scheduler, log capture), then the public
 * `ECS Task State Change` event on the bus (the feed).
 */
export function publishTaskChange(deps: Pick<EcsDeps, 'bus' | 'clock' | 'signals'>, doc: TaskDoc, previous: TaskDoc | undefined): void {
  deps.signals.taskChanged.emit({ task: doc, previous })
  const nowMs = deps.clock.now()
  const p = parseArn(doc.taskArn)
  deps.bus.publish({
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
  deps: Pick<EcsDeps, 'repos' | 'bus' | 'clock' | 'signals'>,
  doc: TaskDoc,
  extraOps: WriteOp[] = [],
  previous: TaskDoc | undefined = deps.repos.tasks.get(taskKeyOf(doc)) as TaskDoc | undefined,
): Promise<void> {
  const done = deps.repos.store.write([deps.repos.tasks.stagePut(taskKeyOf(doc), doc), ...extraOps])
  publishTaskChange(deps, doc, previous)
  return done
}
