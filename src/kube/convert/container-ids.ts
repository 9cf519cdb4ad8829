import { fnv1a32 } from './hash.js'

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
 * `<taskId>` is the ECS task id of a RunTask pod (= the pod name). For service pods the pod name is
 * only known once Kubernetes names the pod, so the env vars carry `$(KECS_TASK_ID)`, which the kubelet
 * expands from the downward API (metadata.name); the id then is `<pod name>-<10 digits>`. Pod names
 * contain '-', so parse from the right: the suffix is always the last 10 digits after the last '-'.
 *
 * Injected URLs (see env.ts): `<metadataEndpoint>/v4/<id>`, `<metadataEndpoint>/v3/<id>`,
 * `<metadataEndpoint>/api/<id>`; credentials: `/v2/credentials/<taskId>` (one per task, as in ECS).
 */
export function containerRuntimeId(taskId: string, containerName: string): string {
  return `${taskId}-${containerNameHash(containerName)}`
}

/** The 10-digit suffix of a container's runtime id. */
export const containerNameHash = (containerName: string) => String(fnv1a32(containerName)).padStart(10, '0')

export interface ParsedContainerRuntimeId {
  /** The ECS task id or, for service pods, the pod name. */
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

/** The env var holding the task id (literal for tasks, downward API for service pods); see env.ts. */
export const TASK_ID_ENV = 'KECS_TASK_ID'
