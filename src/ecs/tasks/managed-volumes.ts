import type { TaskManagedEBSVolumeConfiguration } from '@aws-sdk/client-ecs'
import { randomBytes, randomUUID } from 'node:crypto'
import { invalidParameter } from '../errors.js'
import type { TaskDefinitionDoc } from '../task-definitions/task-definition-doc.js'
import type { Wire } from '../types.js'
import type { TaskDoc } from './task-doc.js'

/**
 * Amazon EBS volumes configured at launch (`volumeConfigurations` of RunTask, StartTask, CreateService,
 * UpdateService): each names a task definition volume with `configuredAtLaunch`. On a cluster with
 * persistent volumes the task's pod gets a PersistentVolumeClaim of `sizeInGiB` on the default
 * StorageClass (deleted with the task unless `terminationPolicy.deleteOnTermination` is false); on the
 * emulated cluster an emptyDir with that size limit. The task shows the volume as ECS does: an
 * `AmazonElasticBlockStorage` attachment. docs/ecs-on-kubernetes.md#volumes
 */
export interface ManagedVolume {
  /** the task definition volume's name */
  name: string
  sizeInGiB: number
  volumeType: string
  deleteOnTermination: boolean
  roleArn: string
  /** `vol-` and 17 hex digits, as EBS names volumes */
  volumeId: string
  /** the attachment's id on the task */
  attachmentId: string
}

export const EBS_ATTACHMENT = 'AmazonElasticBlockStorage'

/** Sizes EBS accepts per volume type (GiB); gp3 when the type is not given. */
const SIZE_RANGE: Record<string, [number, number]> = {
  gp2: [1, 16384],
  gp3: [1, 16384],
  io1: [4, 16384],
  io2: [4, 65536],
  st1: [125, 16384],
  sc1: [125, 16384],
  standard: [1, 1024],
}

// ECS's texts for these are not known; each says plainly what is wrong.
export const volumeMessages = {
  notConfiguredAtLaunch: (name: string) =>
    `The volume '${name}' in volumeConfigurations is not a volume of the task definition that is configured at launch (configuredAtLaunch).`,
  oneVolume: 'Only one volume can be configured at launch for a task.',
  noEbs: (name: string) => `The volume configuration for '${name}' needs a managedEBSVolume.`,
  noSize: (name: string) => `The managed EBS volume '${name}' needs sizeInGiB or snapshotId.`,
  size: (name: string, type: string, [min, max]: [number, number]) =>
    `The size of the managed EBS volume '${name}' must be between ${min} and ${max} GiB for volume type ${type}.`,
  volumeType: (type: string) => `Invalid volumeType '${type}'. Valid values are: ${Object.keys(SIZE_RANGE).join(', ')}.`,
}

/** Without a size (a volume made from a snapshot), KECS gives the smallest size the type allows. */
const snapshotSize = (type: string) => SIZE_RANGE[type]![0]

interface VolumeConfig {
  name?: string
  managedEBSVolume?: Wire<TaskManagedEBSVolumeConfiguration> | Wire<Omit<TaskManagedEBSVolumeConfiguration, 'terminationPolicy'>>
}

/** Checks the request's volume configurations against the task definition; returns the volumes the task gets. */
export function managedVolumesFor(td: TaskDefinitionDoc, configs: VolumeConfig[] | undefined): ManagedVolume[] {
  if (!configs?.length) return []
  if (configs.length > 1) throw invalidParameter(volumeMessages.oneVolume)
  const atLaunch = new Set((td.volumes ?? []).filter((v) => v.configuredAtLaunch).map((v) => v.name))
  return configs.map((c) => {
    const name = c.name ?? ''
    if (!atLaunch.has(name)) throw invalidParameter(volumeMessages.notConfiguredAtLaunch(name))
    const ebs = c.managedEBSVolume
    if (!ebs) throw invalidParameter(volumeMessages.noEbs(name))
    const volumeType = ebs.volumeType ?? 'gp3'
    const range = SIZE_RANGE[volumeType]
    if (!range) throw invalidParameter(volumeMessages.volumeType(volumeType))
    if (ebs.sizeInGiB === undefined && !ebs.snapshotId) throw invalidParameter(volumeMessages.noSize(name))
    const size = ebs.sizeInGiB ?? snapshotSize(volumeType)
    if (size < range[0] || size > range[1]) throw invalidParameter(volumeMessages.size(name, volumeType, range))
    const policy = 'terminationPolicy' in ebs ? ebs.terminationPolicy : undefined
    return {
      name,
      sizeInGiB: size,
      volumeType,
      // a service's volumes always go with their task; a task's unless it says otherwise
      deleteOnTermination: policy?.deleteOnTermination ?? true,
      roleArn: ebs.roleArn ?? '',
      volumeId: `vol-${randomBytes(9).toString('hex').slice(0, 17)}`,
      attachmentId: randomUUID(),
    }
  })
}

type Attachment = NonNullable<TaskDoc['attachments']>[number]

/** The task's attachment for a volume as RunTask answers it: CREATED, with the role, the volume's name and the policy. */
export function volumeAttachment(v: ManagedVolume): Attachment {
  return {
    id: v.attachmentId,
    type: EBS_ATTACHMENT,
    status: 'CREATED',
    details: [
      { name: 'roleArn', value: v.roleArn },
      { name: 'volumeName', value: v.name },
      { name: 'deleteOnTermination', value: String(v.deleteOnTermination) },
    ],
  }
}

/**
 * The attachment once the task runs (ATTACHED, with the volume's id) and once it stopped
 * (DELETED, or DETACHED for a volume that is kept). The stored volume tells which.
 */
export function advanceVolumeAttachments(t: TaskDoc, running: boolean): void {
  for (const v of t.kecs.managedVolumes ?? []) {
    const a = (t.attachments ?? []).find((x) => x.id === v.attachmentId)
    if (!a) continue
    if (t.lastStatus === 'STOPPED') {
      if (a.status !== 'CREATED') a.status = v.deleteOnTermination ? 'DELETED' : 'DETACHED'
      else a.status = 'DELETED'
    } else if (running && a.status === 'CREATED') {
      a.status = 'ATTACHED'
      a.details = [
        ...(a.details ?? []),
        { name: 'volumeId', value: v.volumeId },
      ]
    }
  }
}
