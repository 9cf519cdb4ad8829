import type { ContainerInstanceDoc } from './node-instances.js'
import type { TaskDoc } from './task-doc.js'

/**
 * ECS's capacity check for EC2 tasks (docs/ecs-facts.md#tasks, "no capacity": HTTP 200 with
 * `failures:[{arn:<container instance>, reason:"RESOURCE:MEMORY"}]`), reduced to what KECS can know
 * for sure: a task that needs more CPU or memory than a node has at all can never run there. Whether a
 * task fits next to what already runs is left to the Kubernetes scheduler (the pod stays PROVISIONING).
 */
export type ResourceShortfall = 'RESOURCE:CPU' | 'RESOURCE:MEMORY'

export interface TaskNeeds {
  /** cpu units */
  cpu: number
  /** MiB */
  memory: number
}

/**
 * What a new task reserves: its task-level cpu / memory when set (the built doc carries the
 * overridden size), else the sum over its containers (memoryReservation before memory, as ECS places).
 */
export function taskNeeds(doc: Pick<TaskDoc, 'cpu' | 'memory' | 'containers'>, taskLevel: { cpu?: string; memory?: string }): TaskNeeds {
  const num = (v: string | undefined) => {
    const n = Number(v)
    return Number.isFinite(n) && n > 0 ? n : 0
  }
  const containers = doc.containers ?? []
  const cpu = taskLevel.cpu !== undefined ? num(doc.cpu) : containers.reduce((n, c) => n + num(c.cpu), 0)
  const memory =
    taskLevel.memory !== undefined ? num(doc.memory) : containers.reduce((n, c) => n + num(c.memoryReservation ?? c.memory), 0)
  return { cpu, memory }
}

/** Why the task can never be placed on the instance, or undefined when it fits its registered resources. */
export function shortfall(needs: TaskNeeds, inst: ContainerInstanceDoc): ResourceShortfall | undefined {
  const registered = (name: string) => inst.registeredResources?.find((r) => r.name === name)?.integerValue
  const memory = registered('MEMORY')
  const cpu = registered('CPU')
  if (memory !== undefined && needs.memory > memory) return 'RESOURCE:MEMORY'
  if (cpu !== undefined && needs.cpu > cpu) return 'RESOURCE:CPU'
  return undefined
}
