import type { ContainerOverride, ResourceRequirement } from '@aws-sdk/client-ecs'
import type { V1ResourceRequirements } from '@kubernetes/client-node'
import { clientException } from '../../ecs/errors.js'
import type { Wire } from '../../ecs/types.js'
import type { ContainerDef, TaskDefinitionDoc } from '../../ecs/task-definitions/task-definition-doc.js'
import type { TaskOverrides } from './context.js'
import { containerField, type Findings } from './unsupported.js'

/**
 * cpu / memory / GPU → container resources. The task size is spread over the containers, since
 * Kubernetes has no portable pod-wide cap. docs/ecs-on-kubernetes.md#resources
 */
export interface TaskSize {
  cpu?: number
  memory?: number
}

export interface ContainerSize {
  cpu?: number
  memory?: number
  memoryReservation?: number
  gpu?: number
}

const GPU_RESOURCE = 'nvidia.com/gpu'

/** Task cpu as units: `"1024"`, `"1 vCPU"`, `"0.25 vcpu"`. */
export function parseTaskCpu(raw: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(vcpu)?\s*$/i.exec(raw)
  const units = m ? (m[2] ? Math.round(Number(m[1]) * 1024) : Number(m[1])) : NaN
  if (!Number.isInteger(units) || units < 0) throw clientException("Invalid 'cpu' setting for task.")
  return units
}

/** Task memory as MiB: `"2048"`, `"2 GB"`, `"512 MiB"`. */
export function parseTaskMemory(raw: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(gb|mib|mb)?\s*$/i.exec(raw)
  const mib = m ? (m[2]?.toLowerCase() === 'gb' ? Math.round(Number(m[1]) * 1024) : Number(m[1])) : NaN
  if (!Number.isInteger(mib) || mib < 0) throw clientException("Invalid 'memory' setting for task.")
  return mib
}

export function effectiveTaskSize(td: TaskDefinitionDoc, overrides: TaskOverrides | undefined): TaskSize {
  const cpu = overrides?.cpu ?? td.cpu
  const memory = overrides?.memory ?? td.memory
  const size: TaskSize = {}
  if (cpu !== undefined && cpu !== '') size.cpu = parseTaskCpu(cpu) || undefined
  if (memory !== undefined && memory !== '') size.memory = parseTaskMemory(memory) || undefined
  return size
}

export function effectiveContainerSize(
  c: ContainerDef,
  override: Wire<ContainerOverride> | undefined,
  findings: Findings,
): ContainerSize {
  const requirements = override?.resourceRequirements ?? c.resourceRequirements
  const field = override?.resourceRequirements
    ? `overrides.containerOverrides[${c.name}].resourceRequirements`
    : containerField(c.name!, 'resourceRequirements')
  return {
    cpu: positive(override?.cpu ?? c.cpu),
    memory: positive(override?.memory ?? c.memory),
    memoryReservation: positive(override?.memoryReservation ?? c.memoryReservation),
    gpu: gpuCount(requirements, field, findings),
  }
}

const positive = (n: number | undefined) => (n !== undefined && n > 0 ? n : undefined)

function gpuCount(reqs: Wire<ResourceRequirement>[] | undefined, field: string, findings: Findings): number | undefined {
  let gpu: number | undefined
  for (const r of reqs ?? []) {
    if (r.type === 'GPU') {
      const n = Number(r.value)
      if (!Number.isInteger(n) || n < 1) throw clientException(`Invalid GPU value '${r.value}' in ${field}.`)
      gpu = (gpu ?? 0) + n
      if (r.sharingStrategy) {
        findings.ignore(
          `${field}.sharingStrategy`,
          'GPU sharing strategies are not applied; whole GPUs are requested',
        )
      }
    } else {
      findings.ignore(field, `resource type ${r.type} has no Kubernetes equivalent in KECS`)
    }
  }
  return gpu
}

/** ECS's rules for the sizes, checked again after overrides (same texts as task-definitions/validate.ts). */
export function validateSizes(containers: { name: string; size: ContainerSize }[], task: TaskSize): void {
  for (const { name, size } of containers) {
    if (size.memory !== undefined && size.memoryReservation !== undefined && size.memoryReservation > size.memory) {
      throw clientException(
        `Invalid setting for container '${name}'. 'memoryReservation' must be less than or equal to 'memory'.`,
      )
    }
    if (task.memory !== undefined && size.memory !== undefined && size.memory > task.memory) {
      throw clientException(`The 'memory' setting for container '${name}' is greater than for the task.`)
    }
  }
  if (task.cpu !== undefined && sum(containers.map((c) => c.size.cpu ?? 0)) > task.cpu) {
    throw clientException("The sum of all container 'cpu' values cannot be greater than the value of the task 'cpu'.")
  }
  if (task.memory !== undefined && sum(containers.map((c) => reserved(c.size) ?? 0)) > task.memory) {
    throw clientException(
      "The sum of all container 'memoryReservation' values cannot be greater than the value of the task 'memory'.",
    )
  }
}

const sum = (ns: number[]) => ns.reduce((a, b) => a + b, 0)
const reserved = (s: ContainerSize) => s.memoryReservation ?? s.memory

/** units → millicores, at least 1m. */
export const cpuQuantity = (units: number) => `${Math.max(1, Math.round((units * 1000) / 1024))}m`
const memoryQuantity = (mib: number) => `${mib}Mi`

/** The resources of every container (by name), the task size spread as described above. */
export function containerResources(
  containers: { name: string; size: ContainerSize }[],
  task: TaskSize,
): Map<string, V1ResourceRequirements | undefined> {
  const withoutCpu = containers.filter((c) => c.size.cpu === undefined).length
  const cpuShareMilli =
    task.cpu !== undefined && withoutCpu > 0
      ? Math.max(0, Math.floor(((task.cpu - sum(containers.map((c) => c.size.cpu ?? 0))) * 1000) / 1024 / withoutCpu))
      : undefined
  const withoutMemory = containers.filter((c) => reserved(c.size) === undefined).length
  const memoryShare =
    task.memory !== undefined && withoutMemory > 0
      ? Math.max(0, Math.floor((task.memory - sum(containers.map((c) => reserved(c.size) ?? 0))) / withoutMemory))
      : undefined

  const out = new Map<string, V1ResourceRequirements | undefined>()
  for (const { name, size } of containers) {
    const limits: Record<string, string> = {}
    const requests: Record<string, string> = {}
    if (size.cpu !== undefined) {
      limits.cpu = requests.cpu = cpuQuantity(size.cpu)
    } else if (task.cpu !== undefined) {
      limits.cpu = cpuQuantity(task.cpu)
      requests.cpu = `${cpuShareMilli}m`
    }
    const memoryLimit = size.memory ?? task.memory
    if (memoryLimit !== undefined) limits.memory = memoryQuantity(memoryLimit)
    const memoryRequest = reserved(size) ?? memoryShare
    if (memoryRequest !== undefined) requests.memory = memoryQuantity(memoryRequest)
    if (size.gpu !== undefined) limits[GPU_RESOURCE] = String(size.gpu) // extended resources: request = limit
    const r: V1ResourceRequirements = {}
    if (Object.keys(limits).length) r.limits = limits
    if (Object.keys(requests).length) r.requests = requests
    out.set(name, r.limits || r.requests ? r : undefined)
  }
  return out
}
