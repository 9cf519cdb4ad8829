import { isArn, parseArn } from './arns.js'
import { operation, shape } from './model/index.js'

/**
 * A long-format ARN names its cluster (`service/<cluster>/<name>`, `task/<cluster>/<id>`,
 * `container-instance/<cluster>/<id>`, `task-set/<cluster>/<service>/<id>`). When a request leaves
 * out `cluster` but names its resource by such an ARN, the cluster is the ARN's, not `default`: so
 * `list-service-deployments --service <service ARN>` finds the service. Members are read in this order;
 * the first ARN that names a cluster wins.
 */
const RESOURCE_MEMBERS = ['service', 'task', 'taskSet', 'containerInstance', 'services', 'tasks', 'containerInstances']

const CLUSTER_SCOPED = new Set(['service', 'task', 'container-instance', 'task-set'])

/** The cluster a long-format ARN names, or undefined (a name, a short-format ARN, another type). */
export function clusterOfArn(ref: unknown): string | undefined {
  if (typeof ref !== 'string' || !isArn(ref)) return undefined
  const p = parseArn(ref)
  if (!p || p.service !== 'ecs' || !CLUSTER_SCOPED.has(p.resourceType)) return undefined
  const slash = p.resource.indexOf('/')
  return slash > 0 ? p.resource.slice(0, slash) : undefined
}

const takesCluster = new Map<string, boolean>()

function hasClusterMember(opName: string): boolean {
  let v = takesCluster.get(opName)
  if (v === undefined) {
    const input = operation(opName)?.input?.shape
    v = input !== undefined && Object.hasOwn(shape(input).members ?? {}, 'cluster')
    takesCluster.set(opName, v)
  }
  return v
}

/** The input with `cluster` filled from the first resource ARN that names one, when the request has none. */
export function withClusterFromArns(opName: string, input: unknown): unknown {
  if (typeof input !== 'object' || input === null || !hasClusterMember(opName)) return input
  const req = input as Record<string, unknown>
  if (typeof req.cluster === 'string' && req.cluster !== '') return input
  for (const member of RESOURCE_MEMBERS) {
    const value = req[member]
    const refs = Array.isArray(value) ? value : [value]
    for (const ref of refs) {
      const cluster = clusterOfArn(ref)
      if (cluster) return { ...req, cluster }
    }
  }
  return input
}
