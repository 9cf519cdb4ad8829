import type { Compatibility, PortMapping, RegisterTaskDefinitionRequest } from '@aws-sdk/client-ecs'
import { clientException } from '../errors.js'
import type { Wire } from '../types.js'
import { requiresAttributes } from './requires-attributes.js'
import type { ContainerDef, TaskDefinitionDoc } from './task-definition-doc.js'

export type RegisterInput = Wire<RegisterTaskDefinitionRequest>

/** Task-level size in cpu units and MiB, once parsed from the strings the caller sent. */
export interface TaskSize {
  cpu?: number
  memory?: number
}

/** EC2 accepts task cpu from 0.125 to 192 vCPU (ECS Developer Guide, task size). */
const MIN_TASK_CPU = 128
const MAX_TASK_CPU = 196_608

const invalidTaskCpu = () => clientException("Invalid 'cpu' setting for task.")
const invalidTaskMemory = () => clientException("Invalid 'memory' setting for task.")

/** Task cpu as cpu units: `"1024"`, `"1 vCPU"`, `".25 vcpu"` (ECS converts vCPUs to units at registration). */
export function parseTaskCpu(raw: string): number {
  const m = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(vcpu)?\s*$/i.exec(raw)
  if (!m) throw invalidTaskCpu()
  const n = Number(m[1])
  const units = m[2] ? Math.round(n * 1024) : n
  if (!Number.isInteger(units) || units < MIN_TASK_CPU || units > MAX_TASK_CPU) throw invalidTaskCpu()
  return units
}

/** Task memory in MiB: `"2048"`, `"2 GB"`, `"2GB"`, `"0.5 GB"` (ECS converts GB to MiB at registration). */
export function parseTaskMemory(raw: string): number {
  const m = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(gb|mib|mb)?\s*$/i.exec(raw)
  if (!m) throw invalidTaskMemory()
  const n = Number(m[1])
  const mib = m[2]?.toLowerCase() === 'gb' ? Math.round(n * 1024) : n
  if (!Number.isInteger(mib) || mib < 1) throw invalidTaskMemory()
  return mib
}

export function parseTaskSize(input: Pick<RegisterInput, 'cpu' | 'memory'>): TaskSize {
  return {
    cpu: input.cpu === undefined ? undefined : parseTaskCpu(input.cpu),
    memory: input.memory === undefined ? undefined : parseTaskMemory(input.memory),
  }
}

/** Container fields ECS always returns, filled the way ECS fills them. */
export function normalizeContainer(c: ContainerDef, networkMode: string | undefined): ContainerDef {
  const out: ContainerDef = {
    ...c,
    cpu: c.cpu ?? 0,
    essential: c.essential ?? true,
    environment: c.environment ?? [],
    mountPoints: c.mountPoints ?? [],
    portMappings: (c.portMappings ?? []).map((p) => normalizePortMapping(p, networkMode)),
    volumesFrom: c.volumesFrom ?? [],
  }
  if (c.healthCheck) {
    // ECS stores the documented health check defaults (Terraform's diff suppression relies on them).
    out.healthCheck = { interval: 30, timeout: 5, retries: 3, ...c.healthCheck }
  }
  return out
}

/**
 * Port mappings as ECS stores them: protocol defaults to tcp; in awsvpc and host mode the host port is
 * the container port; in bridge mode an unset host port is 0 (a dynamic port at run time).
 */
function normalizePortMapping(p: Wire<PortMapping>, networkMode: string | undefined): Wire<PortMapping> {
  const out: Wire<PortMapping> = { ...p, protocol: p.protocol ?? 'tcp' }
  if (p.containerPort !== undefined && p.hostPort === undefined) {
    out.hostPort = networkMode === 'awsvpc' || networkMode === 'host' ? p.containerPort : 0
  }
  return out
}

/**
 * The launch types a definition validated against, as ECS reports them in `compatibilities`: EC2
 * always (the registration was validated for it, or for Fargate, which implies it); EXTERNAL (ECS
 * Anywhere) unless the definition needs awsvpc or EFS/FSx volumes; FARGATE when it meets Fargate's rules.
 * Order as ECS returns it: `["EXTERNAL","EC2"]`, `["EC2","FARGATE"]`.
 */
export function computeCompatibilities(
  input: RegisterInput,
  opts: { externalOk: boolean; fargateOk: boolean },
): Compatibility[] {
  const out: Compatibility[] = []
  if (opts.externalOk) out.push('EXTERNAL')
  out.push('EC2')
  if (input.requiresCompatibilities?.includes('MANAGED_INSTANCES')) out.push('MANAGED_INSTANCES')
  if (opts.fargateOk) out.push('FARGATE')
  return out
}

/** The stored (and returned) task definition: every field as given, plus what ECS adds. */
export function buildTaskDefinition(
  input: RegisterInput,
  size: TaskSize,
  meta: {
    arn: string
    revision: number
    registeredAt: number
    registeredBy: string
    compatibilities: Compatibility[]
  },
): TaskDefinitionDoc {
  const containerDefinitions = input.containerDefinitions!.map((c) => normalizeContainer(c, input.networkMode))
  const doc: TaskDefinitionDoc = {
    taskDefinitionArn: meta.arn,
    containerDefinitions,
    family: input.family,
    taskRoleArn: input.taskRoleArn,
    executionRoleArn: input.executionRoleArn,
    networkMode: input.networkMode,
    revision: meta.revision,
    volumes: input.volumes ?? [],
    status: 'ACTIVE',
    requiresAttributes: requiresAttributes({ ...input, containerDefinitions }),
    placementConstraints: input.placementConstraints ?? [],
    compatibilities: meta.compatibilities,
    runtimePlatform: input.runtimePlatform,
    requiresCompatibilities: input.requiresCompatibilities,
    cpu: size.cpu === undefined ? undefined : String(size.cpu),
    memory: size.memory === undefined ? undefined : String(size.memory),
    inferenceAccelerators: input.inferenceAccelerators,
    pidMode: input.pidMode,
    ipcMode: input.ipcMode,
    proxyConfiguration: input.proxyConfiguration,
    ephemeralStorage: input.ephemeralStorage,
    enableFaultInjection: input.enableFaultInjection,
    registeredAt: meta.registeredAt,
    registeredBy: meta.registeredBy,
  }
  return dropUndefined(doc)
}

function dropUndefined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k]
  return o
}
