import type { Attribute, PlacementConstraint } from '@aws-sdk/client-ecs'
import { invalidParameter } from '../errors.js'
import type { Repos } from '../repos.js'
import { shortfall, type TaskNeeds } from '../tasks/capacity.js'
import { clusterInstances, pinnableNode, type ContainerInstanceDoc } from '../tasks/node-instances.js'
import type { TaskDoc } from '../tasks/task-doc.js'
import type { Wire } from '../types.js'
import { compileQuery, type InstanceFacts } from './query.js'
import { instanceFacts } from './view.js'

/**
 * ECS's placement for an EC2 task, in ECS's order: instances with the resources, then the
 * definition's required attributes, then the constraints (memberOf, distinctInstance); among those
 * left the caller's round robin picks. When none is left every instance says why in `failures[]`.
 */

export const PLACEMENT_FAILURES = {
  attribute: 'ATTRIBUTE',
  memberOf: 'MemberOf placement constraint unsatisfied.',
  distinctInstance: 'DistinctInstance placement constraint unsatisfied.',
} as const

export interface Constraints {
  memberOf: ((facts: InstanceFacts) => boolean)[]
  distinctInstance: boolean
}

/** The run-time constraints and the definition's (memberOf only there), checked once per request. */
export function compileConstraints(
  request: Wire<PlacementConstraint>[] | undefined,
  definition: Wire<PlacementConstraint>[] | undefined,
): Constraints {
  const out: Constraints = { memberOf: [], distinctInstance: false }
  for (const c of [...(definition ?? []), ...(request ?? [])]) {
    if (c.type === 'distinctInstance') {
      // ECS refuses an expression here; its wording is not documented.
      if (c.expression) throw invalidParameter('The distinctInstance placement constraint does not take an expression.')
      out.distinctInstance = true
    } else if (c.type === 'memberOf') {
      if (!c.expression) throw invalidParameter('The memberOf placement constraint requires an expression.')
      out.memberOf.push(compileQuery(c.expression))
    } else {
      throw invalidParameter(`Invalid placement constraint type ${c.type ?? ''}.`)
    }
  }
  return out
}

/** Why the task cannot go on the instance, or undefined when it can. */
export function placementFailure(
  repos: Pick<Repos, 'tasks'>,
  inst: ContainerInstanceDoc,
  task: { needs: TaskNeeds; group: string; requiresAttributes: Wire<Attribute>[] },
  constraints: Constraints,
  placed: TaskDoc[],
): string | undefined {
  const short = shortfall(task.needs, inst)
  if (short) return short
  const attrs = new Map((inst.attributes ?? []).map((a) => [a.name, a.value]))
  for (const need of task.requiresAttributes) {
    if (!attrs.has(need.name)) return PLACEMENT_FAILURES.attribute
    if (need.value !== undefined && attrs.get(need.name) !== need.value) return PLACEMENT_FAILURES.attribute
  }
  if (constraints.memberOf.length || constraints.distinctInstance) {
    const facts = instanceFacts(repos, inst, placed)
    if (!constraints.memberOf.every((m) => m(facts))) return PLACEMENT_FAILURES.memberOf
    if (constraints.distinctInstance && facts.taskGroups.includes(task.group)) return PLACEMENT_FAILURES.distinctInstance
  }
  return undefined
}

/**
 * A service's constraints as node placement for Kubernetes, which schedules service pods: memberOf
 * evaluated on the cluster's ACTIVE instances now (the nodes of those that match), distinctInstance
 * as one pod per node. Undefined when there are no constraints, or the instances are not real nodes.
 */
export function serviceNodePlacement(
  repos: Pick<Repos, 'tasks' | 'containerInstances'>,
  clusterArn: string,
  service: Wire<PlacementConstraint>[] | undefined,
  definition: Wire<PlacementConstraint>[] | undefined,
): { nodeNames?: string[]; distinctInstance?: boolean } | undefined {
  if (!service?.length && !definition?.length) return undefined
  let constraints: Constraints
  try {
    constraints = compileConstraints(service, definition)
  } catch {
    return undefined // refused when the service was created or updated
  }
  const instances = clusterInstances(repos, clusterArn).filter((i) => i.status === 'ACTIVE')
  if (instances.some((i) => !pinnableNode(i))) return undefined
  const out: { nodeNames?: string[]; distinctInstance?: boolean } = {}
  if (constraints.memberOf.length) {
    out.nodeNames = instances
      .filter((i) => {
        const facts = instanceFacts(repos, i)
        return constraints.memberOf.every((m) => m(facts))
      })
      .map((i) => pinnableNode(i)!)
      .sort()
  }
  if (constraints.distinctInstance) out.distinctInstance = true
  return out
}
