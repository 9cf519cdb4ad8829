import { isIP } from 'node:net'
import type { ContainerOverride } from '@aws-sdk/client-ecs'
import type { V1Container, V1HostAlias, V1Pod, V1PodSpec, V1Sysctl, V1Volume } from '@kubernetes/client-node'
import { invalidParameter } from '../../ecs/errors.js'
import type { Wire } from '../../ecs/types.js'
import { toContainer } from './container.js'
import type { ContainerDef, TaskDefinitionDoc } from '../../ecs/task-definitions/task-definition-doc.js'
import type { ConvertContext, ConvertReport, TaskOverrides } from './context.js'
import { podLayout } from './dependencies.js'
import { containerEnv, injectedEnv, type TaskIdRef } from './env.js'
import {
  ANNOTATIONS,
  isValidAnnotationKey,
  LABELS,
  MANAGED_BY_VALUE,
  sanitizeAnnotationKey,
  sanitizeLabelValue,
  SIMULATE_PREFIX,
} from './labels.js'
import { dnsLabel, namespaceName } from './names.js'
import { containerResources, effectiveContainerSize, effectiveTaskSize, validateSizes } from './resources.js'
import { SecretSet } from './secrets.js'
import { containerField, Findings, refuse } from './unsupported.js'
import { containerMounts, memoryMounts, taskVolumes, type LaunchVolume } from './volumes.js'

/**
 * ECS task → Pod. Pure: no I/O. Pod-wide mappings are here; per-container ones in container.ts, env.ts,
 * resources.ts, probes.ts, volumes.ts, dependencies.ts. docs/ecs-on-kubernetes.md#task-definition-to-pod
 */
export interface TaskToPodInput extends ConvertContext {
  taskDefinition: TaskDefinitionDoc
  taskId: string
  taskArn: string
  overrides?: TaskOverrides
  startedBy?: string
  group?: string
  /** The node of the container instance ECS placement chose: the pod is held to it by node affinity. */
  nodeName?: string
  /** EBS volumes configured at launch (RunTask/StartTask volumeConfigurations). */
  launchVolumes?: LaunchVolume[]
}

export interface TaskToPodResult extends ConvertReport {
  pod: V1Pod
}

export function taskToPod(input: TaskToPodInput): TaskToPodResult {
  const td = input.taskDefinition
  const parts = buildPodParts({
    taskDefinition: td,
    overrides: input.overrides,
    ctx: input,
    taskId: { literal: input.taskId },
    template: false,
    launchVolumes: input.launchVolumes,
    secretOwner: dnsLabel(input.taskId),
  })
  const annotations: Record<string, string> = {
    ...parts.annotations,
    [ANNOTATIONS.taskArn]: input.taskArn,
    [ANNOTATIONS.group]: input.group ?? `family:${td.family}`,
  }
  if (input.startedBy !== undefined) annotations[ANNOTATIONS.startedBy] = input.startedBy
  const pod: V1Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: input.taskId,
      namespace: namespaceName(input.clusterName, input),
      labels: sortKeys({ ...parts.labels, [LABELS.taskId]: sanitizeLabelValue(input.taskId) }),
      annotations: sortKeys(annotations),
    },
    spec: input.nodeName ? { ...parts.spec, affinity: nodeAffinity(input.nodeName) } : parts.spec,
  }
  // A pod held to the node ECS placement chose has had its placement constraints applied.
  const ignored = input.nodeName ? parts.ignored.filter((i) => i.field !== 'placementConstraints') : parts.ignored
  return { pod, secrets: parts.secrets, ignored }
}

/** Required node affinity on the node's name (matchFields), as a DaemonSet pins its pods. */
const nodeAffinity = (nodeName: string) => ({
  nodeAffinity: {
    requiredDuringSchedulingIgnoredDuringExecution: {
      nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [nodeName] }] }],
    },
  },
})

