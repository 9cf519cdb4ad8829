import type { AwsContext } from '../service.js'
import { noSuchInstanceProfile, noSuchRole, protectedRole } from './errors.js'
import type { IamState, InstanceProfileDoc, RoleDoc } from './state.js'

/** The named role of the caller's account, or NoSuchEntity. */
export function mustRole(state: IamState, ctx: AwsContext, name: string): RoleDoc {
  const r = state.role(ctx.account, name)
  if (!r) throw noSuchRole(name)
  return r
}

/** As mustRole, for changes AWS refuses on service-linked roles (UnmodifiableEntity). */
export function mustMutableRole(state: IamState, ctx: AwsContext, name: string): RoleDoc {
  const r = mustRole(state, ctx, name)
  if (r.serviceLinkedTo) throw protectedRole(r.RoleName)
  return r
}

export function mustInstanceProfile(state: IamState, ctx: AwsContext, name: string): InstanceProfileDoc {
  const p = state.instanceProfile(ctx.account, name)
  if (!p) throw noSuchInstanceProfile(name)
  return p
}

/** A copy to change and write back: stored docs are never edited in place before the write. */
export const copy = <T>(v: T): T => structuredClone(v)
