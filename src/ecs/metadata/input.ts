import type { Tag } from '@aws-sdk/client-ecs'
import { createHash } from 'node:crypto'
import { parseTaskDefinitionArn } from '../arns.js'
import { containerRuntimeId } from '../tasks/container-ids.js'
import { parseTaskCpu, parseTaskMemory } from '../task-definitions/normalize.js'
import type { ContainerDef, TaskDefinitionDoc } from '../task-definitions/task-definition-doc.js'
import type { TaskDoc } from '../tasks/task-doc.js'
import type { Wire } from '../types.js'

/**
 * What the metadata shaping reads: the stored task (what DescribeTasks shows plus `kecs`), its task
 * definition (labels, ports, volumes, log configuration, health checks, task size), its tags and the
 * time. Gathered by lookup.ts; the shaping itself (container.ts, task.ts, stats.ts) is pure.
 */
export interface MetadataInput {
  task: TaskDoc
  /** Absent when the definition cannot be found: fields that need it are left out. */
  taskDefinition?: TaskDefinitionDoc
  /** The task's tags (taskWithTags). */
  tags?: Wire<Tag>[]
  /** The container instance's tags (taskWithTags, EC2). */
  containerInstanceTags?: Wire<Tag>[]
  nowMs: number
}

export type TaskContainer = NonNullable<TaskDoc['containers']>[number]

/** Facts about a task the container and task objects share. */
export interface TaskFacts {
  fargate: boolean
  /** awsvpc, bridge, host or none (EC2's default is bridge, Fargate's awsvpc). */
  networkMode: string
  family: string
  revision: string
  /** `com.amazonaws.ecs.cluster` and `Cluster`: the cluster ARN on Fargate, its short name elsewhere. */
  cluster: string
  /** The task's (pod's) IPv4 address, once known. */
  ip?: string
  /** ENI details of an awsvpc task (macAddress, privateDnsName, ...). */
  eni: Record<string, string>
  defs: Map<string, ContainerDef>
}

export function taskFacts(input: MetadataInput): TaskFacts {
  const t = input.task
  const td = input.taskDefinition
  const fargate = t.launchType === 'FARGATE'
  const tdRef = t.taskDefinitionArn ? parseTaskDefinitionArn(t.taskDefinitionArn) : undefined
  const eniAttachment = (t.attachments ?? []).find((a) => a.type === 'ElasticNetworkInterface')
  const eni: Record<string, string> = {}
  for (const d of eniAttachment?.details ?? []) if (d.name && d.value !== undefined) eni[d.name] = d.value
  return {
    fargate,
    networkMode: td?.networkMode ?? (fargate || eniAttachment ? 'awsvpc' : 'bridge'),
    family: td?.family ?? tdRef?.family ?? '',
    revision: String(td?.revision ?? tdRef?.revision ?? ''),
    cluster: fargate ? t.clusterArn : t.kecs.clusterName,
    ip: podIpOf(t, eni),
    eni,
    defs: new Map((td?.containerDefinitions ?? []).map((c) => [c.name ?? '', c])),
  }
}

/**
 * The pod IP: the ENI's privateIPv4Address (awsvpc), a container's network interface, or
 * `kecs.podIp` when the runtime records it for other network modes.
 */
function podIpOf(t: TaskDoc, eni: Record<string, string>): string | undefined {
  if (eni.privateIPv4Address) return eni.privateIPv4Address
  for (const c of t.containers ?? []) {
    const ip = c.networkInterfaces?.find((n) => n.privateIpv4Address)?.privateIpv4Address
    if (ip) return ip
  }
  const recorded = (t.kecs as { podIp?: unknown }).podIp
  return typeof recorded === 'string' && recorded ? recorded : undefined
}

/** The container's runtime id (= DockerId): recorded by the reconciler, else computed as the converter does. */
export const dockerIdOf = (t: TaskDoc, c: TaskContainer) => c.runtimeId ?? containerRuntimeId(t.kecs.taskId, c.name ?? '')

export const sha256Hex = (s: string) => createHash('sha256').update(s).digest('hex')

/** Task-level size as the agent reports it: vCPU (float) and MiB, from the overrides or the definition. */
export function taskLimits(input: MetadataInput): { CPU?: number; Memory?: number } | undefined {
  const o = input.task.overrides
  const td = input.taskDefinition
  const rawCpu = o?.cpu ?? (td ? td.cpu : input.task.cpu)
  const rawMem = o?.memory ?? (td ? td.memory : input.task.memory)
  const cpu = parse(parseTaskCpu, rawCpu)
  const memory = parse(parseTaskMemory, rawMem)
  if (cpu === undefined && memory === undefined) return undefined
  const out: { CPU?: number; Memory?: number } = {}
  if (cpu !== undefined) out.CPU = cpu / 1024
  if (memory !== undefined) out.Memory = memory
  return out
}

function parse(f: (raw: string) => number, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined
  try {
    return f(raw)
  } catch {
    const n = Number(raw)
    return Number.isFinite(n) && n > 0 ? n : undefined
  }
}
