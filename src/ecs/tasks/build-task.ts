import type { NetworkConfiguration, TaskOverride } from '@aws-sdk/client-ecs'
import { containerArn, newUuid, taskArn } from '../arns.js'
import { epochSeconds } from '../clock.js'
import type { RequestContext } from '../context.js'
import type { TaskDefinitionDoc } from '../task-definitions/task-definition-doc.js'
import type { Wire } from '../types.js'
import type { TaskDoc } from './task-doc.js'

/**
 * A fresh task as RunTask / StartTask return it (docs/ecs-facts.md#tasks, "A fresh task"): version 1,
 * desiredStatus RUNNING, every container PENDING; awsvpc tasks are PROVISIONING with an ENI attachment
 * PRECREATED (subnetId only), other EC2 tasks PENDING; Fargate ones carry platform version, family and
 * ephemeral storage. Pure: the caller supplies ids and time.
 */
export interface NewTask {
  scope: Pick<RequestContext, 'account' | 'region'>
  clusterName: string
  clusterArn: string
  taskDefinition: TaskDefinitionDoc
  taskId: string
  nowMs: number
  launchType: string
  capacityProviderName?: string
  containerInstanceArn?: string
  networkConfiguration?: Wire<NetworkConfiguration>
  overrides?: Wire<TaskOverride>
  startedBy?: string
  group?: string
  enableExecuteCommand?: boolean
  platformVersion?: string
  /** For tests: ids of the containers and the ENI attachment. */
  uuid?: () => string
}

/** ECS resolves LATEST to the newest Linux platform version. */
export const FARGATE_PLATFORM_VERSION = '1.4.0'
const DEFAULT_EPHEMERAL_GIB = 20

export function buildTask(n: NewTask): TaskDoc {
  const td = n.taskDefinition
  const uuid = n.uuid ?? newUuid
  const arn = taskArn(n.scope, n.clusterName, n.taskId)
  const defs = td.containerDefinitions ?? []
  const overrideOf = (name: string) => n.overrides?.containerOverrides?.find((o) => o.name === name)
  const awsvpc = td.networkMode === 'awsvpc'
  const fargate = n.launchType === 'FARGATE'

  const containers = defs.map((c) => {
    const o = overrideOf(c.name!)
    const cpu = o?.cpu ?? c.cpu ?? 0
    const memory = o?.memory ?? c.memory
    const memoryReservation = o?.memoryReservation ?? c.memoryReservation
    const gpus = (o?.resourceRequirements ?? c.resourceRequirements ?? []).find((r) => r.type === 'GPU')
    const out: NonNullable<TaskDoc['containers']>[number] = {
      containerArn: containerArn(n.scope, n.clusterName, n.taskId, uuid()),
      taskArn: arn,
      name: c.name,
      image: c.image,
      lastStatus: 'PENDING',
      networkInterfaces: [],
      healthStatus: 'UNKNOWN',
      cpu: String(cpu),
    }
    if (memory !== undefined) out.memory = String(memory)
    if (memoryReservation !== undefined) out.memoryReservation = String(memoryReservation)
    if (gpus?.value) out.gpuIds = []
    if (n.enableExecuteCommand) out.managedAgents = [{ name: 'ExecuteCommandAgent', lastStatus: 'PENDING' }]
    return out
  })

  const size = taskSize(td, n.overrides, containers)
  const doc: TaskDoc = {
    attachments: awsvpc ? [eniAttachment(uuid(), n.networkConfiguration)] : [],
    attributes: [{ name: 'ecs.cpu-architecture', value: td.runtimePlatform?.cpuArchitecture === 'ARM64' ? 'arm64' : 'x86_64' }],
    availabilityZone: `${n.scope.region}a`,
    clusterArn: n.clusterArn,
    containers,
    createdAt: epochSeconds(n.nowMs),
    desiredStatus: 'RUNNING',
    enableExecuteCommand: n.enableExecuteCommand ?? false,
    group: n.group ?? `family:${td.family}`,
    healthStatus: 'UNKNOWN',
    lastStatus: awsvpc || fargate ? 'PROVISIONING' : 'PENDING',
    launchType: n.launchType as TaskDoc['launchType'],
    overrides: renderOverrides(defs.map((c) => c.name!), n.overrides),
    taskArn: arn,
    taskDefinitionArn: td.taskDefinitionArn,
    version: 1,
    kecs: {
      clusterName: n.clusterName,
      taskId: n.taskId,
      essential: defs.filter((c) => c.essential !== false).map((c) => c.name!),
      stopTimeoutSeconds: stopTimeoutOf(td),
    },
  }
  if (size.cpu !== undefined) doc.cpu = size.cpu
  if (size.memory !== undefined) doc.memory = size.memory
  if (n.capacityProviderName) doc.capacityProviderName = n.capacityProviderName
  if (n.containerInstanceArn && !fargate) doc.containerInstanceArn = n.containerInstanceArn
  if (n.startedBy !== undefined) doc.startedBy = n.startedBy
  if (fargate) {
    const gib = n.overrides?.ephemeralStorage?.sizeInGiB ?? td.ephemeralStorage?.sizeInGiB ?? DEFAULT_EPHEMERAL_GIB
    doc.platformVersion = !n.platformVersion || n.platformVersion === 'LATEST' ? FARGATE_PLATFORM_VERSION : n.platformVersion
    doc.platformFamily = 'Linux'
    doc.ephemeralStorage = { sizeInGiB: gib }
    doc.fargateEphemeralStorage = { sizeInGiB: gib }
  }
  return doc
}

