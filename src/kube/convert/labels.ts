import { shortHash } from '../../lib/hash.js'

/**
 * Labels and annotations KECS puts on the objects it creates: labels (sanitised) for selecting,
 * annotations for the exact ECS values and ARNs. docs/ecs-on-kubernetes.md#labels-and-annotations
 */
export const LABELS = {
  managedBy: 'kecs.dev/managed-by',
  cluster: 'kecs.dev/cluster',
  taskId: 'kecs.dev/task-id',
  service: 'kecs.dev/service',
  /** `family.rev`, sanitised. */
  taskDefinition: 'kecs.dev/task-definition',
  /** The family alone, sanitised (ListTasks --family). */
  family: 'kecs.dev/task-definition-family',
  /** The ECS deployment id of a service pod template, `ecs-svc/123` as `ecs-svc.123`, sanitised. */
  deployment: 'kecs.dev/deployment',
  /** On a cluster's namespace: the cluster's region and account (cluster names are unique per both). */
  region: 'kecs.dev/region',
  account: 'kecs.dev/account',
} as const

export const MANAGED_BY_VALUE = 'kecs'

export const ANNOTATIONS = {
  clusterName: 'kecs.dev/cluster-name',
  clusterArn: 'kecs.dev/cluster-arn',
  taskArn: 'kecs.dev/task-arn',
  /** Exact `family:rev`. */
  taskDefinition: 'kecs.dev/task-definition',
  taskDefinitionArn: 'kecs.dev/task-definition-arn',
  startedBy: 'kecs.dev/started-by',
  group: 'kecs.dev/group',
  launchType: 'kecs.dev/launch-type',
  serviceName: 'kecs.dev/service-name',
  serviceArn: 'kecs.dev/service-arn',
  /** The ECS deployment id (`ecs-svc/<digits>`) of a pod template; a new deployment changes the template. */
  deploymentId: 'kecs.dev/deployment-id',
  /** Comma-separated names of the essential containers (container names cannot contain commas). */
  essentialContainers: 'kecs.dev/essential-containers',
  /** JSON `{ "<container>": [{ "containerName": "x", "condition": "COMPLETE" }] }` as in the task definition. */
  dependencies: 'kecs.dev/dependencies',
  /** JSON `[{ container, containerPort, hostPort, protocol }]`: host ports KECS forwards (0 = pick one). */
  hostPorts: 'kecs.dev/host-ports',
  /** JSON `{ "<container>": logConfiguration }`: recorded only, logs are read from the pod log API. */
  logConfiguration: 'kecs.dev/log-configuration',
  /** Effective task-level cpu units / memory MiB (after overrides), as ECS reports them. */
  taskCpu: 'kecs.dev/task-cpu',
  taskMemory: 'kecs.dev/task-memory',
  taskRoleArn: 'kecs.dev/task-role-arn',
  /** JSON `[{ key, value }]`: the task's tags. */
  tags: 'kecs.dev/tags',
} as const

/** The prefix of emulator directives taken from a container's dockerLabels (see pod.ts). */
export const SIMULATE_PREFIX = 'kecs.simulate.'

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/
const MAX_LABEL_VALUE = 63

export const isValidLabelValue = (v: string) => v.length <= MAX_LABEL_VALUE && LABEL_VALUE.test(v)

/**
 * A valid label value for any string, deterministically. Valid values stay as they are; anything
 * else has invalid characters replaced by '-', is trimmed to start and end alphanumeric, shortened,
 * and gets `-<6 hex of sha256(original)>` so two different inputs don't end up equal.
 */
export function sanitizeLabelValue(value: string): string {
  if (isValidLabelValue(value)) return value
  const suffix = shortHash(value)
  let body = value.replace(/[^A-Za-z0-9._-]/g, '-').slice(0, MAX_LABEL_VALUE - suffix.length - 1)
  body = body.replace(/^[^A-Za-z0-9]+/, '').replace(/[^A-Za-z0-9]+$/, '')
  return body ? `${body}-${suffix}` : suffix
}

const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/

/** A valid label/annotation key: `[prefix/]name`, prefix a DNS subdomain ≤253, name ≤63 chars. */
export function isValidAnnotationKey(key: string): boolean {
  const slash = key.indexOf('/')
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined
  const name = slash >= 0 ? key.slice(slash + 1) : key
  if (prefix !== undefined && (prefix.length === 0 || prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) return false
  return name.length > 0 && name.length <= 63 && QUALIFIED_NAME.test(name)
}

/**
 * A valid annotation key for a docker label key: valid keys stay; others become a sanitised name
 * (no prefix) with a hash suffix, e.g. `my label!` → `my-label-3f2a1b`.
 */
export function sanitizeAnnotationKey(key: string): string {
  if (isValidAnnotationKey(key)) return key
  return sanitizeLabelValue(key) || shortHash(key)
}
