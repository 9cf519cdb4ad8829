import type { V1Namespace } from '@kubernetes/client-node'
import { parseArn } from '../../ecs/arns.js'
import { ANNOTATIONS, LABELS, MANAGED_BY_VALUE, sanitizeLabelValue } from './labels.js'
import { namespaceName, type ClusterScope } from './names.js'

/**
 * ECS cluster → Namespace `kecs-<name>` for the instance's own region and account, else
 * `kecs-<name>-<6 hex of account/region>` (names.ts: lower case, '_' → '-', shortened with a hash
 * suffix when the name had to change, so every cluster gets its own namespace). The labels
 * kecs.dev/cluster (sanitised name), kecs.dev/region and kecs.dev/account are for selecting; the exact
 * name and the ARN are annotations.
 */
export function clusterToNamespace(clusterName: string, clusterArn: string): V1Namespace {
  const scope = clusterScopeOf(clusterArn)
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: namespaceName(clusterName, scope),
      labels: {
        [LABELS.cluster]: sanitizeLabelValue(clusterName),
        [LABELS.managedBy]: MANAGED_BY_VALUE,
        ...(scope ? { [LABELS.region]: sanitizeLabelValue(scope.region), [LABELS.account]: scope.account } : {}),
      },
      annotations: {
        [ANNOTATIONS.clusterArn]: clusterArn,
        [ANNOTATIONS.clusterName]: clusterName,
      },
    },
  }
}

/** The region and account of a cluster ARN (undefined for anything else). */
export function clusterScopeOf(clusterArn: string): ClusterScope | undefined {
  const p = parseArn(clusterArn)
  return p ? { region: p.region, account: p.account } : undefined
}
