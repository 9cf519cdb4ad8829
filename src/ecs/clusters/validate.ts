import type { CapacityProviderStrategyItem, ClusterSetting } from '@aws-sdk/client-ecs'
import { createHash } from 'node:crypto'
import { NAME_PATTERN } from '../arns.js'
import type { RequestContext } from '../context.js'
import { invalidParameter } from '../errors.js'
import type { EcsDeps, Wire } from '../types.js'
import { BUILTIN_PROVIDERS, findProvider, isBuiltinProvider } from '../capacity-providers/provider-doc.js'
import { checkNotMixed } from '../tasks/validate-run.js'

/** Cluster input checks that the model cannot express (ECS validates these in the service). */

export function validateClusterName(name: string): void {
  if (!NAME_PATTERN.test(name)) {
    throw invalidParameter(
      'Invalid cluster name. Up to 255 letters (uppercase and lowercase), numbers, underscores, and hyphens are allowed.',
    )
  }
}

const CONTAINER_INSIGHTS_VALUES = ['enhanced', 'enabled', 'disabled']

/** Cluster settings: `containerInsights` (the only name the model allows) with a known value. */
export function validateClusterSettings(settings: ClusterSetting[]): void {
  for (const s of settings) {
    if (s.value === undefined || !CONTAINER_INSIGHTS_VALUES.includes(s.value)) {
      throw invalidParameter(
        `Invalid value '${s.value ?? ''}' for cluster setting ${s.name ?? 'containerInsights'}. Valid values are: ${CONTAINER_INSIGHTS_VALUES.join(', ')}.`,
      )
    }
  }
}

/** Later entries win, as they would if applied in order; the result keeps one entry per name. */
export function mergeSettings(current: ClusterSetting[], updates: ClusterSetting[]): ClusterSetting[] {
  const byName = new Map<string, ClusterSetting>()
  for (const s of [...current, ...updates]) byName.set(s.name ?? 'containerInsights', { name: s.name, value: s.value })
  return [...byName.values()]
}

/** A capacity provider exists when built in (FARGATE, FARGATE_SPOT), or created in this scope and ACTIVE. */
function capacityProviderExists(ctx: RequestContext, deps: Pick<EcsDeps, 'repos'>, name: string): boolean {
  return isBuiltinProvider(name) || findProvider(deps.repos, ctx, name)?.status === 'ACTIVE'
}

export function validateCapacityProviders(
  ctx: RequestContext,
  deps: Pick<EcsDeps, 'repos'>,
  providers: string[],
): string[] {
  const unknown = providers.filter((p) => !capacityProviderExists(ctx, deps, p))
  if (unknown.length > 0) {
    const list = unknown.map((p) => `'${p}'`).join(', ')
    throw invalidParameter(
      `The specified capacity provider${unknown.length > 1 ? 's' : ''} ${list} ${unknown.length > 1 ? 'do' : 'does'} not exist. ` +
        `KECS provides ${BUILTIN_PROVIDERS.join(' and ')} and those made with CreateCapacityProvider; specify a valid capacity provider and try again.`,
    )
  }
  // The rest of ECS's text is not known; it goes on to say they are associated already.
  if (providers.some((p) => findProvider(deps.repos, ctx, p)?.type === 'MANAGED_INSTANCES')) {
    throw invalidParameter('Cannot associate Managed Instances capacity provider to clusters using this API. Managed Instances capacity providers are already associated with their cluster.')
  }
  return [...new Set(providers)]
}

/**
 * A default strategy may only use the cluster's providers, each once; at most one may have a base,
 * and with several at least one needs a weight. Returns the items as ECS echoes them (base/weight 0).
 */
export function validateStrategy(
  strategy: CapacityProviderStrategyItem[],
  providers: string[],
): Wire<CapacityProviderStrategyItem>[] {
  const seen = new Set<string>()
  for (const item of strategy) {
    const name = item.capacityProvider ?? ''
    if (!providers.includes(name)) {
      throw invalidParameter(
        'The specified capacity provider strategy cannot contain a capacity provider that is not associated with the cluster. ' +
          'Associate the capacity provider with the cluster or specify a valid capacity provider and try again.',
      )
    }
    if (seen.has(name)) {
      throw invalidParameter(`The specified capacity provider strategy contains the capacity provider '${name}' more than once.`)
    }
    seen.add(name)
  }
  checkNotMixed(strategy)
  if (strategy.filter((i) => (i.base ?? 0) > 0).length > 1) {
    throw invalidParameter('Only one capacity provider in a capacity provider strategy can have a base defined.')
  }
  if (strategy.length > 1 && strategy.every((i) => (i.weight ?? 0) === 0)) {
    throw invalidParameter(
      'At least one capacity provider in a capacity provider strategy must have a weight greater than zero.',
    )
  }
  return strategy.map((i) => ({ capacityProvider: i.capacityProvider, weight: i.weight ?? 0, base: i.base ?? 0 }))
}

/**
 * Service Connect default namespace: ECS answers with the Cloud Map namespace ARN, creating the
 * namespace when given a name. KECS has no Cloud Map, so a name maps to a stable synthetic ARN.
 */
export function namespaceArn(ctx: RequestContext, namespace: string): string {
  if (namespace.startsWith('arn:')) return namespace
  const digest = createHash('sha256').update(`${ctx.account}/${ctx.region}/${namespace}`).digest()
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567'
  let id = ''
  for (let i = 0; i < 16; i++) id += alphabet[digest[i]! % 32]
  return `arn:aws:servicediscovery:${ctx.region}:${ctx.account}:namespace/ns-${id}`
}