export interface PodParts extends ConvertReport {
  spec: V1PodSpec
  labels: Record<string, string>
  annotations: Record<string, string>
}

/** The spec, labels and annotations shared by task pods and service pod templates. */
export function buildPodParts(o: {
  taskDefinition: TaskDefinitionDoc
  overrides?: TaskOverrides
  ctx: ConvertContext
  taskId: TaskIdRef
  template: boolean
  launchVolumes?: LaunchVolume[]
  /** Whose Secrets the pod reads (secrets.ts): the task id, or the workload's name for a template. */
  secretOwner: string
}): PodParts {
  const td = o.taskDefinition
  const containers = td.containerDefinitions ?? []
  if (containers.length === 0) throw refuse('containerDefinitions', 'the task definition has no containers')
  const findings = new Findings()
  const secrets = new SecretSet(o.secretOwner)
  taskLevelChecks(td, o.overrides, findings)

  const overrides = containerOverrides(containers, o.overrides)
  const byName = new Map(containers.map((c) => [c.name!, c]))
  const layout = podLayout(containers)
  const vols = taskVolumes(td, findings, o.launchVolumes)
  const volumes: V1Volume[] = [...vols.volumes]

  const sizes = containers.map((c) => ({ name: c.name!, size: effectiveContainerSize(c, overrides.get(c.name!), findings) }))
  const taskSize = effectiveTaskSize(td, o.overrides)
  validateSizes(sizes, taskSize)
  const resources = containerResources(sizes, taskSize)
  const taskRoleArn = o.overrides?.taskRoleArn ?? td.taskRoleArn

  const usedPortNames = new Set<string>()
  const usedPorts = new Map<string, string>()
  const converted = new Map<string, V1Container>()
  for (const c of containers) {
    const name = c.name!
    const override = overrides.get(name)
    const env = containerEnv({
      container: c,
      override,
      injected: injectedEnv({ ctx: o.ctx, taskId: o.taskId, containerName: name, taskRoleArn }),
      secrets,
      findings,
    })
    const mem = memoryMounts(c, findings)
    volumes.push(...mem.volumes)
    converted.set(
      name,
      toContainer({
        container: c,
        override,
        role: layout.role.get(name)!,
        template: o.template,
        healthyTarget: layout.healthyTargets.has(name),
        env,
        resources: resources.get(name),
        volumeMounts: [...containerMounts(c, byName, vols, findings), ...mem.mounts],
        usedPortNames,
        usedPorts,
        findings,
      }),
    )
  }

  const spec: V1PodSpec = {
    restartPolicy: o.template ? 'Always' : 'Never',
    ...(layout.initOrder.length ? { initContainers: layout.initOrder.map((n) => converted.get(n)!) } : {}),
    containers: layout.mainOrder.map((n) => converted.get(n)!),
    terminationGracePeriodSeconds: Math.max(...containers.map((c) => c.stopTimeout ?? 30)),
    enableServiceLinks: false,
    automountServiceAccountToken: false,
  }
  if (volumes.length) spec.volumes = volumes
  // one pull secret per parameter, with an `auths` entry for the registry of each image that uses it
  const credentials = new Map<string, string[]>()
  for (const c of containers) {
    const p = c.repositoryCredentials?.credentialsParameter
    if (p) credentials.set(p, [...(credentials.get(p) ?? []), c.image ?? ''])
  }
  if (credentials.size) spec.imagePullSecrets = [...credentials].map(([p, images]) => secrets.pullSecret(p, images))
  namespacesAndProcesses(td, containers, spec, findings)
  networkSettings(containers, spec, findings)
  const sysctls = sysctlsOf(containers, td.networkMode === 'host', findings)
  if (sysctls.length) spec.securityContext = { sysctls }

  const family = td.family ?? ''
  const revision = td.revision ?? 0
  const labels: Record<string, string> = {
    [LABELS.managedBy]: MANAGED_BY_VALUE,
    [LABELS.cluster]: sanitizeLabelValue(o.ctx.clusterName),
    [LABELS.taskDefinition]: sanitizeLabelValue(`${family}.${revision}`),
    [LABELS.family]: sanitizeLabelValue(family),
  }
  const annotations = podAnnotations({ td, ctx: o.ctx, containers, findings, taskSize, taskRoleArn })
  return { spec, labels, annotations, secrets: secrets.list, ignored: findings.ignored }
}

