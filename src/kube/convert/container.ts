import type { ContainerOverride } from '@aws-sdk/client-ecs'
import type {
  V1Container,
  V1ContainerPort,
  V1EnvVar,
  V1ResourceRequirements,
  V1SecurityContext,
  V1VolumeMount,
} from '@kubernetes/client-node'
import type { Wire } from '../../ecs/types.js'
import type { ContainerDef } from '../../ecs/task-definitions/task-definition-doc.js'
import type { ContainerRole } from './dependencies.js'
import { escapeExpansion } from './env.js'
import { portName } from './names.js'
import { healthSpec, livenessProbe, readinessProbe, startupProbe } from './probes.js'
import { containerField, refuse, type Findings } from './unsupported.js'

/**
 * One ECS container definition → one Kubernetes container. Pod-wide settings, env, resources and mounts
 * are built in pod.ts (they need the whole task) and passed in. docs/ecs-on-kubernetes.md#containers
 */
export interface ContainerParts {
  container: ContainerDef
  override?: Wire<ContainerOverride>
  role: ContainerRole
  /** Pod templates of services get liveness probes (see probes.ts). */
  template: boolean
  /** The container is a dependsOn HEALTHY target. */
  healthyTarget: boolean
  env: V1EnvVar[]
  resources?: V1ResourceRequirements
  volumeMounts: V1VolumeMount[]
  /** Port names already used in the pod (port names must be unique per pod). */
  usedPortNames: Set<string>
  /** `<port>/<protocol>` → container: all containers share the pod's network namespace. */
  usedPorts: Map<string, string>
  findings: Findings
}

export function toContainer(p: ContainerParts): V1Container {
  const c = p.container
  const name = c.name!
  const f = (field: string) => containerField(name, field)
  const out: V1Container = { name, image: c.image, imagePullPolicy: 'IfNotPresent' }
  if (c.entryPoint?.length) out.command = c.entryPoint.map(escapeExpansion)
  const command = p.override?.command ?? c.command
  if (command?.length) out.args = command.map(escapeExpansion)
  if (c.workingDirectory) out.workingDir = c.workingDirectory
  if (p.env.length) out.env = p.env

  const ports = containerPorts(p)
  if (ports.length) out.ports = ports
  if (p.resources) out.resources = p.resources
  if (p.volumeMounts.length) out.volumeMounts = p.volumeMounts

  const sc = securityContext(c, p.findings)
  if (sc) out.securityContext = sc
  if (c.interactive) out.stdin = true
  if (c.pseudoTerminal) out.tty = true

  const health = healthSpec(name, c.healthCheck, p.findings)
  if (health) {
    if (p.role === 'init') {
      p.findings.ignore(
        f('healthCheck'),
        'a container others wait for with COMPLETE/SUCCESS runs as an init container, which cannot have health checks',
      )
    } else {
      if (p.healthyTarget) out.startupProbe = startupProbe(health)
      out.readinessProbe = readinessProbe(health)
      if (p.template && c.essential !== false) out.livenessProbe = livenessProbe(health)
    }
  }
  if (p.role === 'sidecar') out.restartPolicy = 'Always'

  ignoredContainerSettings(c, p.findings)
  return out
}

function containerPorts(p: ContainerParts): V1ContainerPort[] {
  const c = p.container
  const out: V1ContainerPort[] = []
  for (const [i, pm] of (c.portMappings ?? []).entries()) {
    const field = containerField(c.name!, `portMappings[${i}]`)
    if (pm.containerPortRange) {
      p.findings.ignore(
        `${field}.containerPortRange`,
        'port ranges are not mapped; the container can still listen on them inside the pod',
      )
    }
    if (pm.containerPort === undefined) continue
    const protocol = (pm.protocol ?? 'tcp').toUpperCase()
    const key = `${pm.containerPort}/${protocol}`
    const other = p.usedPorts.get(key)
    if (other !== undefined && other !== c.name) {
      throw refuse(
        `${field}.containerPort`,
        `port ${key.toLowerCase()} is also mapped by container '${other}'; ` +
          'KECS runs all containers of a task in one network namespace (like awsvpc)',
      )
    }
    if (other !== undefined) continue // the same port twice in one container (different host ports): one container port
    p.usedPorts.set(key, c.name!)
    const port: V1ContainerPort = { containerPort: pm.containerPort, protocol }
    if (pm.name) {
      let n = portName(pm.name)
      if (p.usedPortNames.has(n)) n = portName(`${c.name}.${pm.name}`)
      p.usedPortNames.add(n)
      port.name = n
    }
    out.push(port)
  }
  return out
}

