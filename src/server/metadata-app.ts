import { Hono, type Context } from 'hono'
import { randomUUID } from 'node:crypto'
import { buildContext } from '../ecs/context.js'
import { dispatch } from '../ecs/dispatch.js'
import { EcsError } from '../ecs/errors.js'
import {
  DECODE_FAILED,
  errorResponse,
  failureResponse,
  NO_ENABLED_FIELD,
  NO_ROLE,
  NO_TASK,
  parseProtectionRequest,
  protectionResponse,
  type AgentResponse,
} from '../ecs/metadata/agent-protection.js'
import type { MetadataVersion } from '../ecs/metadata/container.js'
import { credentialsError, dummyCredentials, taskRoleArnOf } from '../ecs/metadata/credentials.js'
import { findByEndpointId, findTaskById, metadataInput, taskDefinitionOf } from '../ecs/metadata/lookup.js'
import { METADATA_PREFIX } from '../ecs/metadata/paths.js'
import { containerStats, taskStats } from '../ecs/metadata/stats.js'
import { containerOnlyMetadata, taskMetadata } from '../ecs/metadata/task.js'
import type { TaskDoc } from '../ecs/tasks/task-doc.js'
import type { EcsDeps } from '../ecs/types.js'
import type { SessionSecret } from '../lib/session-token.js'

/**
 * The task metadata endpoint KECS serves for its tasks (what the ECS agent serves on 169.254.170.2),
 * on the ECS API port under `/metadata`, credentials also at the root. docs/architecture.md#task-metadata-endpoint
 */
type Deps = EcsDeps

const json = (c: Context, status: number, body: unknown) =>
  c.body(JSON.stringify(body), status as 200, { 'Content-Type': 'application/json' })

const agent = (c: Context, r: AgentResponse) => json(c, r.status, r.body)

/** `sessionSecret` (with `--auth sigv4`): task role credentials get secrets whose signatures verify. */
export interface MetadataOptions {
  sessionSecret?: SessionSecret
}

export function createMetadataApp(deps: Deps, opts: MetadataOptions = {}): Hono {
  const app = new Hono()
  for (const version of ['v3', 'v4'] as const) {
    const V = version.toUpperCase()
    const lookup = (c: Context) => findByEndpointId(deps, c.req.param('id') ?? '')
    const notFound = (c: Context, handler: string) =>
      json(c, 404, `${V} ${handler} handler: unable to find a container for endpoint ID ${c.req.param('id') ?? ''}`)

    app.get(`/${version}/:id`, (c) => {
      const found = lookup(c)
      if (!found) return notFound(c, 'container metadata')
      return json(c, 200, containerOnlyMetadata(metadataInput(deps, found.task), found.container, version))
    })
    app.get(`/${version}/:id/task`, (c) => taskRoute(c, version, false))
    app.get(`/${version}/:id/taskWithTags`, (c) => taskRoute(c, version, true))
    app.get(`/${version}/:id/stats`, (c) => {
      const found = lookup(c)
      if (!found) return notFound(c, 'container stats')
      return json(c, 200, containerStats(metadataInput(deps, found.task), found.container, version))
    })
    app.get(`/${version}/:id/task/stats`, (c) => {
      const found = lookup(c)
      if (!found) return notFound(c, 'task stats')
      return json(c, 200, taskStats(metadataInput(deps, found.task), version))
    })

    function taskRoute(c: Context, v: MetadataVersion, withTags: boolean) {
      const found = lookup(c)
      if (!found) return notFound(c, 'task metadata')
      return json(c, 200, taskMetadata(metadataInput(deps, found.task, { tags: withTags }), { version: v, withTags }))
    }
  }

  // Task scale-in protection, through the same handlers as GetTaskProtection / UpdateTaskProtection.
  app.get('/api/:id/task-protection/v1/state', async (c) => {
    const task = findByEndpointId(deps, c.req.param('id'))?.task
    if (!task) return agent(c, NO_TASK())
    if (!taskRoleArnOf(task, taskDefinitionOf(deps, task))) return agent(c, NO_ROLE(task.taskArn))
    return agent(c, await callProtection(deps, task, 'GetTaskProtection', {}))
  })
  app.put('/api/:id/task-protection/v1/state', async (c) => {
    const req = parseProtectionRequest(await c.req.text())
    if (!req.ok) return agent(c, DECODE_FAILED())
    const task = findByEndpointId(deps, c.req.param('id'))?.task
    if (!task) return agent(c, NO_TASK())
    if (req.protectionEnabled === undefined) return agent(c, NO_ENABLED_FIELD(task.taskArn))
    if (!taskRoleArnOf(task, taskDefinitionOf(deps, task))) return agent(c, NO_ROLE(task.taskArn))
    const body: Record<string, unknown> = { protectionEnabled: req.protectionEnabled }
    if (req.expiresInMinutes !== undefined) body.expiresInMinutes = req.expiresInMinutes
    return agent(c, await callProtection(deps, task, 'UpdateTaskProtection', body))
  })

  mountCredentials(app, deps, opts)
  return app
}

