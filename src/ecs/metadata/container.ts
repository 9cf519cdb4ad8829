import type { ContainerDef } from '../task-definitions/task-definition-doc.js'
import { compact, sortedMap, timeOf } from './format.js'
import { dockerIdOf, sha256Hex, type MetadataInput, type TaskContainer, type TaskFacts } from './input.js'

/**
 * One container as the task metadata endpoint shows it, in the agent's key order (v3: the same object
 * with fewer keys). What KECS cannot know is made plausible and stable. docs/ecs-facts.md#task-metadata-endpoint
 */
export type MetadataVersion = 'v3' | 'v4'

export function containerMetadata(
  input: MetadataInput,
  facts: TaskFacts,
  c: TaskContainer,
  version: MetadataVersion,
): Record<string, unknown> {
  const t = input.task
  const name = c.name ?? ''
  const def = facts.defs.get(name)
  const status = c.lastStatus ?? 'PENDING'
  const started = status === 'RUNNING' || (status === 'STOPPED' && c.exitCode !== undefined)
  const labels = sortedMap([
    ...Object.entries(def?.dockerLabels ?? {}),
    ['com.amazonaws.ecs.cluster', facts.cluster],
    ['com.amazonaws.ecs.container-name', name],
    ['com.amazonaws.ecs.task-arn', t.taskArn],
    ['com.amazonaws.ecs.task-definition-family', facts.family],
    ['com.amazonaws.ecs.task-definition-version', facts.revision],
  ])
  const out: Record<string, unknown> = {
    DockerId: dockerIdOf(t, c),
    Name: name,
    DockerName: dockerName(facts, c),
    Image: c.image ?? def?.image ?? '',
    ImageID: c.imageDigest?.startsWith('sha256:') ? c.imageDigest : `sha256:${sha256Hex(c.image ?? def?.image ?? name)}`,
    Ports: ports(facts, c, def?.portMappings),
    Labels: labels,
    DesiredStatus: t.desiredStatus,
    KnownStatus: status,
    ExitCode: c.exitCode ?? undefined,
    // CPU in shares (Docker's minimum is 2, which the agent reports for 0), Memory the hard limit in MiB.
    Limits: { CPU: Math.max(Number(c.cpu ?? def?.cpu ?? 0) || 0, 2), Memory: Number(c.memory ?? def?.memory ?? 0) || 0 },
    CreatedAt: started ? timeOf(t.pullStoppedAt ?? t.startedAt ?? t.createdAt) : undefined,
    StartedAt: started ? timeOf(t.startedAt ?? t.pullStoppedAt) : undefined,
    FinishedAt: status === 'STOPPED' ? timeOf(t.executionStoppedAt ?? t.stoppedAt) : undefined,
    Type: 'NORMAL',
    Networks: undefined, // placed below (v3 keeps the v2 position, v4 moves it after ContainerARN)
    Health: def?.healthCheck ? health(input, c) : undefined,
    Volumes: volumes(input, def),
  }
  if (version === 'v3') {
    out.Networks = networks(facts, 'v3')
    return compact(out)
  }
  delete out.Networks
  out.LogDriver = def?.logConfiguration?.logDriver
  out.LogOptions = def?.logConfiguration?.options && Object.keys(def.logConfiguration.options).length
    ? sortedMap(Object.entries(def.logConfiguration.options))
    : undefined
  out.ContainerARN = c.containerArn
  out.Networks = networks(facts, 'v4')
  out.Snapshotter = facts.fargate ? 'overlayfs' : undefined
  out.RestartCount = def?.restartPolicy?.enabled ? 0 : undefined
  return compact(out)
}

