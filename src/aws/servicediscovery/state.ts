import { DocTable } from '../../store/doc-table.js'
import { scopedKey } from '../../store/scoped-key.js'
import type { Store, WriteOp } from '../../store/store.js'
import { Signal } from '../../lib/signal.js'

export type Scope = { account: string; region: string }
export type Tag = { Key: string; Value: string }
export type NamespaceType = 'DNS_PUBLIC' | 'DNS_PRIVATE' | 'HTTP'
export type HealthStatus = 'HEALTHY' | 'UNHEALTHY' | 'UNKNOWN'

/** A Cloud Map namespace (key `<account>/<region>/<ns-id>`). */
export interface NamespaceDoc {
  account: string
  region: string
  id: string
  arn: string
  name: string
  type: NamespaceType
  description?: string
  /** DNS_PRIVATE: the VPC it was created for (recorded, not checked: KECS has no VPCs). */
  vpc?: string
  /** DNS namespaces: the (simulated) Route 53 hosted zone and its SOA TTL when one was given. */
  hostedZoneId?: string
  soaTtl?: number
  /** Epoch ms. */
  created: number
  creatorRequestId?: string
  tags: Tag[]
}

export interface DnsRecord {
  Type: 'SRV' | 'A' | 'AAAA' | 'CNAME'
  TTL: number
}

/** A Cloud Map service (key `<account>/<region>/<srv-id>`). */
export interface ServiceDoc {
  account: string
  region: string
  id: string
  arn: string
  name: string
  namespaceId: string
  description?: string
  dnsConfig?: { RoutingPolicy?: 'MULTIVALUE' | 'WEIGHTED'; DnsRecords: DnsRecord[] }
  type: 'HTTP' | 'DNS_HTTP' | 'DNS'
  healthCheckConfig?: { Type: string; ResourcePath?: string; FailureThreshold?: number }
  healthCheckCustomConfig?: { FailureThreshold?: number }
  /** Service attributes (UpdateServiceAttributes). */
  attributes: Record<string, string>
  created: number
  creatorRequestId?: string
  tags: Tag[]
  /** Bumped by every change of the service's instances (DiscoverInstancesRevision). */
  revision: number
}

/** A registered instance (key `<account>/<region>/<srv-id>/<instance id>`). */
export interface InstanceDoc {
  account: string
  region: string
  serviceId: string
  id: string
  attributes: Record<string, string>
  creatorRequestId?: string
  /** With a custom health check: the status last reported; else absent (DiscoverInstances says UNKNOWN). */
  health?: 'HEALTHY' | 'UNHEALTHY'
  created: number
}

export type OperationType = 'CREATE_NAMESPACE' | 'DELETE_NAMESPACE' | 'UPDATE_NAMESPACE' | 'UPDATE_SERVICE' | 'REGISTER_INSTANCE' | 'DEREGISTER_INSTANCE'

/** An asynchronous operation (key `<account>/<region>/<operation id>`); KECS completes each at once. */
export interface OperationDoc {
  account: string
  region: string
  id: string
  type: OperationType
  status: 'SUBMITTED' | 'PENDING' | 'SUCCESS' | 'FAIL'
  targets: Partial<Record<'NAMESPACE' | 'SERVICE' | 'INSTANCE', string>>
  created: number
  updated: number
  /** The idempotency token of the request that started it, and what it was for. */
  requestId?: string
  fingerprint?: string
}

/** What changed: a service (its instances, its records) or a namespace; for views that mirror Cloud Map (DNS). */
export interface CloudMapChange {
  account: string
  region: string
  namespaceId: string
  /** Absent: the namespace itself changed (created, deleted). */
  serviceId?: string
}

/** Cloud Map state: namespaces, services, instances and operations, one document per row. */
export class CloudMapState {
  /** Emitted after a change is durable. */
  readonly changed = new Signal<CloudMapChange>()

  constructor(
    readonly store: Store,
    readonly namespaces: DocTable<NamespaceDoc>,
    readonly services: DocTable<ServiceDoc>,
    readonly instances: DocTable<InstanceDoc>,
    readonly operations: DocTable<OperationDoc>,
  ) {}

  static async open(store: Store): Promise<CloudMapState> {
    return new CloudMapState(
      store,
      await new DocTable<NamespaceDoc>(store, 'cloudmap_namespaces').load(),
      await new DocTable<ServiceDoc>(store, 'cloudmap_services').load(),
      await new DocTable<InstanceDoc>(store, 'cloudmap_instances').load(),
      await new DocTable<OperationDoc>(store, 'cloudmap_operations').load(),
    )
  }

  namespace(scope: Scope, id: string): NamespaceDoc | undefined {
    return this.namespaces.get(scopedKey(scope, id))
  }

  service(scope: Scope, id: string): ServiceDoc | undefined {
    return this.services.get(scopedKey(scope, id))
  }

  instance(svc: ServiceDoc, id: string): InstanceDoc | undefined {
    return this.instances.get(scopedKey(svc, svc.id, id))
  }

  operation(scope: Scope, id: string): OperationDoc | undefined {
    return this.operations.get(scopedKey(scope, id))
  }

  /** The scope's namespaces, oldest first. */
  listNamespaces(scope: Scope): NamespaceDoc[] {
    return inScope(this.namespaces.values(), scope).sort(byCreation)
  }

  listServices(scope: Scope, namespaceId?: string): ServiceDoc[] {
    return inScope(this.services.values(), scope)
      .filter((s) => namespaceId === undefined || s.namespaceId === namespaceId)
      .sort(byCreation)
  }

  /** A service's instances, in registration order. */
  listInstances(svc: ServiceDoc): InstanceDoc[] {
    const out: InstanceDoc[] = []
    for (const i of this.instances.values()) if (i.serviceId === svc.id && i.account === svc.account && i.region === svc.region) out.push(i)
    return out.sort(byCreation)
  }

  listOperations(scope: Scope): OperationDoc[] {
    return inScope(this.operations.values(), scope).sort(byCreation)
  }

  /** The operation started with this idempotency token, if any. */
  operationByRequest(scope: Scope, requestId: string): OperationDoc | undefined {
    for (const o of this.operations.values()) if (o.requestId === requestId && o.account === scope.account && o.region === scope.region) return o
    return undefined
  }

  putNamespace = (d: NamespaceDoc): WriteOp => this.namespaces.stagePut(scopedKey(d, d.id), d)
  deleteNamespace = (d: NamespaceDoc): WriteOp => this.namespaces.stageDelete(scopedKey(d, d.id))
  putService = (d: ServiceDoc): WriteOp => this.services.stagePut(scopedKey(d, d.id), d)
  deleteService = (d: ServiceDoc): WriteOp => this.services.stageDelete(scopedKey(d, d.id))
  putInstance = (d: InstanceDoc): WriteOp => this.instances.stagePut(scopedKey(d, d.serviceId, d.id), d)
  deleteInstance = (d: InstanceDoc): WriteOp => this.instances.stageDelete(scopedKey(d, d.serviceId, d.id))
  putOperation = (d: OperationDoc): WriteOp => this.operations.stagePut(scopedKey(d, d.id), d)

  /** Writes staged ops in one job (durable when it resolves). */
  write(ops: WriteOp[]): Promise<void> {
    return ops.length ? this.store.write(ops) : Promise.resolve()
  }
}

function inScope<T extends Scope>(values: Iterable<T>, scope: Scope): T[] {
  const out: T[] = []
  for (const v of values) if (v.account === scope.account && v.region === scope.region) out.push(v)
  return out
}

const byCreation = <T extends { created: number; id: string }>(a: T, b: T) => a.created - b.created || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
