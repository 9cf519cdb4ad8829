import type { V1Namespace } from '@kubernetes/client-node'
import { ANNOTATIONS, LABELS, MANAGED_BY_VALUE, sanitizeLabelValue } from './labels.js'
import { namespaceName } from './names.js'

/**
 * ECS cluster → Namespace `kecs-<name>` (names.ts: lower case, '_' → '-', shortened with a hash
 * suffix when the name had to change, so every cluster gets its own namespace). The label
 * kecs.dev/cluster holds the (sanitised) name for selecting; the exact name and the ARN are annotations.
 */
export function clusterToNamespace(clusterName: string, clusterArn: string): V1Namespace {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: namespaceName(clusterName),
      labels: {
        [LABELS.cluster]: sanitizeLabelValue(clusterName),
        [LABELS.managedBy]: MANAGED_BY_VALUE,
      },
      annotations: {
        [ANNOTATIONS.clusterArn]: clusterArn,
        [ANNOTATIONS.clusterName]: clusterName,
      },
    },
  }
}