/** Container overrides by name; an unknown name is an error, as in ECS. */
function containerOverrides(containers: ContainerDef[], overrides: TaskOverrides | undefined) {
  const out = new Map<string, Wire<ContainerOverride>>()
  for (const co of overrides?.containerOverrides ?? []) {
    if (!co.name || !containers.some((c) => c.name === co.name)) {
      throw invalidParameter(`Override for container named ${co.name ?? ''} is not a container in the TaskDefinition.`)
    }
    out.set(co.name, { ...out.get(co.name), ...co })
  }
  return out
}

/** Task definition settings that are refused or ignored as a whole. */
function taskLevelChecks(td: TaskDefinitionDoc, overrides: TaskOverrides | undefined, findings: Findings) {
  const os = td.runtimePlatform?.operatingSystemFamily
  if (os && os.startsWith('WINDOWS')) {
    throw refuse(
      'runtimePlatform.operatingSystemFamily',
      'KECS runs Linux containers only',
    )
  }
  if (td.runtimePlatform?.cpuArchitecture) {
    findings.ignore(
      'runtimePlatform.cpuArchitecture',
      "the task runs on the cluster's nodes whatever their architecture (the image must support it)",
    )
  }
  if (td.networkMode === 'none') {
    findings.ignore(
      'networkMode',
      "'none' is not applied: the pod has the cluster's networking",
    )
  }
  if (td.ipcMode === 'none') {
    findings.ignore(
      'ipcMode',
      "'none' is not applied: a pod's containers share an IPC namespace",
    )
  }
  if (td.inferenceAccelerators?.length) {
    findings.ignore(
      'inferenceAccelerators',
      'Elastic Inference accelerators are not available',
    )
  }
  if (overrides?.inferenceAcceleratorOverrides?.length) {
    findings.ignore(
      'overrides.inferenceAcceleratorOverrides',
      'Elastic Inference accelerators are not available',
    )
  }
  if (td.proxyConfiguration) findings.ignore('proxyConfiguration', 'App Mesh proxy configuration is not applied')
  if (td.placementConstraints?.length) {
    findings.ignore(
      'placementConstraints',
      'placement constraints are not applied; Kubernetes schedules the pod',
    )
  }
  if (td.ephemeralStorage) findings.ignore('ephemeralStorage', 'ephemeral storage size is not enforced')
  if (overrides?.ephemeralStorage) {
    findings.ignore(
      'overrides.ephemeralStorage',
      'ephemeral storage size is not enforced',
    )
  }
  if (td.enableFaultInjection) findings.ignore('enableFaultInjection', 'fault injection endpoints are not served')
}

