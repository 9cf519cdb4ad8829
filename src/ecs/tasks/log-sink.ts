import type { TaskDoc } from './task-doc.js'

/** One line a container printed, with the time the runtime stamped on it. */
export interface LogLine {
  /** Epoch ms. */
  timestamp: number
  message: string
}

/**
 * Where a container's log lines go as it prints them, besides the cluster (its log driver, e.g.
 * awslogs → CloudWatch Logs). The ECS layer knows only this shape; src/instance plugs a writer in.
 */
export interface TaskLogSink {
  /** Whether this container's lines are wanted (asked when the container is seen running). */
  wants(task: TaskDoc, container: string): boolean
  /** Lines in the order printed; awaited before the next batch of the same container. */
  onLines(task: TaskDoc, container: string, lines: LogLine[]): Promise<void>
  /** The timestamp of the last line already taken (after a restart): older and equal lines are skipped. */
  resumeAfter?(task: TaskDoc, container: string): number | undefined
}
