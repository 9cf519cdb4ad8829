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
    readonly reason: 'NotFound' | 'AlreadyExists' | 'Conflict' | 'Invalid' | 'BadRequest' | 'Gone' | 'MethodNotAllowed' | 'InternalError',
    message: string,
    readonly details?: { name?: string; group?: string; kind?: string; causes?: { field: string; message: string; reason?: string }[] },
  ) {
    super(message)
  }
}
