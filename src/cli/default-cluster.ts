import { CreateClusterCommand, DescribeClustersCommand, type ECSClient } from '@aws-sdk/client-ecs'

export const DEFAULT_CLUSTER = 'default'

/**
 * KECS's own commands create the `default` cluster on first use, as the ECS console and agent do (the
 * ECS API itself keeps answering ClusterNotFoundException). Says so in one line; true when it created it.
 */
export async function ensureDefaultCluster(ecs: Pick<ECSClient, 'send'>, cluster: string, say: (line: string) => void): Promise<boolean> {
  if (cluster !== DEFAULT_CLUSTER) return false
  const r = await ecs.send(new DescribeClustersCommand({ clusters: [DEFAULT_CLUSTER] }))
  if (r.clusters?.some((c) => c.status === 'ACTIVE')) return false
  await ecs.send(new CreateClusterCommand({ clusterName: DEFAULT_CLUSTER }))
  say('Created the "default" cluster (it did not exist yet; pass --cluster to use another).')
  return true
}
