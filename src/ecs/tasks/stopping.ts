import type { TaskStopCode } from '@aws-sdk/client-ecs'
import { epochSeconds } from '../clock.js'
import type { TaskDoc } from './task-doc.js'

/** Why a task stops, as DescribeTasks shows it. */
export interface StopReason {
  stopCode: TaskStopCode
  stoppedReason: string
}

/**
 * The stop transition: desiredStatus STOPPED, why, and when (`stoppingAt`). lastStatus is left to the
 * reconciler, which follows the pod down. A task already stopping keeps its first reason. Returns
 * whether the doc changed; the caller bumps its version and stores it.
 */
export function markStopping(doc: TaskDoc, why: StopReason, nowMs: number): boolean {
  if (doc.desiredStatus === 'STOPPED') return false
  doc.desiredStatus = 'STOPPED'
  doc.stoppingAt = epochSeconds(nowMs)
  doc.stopCode = why.stopCode
  doc.stoppedReason = why.stoppedReason
  return true
}
