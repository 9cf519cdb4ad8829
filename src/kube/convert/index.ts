/** ECS → Kubernetes converters (pure functions). See docs/ecs-on-kubernetes.md and docs/limits-converter.md. */
export { clusterScopeOf, clusterToNamespace } from './namespace.js'
export { taskToPod, buildPodParts, type TaskToPodInput, type TaskToPodResult } from './pod.js'
export { serviceToWorkload, type ServiceToWorkloadInput, type ServiceToWorkloadResult } from './service.js'
export type { ConvertContext, ConvertReport } from './context.js'
export type { Ignored } from './unsupported.js'
export type { NeededSecret } from './secrets.js'
export { ANNOTATIONS, LABELS, MANAGED_BY_VALUE, SIMULATE_PREFIX, sanitizeLabelValue } from './labels.js'
export { homeScope, namespaceName, workloadName, type ClusterScope } from './names.js'
