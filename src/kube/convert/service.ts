import type { Service } from '@aws-sdk/client-ecs'
import type {
  V1DaemonSet,
  V1Deployment,
  V1ObjectMeta,
  V1PodTemplateSpec,
  V1Service,
  V1ServicePort,
} from '@kubernetes/client-node'
import type { Wire } from '../../ecs/types.js'
import type { ContainerDef, TaskDefinitionDoc } from '../../ecs/task-definitions/task-definition-doc.js'
import type { ConvertContext, ConvertReport } from './context.js'
import { ANNOTATIONS, LABELS, MANAGED_BY_VALUE, sanitizeLabelValue } from './labels.js'
import { namespaceName, portName, workloadName } from './names.js'
import { buildPodParts, sortKeys } from './pod.js'
import { Findings } from './unsupported.js'
import type { LaunchVolume } from './volumes.js'

/**
 * ECS service → Deployment (REPLICA) or DaemonSet (DAEMON), plus a ClusterIP Service when the task
 * definition maps ports. Pure: no I/O. docs/ecs-on-kubernetes.md#services
 */
export interface ServiceToWorkloadInput extends ConvertContext {
  service: Wire<Service>
  taskDefinition: TaskDefinitionDoc
  /** The ECS deployment id, `ecs-svc/<digits>`. */
  deploymentId: string
  /** The service's placement constraints as KECS evaluated them on the cluster's container instances. */
  placement?: WorkloadPlacement
  /**
   * Host ports KECS serves for the service in place of the task definition's (`<container>:<containerPort>`
   * → host port): an Express service's endpoint on the KECS host.
   */
  hostPorts?: Record<string, number>
  /** EBS volumes configured at launch (the deployment's volumeConfigurations). */
  launchVolumes?: LaunchVolume[]
  /** Whose Secrets the pods read (secrets.ts); default the workload's name. */
  secretOwner?: string
}

export interface WorkloadPlacement {
  /** memberOf: the nodes whose instances match (empty: none does, the pods cannot be placed) */
  nodeNames?: string[]
  /** distinctInstance: at most one of the service's pods per node */
  distinctInstance?: boolean
}

// A node name no node has: a memberOf no instance satisfies leaves the pods unschedulable, as ECS leaves the tasks unplaced.
const NO_MATCHING_NODE = 'kecs.no-matching-container-instance'

function placementAffinity(p: WorkloadPlacement, selector: Record<string, string>) {
  const names = p.nodeNames?.length ? p.nodeNames : [NO_MATCHING_NODE]
  return {
    ...(p.nodeNames
      ? {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: names.map((n) => ({ matchFields: [{ key: 'metadata.name', operator: 'In', values: [n] }] })),
            },
          },
        }
      : {}),
    ...(p.distinctInstance
      ? {
          podAntiAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { ...selector } }, topologyKey: 'kubernetes.io/hostname' }],
          },
        }
      : {}),
  }
}

export interface ServiceToWorkloadResult extends ConvertReport {
  workload: V1Deployment | V1DaemonSet
  /** Only when the task definition has port mappings. */
  service?: V1Service
}

