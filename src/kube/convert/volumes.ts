import type { V1Volume, V1VolumeMount } from '@kubernetes/client-node'
import { shortHash } from '../../lib/hash.js'
import type { ContainerDef, TaskDefinitionDoc } from '../../ecs/task-definitions/task-definition-doc.js'
import { volumeName } from './names.js'
import { containerField, refuse, type Findings } from './unsupported.js'

/**
 * Task volumes → pod volumes, mountPoints / volumesFrom → volumeMounts, tmpfs and sharedMemorySize →
 * memory-backed emptyDirs. docs/ecs-on-kubernetes.md#volumes
 */
export interface TaskVolumes {
  volumes: V1Volume[]
  /** ECS volume name → pod volume name. */
  names: Map<string, string>
}

/**
 * An EBS volume configured at launch, as the pod gets it: a claim of `sizeInGiB` on the default
 * StorageClass (`persistent`), deleted with the pod (a generic ephemeral volume) or kept (`claimName`,
 * a claim the runtime creates); without persistent volumes (the emulated cluster) an emptyDir of that size.
 */
export interface LaunchVolume {
  name: string
  sizeInGiB: number
  persistent: boolean
  /** the kept claim's name; absent: the claim goes with the pod */
  claimName?: string
}

function launchVolume(name: string, v: LaunchVolume): V1Volume {
  const storage = `${v.sizeInGiB}Gi`
  if (!v.persistent) return { name, emptyDir: { sizeLimit: storage } }
  if (v.claimName) return { name, persistentVolumeClaim: { claimName: v.claimName } }
  return {
    name,
    ephemeral: { volumeClaimTemplate: { spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage } } } } },
  }
}

export function taskVolumes(td: TaskDefinitionDoc, findings: Findings, launch: LaunchVolume[] = []): TaskVolumes {
  const volumes: V1Volume[] = []
  const names = new Map<string, string>()
  for (const v of td.volumes ?? []) {
    if (!v.name) continue
    const field = `volumes[${v.name}]`
    if (v.efsVolumeConfiguration) {
      throw refuse(
        `${field}.efsVolumeConfiguration`,
        'EFS volumes need AWS; use a host volume or a task-scoped Docker volume',
      )
    }
    if (v.fsxWindowsFileServerVolumeConfiguration) {
      throw refuse(
        `${field}.fsxWindowsFileServerVolumeConfiguration`,
        'FSx for Windows File Server volumes need AWS and Windows containers',
      )
    }
    if (v.s3filesVolumeConfiguration) throw refuse(`${field}.s3filesVolumeConfiguration`, 'S3 Files volumes need AWS')
    const name = volumeName(v.name)
    names.set(v.name, name)
    if (v.host?.sourcePath) {
      volumes.push({ name, hostPath: { path: v.host.sourcePath } })
      continue
    }
    const d = v.dockerVolumeConfiguration
    if (d) {
      if (d.scope === 'shared') {
        findings.ignore(
          `${field}.dockerVolumeConfiguration.scope`,
          'shared Docker volumes become an empty directory per task: data is not kept between tasks',
        )
      }
      if (d.driver && d.driver !== 'local') {
        findings.ignore(
          `${field}.dockerVolumeConfiguration.driver`,
          `volume driver '${d.driver}' is not available; an empty directory is used`,
        )
      }
      if (d.driverOpts && Object.keys(d.driverOpts).length) {
        findings.ignore(
          `${field}.dockerVolumeConfiguration.driverOpts`,
          'Docker volume driver options are not applied',
        )
      }
      if (d.labels && Object.keys(d.labels).length) {
        findings.ignore(
          `${field}.dockerVolumeConfiguration.labels`,
          'Docker volume labels are not applied',
        )
      }
    }
    const given = v.configuredAtLaunch ? launch.find((l) => l.name === v.name) : undefined
    if (given) {
      volumes.push(launchVolume(name, given))
      continue
    }
    if (v.configuredAtLaunch) {
      findings.ignore(
        `${field}.configuredAtLaunch`,
        'EBS volumes configured at launch become an empty directory',
      )
    }
    volumes.push({ name, emptyDir: {} })
  }
  return { volumes, names }
}

