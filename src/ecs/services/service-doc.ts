import type { Deployment, Service, ServiceEvent, Tag } from '@aws-sdk/client-ecs'
import { isArn, parseArn } from '../arns.js'
import type { RequestContext } from '../context.js'
import { scopedKey } from '../../store/scoped-key.js'
import type { Repos } from '../repos.js'
import { serializeShape } from '../model/serialize.js'
import { getTags } from '../tag-store.js'
import type { Wire } from '../types.js'
import type { TaskSetDoc } from './task-set-doc.js'
import type { ExpressInternal } from '../express/express-doc.js'
import type { ConnectedPort } from '../gateways/connect.js'

/**
 * Services: the data model. One document per service in `repos.services`: the Service shape as
 * DescribeServices shows it (without tags and task sets) plus `kecs`, what KECS needs and never shows.
 * docs/architecture.md#service-documents-and-deployments
 */
export type ServiceDoc = Omit<Wire<Service>, 'tags' | 'taskSets' | 'deployments' | 'events'> & {
  serviceArn: string
  serviceName: string
  clusterArn: string
  status: ServiceStatus
  desiredCount: number
  runningCount: number
  pendingCount: number
  deployments: DeploymentDoc[]
  events: Wire<ServiceEvent>[]
  kecs: ServiceInternal
}

export type ServiceStatus = 'ACTIVE' | 'DRAINING' | 'INACTIVE'

export type DeploymentDoc = Wire<Deployment> & {
  id: string
  status: 'PRIMARY' | 'ACTIVE' | 'INACTIVE'
  desiredCount: number
  runningCount: number
  pendingCount: number
  failedTasks: number
  createdAt: number
  updatedAt: number
  kecs: DeploymentInternal
}

export interface DeploymentInternal {
  /** Tags every task of this deployment gets (propagateTags, enableECSManagedTags), fixed at its start. */
  taskTags: { key: string; value: string }[]
  /** A circuit-breaker rollback: the COMPLETED deployment whose revision this one restores. */
  rollbackTo?: string
  /** When it left deployments[] (epoch ms): drained, replaced, or the service was deleted. */
  finishedAt?: number
  /** A rollback (circuit breaker or StopServiceDeployment): the deployment it replaces. */
  rollbackOf?: string
  /** When its rolloutState became COMPLETED or FAILED (epoch ms). */
  endedAt?: number
  /** The deployments running when it started (its service deployment's source revisions). */
  sources?: string[]
  /** What the service had when it started (service deployments and revisions show it). */
  started?: DeploymentStart
  /** StopServiceDeployment: how and when (epoch ms) it was stopped. */
  stopped?: { type: 'ROLLBACK' | 'ABORT'; at: number }
}

export interface DeploymentStart {
  desiredCount: number
  deploymentConfiguration?: Wire<Service>['deploymentConfiguration']
  loadBalancers?: Wire<Service>['loadBalancers']
  serviceRegistries?: Wire<Service>['serviceRegistries']
}

export interface ServiceInternal {
  clusterName: string
  /** CreateService clientToken and a fingerprint of the request (idempotency). */
  clientToken?: string
  requestFingerprint?: string
  /** The scheduler's view: the service was at steady state at its last evaluation. */
  steady: boolean
  /** When its tasks failed to start or exited (epoch ms), the last 15 minutes' (SERVICE_TASK_START_IMPAIRED). */
  recentFailures: number[]
  impaired: boolean
  /** The last deployment that reached COMPLETED (what a circuit-breaker rollback goes back to). */
  lastCompleted?: DeploymentDoc
  /** Deployments no longer in deployments[], newest first (see above). */
  pastDeployments: DeploymentDoc[]
  /** Settings KECS accepted but cannot apply (converter findings), for users and docs. */
  ignored?: { field: string; reason: string }[]
  /** When the service became INACTIVE (epoch ms). */
  inactiveAt?: number
  /** Tasks stopped for failed health checks whose replacements have not started yet (the "has started" event names them). */
  unhealthyReplaced?: number
  /** Set when the service runs an ECS daemon (src/ecs/daemons): the service operations never show it. */
  daemon?: { daemonArn: string }
  /** Set when the service is an Express Mode service (src/ecs/express). */
  express?: ExpressInternal
  /** The service's gateway connectors (CreateService/UpdateService gatewayConnectors; src/ecs/gateways/connect.ts). */
  gateways?: ConnectedPort[]
}