/** `GET /v2/credentials/<id>` and `GET /v1/credentials?id=<id>`: dummy credentials for the task role. */
function mountCredentials(app: Hono, deps: Deps, opts: MetadataOptions): void {
  const answer = (c: Context, id: string | undefined, apiVersion: 1 | 2) => {
    if (!id) {
      const e = credentialsError('NoIdInRequest', apiVersion)
      return json(c, e.status, e.body)
    }
    const task = findTaskById(deps, id)
    const role = task && taskRoleArnOf(task, taskDefinitionOf(deps, task))
    if (!task || !role) {
      const e = credentialsError('InvalidIdInRequest', apiVersion)
      return json(c, e.status, e.body)
    }
    return json(c, 200, dummyCredentials(task.taskArn, role, deps.clock.now(), opts.sessionSecret))
  }
  app.get('/v2/credentials', (c) => answer(c, undefined, 2))
  app.get('/v2/credentials/', (c) => answer(c, undefined, 2))
  app.get('/v2/credentials/:id', (c) => answer(c, c.req.param('id'), 2))
  app.get('/v1/credentials', (c) => answer(c, c.req.query('id'), 1))
}

/** Runs GetTaskProtection / UpdateTaskProtection for one task and wraps the answer as the agent does. */
async function callProtection(
  deps: Deps,
  task: TaskDoc,
  operation: 'GetTaskProtection' | 'UpdateTaskProtection',
  extra: Record<string, unknown>,
): Promise<AgentResponse> {
  const m = /^arn:[^:]+:ecs:([^:]*):(\d{12}):/.exec(task.taskArn)
  const requestId = randomUUID()
  const ctx = buildContext({ operation, region: m?.[1], account: m?.[2], requestId })
  try {
    const out = (await dispatch(operation, { cluster: task.clusterArn, tasks: [task.taskArn], ...extra }, ctx, deps)) as {
      protectedTasks?: { taskArn?: string; protectionEnabled?: boolean; expirationDate?: number }[]
      failures?: { arn?: string; reason?: string; detail?: string }[]
    }
    if (out.failures?.length) return failureResponse(out.failures[0]!)
    const pt = out.protectedTasks?.[0]
    if (!pt) return errorResponse(500, 'ServerException', `expect 1 protectedTask in response, get 0`, { arn: task.taskArn })
    return protectionResponse(pt)
  } catch (e) {
    if (e instanceof EcsError) return errorResponse(e.status, e.type, e.message, { arn: task.taskArn, requestId })
    return errorResponse(500, 'ServerException', 'An internal error occurred.', { arn: task.taskArn, requestId })
  }
}

/**
 * Adds the metadata endpoint to the ECS API app: everything under `/metadata`, and the credentials
 * paths at the root too.
 */
export function mountMetadata(app: Hono, deps: Deps, opts: MetadataOptions = {}): void {
  app.route(METADATA_PREFIX, createMetadataApp(deps, opts))
  const root = new Hono()
  mountCredentials(root, deps, opts)
  app.route('/', root)
}
