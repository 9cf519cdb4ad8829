import { fnv1a32 } from '../../lib/hash.js'

/**
 * Per-container runtime ids: how the task metadata endpoint (and the credentials endpoint) know which
 * task and container is calling.
 *
 * Scheme: `<taskId>-<10 digits>`, where the 10 digits are the 32-bit FNV-1a hash of the container
 * name, zero-padded. This is the shape Fargate uses for `DockerId` / `runtimeId`
 * (`<32-hex task id>-<10 digits>`), it needs nothing but the task id and the container name (the
 * reconciler can compute it from a pod's container status), and it does not change when containers
 * are reordered.
 *
 * `<taskId>` is the ECS task id of a RunTask pod (= the pod name). A service pod's task id is its pod
 * UID without dashes (32 hex, like every ECS task id; the reconciler adopts the pod under that id), which
 * only exists once Kubernetes made the pod: the env vars carry `$(KECS_TASK_ID)` (src/kube/convert/env.ts), which the kubelet
 * expands from the downward API (metadata.uid), so the id in the URL is `<pod UID>-<10 digits>` and the
 * metadata server reads the UID back as the task id (taskIdOfRef). UIDs contain '-', so parse from the
 * right: the suffix is always the last 10 digits after the last '-'. (Tasks adopted by older KECS
 * versions have their pod name as id, which the URLs of their pods carry.)
 *
 * Injected URLs (src/kube/convert/env.ts): `<metadataEndpoint>/v4/<id>`, `<metadataEndpoint>/v3/<id>`,
 * `<metadataEndpoint>/api/<id>`; credentials: `/v2/credentials/<taskId>` (one per task, as in ECS).
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
