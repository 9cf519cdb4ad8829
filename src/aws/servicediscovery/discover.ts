import { randomInt } from 'node:crypto'
import type { AwsContext } from '../service.js'
import { namespaceNotFound, serviceNotFound } from './ids.js'
import { healthOf } from './instances.js'
import type { CloudMapState, HealthStatus, InstanceDoc, NamespaceDoc, Scope, ServiceDoc } from './state.js'

/** The namespace by its HttpName (= its name in KECS) and the service by name in it, as DiscoverInstances finds them. */
export function discoverTarget(state: CloudMapState, scope: Scope, namespaceName: string, serviceName: string): { ns: NamespaceDoc; svc: ServiceDoc } {
  const ns = state.listNamespaces(scope).find((n) => n.name === namespaceName) ?? state.listNamespaces(scope).find((n) => n.name.toLowerCase() === namespaceName.toLowerCase())
  if (!ns) throw namespaceNotFound(namespaceName)
  const services = state.listServices(ns, ns.id)
  const svc = services.find((s) => s.name === serviceName) ?? services.find((s) => s.name.toLowerCase() === serviceName.toLowerCase())
  if (!svc) throw serviceNotFound(serviceName)
  return { ns, svc }
}

const matches = (i: InstanceDoc, params: Record<string, string>) => Object.entries(params).every(([k, v]) => i.attributes[k] === v)

/**
 * The instances DiscoverInstances answers, in the order it gives them (shuffled, as Cloud Map
 * randomizes its list): QueryParameters must all match; OptionalParameters narrow the result only when
 * some instances match them too; the health filter applies only to services with a health check.
 */
export function discover(
  state: CloudMapState,
  svc: ServiceDoc,
  opts: { query?: Record<string, string>; optional?: Record<string, string>; health?: string; max?: number },
): { inst: InstanceDoc; health: HealthStatus }[] {
  let found = state.listInstances(svc).filter((i) => matches(i, opts.query ?? {}))
  if (opts.optional && Object.keys(opts.optional).length) {
    const narrowed = found.filter((i) => matches(i, opts.optional!))
    if (narrowed.length) found = narrowed
  }
  let out = found.map((inst) => ({ inst, health: healthOf(svc, inst) }))
  if (svc.healthCheckConfig || svc.healthCheckCustomConfig) {
    const filter = opts.health ?? 'HEALTHY'
    if (filter === 'HEALTHY') out = out.filter((x) => x.health === 'HEALTHY')
    else if (filter === 'UNHEALTHY') out = out.filter((x) => x.health === 'UNHEALTHY')
    else if (filter === 'HEALTHY_OR_ELSE_ALL') {
      const healthy = out.filter((x) => x.health === 'HEALTHY')
      if (healthy.length) out = healthy
    }
  }
  for (let i = out.length - 1; i > 0; i--) {
    const j = randomInt(i + 1)
    ;[out[i], out[j]] = [out[j]!, out[i]!]
  }
  return out.slice(0, opts.max ?? 100)
}

export function discoverInstances(input: any, ctx: AwsContext, state: CloudMapState) {
  const scope = { account: input.OwnerAccount ?? ctx.account, region: ctx.region }
  const { ns, svc } = discoverTarget(state, scope, String(input.NamespaceName), String(input.ServiceName))
  const found = discover(state, svc, { query: input.QueryParameters, optional: input.OptionalParameters, health: input.HealthStatus, max: input.MaxResults })
  return {
    Instances: found.map(({ inst, health }) => ({
      InstanceId: inst.id,
      NamespaceName: ns.name,
      ServiceName: svc.name,
      HealthStatus: health,
      Attributes: inst.attributes,
    })),
    InstancesRevision: svc.revision,
  }
}

export function discoverInstancesRevision(input: any, ctx: AwsContext, state: CloudMapState) {
  const scope = { account: input.OwnerAccount ?? ctx.account, region: ctx.region }
  return { InstancesRevision: discoverTarget(state, scope, String(input.NamespaceName), String(input.ServiceName)).svc.revision }
}
