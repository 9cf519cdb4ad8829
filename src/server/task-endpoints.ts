import type { Hono } from 'hono'
import type { EcsDeps } from '../ecs/types.js'
import type { TaskLogs } from '../ecs/tasks/task-logs.js'
import { mountLogs } from './logs-app.js'
import { mountMetadata, type MetadataOptions } from './metadata-app.js'

/**
 * What the API port serves for running tasks besides the ECS API: the task metadata endpoint
 * (`/metadata/...`, credentials also at `/v2/credentials/...`) and container logs (`/kecs/v1/logs`).
 * `close()` ends open log streams so the server can stop.
 */
export function mountTaskEndpoints(app: Hono, deps: EcsDeps, logs: TaskLogs, opts: MetadataOptions = {}): { close(): void } {
  mountMetadata(app, deps, opts)
  return mountLogs(app, deps, logs)
}
