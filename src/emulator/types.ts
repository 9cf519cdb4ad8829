/**
 * The contract between the emulator's API server (HTTP, discovery, patch, watch streams) and its
 * controllers and simulated kubelet. Both sides work on the in-process ObjectStore; nothing else
 * in KECS touches it: the rest of KECS goes through @kubernetes/client-node over HTTP.
 */
export interface ObjectMeta {
  name?: string
  generateName?: string
  namespace?: string
  uid?: string
  resourceVersion?: string
  generation?: number
  creationTimestamp?: string
  deletionTimestamp?: string
  deletionGracePeriodSeconds?: number
  labels?: Record<string, string>
  annotations?: Record<string, string>
  ownerReferences?: {
    apiVersion: string
    kind: string
    name: string
    uid: string
    controller?: boolean
    blockOwnerDeletion?: boolean
  }[]
  finalizers?: string[]
  [k: string]: unknown
}

export interface KubeObject {
  apiVersion: string
  kind: string
  metadata: ObjectMeta
  spec?: any
  status?: any
  [k: string]: any
}

/** A resource type the emulator serves, e.g. pods (core/v1) or deployments (apps/v1). */
export interface ResourceType {
  group: string // '' for core
  version: string
  resource: string // plural, e.g. 'pods'
  singular: string
  kind: string
  namespaced: boolean
  shortNames?: string[]
  categories?: string[]
  subresources?: string[] // e.g. ['status', 'log', 'scale']
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR'

export interface WatchEvent {
  type: WatchEventType
  object: KubeObject
  /** The resourceVersion at which this event happened (= object's for ADDED/MODIFIED/DELETED). */
  resourceVersion: number
  /** Added by the store: the object's previous state, on MODIFIED and DELETED events from writes. */
  oldObject?: KubeObject
}

export interface ListOptions {
  namespace?: string
  labelSelector?: string
  fieldSelector?: string
  limit?: number
  continue?: string
}

/** Thrown by the store; the API server maps it to a Kubernetes Status (code, reason, message). */
export class KubeStatusError extends Error {
  constructor(
    readonly code: number,
    readonly reason:
      | 'NotFound'
      | 'AlreadyExists'
      | 'Conflict'
      | 'Invalid'
      | 'BadRequest'
      | 'Gone'
      | 'MethodNotAllowed'
      | 'InternalError'
      // added by the store/apiserver: terminating namespaces, undeletable system namespaces; unknown patch types
      | 'Forbidden'
      | 'UnsupportedMediaType',
    message: string,
    readonly details?: { name?: string; group?: string; kind?: string; causes?: { field: string; message: string; reason?: string }[] },
  ) {
    super(message)
  }
}

export interface DeleteOptions {
  gracePeriodSeconds?: number
  propagationPolicy?: 'Foreground' | 'Background' | 'Orphan'
  preconditions?: { uid?: string; resourceVersion?: string }
  /** Added: server-side dry run; checks run, nothing is deleted, the object is returned as it is. */
  dryRun?: boolean
}

/**
 * The emulator's object store: every object of every served resource type, one resourceVersion
 * sequence, persisted in the instance's DuckDB store (table kube_objects) so objects and the sequence
 * survive a restart. Writes resolve once durable. `resource` is the plural name ('pods',
 * 'deployments'); `namespace` is undefined for cluster-scoped types.
 *
 * Objects handed out (get, list, watch and onChange events, write results) are deep-frozen snapshots
 * shared with the store: clone (structuredClone) before changing one. Objects passed in are copied.
 * Watch/onChange callbacks run synchronously, in resourceVersion order, after the in-memory change.
 */
export interface ObjectStore {
  readonly types: ResourceType[]
  type(resource: string): ResourceType | undefined
  /** Current (latest) resourceVersion of the whole store. */
  readonly resourceVersion: number
  get(resource: string, namespace: string | undefined, name: string): KubeObject | undefined
  list(resource: string, opts?: ListOptions): { items: KubeObject[]; resourceVersion: string; continue?: string }
  /**
   * Fills apiVersion/kind, uid, creationTimestamp, generation, resourceVersion, generateName; 409 AlreadyExists.
   * dryRun (added, server-side dry run): default and validate, return the result, write nothing.
   */
  create(resource: string, obj: KubeObject, opts?: { dryRun?: boolean }): Promise<KubeObject>
  /**
   * Replaces; 409 Conflict when obj.metadata.resourceVersion is set and stale. `status` writes only .status.
   * Validates like the API server (422), including immutable fields: pod specs may only change images,
   * activeDeadlineSeconds, tolerations, the grace period, or bind an unset nodeName. mutate() skips validation.
   * create and update both check the upstream schema: wrong types are a 400, as the decoder answers.
   */
  update(resource: string, obj: KubeObject, opts?: { subresource?: 'status'; dryRun?: boolean }): Promise<KubeObject>
  /** Read-modify-write without conflict checks, for controllers; undefined when the object is gone. Return false from fn to skip the write. */
  mutate(
    resource: string,
    namespace: string | undefined,
    name: string,
    fn: (obj: KubeObject) => KubeObject | void | false,
  ): Promise<KubeObject | undefined>
  /**
   * Pods with a grace period > 0 (default: spec.terminationGracePeriodSeconds ?? 30) get deletionTimestamp and
   * stay until the kubelet calls remove(); Foreground propagation sets the foregroundDeletion finalizer and the GC
   * controller removes the owner after its dependents; other objects go at once. Orphan strips ownerReferences.
   */
  delete(resource: string, namespace: string | undefined, name: string, opts?: DeleteOptions): Promise<KubeObject | undefined>
  /** Removes the object now (kubelet after termination, garbage collector). */
  remove(resource: string, namespace: string | undefined, name: string): Promise<void>
  /** Events after resourceVersion (exclusive; '0' or undefined = ADDED for all current objects first). Throws KubeStatusError 410 when too old. */
  watch(
    resource: string,
    opts: { namespace?: string; labelSelector?: string; fieldSelector?: string; resourceVersion?: string },
    cb: (e: WatchEvent) => void,
  ): () => void
  /** Every change to every resource, for controllers. */
  onChange(cb: (resource: string, e: WatchEvent) => void): () => void
}

/** Container logs, produced by the simulated kubelet and served by the API server's pods/log. */
export interface LogSource {
  read(
    namespace: string,
    pod: string,
    container: string | undefined,
    opts: { follow?: boolean; tailLines?: number; sinceSeconds?: number; timestamps?: boolean; previous?: boolean },
    signal: AbortSignal,
  ): AsyncIterable<string>
}
