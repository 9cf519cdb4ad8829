import type { V1Secret } from '@kubernetes/client-node'
import type { NeededSecret } from './convert/index.js'

/**
 * Where KECS reads the values of `secrets[].valueFrom` and `repositoryCredentials` from: the instance's
 * SSM Parameter Store and Secrets Manager (src/kube/aws-secret-resolver.ts adapts them), a fake in tests.
 * The kube layer depends on this interface only; each call may be sync or async.
 */
export interface SecretScope {
  /** The task's account and region: an SSM name (not an ARN) is looked up there. */
  account: string
  region: string
}

export type ResolvedValue = { ok: true; value: string } | { ok: false; reason: string }
export type ResolvedCredentials = { ok: true; username: string; password: string } | { ok: false; reason: string }

export interface SecretResolver {
  /** The value of one `valueFrom` (SSM parameter name/ARN, Secrets Manager ARN with optional `:key:stage:id`). */
  valueFrom(scope: SecretScope, ref: string): ResolvedValue | Promise<ResolvedValue>
  /** The username and password of a `repositoryCredentials.credentialsParameter` (a Secrets Manager secret). */
  repositoryCredentials(scope: SecretScope, ref: string): ResolvedCredentials | Promise<ResolvedCredentials>
}

/** Labels and annotations on the Secrets KECS writes. */
export const SECRET_LABELS = { managedBy: 'kecs.dev/managed-by', owner: 'kecs.dev/secret-owner' } as const
export const SECRET_ANNOTATIONS = { valueFrom: 'kecs.dev/value-from', usage: 'kecs.dev/usage' } as const

/**
 * The prefix of every stoppedReason for a secret that cannot be read, as Fargate words it
 * (shared/notes/aws-neighbours.md §8.2, observed texts): `ResourceInitializationError: unable to pull
 * secrets or registry auth: execution resource retrieval failed: <what>: <reason>`. Fargate puts
 * "service call has been retried 1 time(s): " before the reason; KECS does not retry, so it leaves that
 * out. The exact tail after the source is not confirmed for ResourceNotFoundException (tagged L there).
 */
export const SECRETS_FAILURE_PREFIX = 'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed'

/** What failed, in Fargate's words: secrets from ssm / secret from asm / registry auth from asm. */
export function secretFailureReason(s: Pick<NeededSecret, 'usage' | 'valueFrom'>, reason: string): string {
  const what =
    s.usage === 'repositoryCredentials'
      ? 'unable to get registry auth from asm'
      : /^arn:[^:]+:secretsmanager:/.test(s.valueFrom)
        ? 'unable to retrieve secret from asm'
        : 'unable to retrieve secrets from ssm'
  return `${SECRETS_FAILURE_PREFIX}: ${what}: ${reason}`
}

export type MaterializedSecrets = { ok: true; secrets: V1Secret[] } | { ok: false; stoppedReason: string }

/**
 * The Secrets a pod reads, with their values resolved now (ECS resolves at task start). One
 * unresolvable reference fails them all, with the stoppedReason of the first. Without a resolver
 * (an instance without the neighbour services) the Secrets are made with empty values.
 */
export async function materializeSecrets(o: {
  needed: NeededSecret[]
  resolver?: SecretResolver
  scope: SecretScope
  namespace: string
  /** The task id or workload name the Secrets belong to (label `kecs.dev/secret-owner`). */
  owner: string
}): Promise<MaterializedSecrets> {
  const byName = new Map<string, V1Secret>()
  for (const s of o.needed) {
    let secret = byName.get(s.name)
    if (!secret) {
      secret = {
        apiVersion: 'v1',
        kind: 'Secret',
        type: s.type,
        metadata: {
          name: s.name,
          namespace: o.namespace,
          labels: { [SECRET_LABELS.managedBy]: 'kecs', [SECRET_LABELS.owner]: o.owner },
          annotations: { [SECRET_ANNOTATIONS.usage]: s.usage },
        },
        stringData: {},
      }
      byName.set(s.name, secret)
    }
    const value = await valueOf(s, o.resolver, o.scope).catch((e: Error): ResolvedValue => ({ ok: false, reason: e.message }))
    if (!value.ok) return { ok: false, stoppedReason: secretFailureReason(s, value.reason) }
    secret.stringData![s.key] = value.value
    const refs = secret.metadata!.annotations!
    // the ECS references behind the keys, for people reading the Secret
    if (s.usage === 'repositoryCredentials') refs[SECRET_ANNOTATIONS.valueFrom] = s.valueFrom
    else refs[SECRET_ANNOTATIONS.valueFrom] = JSON.stringify({ ...JSON.parse(refs[SECRET_ANNOTATIONS.valueFrom] ?? '{}'), [s.key]: s.valueFrom })
  }
  return { ok: true, secrets: [...byName.values()] }
}

async function valueOf(s: NeededSecret, resolver: SecretResolver | undefined, scope: SecretScope): Promise<ResolvedValue> {
  if (s.usage === 'environment') return resolver ? await resolver.valueFrom(scope, s.valueFrom) : { ok: true, value: '' }
  if (!resolver) return { ok: true, value: '{"auths":{}}' }
  const c = await resolver.repositoryCredentials(scope, s.valueFrom)
  if (!c.ok) return c
  return { ok: true, value: dockerConfig(s.registries ?? [], c.username, c.password) }
}

/** A dockerconfigjson with the same login for each registry. */
export function dockerConfig(registries: string[], username: string, password: string): string {
  const auth = Buffer.from(`${username}:${password}`).toString('base64')
  return JSON.stringify({ auths: Object.fromEntries(registries.map((r) => [r, { username, password, auth }])) })
}