/** Fargate names the container as the task definition does; the EC2 agent as `ecs-<family>-<rev>-<name>-<hex>`. */
export function dockerName(facts: TaskFacts, c: TaskContainer): string {
  const name = c.name ?? ''
  if (facts.fargate) return name
  const clean = (s: string) => s.replace(/[^A-Za-z0-9-]/g, '')
  return `ecs-${clean(facts.family)}-${facts.revision}-${clean(name)}-${sha256Hex(c.containerArn ?? name).slice(0, 20)}`
}

/**
 * Ports: the container's network bindings (bridge: the host ports it got); awsvpc and host mode
 * publish the port mappings with HostPort = ContainerPort.
 */
function ports(
  facts: TaskFacts,
  c: TaskContainer,
  mappings: { containerPort?: number; hostPort?: number; protocol?: string }[] | undefined,
): Record<string, unknown>[] | undefined {
  const bindings = c.networkBindings ?? []
  if (bindings.length) {
    return bindings.map((b) =>
      compact({ ContainerPort: b.containerPort || undefined, Protocol: b.protocol ?? 'tcp', HostPort: b.hostPort || undefined, HostIp: b.bindIP || undefined }),
    )
  }
  if (facts.networkMode !== 'awsvpc' && facts.networkMode !== 'host') return undefined
  const out = (mappings ?? [])
    .filter((m) => m.containerPort)
    .map((m) => ({ ContainerPort: m.containerPort, Protocol: m.protocol ?? 'tcp', HostPort: m.containerPort }))
  return out.length ? out : undefined
}

function health(input: MetadataInput, c: TaskContainer): Record<string, unknown> {
  const status = c.healthStatus ?? 'UNKNOWN'
  return compact({ status, statusSince: status === 'UNKNOWN' ? undefined : timeOf(input.task.startedAt) })
}

/** Mount points as Docker would report them: bind sources, named volumes, task-scoped scratch volumes. */
function volumes(input: MetadataInput, def: ContainerDef | undefined): Record<string, unknown>[] | undefined {
  const vols = new Map((input.taskDefinition?.volumes ?? []).map((v) => [v.name ?? '', v]))
  const out = (def?.mountPoints ?? [])
    .filter((m) => m.sourceVolume && m.containerPath)
    .map((m) => {
      const v = vols.get(m.sourceVolume!)
      if (v?.host?.sourcePath) return { Source: v.host.sourcePath, Destination: m.containerPath }
      if (v?.dockerVolumeConfiguration) {
        return { DockerName: m.sourceVolume, Source: `/var/lib/docker/volumes/${m.sourceVolume}/_data`, Destination: m.containerPath }
      }
      return { Source: `/var/lib/ecs/data/${input.task.kecs.taskId}/${m.sourceVolume}`, Destination: m.containerPath }
    })
  return out.length ? out : undefined
}

/**
 * Networks: the mode and the task's IP; v4 adds, for awsvpc, the ENI's properties (AttachmentIndex,
 * MAC, subnet CIDR, DNS, gateway), derived from the ENI details and a /24 around the pod IP.
 */
function networks(facts: TaskFacts, version: MetadataVersion): Record<string, unknown>[] {
  const ip = facts.networkMode === 'host' || facts.networkMode === 'none' ? undefined : facts.ip
  const base: Record<string, unknown> = { NetworkMode: facts.networkMode, IPv4Addresses: ip ? [ip] : undefined }
  if (version === 'v3' || facts.networkMode !== 'awsvpc' || !ip) return [compact(base)]
  const net = ip.split('.').slice(0, 3).join('.')
  const dnsZone = facts.eni.privateDnsName?.split('.').slice(1).join('.')
  return [
    compact({
      ...base,
      AttachmentIndex: 0,
      MACAddress: facts.eni.macAddress,
      IPv4SubnetCIDRBlock: `${net}.0/24`,
      DomainNameServers: [`${net}.2`],
      DomainNameSearchList: dnsZone ? [dnsZone] : undefined,
      PrivateDNSName: facts.eni.privateDnsName,
      SubnetGatewayIpv4Address: `${net}.1/24`,
    }),
  ]
}