export function serviceToWorkload(input: ServiceToWorkloadInput): ServiceToWorkloadResult {
  const svc = input.service
  const serviceName = svc.serviceName ?? ''
  const name = workloadName(serviceName)
  const namespace = namespaceName(input.clusterName, input)
  const findings = new Findings()
  serviceLevelChecks(svc, findings, !!input.placement)

  const podCtx = { ...input, launchType: input.launchType ?? svc.launchType }
  const parts = buildPodParts({
    taskDefinition: input.taskDefinition,
    ctx: podCtx,
    taskId: 'downward',
    template: true,
    launchVolumes: input.launchVolumes,
    secretOwner: input.secretOwner ?? name,
  })
  if (input.hostPorts) overrideHostPorts(parts.annotations, input.hostPorts)
  const selector = {
    [LABELS.managedBy]: MANAGED_BY_VALUE,
    [LABELS.cluster]: sanitizeLabelValue(input.clusterName),
    [LABELS.service]: sanitizeLabelValue(serviceName),
  }
  const template: V1PodTemplateSpec = {
    metadata: {
      labels: sortKeys({
        ...parts.labels,
        ...selector,
        [LABELS.deployment]: sanitizeLabelValue(input.deploymentId.replace('/', '.')),
      }),
      annotations: sortKeys({
        ...parts.annotations,
        [ANNOTATIONS.deploymentId]: input.deploymentId,
        [ANNOTATIONS.startedBy]: input.deploymentId,
        [ANNOTATIONS.group]: `service:${serviceName}`,
        [ANNOTATIONS.serviceName]: serviceName,
      }),
    },
    spec: input.placement ? { ...parts.spec, affinity: placementAffinity(input.placement, selector) } : parts.spec,
  }
  const objectAnnotations: Record<string, string> = {
    [ANNOTATIONS.serviceName]: serviceName,
    [ANNOTATIONS.clusterName]: input.clusterName,
    [ANNOTATIONS.clusterArn]: input.clusterArn,
    [ANNOTATIONS.deploymentId]: input.deploymentId,
    [ANNOTATIONS.taskDefinition]: `${input.taskDefinition.family}:${input.taskDefinition.revision}`,
  }
  if (svc.serviceArn) objectAnnotations[ANNOTATIONS.serviceArn] = svc.serviceArn
  const tdArn = input.taskDefinition.taskDefinitionArn
  if (tdArn) objectAnnotations[ANNOTATIONS.taskDefinitionArn] = tdArn
  const objectLabels = { ...selector, [LABELS.taskDefinition]: parts.labels[LABELS.taskDefinition]! }
  const metadata: V1ObjectMeta = {
    name,
    namespace,
    labels: sortKeys(objectLabels),
    annotations: sortKeys(objectAnnotations),
  }

  const daemon = svc.schedulingStrategy === 'DAEMON'
  const rolling = rollingUpdate(svc, daemon, findings)
  const workload: V1Deployment | V1DaemonSet = daemon
    ? {
        apiVersion: 'apps/v1',
        kind: 'DaemonSet',
        metadata,
        spec: {
          selector: { matchLabels: { ...selector } },
          updateStrategy: { type: 'RollingUpdate', rollingUpdate: rolling },
          template,
        },
      }
    : {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata,
        spec: {
          replicas: svc.desiredCount ?? 0,
          selector: { matchLabels: { ...selector } },
          strategy: { type: 'RollingUpdate', rollingUpdate: rolling },
          template,
        },
      }

  const ports = servicePorts(input.taskDefinition.containerDefinitions ?? [])
  const result: ServiceToWorkloadResult = {
    workload,
    secrets: parts.secrets,
    ignored: [...findings.ignored, ...parts.ignored.filter((i) => !input.placement || i.field !== 'placementConstraints')],
  }
  if (ports.length) {
    result.service = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace, labels: { ...metadata.labels }, annotations: { ...metadata.annotations } },
      spec: { type: 'ClusterIP', selector: { ...selector }, ports },
    }
  }
  return result
}

/** Rewrites the pod template's host-ports annotation (host-ports.ts serves what it lists). */
function overrideHostPorts(annotations: Record<string, string>, overrides: Record<string, number>): void {
  const listed: { container: string; containerPort: number; hostPort: number }[] = JSON.parse(annotations[ANNOTATIONS.hostPorts] ?? '[]')
  for (const p of listed) {
    const port = overrides[`${p.container}:${p.containerPort}`]
    if (port !== undefined) p.hostPort = port
  }
  if (listed.length) annotations[ANNOTATIONS.hostPorts] = JSON.stringify(listed)
}