/** mountPoints of one container (no volumesFrom). */
function ownMounts(c: ContainerDef, vols: TaskVolumes): V1VolumeMount[] {
  return (c.mountPoints ?? []).map((m, i) => {
    const field = containerField(c.name!, `mountPoints[${i}]`)
    const name = m.sourceVolume ? vols.names.get(m.sourceVolume) : undefined
    if (!name) throw refuse(`${field}.sourceVolume`, `no volume named '${m.sourceVolume ?? ''}' in the task definition`)
    if (!m.containerPath) throw refuse(`${field}.containerPath`, 'a mount point needs a container path')
    const mount: V1VolumeMount = { name, mountPath: m.containerPath }
    if (m.readOnly) mount.readOnly = true
    return mount
  })
}

/** A container's mountPoints followed by the mounts it takes with volumesFrom; duplicates of a path are reported. */
export function containerMounts(
  c: ContainerDef,
  byName: Map<string, ContainerDef>,
  vols: TaskVolumes,
  findings: Findings,
): V1VolumeMount[] {
  const out: V1VolumeMount[] = []
  const add = (m: V1VolumeMount, field: string) => {
    if (out.some((x) => x.mountPath === m.mountPath)) {
      findings.ignore(field, `'${m.mountPath}' is already mounted in this container; the later mount is skipped`)
      return
    }
    out.push(m)
  }
  for (const m of ownMounts(c, vols)) add(m, containerField(c.name!, 'mountPoints'))
  const visited = new Set([c.name!])
  const from = (container: ContainerDef, readOnly: boolean | undefined, field: string) => {
    for (const vf of container.volumesFrom ?? []) {
      const src = vf.sourceContainer ? byName.get(vf.sourceContainer) : undefined
      if (!src) throw refuse(field, `no container named '${vf.sourceContainer ?? ''}' in the task definition`)
      if (visited.has(src.name!)) continue
      visited.add(src.name!)
      const ro = readOnly || vf.readOnly
      for (const m of ownMounts(src, vols)) add(ro ? { ...m, readOnly: true } : m, field)
      from(src, ro, field)
    }
  }
  from(c, false, containerField(c.name!, 'volumesFrom'))
  return out
}

/** tmpfs mounts and /dev/shm of one container: the volumes to add to the pod and the mounts. */
export function memoryMounts(c: ContainerDef, findings: Findings): { volumes: V1Volume[]; mounts: V1VolumeMount[] } {
  const volumes: V1Volume[] = []
  const mounts: V1VolumeMount[] = []
  const lp = c.linuxParameters
  for (const [i, t] of (lp?.tmpfs ?? []).entries()) {
    if (!t.containerPath) continue
    const name = `kecs-tmpfs-${shortHash(`${c.name}\n${t.containerPath}`)}`
    volumes.push({ name, emptyDir: t.size ? { medium: 'Memory', sizeLimit: `${t.size}Mi` } : { medium: 'Memory' } })
    mounts.push({ name, mountPath: t.containerPath })
    if (t.mountOptions?.length) {
      findings.ignore(
        containerField(c.name!, `linuxParameters.tmpfs[${i}].mountOptions`),
        'tmpfs mount options are not applied (memory-backed emptyDir)',
      )
    }
  }
  if (lp?.sharedMemorySize) {
    const name = `kecs-shm-${shortHash(c.name!)}`
    volumes.push({ name, emptyDir: { medium: 'Memory', sizeLimit: `${lp.sharedMemorySize}Mi` } })
    mounts.push({ name, mountPath: '/dev/shm' })
  }
  return { volumes, mounts }
}
