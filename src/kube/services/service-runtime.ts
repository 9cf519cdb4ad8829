import type { V1DaemonSet, V1Deployment, V1ObjectMeta, V1Service } from '@kubernetes/client-node'
import { parseArn } from '../../ecs/arns.js'
import { PLACEMENT_FAILURES, serviceNodePlacement } from '../../ecs/container-instances/placement.js'
import { clusterInstances } from '../../ecs/tasks/node-instances.js'
import { addEvents, messages } from '../../ecs/services/events.js'
import type { ServiceRuntime } from '../../ecs/services/runtime.js'
import { primaryOf, serviceKey, type ServiceDoc } from '../../ecs/services/service-doc.js'
import { taskSetEntries, wantedCount, type TaskSetDoc } from '../../ecs/services/task-set-doc.js'
import type { TaskDefinitionDoc } from '../../ecs/task-definitions/task-definition-doc.js'
import { resolveTaskDefinition, runnableTaskDefinition } from '../../ecs/task-definitions/resolve.js'
import type { EcsCore } from '../../ecs/types.js'
import { kubeErrorMessage, statusOf, type KubeClient, type WorkloadKind } from '../client.js'
import type { Informers } from '../informers.js'
import { WorkQueue } from '../../lib/work-queue.js'
import { sleep, type Timers } from '../../lib/timers.js'
import { clusterScopeOf, clusterToNamespace, namespaceName, serviceToWorkload, workloadName } from '../convert/index.js'
import type { WorkloadPlacement } from '../convert/service.js'
import { shortHash } from '../../lib/hash.js'
import { ANNOTATIONS, LABELS, MANAGED_BY_VALUE, sanitizeLabelValue } from '../convert/labels.js'
import { taskSetIdOfWorkload, taskSetToWorkload } from '../convert/task-set.js'
import { materializeSecrets, SECRET_LABELS, type SecretResolver } from '../secret-resolver.js'
import type { V1Secret } from '@kubernetes/client-node'
import { gatewayHostPorts } from '../../ecs/gateways/connect.js'

/**
 * The ServiceRuntime the ECS handlers use when KECS has a cluster: a service is a Deployment (a
 * DaemonSet for DAEMON) in its cluster's namespace plus a ClusterIP Service; an EXTERNAL service's
 * task sets are a Deployment each. Applying is idempotent (a hash of what KECS wants is on the
 * objects) and runs on a work queue: one apply per service at a time, retried with backoff. The
 * shared Deployment and DaemonSet informers put back what is changed behind KECS's back.
 */
export interface KubeServiceRuntimeOptions {
  /** KECS's ECS API as seen from inside the cluster (AWS_ENDPOINT_URL_ECS); read when a service is applied. */
  ecsEndpoint: () => string
  /** Base URL of the task metadata endpoint as seen from inside the cluster. */
  metadataEndpoint: () => string
  informers: Informers
  timers: Timers
  /** A DAEMON service's desired pod count changed: its scheduler step is due. */
  onDaemonDesired?: (serviceKey: string) => void
  /** The cluster provisions PersistentVolumeClaims (EBS volumes configured at launch); else emptyDirs. */
  persistentVolumes?: boolean
  /** Resolves the pods' `secrets[].valueFrom` and repositoryCredentials each time a workload is applied. */
  secrets?: SecretResolver
  /** AWS_ENDPOINT_URL in every container; default true. */
  injectEndpoint?: boolean
  log?: (line: string) => void
}

/**
 * A secret of the service's task definition cannot be read: the workload is not applied (its pods could
 * not start), the service gets an event with the reason, and the apply is retried with backoff.
 */
class SecretsUnavailable extends Error {}

export const APPLIED_ANNOTATION = 'kecs.dev/applied'

interface Built {
  kind: 'Deployment' | 'DaemonSet'
  workload: V1Deployment | V1DaemonSet
  service?: V1Service
  secrets: ReturnType<typeof serviceToWorkload>['secrets']
  ignored: { field: string; reason: string }[]
  placement?: WorkloadPlacement
}

export class KubeServiceRuntime implements ServiceRuntime {
  private readonly namespaces = new Set<string>()
  private readonly queue: WorkQueue
  /** DAEMON services: desiredNumberScheduled of their DaemonSet. */
  private readonly daemonDesiredCounts = new Map<string, number>()

