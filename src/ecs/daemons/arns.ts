import { randomBytes } from 'node:crypto'
import { parseArn } from '../arns.js'
import type { RequestContext } from '../context.js'

type Scope = Pick<RequestContext, 'account' | 'region'>

const prefix = (s: Scope) => `arn:aws:ecs:${s.region}:${s.account}`

export const daemonArn = (s: Scope, cluster: string, name: string) => `${prefix(s)}:daemon/${cluster}/${name}`
export const daemonDeploymentArn = (s: Scope, cluster: string, name: string, id: string) =>
  `${prefix(s)}:daemon-deployment/${cluster}/${name}/${id}`
export const daemonRevisionArn = (s: Scope, cluster: string, name: string, id: string) =>
  `${prefix(s)}:daemon-revision/${cluster}/${name}/${id}`
export const daemonTaskDefinitionArn = (s: Scope, family: string, revision: number) =>
  `${prefix(s)}:daemon-task-definition/${family}:${revision}`

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'

/** A daemon deployment id: 16 letters and digits, as in ECS's examples. */
export function newDaemonDeploymentId(): string {
  return [...randomBytes(16)].map((b) => ALNUM[b % ALNUM.length]).join('')
}

/** A daemon revision id: a 19-digit number, as in ECS's examples. */
export function newDaemonRevisionId(): string {
  const n = randomBytes(8).readBigUInt64BE() % (9n * 10n ** 18n)
  return (10n ** 18n + n).toString()
}

/** The parts of `daemon/<cluster>/<name>`, `daemon-deployment/<cluster>/<name>/<id>` or `daemon-revision/...`, in this scope. */
export function parseDaemonArn(
  scope: Scope,
  arn: string,
  type: 'daemon' | 'daemon-deployment' | 'daemon-revision',
): { cluster: string; name: string; id?: string } | undefined {
  const p = parseArn(arn)
  if (!p || p.service !== 'ecs' || p.resourceType !== type || p.region !== scope.region || p.account !== scope.account) return undefined
  const parts = p.resource.split('/')
  if (parts.length !== (type === 'daemon' ? 2 : 3) || parts.some((x) => !x)) return undefined
  return { cluster: parts[0]!, name: parts[1]!, ...(parts[2] ? { id: parts[2] } : {}) }
}
