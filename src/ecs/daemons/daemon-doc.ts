import type { DaemonDeploymentConfiguration, DaemonRevision } from '@aws-sdk/client-ecs'
import type { RequestContext } from '../context.js'
import type { Repos } from '../repos.js'
import { serviceKey, type DeploymentDoc, type ServiceDoc } from '../services/service-doc.js'
import type { Wire } from '../types.js'
import { scopedKey } from '../../store/scoped-key.js'
import { parseDaemonArn } from './arns.js'

/**
 * A daemon, one doc in `repos.daemons`. What runs it is a DAEMON service (a DaemonSet) the daemon
 * owns, stored with the services but never shown by the service operations (`kecs.daemon`): its
 * deployments, rollouts, counts and circuit breaker are the service machinery's. The daemon keeps what
 * ECS shows of it: its revisions (snapshots taken when a deployment starts) and its deployments, each
 * tied to the service deployment that carries it out.
 */
export interface DaemonDoc {
  daemonArn: string
  daemonName: string
  clusterArn: string
  clusterName: string
  status: 'ACTIVE' | 'DELETE_IN_PROGRESS'
  createdAt: number
  updatedAt: number
  /** The latest deployment. */
  deploymentArn: string
  daemonTaskDefinitionArn: string
  capacityProviderArns: string[]
  deploymentConfiguration: Wire<DaemonDeploymentConfiguration>
  propagateTags: 'DAEMON' | 'NONE'
  enableECSManagedTags: boolean
  enableExecuteCommand: boolean
  critical: boolean
  clientToken?: string
  requestFingerprint?: string
  revisions: DaemonRevisionDoc[]
  /** Oldest first. */
  deployments: DaemonDeploymentRecord[]
}

export type DaemonRevisionDoc = Wire<DaemonRevision> & { daemonRevisionArn: string; daemonTaskDefinitionArn: string; createdAt: number }

export interface DaemonDeploymentRecord {
  arn: string
  /** `deploy`: a revision rolls out; `delete`: DeleteDaemon drains the daemon's tasks. */
  kind: 'deploy' | 'delete'
  /** The service deployment that carries it out (deploy). */
  serviceDeploymentId?: string
  targetRevisionArn?: string
  /** The revisions running when it started. */
  sourceRevisionArns: string[]
  createdAt: number
  deploymentConfiguration: Wire<DaemonDeploymentConfiguration>
}

type Scope = Pick<RequestContext, 'account' | 'region'>

export const daemonKey = (scope: Scope, cluster: string, name: string) => scopedKey(scope, cluster, name)

/** The name of the service that runs a daemon: `:` keeps it apart from every service a user can name. */
export const daemonServiceName = (daemonName: string) => `daemon:${daemonName}`

export const daemonServiceKey = (scope: Scope, doc: Pick<DaemonDoc, 'clusterName' | 'daemonName'>) =>
  serviceKey(scope, doc.clusterName, daemonServiceName(doc.daemonName))

export function daemonServiceOf(repos: Pick<Repos, 'services'>, scope: Scope, doc: DaemonDoc): ServiceDoc | undefined {
  return repos.services.get(daemonServiceKey(scope, doc))
}

/** The daemon a daemon, daemon-deployment or daemon-revision ARN belongs to. */
export function findDaemon(
  repos: Pick<Repos, 'daemons'>,
  scope: Scope,
  arn: string,
  type: 'daemon' | 'daemon-deployment' | 'daemon-revision' = 'daemon',
): DaemonDoc | undefined {
  const p = parseDaemonArn(scope, arn, type)
  return p && repos.daemons.get(daemonKey(scope, p.cluster, p.name))
}

/** Every service deployment the daemon's service has had (current, past, and the last completed). */
export function serviceDeployments(service: ServiceDoc | undefined): DeploymentDoc[] {
  if (!service) return []
  const out = [...service.deployments, ...service.kecs.pastDeployments]
  if (service.kecs.lastCompleted && !out.some((d) => d.id === service.kecs.lastCompleted!.id)) out.push(service.kecs.lastCompleted)
  return out
}

/** The revision a service deployment runs: its daemon deployment's target, or for a rollback the revision it restores. */
export function revisionOfServiceDeployment(doc: DaemonDoc, all: DeploymentDoc[], d: DeploymentDoc): string | undefined {
  const own = doc.deployments.find((r) => r.serviceDeploymentId === d.id)
  if (own) return own.targetRevisionArn
  if (d.kecs.rollbackTo) {
    const target = all.find((x) => x.id === d.kecs.rollbackTo)
    return target ? revisionOfServiceDeployment(doc, all, target) : undefined
  }
  return undefined
}