/**
 * The stop timeout of a task: ECS gives each container its own (default 30s); a pod has one grace
 * period, so the largest of the task. ECS's default applies to containers that set none.
 */
function stopTimeoutOf(td: TaskDefinitionDoc): number {
  return Math.max(...(td.containerDefinitions ?? []).map((c) => c.stopTimeout ?? 30), 0)
}

/** `overrides` as ECS echoes it: one entry per container (with what was overridden), then task-level ones. */
export function renderOverrides(names: string[], o: Wire<TaskOverride> | undefined): Wire<TaskOverride> {
  const containerOverrides = names.map((name) => {
    const given = (o?.containerOverrides ?? []).filter((x) => x.name === name)
    return Object.assign({ name }, ...given.map((g) => ({ ...g, name })))
  })
  const out: Wire<TaskOverride> = { containerOverrides, inferenceAcceleratorOverrides: o?.inferenceAcceleratorOverrides ?? [] }
  if (o?.cpu !== undefined) out.cpu = o.cpu
  if (o?.memory !== undefined) out.memory = o.memory
  if (o?.taskRoleArn !== undefined) out.taskRoleArn = o.taskRoleArn
  if (o?.executionRoleArn !== undefined) out.executionRoleArn = o.executionRoleArn
  if (o?.ephemeralStorage !== undefined) out.ephemeralStorage = o.ephemeralStorage
  return out
}

/** Task cpu/memory strings: the (overridden) task size, else the sum of the containers' own. */
function taskSize(
  td: TaskDefinitionDoc,
  o: Wire<TaskOverride> | undefined,
  containers: NonNullable<TaskDoc['containers']>,
): { cpu?: string; memory?: string } {
  const sum = (f: (c: (typeof containers)[number]) => string | undefined) =>
    containers.reduce((acc, c) => acc + (Number(f(c)) || 0), 0)
  const cpu = o?.cpu ?? td.cpu ?? (sum((c) => c.cpu) > 0 ? String(sum((c) => c.cpu)) : undefined)
  const mem = sum((c) => c.memory ?? c.memoryReservation)
  const memory = o?.memory ?? td.memory ?? (mem > 0 ? String(mem) : undefined)
  return { cpu, memory }
}

/** The task's ENI (awsvpc): PRECREATED with its subnet until the pod has an IP (see src/kube/task-state.ts). */
function eniAttachment(id: string, nc: Wire<NetworkConfiguration> | undefined): NonNullable<TaskDoc['attachments']>[number] {
  const subnet = nc?.awsvpcConfiguration?.subnets?.[0]
  return {
    id,
    type: 'ElasticNetworkInterface',
    status: 'PRECREATED',
    details: subnet ? [{ name: 'subnetId', value: subnet }] : [],
  }
}