  constructor(
    private readonly client: KubeClient,
    private readonly deps: EcsCore,
    private readonly opts: KubeServiceRuntimeOptions,
  ) {
    this.queue = new WorkQueue('service apply', (key) => this.sync(key), opts.timers, () => {}, { baseMs: 250, maxMs: 30_000 })
    opts.informers.deployments.addHandler((type, o) => this.observe('Deployment', type, o))
    opts.informers.daemonSets.addHandler((type, o) => this.observe('DaemonSet', type, o))
  }

  prepare(service: ServiceDoc, td: TaskDefinitionDoc): { ignored: { field: string; reason: string }[] } {
    return { ignored: this.build(service, td).ignored }
  }

  prepareTaskSet(service: ServiceDoc, ts: TaskSetDoc, td: TaskDefinitionDoc): { ignored: { field: string; reason: string }[] } {
    return { ignored: this.buildTaskSet(service, ts, td).ignored }
  }

  /** The stored service changed: apply it (the instance also tells the scheduler). */
  changed(key: string): void {
    this.queue.add(key)
  }

  /** Once the informers listed: applies every service once (the restart check). */
  start(): void {
    for (const [key, doc] of this.deps.repos.services.entries() as IterableIterator<[string, ServiceDoc]>) {
      if (doc.status !== 'INACTIVE') this.queue.add(key)
    }
  }

  async stop(): Promise<void> {
    await this.queue.stop()
  }

  /** A DAEMON service's desired task count, from its DaemonSet (the scheduler reads it). */
  daemonDesired(key: string): number | undefined {
    return this.daemonDesiredCounts.get(key)
  }

  // --- applying ---

  /** Level-triggered: makes the cluster follow the stored service as it is now; throws to be retried. */
  private async sync(key: string): Promise<void> {
    const doc = this.deps.repos.services.get(key) as ServiceDoc | undefined
    if (!doc) return
    if (doc.deploymentController?.type === 'EXTERNAL') return this.applyTaskSets(key, doc)
    const ns = namespaceName(doc.kecs.clusterName, clusterScopeOf(doc.clusterArn))
    const name = workloadName(doc.serviceName)
    const kind = doc.schedulingStrategy === 'DAEMON' ? 'DaemonSet' : 'Deployment'
    try {
      if (doc.status !== 'ACTIVE') {
        await this.remove(kind, ns, name, doc)
        await this.remove('Service', ns, name, doc)
        await this.client.deleteSecrets(ns, `${SECRET_LABELS.owner}=${name}`)
      } else {
        const primary = primaryOf(doc)
        if (!primary?.taskDefinition) return
        const scope = parseArn(doc.serviceArn)!
        const td = runnableTaskDefinition({ account: scope.account, region: scope.region }, this.deps, primary.taskDefinition)
        const built = this.build(doc, td)
        const secrets = await this.resolveSecrets(doc, built.secrets, ns, name)
        await this.ensureNamespace(doc)
        for (const s of secrets) await this.client.putSecret(s, { mergeData: true })
        await this.put(kind, built.workload)
        if (built.service) await this.put('Service', built.service)
        else await this.remove('Service', ns, name, doc)
        if (built.placement?.nodeNames?.length === 0 && (doc.desiredCount ?? 0) > 0) this.reportUnplaceable(key, doc)
      }
    } catch (err) {
      this.failed(key, doc, ns, err)
      throw err
    }
  }

  /** An apply failed: logged and reported in the service's events (the queue retries it). */
  private failed(key: string, doc: ServiceDoc, ns: string, err: unknown, what = 'service'): void {
    const msg = err instanceof SecretsUnavailable ? err.message : kubeErrorMessage(err)
    this.log(`applying ${what} ${doc.serviceArn}: ${msg}`)
    if (statusOf(err) === 404) this.namespaces.delete(ns)
    const reason = err instanceof SecretsUnavailable ? msg : `ResourceInitializationError: ${msg}`
    if (doc.status === 'ACTIVE') this.report(key, messages.unableToPlace(doc.serviceName, reason))
  }

  /**
   * The Secrets of a workload's pods, resolved now. ECS resolves a service task's secrets when that task
   * starts; KECS resolves them when the workload is applied (create, update, force-new-deployment, KECS
   * start), and a pod the workload starts later reads the values of the last apply.
   */
  private async resolveSecrets(doc: ServiceDoc, needed: Built['secrets'], ns: string, owner: string): Promise<V1Secret[]> {
    if (!needed.length) return []
    const scope = parseArn(doc.serviceArn)!
    const r = await materializeSecrets({ needed, resolver: this.opts.secrets, scope: { account: scope.account, region: scope.region }, namespace: ns, owner })
    if (!r.ok) throw new SecretsUnavailable(r.stoppedReason)
    return r.secrets
  }

