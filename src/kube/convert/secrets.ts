import type { V1EnvVar, V1LocalObjectReference } from '@kubernetes/client-node'
import { shortHash } from '../../lib/hash.js'

/**
 * Kubernetes Secrets a pod needs. KECS resolves each ECS reference (SSM parameter, Secrets Manager
 * secret) when the task starts and writes the value into a Secret of the task's own, so a value
 * changed later reaches new tasks only, as in ECS ("values are injected at container start"):
 *   container `secrets[].valueFrom`  → Secret `kecs-secrets-<owner>`, key `v-<16 hex of sha256(valueFrom)>`
 *     (one Secret per owner, one key per distinct reference);
 *   `repositoryCredentials.credentialsParameter` → Secret `kecs-regcred-<owner>-<8 hex>`, type
 *     kubernetes.io/dockerconfigjson, key `.dockerconfigjson`, used as an imagePullSecret.
 * The owner is the task id for a RunTask pod (the Secrets are owned by the pod and go with it), and the
 * workload's name for a service's pod template (re-resolved each time the workload is applied).
 * `valueFrom` is kept verbatim (it may carry a Secrets Manager JSON key, version stage and id).
 */
export interface NeededSecret {
  name: string
  type: 'Opaque' | 'kubernetes.io/dockerconfigjson'
  /** The data key the pod reads. */
  key: string
  /** The ECS reference: SSM parameter name/ARN or Secrets Manager ARN (with its optional suffixes). */
  valueFrom: string
  usage: 'environment' | 'repositoryCredentials'
  /** repositoryCredentials: the registries (dockerconfigjson `auths` keys) of the images that use it. */
  registries?: string[]
}

const DOCKER_CONFIG_KEY = '.dockerconfigjson'

export const envSecretName = (owner: string) => `kecs-secrets-${owner}`
export const envSecretKey = (valueFrom: string) => `v-${shortHash(valueFrom, 16)}`
export const registrySecretName = (owner: string, credentialsParameter: string) =>
  `kecs-regcred-${owner}-${shortHash(credentialsParameter, 8)}`

/**
 * The registry an image is pulled from, as a dockerconfigjson `auths` key: the first path part when it
 * looks like a host (has '.' or ':', or is localhost), else Docker Hub, as docker resolves names.
 */
export function registryOf(image: string): string {
  const slash = image.indexOf('/')
  const first = slash < 0 ? '' : image.slice(0, slash)
  if (first && (first.includes('.') || first.includes(':') || first === 'localhost')) return first
  return 'https://index.docker.io/v1/'
}

/** Collects the Secrets of one conversion, once each. */
export class SecretSet {
  readonly list: NeededSecret[] = []

  constructor(private readonly owner: string) {}

  private add(s: NeededSecret): NeededSecret {
    const found = this.list.find((x) => x.name === s.name && x.key === s.key)
    if (found) return found
    this.list.push(s)
    return s
  }

  /** An env var read from the owner's Secret, at the key of `valueFrom`. */
  envVar(name: string, valueFrom: string): V1EnvVar {
    const secret = envSecretName(this.owner)
    const key = envSecretKey(valueFrom)
    this.add({ name: secret, type: 'Opaque', key, valueFrom, usage: 'environment' })
    return { name, valueFrom: { secretKeyRef: { name: secret, key } } }
  }

  /** The imagePullSecret for a repositoryCredentials parameter, used by the images given. */
  pullSecret(credentialsParameter: string, images: string[]): V1LocalObjectReference {
    const secret = registrySecretName(this.owner, credentialsParameter)
    const s = this.add({
      name: secret,
      type: 'kubernetes.io/dockerconfigjson',
      key: DOCKER_CONFIG_KEY,
      valueFrom: credentialsParameter,
      usage: 'repositoryCredentials',
      registries: [],
    })
    for (const r of images.map(registryOf)) if (!s.registries!.includes(r)) s.registries!.push(r)
    return { name: secret }
  }
}