/** maximumPercent / minimumHealthyPercent → maxSurge / maxUnavailable (see above). */
function rollingUpdate(
  svc: Wire<Service>,
  daemon: boolean,
  findings: Findings,
): { maxSurge: number | string; maxUnavailable: number | string } {
  const dc = svc.deploymentConfiguration
  // ECS defaults: REPLICA 200/100, DAEMON 100/0 (docs/ecs-facts.md#services).
  const max = dc?.maximumPercent ?? (daemon ? 100 : 200)
  const min = dc?.minimumHealthyPercent ?? (daemon ? 0 : 100)
  const surge = Math.max(0, max - 100)
  const unavailable = Math.max(0, Math.min(100, 100 - min))
  if (surge === 0 && unavailable === 0) {
    findings.ignore(
      'deploymentConfiguration.maximumPercent',
      `maximumPercent ${max} with minimumHealthyPercent ${min} leaves no room to replace tasks; ` +
        'KECS starts 1 extra task during deployments',
    )
    return { maxSurge: 1, maxUnavailable: '0%' }
  }
  return { maxSurge: `${surge}%`, maxUnavailable: `${unavailable}%` }
}

const APP_PROTOCOL: Record<string, string> = { http: 'http', http2: 'kubernetes.io/h2c', grpc: 'grpc' }

/** One Service port per distinct container port/protocol; port = targetPort = containerPort. */
function servicePorts(containers: ContainerDef[]): V1ServicePort[] {
  const out: V1ServicePort[] = []
  for (const c of containers) {
    for (const pm of c.portMappings ?? []) {
      if (pm.containerPort === undefined) continue
      const protocol = (pm.protocol ?? 'tcp').toUpperCase()
      if (out.some((p) => p.port === pm.containerPort && p.protocol === protocol)) continue
      let name = portName(pm.name ?? `${protocol.toLowerCase()}-${pm.containerPort}`)
      if (out.some((p) => p.name === name)) name = portName(`${c.name}.${pm.name ?? ''}.${protocol}.${pm.containerPort}`)
      const port: V1ServicePort = { name, protocol, port: pm.containerPort, targetPort: pm.containerPort }
      if (pm.appProtocol && APP_PROTOCOL[pm.appProtocol]) port.appProtocol = APP_PROTOCOL[pm.appProtocol]
      out.push(port)
    }
  }
  return out
}

/** Service settings the workload cannot carry. */
function serviceLevelChecks(svc: Wire<Service>, findings: Findings, placed: boolean) {
  if (svc.loadBalancers?.length) {
    findings.ignore(
      'loadBalancers',
      'no load balancer is created; reach the tasks through the Kubernetes Service of the same name or their host ports',
    )
  }
  if (svc.placementConstraints?.length && !placed) {
    findings.ignore(
      'placementConstraints',
      'placement constraints are not applied; Kubernetes schedules the pods',
    )
  }
  if (svc.placementStrategy?.length) {
    findings.ignore(
      'placementStrategy',
      'placement strategies are not applied; Kubernetes schedules the pods',
    )
  }
  if (svc.capacityProviderStrategy?.length) {
    findings.ignore(
      'capacityProviderStrategy',
      'capacity providers are not applied; the pods run on the cluster nodes',
    )
  }
  if (svc.networkConfiguration?.awsvpcConfiguration) {
    findings.ignore(
      'networkConfiguration.awsvpcConfiguration',
      'subnets, security groups and public IPs have no effect; pods get cluster networking',
    )
  }
  const strategy = svc.deploymentConfiguration?.strategy
  if (strategy && strategy !== 'ROLLING') {
    findings.ignore(
      'deploymentConfiguration.strategy',
      `${strategy} deployments run as rolling updates`,
    )
  }
  if (svc.deploymentConfiguration?.alarms?.enable) {
    findings.ignore(
      'deploymentConfiguration.alarms',
      'CloudWatch alarms are not watched during deployments',
    )
  }
  const controller = svc.deploymentController?.type
  if (controller && controller !== 'ECS') {
    findings.ignore(
      'deploymentController.type',
      `${controller} deployments are not supported; KECS rolls out with the ECS controller`,
    )
  }
}