  /** The objects for the service's PRIMARY deployment, with the hash of what KECS wants on them. */
  private build(doc: ServiceDoc, td: TaskDefinitionDoc): Built {
    const primary = primaryOf(doc)!
    const scope = parseArn(doc.serviceArn)!
    const launchType = launchTypeOf(primary)
    const placement =
      launchType === 'FARGATE' ? undefined : serviceNodePlacement(this.deps.repos, doc.clusterArn, doc.placementConstraints, td.placementConstraints)
    const out = serviceToWorkload({
      service: { ...doc, launchType } as never,
      taskDefinition: td,
      deploymentId: primary.id,
      clusterName: doc.kecs.clusterName,
      clusterArn: doc.clusterArn,
      region: scope.region,
      account: scope.account,
      launchType,
      ecsEndpoint: this.opts.ecsEndpoint(),
      ...(this.opts.injectEndpoint === false ? {} : { awsEndpoint: this.opts.ecsEndpoint() }),
      metadataEndpoint: this.opts.metadataEndpoint(),
      tags: primary.kecs.taskTags,
      placement,
      ...(doc.kecs.express || doc.kecs.gateways ? { hostPorts: hostEndpoints(doc) } : {}),
      // a service's volumes always go with their task: a claim per pod
      launchVolumes: (primary.volumeConfigurations ?? []).map((v) => ({
        name: v.name ?? '',
        sizeInGiB: v.managedEBSVolume?.sizeInGiB ?? 1,
        persistent: this.opts.persistentVolumes ?? false,
      })),
    })
    stamp(out.workload)
    if (out.service) stamp(out.service)
    return {
      kind: doc.schedulingStrategy === 'DAEMON' ? 'DaemonSet' : 'Deployment',
      workload: out.workload,
      service: out.service,
      secrets: out.secrets,
      ignored: out.ignored,
      placement,
    }
  }

  /**
   * EXTERNAL services: a Deployment per task set (replicas = its computed desired count, 0 while it
   * drains), the service's Service from its PRIMARY task set (else the newest one), and no Deployment
   * left of a task set that is gone; nothing at all once the service is not ACTIVE.
   */
  private async applyTaskSets(key: string, doc: ServiceDoc): Promise<void> {
    const ns = namespaceName(doc.kecs.clusterName, clusterScopeOf(doc.clusterArn))
    const name = workloadName(doc.serviceName)
    const scope = parseArn(doc.serviceArn)!
    const sets = doc.status === 'ACTIVE' ? taskSetEntries(this.deps.repos, doc.serviceArn).map(([, ts]) => ts) : []
    try {
      let service: V1Service | undefined
      const live = [...sets].filter((ts) => ts.status !== 'DRAINING')
      const representative = live.find((ts) => ts.status === 'PRIMARY') ?? live[live.length - 1]
      if (sets.length) await this.ensureNamespace(doc)
      for (const ts of sets) {
        const td = resolveTaskDefinition({ account: scope.account, region: scope.region }, this.deps, ts.taskDefinition)
        const built = this.buildTaskSet(doc, ts, td)
        const secrets = await this.resolveSecrets(doc, built.secrets, ns, built.workload.metadata!.name!)
        for (const s of secrets) await this.client.putSecret(s, { mergeData: true })
        await this.put('Deployment', built.workload)
        if (ts === representative) service = built.service
      }
      if (service) await this.put('Service', service)
      else await this.remove('Service', ns, name, doc)
      const keep = new Set(sets.map((ts) => ts.id))
      const selector = [
        `${LABELS.managedBy}=${MANAGED_BY_VALUE}`,
        `${LABELS.cluster}=${sanitizeLabelValue(doc.kecs.clusterName)}`,
        `${LABELS.service}=${sanitizeLabelValue(doc.serviceName)}`,
        LABELS.deployment,
      ].join(',')
      const { items } = await this.client.listWorkloads('Deployment', { labelSelector: selector })
      // this service's task set Deployments (labels select the cluster and service, the annotation the very service)
      for (const w of items) {
        const id = taskSetIdOfWorkload(w)
        if (!id || keep.has(id) || w.metadata?.annotations?.[ANNOTATIONS.serviceArn] !== doc.serviceArn || w.metadata?.deletionTimestamp) continue
        await this.client.deleteWorkload('Deployment', w.metadata!.namespace!, w.metadata!.name!)
        await this.client.deleteSecrets(w.metadata!.namespace!, `${SECRET_LABELS.owner}=${w.metadata!.name!}`)
      }
    } catch (err) {
      this.failed(key, doc, ns, err, 'the task sets of service')
      throw err
    }
  }

