import { containerMetadata, type MetadataVersion } from './container.js'
import { compact, rfc3339Seconds, sortedMap, timeOf } from './format.js'
import { sha256Hex, taskFacts, taskLimits, type MetadataInput, type TaskContainer } from './input.js'

/**
 * The task object of `${ECS_CONTAINER_METADATA_URI_V4}/task` (and `/taskWithTags`), and of v3's, in the
 * agent's key order (ecs-agent tmds v2 TaskResponse, then v4's Containers, VPCID, ServiceName,
 * ClockDrift, EphemeralStorageMetrics, FaultInjectionEnabled). Fargate tasks carry ClockDrift and
 * EphemeralStorageMetrics, EC2 tasks VPCID (a stable made-up id per account and region); service
 * tasks carry ServiceName. KnownStatus is the task's lastStatus, each container's its lastStatus.
 */
export interface TaskMetadataOptions {
  version: MetadataVersion
  /** `/taskWithTags`: add TaskTags (and ContainerInstanceTags on EC2). */
  withTags?: boolean
}

export function taskMetadata(input: MetadataInput, opts: TaskMetadataOptions): Record<string, unknown> {
  const t = input.task
  const facts = taskFacts(input)
  const containers = (t.containers ?? []).map((c) => containerMetadata(input, facts, c, opts.version))
  const tags = (list: typeof input.tags) => {
    const m = sortedMap((list ?? []).filter((x) => x.key).map((x) => [x.key!, x.value ?? '']))
    return Object.keys(m).length ? m : undefined
  }
  const out: Record<string, unknown> = {
    Cluster: facts.cluster,
    TaskARN: t.taskArn,
    Family: facts.family,
    Revision: facts.revision,
    DesiredStatus: t.desiredStatus,
    KnownStatus: t.lastStatus,
  }
  if (opts.version === 'v3') out.Containers = containers.length ? containers : undefined
  Object.assign(out, {
    Limits: taskLimits(input),
    PullStartedAt: timeOf(t.pullStartedAt),
    PullStoppedAt: timeOf(t.pullStoppedAt),
    ExecutionStoppedAt: timeOf(t.executionStoppedAt),
    AvailabilityZone: t.availabilityZone,
    TaskTags: opts.withTags ? tags(input.tags) : undefined,
    ContainerInstanceTags: opts.withTags && !facts.fargate ? tags(input.containerInstanceTags) : undefined,
  })
  if (opts.version === 'v3') return compact(out)
  const service = t.group?.startsWith('service:') ? t.group.slice('service:'.length) : undefined
  const account = /^arn:[^:]+:ecs:([^:]*):(\d{12}):/.exec(t.taskArn)
  Object.assign(out, {
    LaunchType: t.launchType,
    Containers: containers.length ? containers : undefined,
    VPCID: facts.fargate ? undefined : `vpc-${sha256Hex(`${account?.[2]}/${account?.[1]}`).slice(0, 17)}`,
    ServiceName: service,
    ClockDrift: facts.fargate
      ? { ClockErrorBound: 0.5, ReferenceTimestamp: rfc3339Seconds(input.nowMs), ClockSynchronizationStatus: 'SYNCHRONIZED' }
      : undefined,
    EphemeralStorageMetrics: facts.fargate ? ephemeralStorage(input) : undefined,
    FaultInjectionEnabled: input.taskDefinition?.enableFaultInjection ?? false,
  })
  return compact(out)
}

/** `${URI}`: the calling container alone. */
export function containerOnlyMetadata(input: MetadataInput, c: TaskContainer, version: MetadataVersion): Record<string, unknown> {
  return containerMetadata(input, taskFacts(input), c, version)
}

/** Fargate's ephemeral storage in MiB: reserved = the task's size; utilized = a small, stable amount per container. */
function ephemeralStorage(input: MetadataInput): { Utilized: number; Reserved: number } {
  const gib = input.task.ephemeralStorage?.sizeInGiB ?? 20
  return { Utilized: 128 + 64 * (input.task.containers?.length ?? 0), Reserved: gib * 1024 }
}
