import type { ContainerOverride, KeyValuePair } from '@aws-sdk/client-ecs'
import type { V1EnvVar } from '@kubernetes/client-node'
import type { Wire } from '../../ecs/types.js'
import { containerRuntimeId } from '../../ecs/tasks/container-ids.js'
import type { ContainerDef } from '../../ecs/task-definitions/task-definition-doc.js'
import type { ConvertContext } from './context.js'
import type { SecretSet } from './secrets.js'
import { containerField, type Findings } from './unsupported.js'

/**
 * Kubernetes expands `$(VAR)` in env values, command and args, and turns `$$` into `$`; ECS passes
 * them to Docker verbatim. Doubling every '$' makes Kubernetes hand the container the exact string
 * (`$$` → `$`, and `$$(` can no longer start a reference).
 */
export const escapeExpansion = (s: string) => s.replaceAll('$', '$$$$')

/**
 * How the env refers to the task id: the literal id for a RunTask pod (the pod is named after it),
 * or `downward` for a pod template, where the kubelet fills KECS_TASK_ID from metadata.uid (a service
 * pod's task id is its UID without dashes; the metadata server accepts either, src/ecs/tasks/container-ids.ts).
 */
export type TaskIdRef = { literal: string } | 'downward'

/** The env var holding the task id (literal for tasks, downward API for service pods). */
const TASK_ID_ENV = 'KECS_TASK_ID'

/**
 * Env ECS injects into every container (docs/ecs-facts.md#container-environment-and-credentials), pointing at KECS:
 * KECS_TASK_ID first (later values refer to it as `$(KECS_TASK_ID)` in templates), then the
 * metadata URIs (container id scheme in src/ecs/tasks/container-ids.ts), region, execution env, the ECS endpoint,
 * KECS's endpoint for all AWS services (unless turned off), and the credentials URI only when the task has a task role.
 */
export function injectedEnv(o: {
  ctx: ConvertContext
  taskId: TaskIdRef
  containerName: string
  taskRoleArn?: string
}): V1EnvVar[] {
  const base = o.ctx.metadataEndpoint.replace(/\/+$/, '')
  const taskIdEnv: V1EnvVar =
    o.taskId === 'downward'
      ? { name: TASK_ID_ENV, valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.uid' } } }
      : { name: TASK_ID_ENV, value: escapeExpansion(o.taskId.literal) }
  // In a template the id is only known to the kubelet; `$(KECS_TASK_ID)` is expanded there.
  const taskId = o.taskId === 'downward' ? `$(${TASK_ID_ENV})` : escapeExpansion(o.taskId.literal)
  const id = containerRuntimeId(taskId, o.containerName)
  const env: V1EnvVar[] = [
    taskIdEnv,
    { name: 'ECS_CONTAINER_METADATA_URI_V4', value: `${escapeExpansion(base)}/v4/${id}` },
    { name: 'ECS_CONTAINER_METADATA_URI', value: `${escapeExpansion(base)}/v3/${id}` },
    { name: 'ECS_AGENT_URI', value: `${escapeExpansion(base)}/api/${id}` },
    { name: 'AWS_REGION', value: escapeExpansion(o.ctx.region) },
    { name: 'AWS_DEFAULT_REGION', value: escapeExpansion(o.ctx.region) },
    { name: 'AWS_EXECUTION_ENV', value: o.ctx.launchType === 'FARGATE' ? 'AWS_ECS_FARGATE' : 'AWS_ECS_EC2' },
    { name: 'AWS_ENDPOINT_URL_ECS', value: escapeExpansion(o.ctx.ecsEndpoint) },
  ]
  // The SDKs' global endpoint (after AWS_ENDPOINT_URL_<SERVICE>): the neighbour services KECS serves.
  // A task definition that sets it itself wins, as for every injected var (containerEnv).
  if (o.ctx.awsEndpoint) env.push({ name: 'AWS_ENDPOINT_URL', value: escapeExpansion(o.ctx.awsEndpoint) })
  if (o.taskRoleArn) env.push({ name: 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI', value: `/v2/credentials/${taskId}` })
  return env
}

/**
 * Kubernetes ≥1.30 accepts any printable ASCII but '=' in env names (RelaxedEnvironmentVariableValidation,
 * on by default since 1.32); ECS accepts anything.
 */
const ENV_NAME = /^[\x20-\x3c\x3e-\x7e]+$/

/**
 * A container's env: injected vars, then the definition's `environment`, then the override's
 * `environment`, then `secrets`. A later value for the same name wins and takes the earlier one's
 * place, so the order is stable: definition order, new override names appended in their order.
 * The user may override injected vars (as in ECS) except KECS_TASK_ID, which the others refer to.
 */
export function containerEnv(o: {
  container: ContainerDef
  override?: Wire<ContainerOverride>
  injected: V1EnvVar[]
  secrets: SecretSet
  findings: Findings
}): V1EnvVar[] {
  const { container: c, findings } = o
  const name = c.name!
  const byName = new Map<string, V1EnvVar>()
  const order: string[] = [] // first position of each name
  const acceptable = (envName: string, field: string) => {
    if (envName === TASK_ID_ENV && byName.has(TASK_ID_ENV)) {
      findings.ignore(field, `${TASK_ID_ENV} is reserved: KECS sets it to the task id`)
      return false
    }
    if (!ENV_NAME.test(envName)) {
      findings.ignore(field, `'${envName}' is not a valid Kubernetes environment variable name`)
      return false
    }
    return true
  }
  const put = (v: V1EnvVar) => {
    if (!byName.has(v.name)) order.push(v.name)
    byName.set(v.name, v)
  }
  for (const v of o.injected) put(v)
  const plain = (list: Wire<KeyValuePair>[] | undefined, field: string) => {
    for (const kv of list ?? []) {
      if (kv.name === undefined || !acceptable(kv.name, field)) continue
      put({ name: kv.name, value: escapeExpansion(kv.value ?? '') })
    }
  }
  plain(c.environment, containerField(name, 'environment'))
  plain(o.override?.environment, `overrides.containerOverrides[${name}].environment`)
  for (const s of c.secrets ?? []) {
    if (!s.name || !s.valueFrom || !acceptable(s.name, containerField(name, 'secrets'))) continue
    put(o.secrets.envVar(s.name, s.valueFrom))
  }
  if (c.environmentFiles?.length) {
    findings.ignore(
      containerField(name, 'environmentFiles'),
      'environment files are stored in S3, which KECS does not read; use environment or secrets',
    )
  }
  if (o.override?.environmentFiles?.length) {
    findings.ignore(
      `overrides.containerOverrides[${name}].environmentFiles`,
      'environment files are stored in S3, which KECS does not read',
    )
  }
  return order.map((n) => byName.get(n)!)
}
