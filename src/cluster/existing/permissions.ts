import { ApiException, AuthorizationV1Api } from '@kubernetes/client-node'
import { bounded, CALL_TIMEOUT_MS, explainKubeError, withCallTimeout, type KubeTarget } from '../kube-check.js'

/**
 * What KECS does on a cluster, as RBAC checks: it creates a namespace per ECS cluster, pods for tasks,
 * deployments and services for ECS services, and watches pods, deployments and events to derive ECS
 * state. Checked cluster-wide (no namespace), since KECS creates its namespaces itself.
 */
export interface Permission {
  group: string
  resource: string
  verb: string
}

const VERBS = ['create', 'list', 'watch'] as const
const RESOURCES: { group: string; resource: string }[] = [
  { group: '', resource: 'namespaces' },
  { group: '', resource: 'pods' },
  { group: 'apps', resource: 'deployments' },
  { group: '', resource: 'services' },
  { group: '', resource: 'events' },
]

export const REQUIRED_PERMISSIONS: Permission[] = RESOURCES.flatMap((r) => VERBS.map((verb) => ({ ...r, verb })))

/** `create deployments.apps`, `watch pods`: how kubectl auth can-i names them. */
export const permissionName = (p: Permission) => `${p.verb} ${p.group ? `${p.resource}.${p.group}` : p.resource}`

export type PermissionReport =
  /** Every permission was checked; `missing` lists those denied. */
  | { checked: true; missing: Permission[] }
  /** The cluster does not serve SelfSubjectAccessReview (the emulator does not): nothing was checked. */
  | { checked: false; reason: string }

/**
 * Asks the API server, for each permission, whether the kubeconfig's user has it
 * (authorization.k8s.io/v1 SelfSubjectAccessReview, what `kubectl auth can-i` uses).
 */
export async function checkPermissions(
  t: KubeTarget,
  perms: Permission[] = REQUIRED_PERMISSIONS,
  timeoutMs = CALL_TIMEOUT_MS,
): Promise<PermissionReport> {
  const api = t.kc.makeApiClient(AuthorizationV1Api)
  const ask = (p: Permission) =>
    bounded(
      api.createSelfSubjectAccessReview(
        { body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { ...p } } } },
        withCallTimeout(timeoutMs),
      ),
      timeoutMs,
    )
  let answers
  try {
    answers = await Promise.all(perms.map(async (p) => ({ p, allowed: (await ask(p)).status?.allowed === true })))
  } catch (e) {
    if (e instanceof ApiException && (e.code === 404 || e.code === 405 || e.code === 501)) {
      return { checked: false, reason: `the cluster does not serve SelfSubjectAccessReview (authorization.k8s.io/v1; HTTP ${e.code})` }
    }
    // A 403 here means the user may not even ask: say so instead of guessing.
    throw new Error(`could not check permissions: ${explainKubeError(e, t.server, timeoutMs)}`)
  }
  return { checked: true, missing: answers.filter((a) => !a.allowed).map((a) => a.p) }
}
