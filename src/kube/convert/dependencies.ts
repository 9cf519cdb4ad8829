import type { ContainerDef } from '../../ecs/task-definitions/task-definition-doc.js'
import { containerField, refuse } from './unsupported.js'

/**
 * dependsOn → where each container goes in the pod: START / HEALTHY targets become native sidecars,
 * COMPLETE / SUCCESS targets regular init containers; the rest stay in `containers`.
 * docs/ecs-on-kubernetes.md#container-dependencies
 */
export type ContainerRole = 'main' | 'sidecar' | 'init'

export interface PodLayout {
  role: Map<string, ContainerRole>
  /** Init containers (sidecars and run-to-completion) in start order. */
  initOrder: string[]
  /** Containers that stay regular, in definition order. */
  mainOrder: string[]
  /** Targets that others wait for to be HEALTHY (need a startupProbe). */
  healthyTargets: Set<string>
}

export function podLayout(containers: ContainerDef[]): PodLayout {
  const byName = new Map(containers.map((c) => [c.name!, c]))
  const conditions = new Map<string, Set<string>>()
  for (const c of containers) {
    for (const [i, d] of (c.dependsOn ?? []).entries()) {
      const field = containerField(c.name!, `dependsOn[${i}]`)
      const target = d.containerName ? byName.get(d.containerName) : undefined
      if (!target) {
        throw refuse(
          `${field}.containerName`,
          `no container named '${d.containerName ?? ''}' in the task definition`,
        )
      }
      if (target.name === c.name) throw refuse(`${field}.containerName`, 'a container cannot depend on itself')
      const cond = d.condition ?? 'START'
      if ((cond === 'COMPLETE' || cond === 'SUCCESS') && target.essential !== false) {
        throw refuse(
          `${field}.condition`,
          'A dependency container with SUCCESS or COMPLETE condition cannot be an essential container',
        )
      }
      if (cond === 'HEALTHY' && !target.healthCheck?.command?.length) {
        throw refuse(`${field}.condition`, `HEALTHY needs a healthCheck on container '${target.name}'`)
      }
      let set = conditions.get(target.name!)
      if (!set) conditions.set(target.name!, (set = new Set()))
      set.add(cond)
    }
  }
  const role = new Map<string, ContainerRole>()
  const healthyTargets = new Set<string>()
  for (const c of containers) {
    const conds = conditions.get(c.name!)
    if (!conds) role.set(c.name!, 'main')
    else if (conds.has('COMPLETE') || conds.has('SUCCESS')) role.set(c.name!, 'init')
    else role.set(c.name!, 'sidecar')
    if (conds?.has('HEALTHY') && role.get(c.name!) === 'sidecar') healthyTargets.add(c.name!)
  }

  // Depth-first topological order of the targets, definition order for ties; a cycle is refused.
  const initOrder: string[] = []
  const state = new Map<string, 'visiting' | 'done'>()
  const visit = (name: string, path: string[]) => {
    if (state.get(name) === 'done') return
    if (state.get(name) === 'visiting') {
      throw refuse(containerField(name, 'dependsOn'), `circular dependency: ${[...path, name].join(' -> ')}`)
    }
    state.set(name, 'visiting')
    for (const d of byName.get(name)!.dependsOn ?? []) visit(d.containerName!, [...path, name])
    state.set(name, 'done')
    if (role.get(name) !== 'main') initOrder.push(name)
  }
  for (const c of containers) visit(c.name!, [])
  const mainOrder = containers.filter((c) => role.get(c.name!) === 'main').map((c) => c.name!)
  return { role, initOrder, mainOrder, healthyTargets }
}