  /** A task set's Deployment (and the service's Service, for its port mappings). */
  private buildTaskSet(doc: ServiceDoc, ts: TaskSetDoc, td: TaskDefinitionDoc) {
    const scope = parseArn(doc.serviceArn)!
    const launchType = launchTypeOf(ts)
    const out = taskSetToWorkload({
      service: doc as never,
      taskSet: ts,
      taskDefinition: td,
      replicas: wantedCount(doc, ts),
      clusterName: doc.kecs.clusterName,
      clusterArn: doc.clusterArn,
      region: scope.region,
      account: scope.account,
      launchType,
      ecsEndpoint: this.opts.ecsEndpoint(),
      ...(this.opts.injectEndpoint === false ? {} : { awsEndpoint: this.opts.ecsEndpoint() }),
      metadataEndpoint: this.opts.metadataEndpoint(),
      tags: ts.kecs.taskTags,
    })
    stamp(out.workload)
    if (out.service) stamp(out.service)
    return out
  }

  /** Creates the object, or replaces it when what KECS wants changed (or its replicas were changed behind KECS's back). */
  private async put(kind: WorkloadKind, desired: V1Deployment | V1DaemonSet | V1Service): Promise<void> {
    const md = desired.metadata!
    for (let attempt = 0; ; attempt++) {
      const current = (await this.client.getWorkload(kind, md.namespace!, md.name!)) as V1Deployment | V1Service | undefined
      try {
        if (!current || current.metadata?.deletionTimestamp) {
          if (current) throw Object.assign(new Error(`${kind} ${md.namespace}/${md.name} is still being deleted`), { code: 409 })
          await this.client.createWorkload(kind, desired as never)
          return
        }
        const sameReplicas = kind !== 'Deployment' || (current as V1Deployment).spec?.replicas === (desired as V1Deployment).spec?.replicas
        if (current.metadata?.annotations?.[APPLIED_ANNOTATION] === md.annotations?.[APPLIED_ANNOTATION] && sameReplicas) return
        const body: any = structuredClone(desired)
        body.metadata = mergeMeta(current.metadata ?? {}, md)
        if (kind === 'Service') {
          const spec = (current as V1Service).spec ?? {}
          for (const k of ['clusterIP', 'clusterIPs', 'ipFamilies', 'ipFamilyPolicy'] as const) if (spec[k] !== undefined) body.spec[k] = spec[k]
        }
        await this.client.replaceWorkload(kind, body)
        return
      } catch (err) {
        // Changed meanwhile (409): read it again and retry a few times; the caller retries later otherwise.
        if (statusOf(err) !== 409 || attempt >= 3) throw err
        await sleep(this.opts.timers, 100 * (attempt + 1))
      }
    }
  }

  /** Deletes the service's object of that kind, when it is there and is this service's. */
  private async remove(kind: WorkloadKind, ns: string, name: string, doc: ServiceDoc): Promise<void> {
    const current = await this.client.getWorkload(kind, ns, name)
    if (!current || current.metadata?.deletionTimestamp) return
    const owner = current.metadata?.annotations?.[ANNOTATIONS.serviceArn]
    if (owner && owner !== doc.serviceArn) return
    await this.client.deleteWorkload(kind, ns, name)
  }

  private async ensureNamespace(doc: ServiceDoc): Promise<void> {
    const ns = namespaceName(doc.kecs.clusterName, clusterScopeOf(doc.clusterArn))
    if (this.namespaces.has(ns)) return
    await this.client.ensureNamespace(clusterToNamespace(doc.kecs.clusterName, doc.clusterArn))
    this.namespaces.add(ns)
  }

  /** A message in the service's events (apply failures), stored at once. */
  /** A memberOf no container instance satisfies: ECS's service event, naming the closest instance. */
  private reportUnplaceable(key: string, doc: ServiceDoc): void {
    const closest = clusterInstances(this.deps.repos, doc.clusterArn).find((i) => i.status === 'ACTIVE')
    if (!closest) return
    const id = closest.containerInstanceArn.split('/').pop()!
    this.report(key, messages.noInstanceMet(doc.serviceName, id, PLACEMENT_FAILURES.memberOf))
  }

