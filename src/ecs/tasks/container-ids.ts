import { fnv1a32 } from '../../lib/hash.js'

/**
 * Per-container runtime ids `<taskId>-<10 digits>` (FNV-1a of the container name, as Fargate's DockerId):
 * how the metadata and credentials endpoints know which task and container is calling. A service pod's
 * task id is its UID without dashes. docs/ecs-on-kubernetes.md#task-ids-and-runtime-ids
 */
export function containerRuntimeId(taskId: string, containerName: string): string {
  return `${taskId}-${containerNameHash(containerName)}`
}

/** The 10-digit suffix of a container's runtime id. */
export const containerNameHash = (containerName: string) => String(fnv1a32(containerName)).padStart(10, '0')

export interface ParsedContainerRuntimeId {
  /** The ECS task id or, for service pods, the pod UID (see taskIdOfRef). */
  taskId: string
  /** The 10-digit hash of the container name. */
  nameHash: string
}

/** Splits `<taskId>-<10 digits>`; undefined for anything else. */
export function parseContainerRuntimeId(id: string): ParsedContainerRuntimeId | undefined {
  const m = /^(.+)-(\d{10})$/.exec(id)
  if (!m) return undefined
  return { taskId: m[1]!, nameHash: m[2]! }
}

/** Which of a task's containers a runtime id names (undefined when none does). */
export function containerOfRuntimeId(id: string, containerNames: readonly string[]): string | undefined {
  const parsed = parseContainerRuntimeId(id)
  if (!parsed) return undefined
  return containerNames.find((n) => containerNameHash(n) === parsed.nameHash)
}

/** A service pod's ECS task id: its UID without dashes (32 lowercase hex). */
export const taskIdOfPodUid = (uid: string) => uid.replaceAll('-', '').toLowerCase()

const UID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/

/** The task id an id in a metadata URL stands for: a pod UID (service pods) becomes its task id; others stay. */
export const taskIdOfRef = (ref: string) => (UID.test(ref) ? taskIdOfPodUid(ref) : ref)
