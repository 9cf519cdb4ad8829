import type { ObjectStore, WatchEvent } from '../types.js'
import type { Timers } from '../../lib/timers.js'
import type { EventRecorder } from './event-recorder.js'

/** What every controller is given. */
export interface ControllerContext {
  store: ObjectStore
  timers: Timers
  /** simulated time runs this many times faster (minReadySeconds, progress deadlines) */
  speed: number
  recorder: EventRecorder
  onError: (where: string, err: unknown) => void
}

export interface Controller {
  /** Queues every existing object once (startup, or after an emulator restart). */
  start(): void
  /** One store change; must only queue work, never write. */
  handle(resource: string, e: WatchEvent): void
  stop(): Promise<void>
  /** Nothing queued or running (tests). */
  readonly idle: boolean
}