function securityContext(c: ContainerDef, findings: Findings): V1SecurityContext | undefined {
  const sc: V1SecurityContext = {}
  const name = c.name!
  if (c.user) Object.assign(sc, runAs(c.user, containerField(name, 'user'), findings))
  if (c.privileged) sc.privileged = true
  if (c.readonlyRootFilesystem) sc.readOnlyRootFilesystem = true
  const caps = c.linuxParameters?.capabilities
  const norm = (xs: string[] | undefined) => (xs ?? []).map((x) => x.toUpperCase().replace(/^CAP_/, ''))
  if (caps?.add?.length || caps?.drop?.length) {
    sc.capabilities = {}
    if (caps.add?.length) sc.capabilities.add = norm(caps.add)
    if (caps.drop?.length) sc.capabilities.drop = norm(caps.drop)
  }
  for (const opt of c.dockerSecurityOptions ?? []) {
    if (/^no-new-privileges(:true)?$/.test(opt)) {
      if (c.privileged) {
        findings.ignore(
          containerField(name, 'dockerSecurityOptions'),
          'no-new-privileges cannot be combined with privileged in Kubernetes',
        )
      }
      else sc.allowPrivilegeEscalation = false
    } else {
      findings.ignore(
        containerField(name, 'dockerSecurityOptions'),
        `'${opt}' is not applied (SELinux/AppArmor/seccomp labels are node settings in Kubernetes)`,
      )
    }
  }
  return Object.keys(sc).length ? sc : undefined
}

const ROOT = new Set(['root', '0'])

/** "uid", "uid:gid", "root" → runAsUser/runAsGroup; names are reported (Kubernetes only takes numbers). */
function runAs(user: string, field: string, findings: Findings): Pick<V1SecurityContext, 'runAsUser' | 'runAsGroup'> {
  const [u, g, ...rest] = user.split(':')
  const num = (s: string | undefined) => (s === undefined ? undefined : ROOT.has(s) ? 0 : /^\d+$/.test(s) ? Number(s) : NaN)
  const uid = num(u)
  const gid = num(g)
  const out: Pick<V1SecurityContext, 'runAsUser' | 'runAsGroup'> = {}
  if (rest.length || uid === undefined || Number.isNaN(uid)) {
    findings.ignore(
      field,
      `user '${user}' is not numeric: Kubernetes cannot resolve user names, so the container runs as the image's user`,
    )
    return out
  }
  out.runAsUser = uid
  if (gid !== undefined) {
    if (Number.isNaN(gid)) {
      findings.ignore(
        field,
        `group '${g}' is not numeric: Kubernetes cannot resolve group names, so the image's group is used`,
      )
    }
    else out.runAsGroup = gid
  }
  return out
}

/** Container settings with no Kubernetes equivalent. */
function ignoredContainerSettings(c: ContainerDef, findings: Findings) {
  const f = (field: string) => containerField(c.name!, field)
  if (c.ulimits?.length) {
    findings.ignore(
      f('ulimits'),
      'Kubernetes has no per-container ulimits; the node defaults apply',
    )
  }
  if (c.disableNetworking) {
    findings.ignore(
      f('disableNetworking'),
      'all containers of a pod share its network; networking cannot be disabled for one',
    )
  }
  if (c.restartPolicy?.enabled) {
    findings.ignore(
      f('restartPolicy'),
      'container restart policies are not applied: an exited essential container stops the task, ' +
        'a non-essential one stays stopped',
    )
  }
  if (c.startTimeout !== undefined) findings.ignore(f('startTimeout'), 'dependency start timeouts are not enforced')
  if (c.credentialSpecs?.length) {
    findings.ignore(
      f('credentialSpecs'),
      'Active Directory credential specs (gMSA) are not supported',
    )
  }
  if (c.firelensConfiguration) {
    findings.ignore(
      f('firelensConfiguration'),
      'FireLens log routing is not applied; logs are read from the pod log API',
    )
  }
  const lp = c.linuxParameters
  if (lp?.devices?.length) {
    findings.ignore(
      f('linuxParameters.devices'),
      'host devices cannot be mapped into a container by Kubernetes (use privileged)',
    )
  }
  if (lp?.maxSwap !== undefined) {
    findings.ignore(
      f('linuxParameters.maxSwap'),
      'swap limits are node settings in Kubernetes',
    )
  }
  if (lp?.swappiness !== undefined) {
    findings.ignore(
      f('linuxParameters.swappiness'),
      'swappiness is a node setting in Kubernetes',
    )
  }
}
