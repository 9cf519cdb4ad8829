import { containerOfRuntimeId, parseContainerRuntimeId, taskIdOfRef } from '../tasks/container-ids.js'
import { getTags } from '../tag-store.js'
import { taskDefinitionOfArn } from '../task-definitions/resolve.js'
import type { TaskDefinitionDoc } from '../task-definitions/task-definition-doc.js'
import { isExpired, stoppedRetentionMs } from '../tasks/runtime.js'
import type { TaskDoc } from '../tasks/task-doc.js'
import type { EcsDeps } from '../types.js'
import type { MetadataInput, TaskContainer } from './input.js'

/**
 * From the id in a metadata URL to the stored task. The endpoint ids are `<taskId>-<10 digits>`
 * (tasks/container-ids.ts) and the credentials id is `<taskId>`, where taskId is the task's id, or for service
 * pods (which the reconciler adopts under their UID without dashes) the pod UID, dashes and all. Task ids
 * are unique within KECS (32 random hex digits or a pod UID; tasks adopted by older versions: a pod name
 * inside its cluster's namespace), so one index serves every cluster, account and region. A forgotten
 * task (STOPPED past the retention) is unknown.
 */
type Deps = Pick<EcsDeps, 'repos' | 'clock' | 'cluster'>

/** taskId → store key; rebuilt from the tasks table when an id is not (or no longer) in it. */
const indexes = new WeakMap<object, Map<string, string>>()

export function findTaskById(deps: Deps, ref: string): TaskDoc | undefined {
  const taskId = taskIdOfRef(ref)
  const table = deps.repos.tasks
  let index = indexes.get(table)
  const hit = (key: string | undefined) => {
    const doc = key === undefined ? undefined : table.get(key)
    return doc?.kecs?.taskId === taskId ? doc : undefined
  }
  let doc = hit(index?.get(taskId))
  if (!doc) {
    index = new Map()
    for (const [key, d] of table.entries()) if (d?.kecs?.taskId) index.set(d.kecs.taskId, key)
    indexes.set(table, index)
    doc = hit(index.get(taskId))
  }
  if (!doc || isExpired(doc, deps.clock.now(), stoppedRetentionMs(deps))) return undefined
  return doc
}

/** The task and container an endpoint id (`<taskId>-<10 digits>`) names. */
export function findByEndpointId(deps: Deps, id: string): { task: TaskDoc; container: TaskContainer } | undefined {
  const parsed = parseContainerRuntimeId(id)
  if (!parsed) return undefined
  const task = findTaskById(deps, parsed.taskId)
  if (!task) return undefined
  const containers = task.containers ?? []
  const name = containerOfRuntimeId(id, containers.map((c) => c.name ?? ''))
  const container = containers.find((c) => c.name === name)
  return container ? { task, container } : undefined
}

export const taskDefinitionOf = (deps: Pick<EcsDeps, 'repos'>, task: TaskDoc): TaskDefinitionDoc | undefined =>
  taskDefinitionOfArn(deps.repos, task.taskDefinitionArn)

/** Everything the shaping needs about a task, read now. */
export function metadataInput(deps: Deps, task: TaskDoc, opts: { tags?: boolean } = {}): MetadataInput {
  const input: MetadataInput = { task, taskDefinition: taskDefinitionOf(deps, task), nowMs: deps.clock.now() }
  if (opts.tags) {
    input.tags = getTags(deps.repos, task.taskArn)
    if (task.containerInstanceArn) input.containerInstanceTags = getTags(deps.repos, task.containerInstanceArn)
  }
  return input
}
