import type { Cluster, ClusterField } from '@aws-sdk/client-ecs'
import type { RequestContext } from '../context.js'
import { scopedKey } from '../../store/scoped-key.js'
import type { Repos } from '../repos.js'
import { getTags } from '../tag-store.js'
import type { Wire } from '../types.js'
import { clusterStatistics, clusterTally, pickCounts } from './counts.js'

/**
 * A cluster as stored in `repos.clusters` under `clusterKey(scope, name)`: the Cluster shape without
 * what is derived at read time (the four counts, statistics: see counts.ts; tags: the tag store).
 */
export type ClusterDoc = Omit<
  Wire<Cluster>,
  | 'registeredContainerInstancesCount'
  | 'runningTasksCount'
  | 'pendingTasksCount'
  | 'activeServicesCount'
  | 'statistics'
  | 'tags'
> & {
  clusterArn: string
  clusterName: string
  status: 'ACTIVE' | 'INACTIVE'
}

export const clusterKey = (scope: Pick<RequestContext, 'account' | 'region'>, name: string) => scopedKey(scope, name)

/** What a response shows: every field (write calls), or DescribeClusters' `include` selection. */
export type ClusterView = 'full' | ReadonlySet<ClusterField | string>

/**
 * Renders a stored cluster in ECS's response shape and key order. Counts are always there;
 * `statistics` and `tags` are `[]` unless asked for; settings, configuration and attachments are
 * omitted from DescribeClusters unless asked for; write calls show everything but statistics.
 */
export function renderCluster(repos: Repos, doc: ClusterDoc, view: ClusterView = 'full'): Wire<Cluster> {
  const has = (f: ClusterField) => view === 'full' || view.has(f)
  const tally = clusterTally(repos, doc.clusterArn)
  const out: Wire<Cluster> = {
    clusterArn: doc.clusterArn,
    clusterName: doc.clusterName,
  }
  if (doc.configuration && has('CONFIGURATIONS')) out.configuration = clone(doc.configuration)
  Object.assign(out, {
    status: doc.status,
    ...pickCounts(tally),
    statistics: view !== 'full' && view.has('STATISTICS') ? clusterStatistics(tally) : [],
    tags: has('TAGS') ? getTags(repos, doc.clusterArn) : [],
  })
  // ECS shows the settings along with the attachments too
  if (has('SETTINGS') || has('ATTACHMENTS')) out.settings = clone(doc.settings ?? [])
  out.capacityProviders = [...(doc.capacityProviders ?? [])]
  out.defaultCapacityProviderStrategy = clone(doc.defaultCapacityProviderStrategy ?? [])
  if (doc.attachments && has('ATTACHMENTS')) {
    out.attachments = clone(doc.attachments)
    if (doc.attachmentsStatus) out.attachmentsStatus = doc.attachmentsStatus
  }
  if (doc.serviceConnectDefaults) out.serviceConnectDefaults = clone(doc.serviceConnectDefaults)
  return out
}

const clone = <T>(v: T): T => structuredClone(v)
