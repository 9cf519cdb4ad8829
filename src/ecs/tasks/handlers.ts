import type { HandlerMap } from '../types.js'
import { handlers as protection } from './protection.js'
import { handlers as query } from './query.js'
import { handlers as run } from './run-task.js'
import { handlers as stop } from './stop-task.js'

/** The task operations: RunTask, StartTask, StopTask, DescribeTasks, ListTasks, Get/UpdateTaskProtection. */
export const handlers: HandlerMap = {
  ...run,
  ...stop,
  ...query,
  ...protection,
}
