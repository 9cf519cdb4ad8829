import { parseArn } from '../arns.js'
import type { RequestContext } from '../context.js'
import { scopedKey } from '../../store/scoped-key.js'
import type { TaskDoc } from './task-doc.js'

/**
 * How tasks are keyed: a task doc lives in `repos.tasks` under `<account>/<region>/<cluster>/<task id>`,
 * which its long-format ARN (`task/<cluster>/<id>`) carries whole.
 */
type Scope = Pick<RequestContext, 'account' | 'region'>

export const taskKey = (scope: Scope, clusterName: string, taskId: string) => scopedKey(scope, clusterName, taskId)

export interface TaskArnParts {
  account: string
  region: string
  /** Absent for the old short format `task/<id>`. */
  clusterName?: string
  taskId: string
}

/** The parts of an ECS task ARN: long format `task/<cluster>/<id>`, or the old `task/<id>`. */
export function parseTaskArn(arn: string): TaskArnParts | undefined {
  const p = parseArn(arn)
  if (!p || p.service !== 'ecs' || p.resourceType !== 'task') return undefined
  const slash = p.resource.indexOf('/')
  const scope = { account: p.account, region: p.region }
  if (slash < 0) return { ...scope, taskId: p.resource }
  return { ...scope, clusterName: p.resource.slice(0, slash), taskId: p.resource.slice(slash + 1) }
}

/** The key of the doc a task ARN names, or undefined for another shape (the short format has no cluster). */
export function taskKeyOfArn(arn: string): string | undefined {
  const p = parseTaskArn(arn)
  return p?.clusterName === undefined ? undefined : taskKey(p, p.clusterName, p.taskId)
}

/** The key of a stored task doc (from its long-format ARN). */
export function taskKeyOf(doc: Pick<TaskDoc, 'taskArn'>): string {
  const key = taskKeyOfArn(doc.taskArn)
  if (!key) throw new Error(`not a long-format task ARN: ${doc.taskArn}`)
  return key
}
