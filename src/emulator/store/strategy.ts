import { deepEqual } from '../patch.js'
import type { DeleteOptions, KubeObject } from '../types.js'
import type { ServiceAllocators } from './allocators.js'
import type { Cause } from './validation/causes.js'
import { checkDns1123Subdomain, checkMetadata, type NameRule } from './validation/names.js'

/** What a strategy may use of the store it serves. */
export interface StrategyContext {
  allocators: ServiceAllocators
  /** Milliseconds since the epoch, from the store's clock. */
  now(): number
}

/**
 * The per-kind rules of the object store, as the API server's registry keeps them in one strategy per
 * resource: defaulting, create/update preparation, validation, what bumps `generation`, allocations,
 * and how the kind is deleted. The generic core (object-store.ts) calls these and knows no kind.
 */
export interface Strategy {
  readonly kind: string
  /** The rule for metadata.name (a DNS-1123 subdomain unless the kind says otherwise). */
  readonly nameRule: NameRule
  /** API defaulting: fills only what is missing, on create, update and mutate. */
  defaults(obj: KubeObject): void
  /** On create, after defaulting and validation: the initial status. */
  prepareForCreate(obj: KubeObject): void
  /** On a main-resource update, after defaulting: carries over what a client may leave out. */
  prepareForUpdate(obj: KubeObject, old: KubeObject): void
  /** The semantic rules the schema does not carry (names, ports, selectors, ...). */
  validate(obj: KubeObject): Cause[]
  /** Update rules: immutable fields. */
  validateUpdate(obj: KubeObject, old: KubeObject): Cause[]
  /** Whether a change bumps metadata.generation. */
  generationChanged(obj: KubeObject, old: KubeObject): boolean
  /** Allocations (service IPs and node ports); `old` keeps what was allocated. Throws 422. */
  allocate(ctx: StrategyContext, obj: KubeObject, old?: KubeObject): void
  /** Records the allocations of an object loaded from disk. */
  track(ctx: StrategyContext, obj: KubeObject): void
  /** Frees the allocations of a removed object. */
  release(ctx: StrategyContext, obj: KubeObject): void
  /** Throws (403) for objects that may never be deleted. */
  checkDelete(obj: KubeObject): void
  /**
   * Graceful deletion: the seconds the object stays terminating, or undefined when the kind is not
   * deleted gracefully (then finalizers and foreground propagation decide).
   */
  gracePeriod(old: KubeObject, opts: DeleteOptions): number | undefined
  /** A write that leaves a deleting object without finalizers removes it now. */
  removeWhenFinalized(obj: KubeObject): boolean
  /** May be created in a terminating namespace (the events about its teardown). */
  readonly allowedInTerminatingNamespace: boolean
  /** Keeps a terminating namespace from going until removed (events do not: they go with it). */
  readonly holdsNamespace: boolean
  /** Objects that come with a new one (a namespace's default service account). */
  companions(obj: KubeObject): { resource: string; object: KubeObject }[]
  /** A create through the API keeps the status sent, though the kind has a status subresource (nodes register with theirs). */
  readonly keepsStatusOnCreate: boolean
  /** Deleting starts a termination (namespaces: Terminating, their contents go, then they do). */
  readonly terminates: boolean
}

/** The generic rules every kind starts from. */
export const baseStrategy: Omit<Strategy, 'kind'> = {
  nameRule: checkDns1123Subdomain,
  defaults() {},
  prepareForCreate() {},
  prepareForUpdate() {},
  validate(obj) {
    return checkMetadata(obj, this.nameRule)
  },
  validateUpdate() {
    return []
  },
  generationChanged(obj, old) {
    return !deepEqual(obj.spec, old.spec)
  },
  allocate() {},
  track() {},
  release() {},
  checkDelete() {},
  gracePeriod() {
    return undefined
  },
  removeWhenFinalized() {
    return true
  },
  allowedInTerminatingNamespace: false,
  holdsNamespace: true,
  companions() {
    return []
  },
  keepsStatusOnCreate: false,
  terminates: false,
}

/** A strategy: the base rules with the kind's own. */
export function strategy(kind: string, own: Partial<Omit<Strategy, 'kind'>> & ThisType<Strategy> = {}): Strategy {
  return { ...baseStrategy, ...own, kind }
}