  private report(key: string, message: string): void {
    const current = this.deps.repos.services.get(key)
    if (!current) return
    const doc = structuredClone(current)
    if (!addEvents(doc, [message], this.deps.clock.now()).length) return
    this.deps.repos.services.put(key, doc).catch((err) => this.log(`storing service ${doc.serviceArn}: ${err.message}`))
  }

  // --- watching ---

  private observe(kind: 'Deployment' | 'DaemonSet', type: string, o: V1Deployment | V1DaemonSet): void {
    const key = serviceKeyOfObject(o.metadata)
    if (!key) return
    const doc = this.deps.repos.services.get(key)
    if (doc?.deploymentController?.type === 'EXTERNAL') {
      if (kind === 'Deployment') this.observeTaskSet(type, o as V1Deployment, key, doc)
      return
    }
    if (kind === 'DaemonSet') {
      const desired = (o as V1DaemonSet).status?.desiredNumberScheduled
      if (type !== 'DELETED' && typeof desired === 'number' && this.daemonDesiredCounts.get(key) !== desired) {
        this.daemonDesiredCounts.set(key, desired)
        this.opts.onDaemonDesired?.(key)
      }
    }
    if (!doc) return
    // Deleted or scaled behind KECS's back while the service is ACTIVE: put it back (the scheduler
    // replaces the tasks). A workload left over from a deleted service goes.
    const rescaled = kind === 'Deployment' && type !== 'DELETED' && (o as V1Deployment).spec?.replicas !== doc.desiredCount
    if ((doc.status === 'ACTIVE' && (type === 'DELETED' || rescaled)) || (type !== 'DELETED' && doc.status !== 'ACTIVE')) this.queue.add(key)
  }

  /** A task set's Deployment deleted or scaled behind KECS's back, or left over: make it follow again. */
  private observeTaskSet(type: string, o: V1Deployment, key: string, doc: ServiceDoc): void {
    const id = taskSetIdOfWorkload(o)
    if (!id) return
    const ts = taskSetEntries(this.deps.repos, doc.serviceArn).find(([, x]) => x.id === id)?.[1]
    const wanted = doc.status === 'ACTIVE' && ts
    if (type === 'DELETED' ? wanted : !wanted || o.spec?.replicas !== wantedCount(doc, ts)) this.queue.add(key)
  }

  private log(line: string): void {
    this.opts.log?.(line)
  }
}

/** The launch type a deployment's or task set's tasks run as: the one given, else Fargate when its strategy names a FARGATE* provider. */
function launchTypeOf(d: { launchType?: string; capacityProviderStrategy?: { capacityProvider?: string }[] }): string {
  return d.launchType ?? (d.capacityProviderStrategy?.some((i) => i.capacityProvider?.startsWith('FARGATE')) ? 'FARGATE' : 'EC2')
}

/** Host ports the service's endpoints (Express, gateway routes) are served on: `<container>:<port>` → host port. */
function hostEndpoints(doc: ServiceDoc): Record<string, number> {
  const x = doc.kecs.express
  return { ...(x ? { [`${x.containerName}:${x.containerPort}`]: x.hostPort } : {}), ...gatewayHostPorts(doc) }
}

/** Adds the hash of what KECS wants (metadata and spec) as an annotation. */
function stamp(obj: V1Deployment | V1DaemonSet | V1Service): void {
  const md = obj.metadata!
  const hash = shortHash(JSON.stringify({ labels: md.labels, annotations: md.annotations, spec: obj.spec }), 16)
  md.annotations = { ...(md.annotations ?? {}), [APPLIED_ANNOTATION]: hash }
}

/** KECS's labels and annotations over the current ones (others, e.g. the Deployment's revision, stay). */
function mergeMeta(current: V1ObjectMeta, desired: V1ObjectMeta): V1ObjectMeta {
  return {
    ...desired,
    resourceVersion: current.resourceVersion,
    labels: { ...(current.labels ?? {}), ...(desired.labels ?? {}) },
    annotations: { ...(current.annotations ?? {}), ...(desired.annotations ?? {}) },
  }
}

/** The service a workload belongs to, from its annotations. */
function serviceKeyOfObject(md: V1ObjectMeta | undefined): string | undefined {
  const a = md?.annotations ?? {}
  const cluster = a[ANNOTATIONS.clusterArn] ? parseArn(a[ANNOTATIONS.clusterArn]!) : undefined
  const name = a[ANNOTATIONS.serviceName]
  if (!cluster || cluster.resourceType !== 'cluster' || !name) return undefined
  return serviceKey({ account: cluster.account, region: cluster.region }, cluster.resource, name)
}
