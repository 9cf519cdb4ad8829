import { randomBytes, randomUUID } from 'node:crypto'
import type { RequestContext } from './context.js'

/** ARN builders and parsers for the ECS resource types (docs/architecture.md#wire-format). */
type Scope = Pick<RequestContext, 'region' | 'account'>

const prefix = (s: Scope) => `arn:aws:ecs:${s.region}:${s.account}`

export const clusterArn = (s: Scope, name: string) => `${prefix(s)}:cluster/${name}`
export const taskDefinitionArn = (s: Scope, family: string, revision: number) =>
  `${prefix(s)}:task-definition/${family}:${revision}`
export const serviceArn = (s: Scope, cluster: string, name: string) => `${prefix(s)}:service/${cluster}/${name}`
export const taskArn = (s: Scope, cluster: string, id: string) => `${prefix(s)}:task/${cluster}/${id}`
export const containerArn = (s: Scope, cluster: string, taskId: string, uuid: string) =>
  `${prefix(s)}:container/${cluster}/${taskId}/${uuid}`
export const containerInstanceArn = (s: Scope, cluster: string, id: string) =>
  `${prefix(s)}:container-instance/${cluster}/${id}`
export const taskSetArn = (s: Scope, cluster: string, service: string, id: string) =>
  `${prefix(s)}:task-set/${cluster}/${service}/${id}`

/** A 32-hex task or container-instance id, as ECS makes them. */
export const newTaskId = () => randomBytes(16).toString('hex')
export const newUuid = () => randomUUID()

export interface ParsedArn {
  partition: string
  service: string
  region: string
  account: string
  /** e.g. `cluster`, `task-definition`, `service`, `task` */
  resourceType: string
  /** everything after `<type>/` */
  resource: string
}

export function parseArn(arn: string): ParsedArn | undefined {
  const m = /^arn:(aws[a-z-]*):([a-z0-9-]+):([a-z0-9-]*):(\d{12}):([a-z-]+)\/(.+)$/.exec(arn)
  if (!m) return undefined
  return { partition: m[1]!, service: m[2]!, region: m[3]!, account: m[4]!, resourceType: m[5]!, resource: m[6]! }
}

export const isArn = (s: string) => s.startsWith('arn:')

export interface TaskDefinitionArnParts extends Scope {
  family: string
  revision: number
}

/** The parts of a task definition ARN `task-definition/<family>:<revision>`; undefined for anything else. */
export function parseTaskDefinitionArn(arn: string): TaskDefinitionArnParts | undefined {
  const p = parseArn(arn)
  if (!p || p.service !== 'ecs' || p.resourceType !== 'task-definition') return undefined
  const colon = p.resource.lastIndexOf(':')
  const revision = p.resource.slice(colon + 1)
  if (colon <= 0 || !/^\d+$/.test(revision)) return undefined
  return { region: p.region, account: p.account, family: p.resource.slice(0, colon), revision: Number(revision) }
}

/** The short name of a cluster given as a name or an ARN. */
export function clusterNameOf(ref: string | undefined): string {
  if (!ref) return 'default'
  if (isArn(ref)) {
    const p = parseArn(ref)
    if (p && p.resourceType === 'cluster') return p.resource
    return ref
  }
  return ref
}

export const NAME_PATTERN = /^[A-Za-z0-9_-]{1,255}$/
