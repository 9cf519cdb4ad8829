import type { CapacityProvider } from '@aws-sdk/client-ecs'
import { scopedKey } from '../../store/scoped-key.js'
import type { RequestContext } from '../context.js'
import type { Repos } from '../repos.js'
import { getTags } from '../tag-store.js'
import type { Wire } from '../types.js'

type Scope = Pick<RequestContext, 'account' | 'region'>

/**
 * A capacity provider created in this scope, stored in `repos.capacityProviders` under
 * `providerKey(scope, name)`; tags live in the tag store. FARGATE and FARGATE_SPOT are never stored.
 */
export type CapacityProviderDoc = Omit<Wire<CapacityProvider>, 'tags'> & {
  capacityProviderArn: string
  name: string
  status: 'ACTIVE' | 'INACTIVE' | 'PROVISIONING' | 'DEPROVISIONING'
}

export const BUILTIN_PROVIDERS = ['FARGATE', 'FARGATE_SPOT'] as const

export const isBuiltinProvider = (name: string) => (BUILTIN_PROVIDERS as readonly string[]).includes(name)

export const providerKey = (scope: Scope, name: string) => scopedKey(scope, name)

export const capacityProviderArn = (s: Scope, name: string) => `arn:aws:ecs:${s.region}:${s.account}:capacity-provider/${name}`

/** The provider's name from a name or an ARN (`capacity-provider/<name>`). */
export function providerNameOf(ref: string): string {
  const m = /^arn:aws[a-z-]*:ecs:[^:]*:\d{12}:capacity-provider\/(.+)$/.exec(ref)
  return m ? m[1]! : ref
}

/** FARGATE and FARGATE_SPOT as DescribeCapacityProviders shows them. */
export const builtinProvider = (s: Scope, name: string): Wire<CapacityProvider> => ({
  capacityProviderArn: capacityProviderArn(s, name),
  name,
  status: 'ACTIVE',
  tags: [],
  type: name as 'FARGATE' | 'FARGATE_SPOT',
})

/** The stored provider a reference names (any status), or undefined; an ARN of another account or region names none here. */
export function findProvider(repos: Pick<Repos, 'capacityProviders'>, scope: Scope, ref: string): CapacityProviderDoc | undefined {
  if (ref.startsWith('arn:') && !ref.startsWith(capacityProviderArn(scope, ''))) return undefined
  return repos.capacityProviders.get(providerKey(scope, providerNameOf(ref)))
}

/** A stored provider in ECS's response shape; `tags` is always there ([] unless asked for). */
export function renderProvider(repos: Pick<Repos, 'tags'>, doc: CapacityProviderDoc, withTags: boolean): Wire<CapacityProvider> {
  return { ...structuredClone(doc), tags: withTags ? getTags(repos, doc.capacityProviderArn) : [] }
}