function namespacesAndProcesses(td: TaskDefinitionDoc, containers: ContainerDef[], spec: V1PodSpec, findings: Findings) {
  if (td.networkMode === 'host') spec.hostNetwork = true
  if (td.pidMode === 'host') spec.hostPID = true
  if (td.ipcMode === 'host') spec.hostIPC = true
  const init = containers.filter((c) => c.linuxParameters?.initProcessEnabled)
  if (td.pidMode === 'task' || init.length) {
    if (spec.hostPID) {
      for (const c of init) {
        findings.ignore(
          containerField(c.name!, 'linuxParameters.initProcessEnabled'),
          "not applied with pidMode 'host'",
        )
      }
    } else spec.shareProcessNamespace = true
  }
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/

/** hostname, hostAliases (extraHosts, links) and DNS settings: per container in ECS, pod-wide here. */
function networkSettings(containers: ContainerDef[], spec: V1PodSpec, findings: Findings) {
  for (const c of containers) {
    if (!c.hostname) continue
    const field = containerField(c.name!, 'hostname')
    const h = c.hostname.toLowerCase()
    if (!DNS_LABEL.test(h) || h.length > 63) {
      findings.ignore(
        field,
        `'${c.hostname}' is not a valid pod hostname (one DNS label)`,
      )
    }
    else if (spec.hostname === undefined) spec.hostname = h
    else if (spec.hostname !== h) {
      findings.ignore(
        field,
        `the pod already has hostname '${spec.hostname}' (hostnames are pod-wide in Kubernetes)`,
      )
    }
  }

  const aliases: V1HostAlias[] = []
  const alias = (ip: string, hostname: string, field: string) => {
    const h = hostname.toLowerCase()
    if (!DNS_SUBDOMAIN.test(h) || h.length > 253) {
      findings.ignore(field, `'${hostname}' is not a valid host name for /etc/hosts in Kubernetes`)
      return
    }
    let entry = aliases.find((a) => a.ip === ip)
    if (!entry) aliases.push((entry = { ip, hostnames: [] }))
    if (!entry.hostnames!.includes(h)) entry.hostnames!.push(h)
  }
  for (const c of containers) {
    for (const e of c.extraHosts ?? []) {
      if (!e.hostname || !e.ipAddress) continue
      if (isIP(e.ipAddress)) alias(e.ipAddress, e.hostname, containerField(c.name!, 'extraHosts'))
      else findings.ignore(containerField(c.name!, 'extraHosts'), `'${e.ipAddress}' is not an IP address`)
    }
    for (const link of c.links ?? []) {
      for (const n of link.split(':')) if (n) alias('127.0.0.1', n, containerField(c.name!, 'links'))
    }
  }
  if (aliases.length) spec.hostAliases = aliases

  const servers: string[] = []
  const searches: string[] = []
  for (const c of containers) {
    for (const s of c.dnsServers ?? []) {
      if (servers.includes(s)) continue
      if (servers.length >= 3) {
        findings.ignore(
          containerField(c.name!, 'dnsServers'),
          `Kubernetes allows 3 name servers per pod; '${s}' is not used`,
        )
      }
      else servers.push(s)
    }
    for (const s of c.dnsSearchDomains ?? []) {
      if (searches.includes(s)) continue
      if (searches.length >= 32) {
        findings.ignore(
          containerField(c.name!, 'dnsSearchDomains'),
          `Kubernetes allows 32 search domains per pod; '${s}' is not used`,
        )
      }
      else searches.push(s)
    }
  }
  if (servers.length || searches.length) {
    spec.dnsConfig = {}
    if (servers.length) spec.dnsConfig.nameservers = servers
    if (searches.length) spec.dnsConfig.searches = searches
  }
  if (servers.length) spec.dnsPolicy = 'None'
}

/** Sysctls the kubelet allows without --allowed-unsafe-sysctls (Kubernetes 1.29+). */
const SAFE_SYSCTLS = new Set([
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
])

function sysctlsOf(containers: ContainerDef[], hostNetwork: boolean, findings: Findings): V1Sysctl[] {
  const out: V1Sysctl[] = []
  for (const c of containers) {
    const field = containerField(c.name!, 'systemControls')
    for (const s of c.systemControls ?? []) {
      if (!s.namespace || s.value === undefined) continue
      const existing = out.find((x) => x.name === s.namespace)
      if (existing) {
        if (existing.value !== s.value) {
          findings.ignore(
            field,
            `${s.namespace} is already set to '${existing.value}' (sysctls are pod-wide in Kubernetes)`,
          )
        }
      } else if (!SAFE_SYSCTLS.has(s.namespace)) {
        findings.ignore(
          field,
          `${s.namespace} is not a safe sysctl: the kubelet rejects pods using it unless the node allows it`,
        )
      } else if (hostNetwork && s.namespace.startsWith('net.')) {
        findings.ignore(field, `${s.namespace} cannot be set with networkMode 'host'`)
      } else out.push({ name: s.namespace, value: s.value })
    }
  }
  return out
}

function podAnnotations(o: {
  td: TaskDefinitionDoc
  ctx: ConvertContext
  containers: ContainerDef[]
  findings: Findings
  taskSize: { cpu?: number; memory?: number }
  taskRoleArn?: string
}): Record<string, string> {
  const { td, ctx, containers, findings } = o
  const a: Record<string, string> = {}
  const put = (key: string, value: string, field: string) => {
    if (key in a) {
      if (a[key] !== value) {
        findings.ignore(
          field,
          `annotation '${key}' already has the value '${a[key]}' from another container`,
        )
      }
      return
    }
    a[key] = value
  }
  for (const c of containers) {
    const name = c.name!
    const field = containerField(name, 'dockerLabels')
    for (const [key, value] of Object.entries(c.dockerLabels ?? {})) {
      if (key.startsWith(SIMULATE_PREFIX)) {
        const k = `${key}.${name}`
        if (isValidAnnotationKey(k)) put(k, value, field)
        else findings.ignore(`${field}.${key}`, `'${k}' is not a valid annotation key`)
      } else if (key.startsWith('kecs.dev/')) {
        findings.ignore(`${field}.${key}`, 'the kecs.dev/ prefix is reserved for KECS')
      } else {
        const k = sanitizeAnnotationKey(key)
        if (k !== key) findings.ignore(`${field}.${key}`, `not a valid annotation key; recorded as '${k}'`)
        put(k, value, field)
      }
    }
  }
  a[ANNOTATIONS.clusterName] = ctx.clusterName
  a[ANNOTATIONS.clusterArn] = ctx.clusterArn
  a[ANNOTATIONS.taskDefinition] = `${td.family}:${td.revision}`
  if (td.taskDefinitionArn) a[ANNOTATIONS.taskDefinitionArn] = td.taskDefinitionArn
  a[ANNOTATIONS.launchType] = ctx.launchType ?? 'EC2'
  a[ANNOTATIONS.essentialContainers] = containers.filter((c) => c.essential !== false).map((c) => c.name!).join(',')
  const deps = Object.fromEntries(containers.filter((c) => c.dependsOn?.length).map((c) => [c.name!, c.dependsOn]))
  if (Object.keys(deps).length) a[ANNOTATIONS.dependencies] = JSON.stringify(deps)
  const hostPorts = containers.flatMap((c) =>
    (c.portMappings ?? [])
      .filter((p) => p.containerPort !== undefined && p.hostPort !== undefined)
      .map((p) => ({
        container: c.name!,
        containerPort: p.containerPort!,
        hostPort: p.hostPort!,
        protocol: (p.protocol ?? 'tcp').toLowerCase(),
      })),
  )
  if (hostPorts.length) a[ANNOTATIONS.hostPorts] = JSON.stringify(hostPorts)
  const logs = Object.fromEntries(containers.filter((c) => c.logConfiguration).map((c) => [c.name!, c.logConfiguration]))
  if (Object.keys(logs).length) a[ANNOTATIONS.logConfiguration] = JSON.stringify(logs)
  if (o.taskSize.cpu !== undefined) a[ANNOTATIONS.taskCpu] = String(o.taskSize.cpu)
  if (o.taskSize.memory !== undefined) a[ANNOTATIONS.taskMemory] = String(o.taskSize.memory)
  if (o.taskRoleArn) a[ANNOTATIONS.taskRoleArn] = o.taskRoleArn
  if (ctx.tags?.length) a[ANNOTATIONS.tags] = JSON.stringify(ctx.tags)
  return sortKeys(a)
}

/** Stable key order, so golden files and template hashes don't depend on insertion order. */
export function sortKeys<T>(o: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
}