export const MAX_PAST_DEPLOYMENTS = 50

type Scope = Pick<RequestContext, 'account' | 'region'>

export const serviceKey = (scope: Scope, clusterName: string, serviceName: string) => scopedKey(scope, clusterName, serviceName)

export const taskSetKey = (scope: Scope, clusterName: string, serviceName: string, taskSetId: string) =>
  scopedKey(scope, clusterName, serviceName, taskSetId)

/**
 * The service name a reference names inside a cluster: a name, or an ARN (long `service/<cluster>/<name>`
 * or the old `service/<name>`); undefined when it cannot name a service of this cluster.
 */
export function serviceNameOf(ctx: Scope, clusterName: string, ref: string): string | undefined {
  if (!isArn(ref)) return ref && !ref.includes('/') ? ref : undefined
  const p = parseArn(ref)
  if (!p || p.service !== 'ecs' || p.resourceType !== 'service' || p.region !== ctx.region || p.account !== ctx.account) return undefined
  const parts = p.resource.split('/')
  if (parts.length === 2) return parts[0] === clusterName ? parts[1] : undefined
  return parts.length === 1 ? parts[0] : undefined
}

/** The stored service (any status) a reference names in a cluster; a daemon's service is none. */
export function findService(ctx: Scope, repos: Pick<Repos, 'services'>, clusterName: string, ref: string): ServiceDoc | undefined {
  const name = serviceNameOf(ctx, clusterName, ref)
  const doc = name === undefined ? undefined : repos.services.get(serviceKey(ctx, clusterName, name))
  return doc && !isDaemonService(doc) ? doc : undefined
}

/** A service that runs a daemon: the daemon operations own it, the service operations and counts skip it. */
export const isDaemonService = (doc: Pick<ServiceDoc, 'kecs'> | undefined): boolean => !!doc?.kecs?.daemon

/** The ARN a reference stands for, for `failures[].arn` (a bare name gives ECS's short form `service/<name>`). */
export const serviceRefArn = (ctx: Scope, ref: string) =>
  isArn(ref) ? ref : `arn:aws:ecs:${ctx.region}:${ctx.account}:service/${ref}`

const isExternal = (doc: Pick<ServiceDoc, 'deploymentController'>) => doc.deploymentController?.type === 'EXTERNAL'

/**
 * A stored service in ECS's Service shape (the model's members only, at any depth): `tags` only when
 * asked for (DescribeServices include TAGS) or given (`tags` option, CreateService echoes what it was
 * given); `taskSets` only for EXTERNAL, whose `deployments` is []. A fresh copy of the doc.
 */
export function renderService(
  repos: Pick<Repos, 'tags' | 'taskSets'>,
  doc: ServiceDoc,
  opts: { tags?: boolean; echoTags?: Wire<Tag>[] } = {},
): Wire<Service> {
  const external = isExternal(doc)
  const tags = opts.tags ? getTags(repos as Repos, doc.serviceArn) : opts.echoTags?.length ? opts.echoTags : undefined
  return serializeShape('Service', {
    ...doc,
    taskSets: external ? taskSetsOf(repos, doc.serviceArn) : undefined,
    deployments: external ? [] : doc.deployments,
    tags,
  }) as Wire<Service>
}

/** The service's task sets that are not INACTIVE, oldest first (rendered with the Service shape). */
function taskSetsOf(repos: Pick<Repos, 'taskSets'>, serviceArn: string): TaskSetDoc[] {
  const out: TaskSetDoc[] = []
  for (const ts of repos.taskSets.values() as IterableIterator<TaskSetDoc>) {
    // INACTIVE is not a stored status (such task sets are deleted); the check keeps older stores right.
    if (ts?.serviceArn === serviceArn && (ts.status as string) !== 'INACTIVE') out.push(ts)
  }
  return out.sort((a, b) => a.createdAt - b.createdAt)
}

/** The PRIMARY deployment (the first), if any. */
export const primaryOf = (doc: Pick<ServiceDoc, 'deployments'>): DeploymentDoc | undefined =>
  doc.deployments.find((d) => d.status === 'PRIMARY')

/** The group every task of the service carries. */
export const serviceGroup = (serviceName: string) => `service:${serviceName}`
