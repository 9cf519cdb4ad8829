import type { V1EnvVar, V1LocalObjectReference } from '@kubernetes/client-node'
import { shortHash } from '../../lib/hash.js'

/**
 * Kubernetes Secrets a pod needs, which KECS keeps in the cluster's namespace (it resolves the SSM
 * parameter / Secrets Manager value named by `valueFrom` and writes it there before creating the pod).
 * Names are deterministic, one Secret per ECS reference, so tasks sharing a parameter share the Secret:
 *   container `secrets[].valueFrom`          → `kecs-secret-<16 hex of sha256(valueFrom)>`, key `value`
 *   `repositoryCredentials.credentialsParameter` → `kecs-regcred-<16 hex>`, type
 *     kubernetes.io/dockerconfigjson, key `.dockerconfigjson`, used as an imagePullSecret.
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
}

const SECRET_VALUE_KEY = 'value'
const DOCKER_CONFIG_KEY = '.dockerconfigjson'

export const envSecretName = (valueFrom: string) => `kecs-secret-${shortHash(valueFrom, 16)}`
export const registrySecretName = (credentialsParameter: string) => `kecs-regcred-${shortHash(credentialsParameter, 16)}`

/** Collects the Secrets of one conversion, once each. */
export class SecretSet {
  readonly list: NeededSecret[] = []

  private add(s: NeededSecret) {
    if (!this.list.some((x) => x.name === s.name)) this.list.push(s)
  }

  /** An env var read from the Secret that holds `valueFrom`. */
  envVar(name: string, valueFrom: string): V1EnvVar {
    const secret = envSecretName(valueFrom)
    this.add({ name: secret, type: 'Opaque', key: SECRET_VALUE_KEY, valueFrom, usage: 'environment' })
    return { name, valueFrom: { secretKeyRef: { name: secret, key: SECRET_VALUE_KEY } } }
  }

  /** The imagePullSecret for a repositoryCredentials parameter. */
  pullSecret(credentialsParameter: string): V1LocalObjectReference {
    const secret = registrySecretName(credentialsParameter)
    this.add({
      name: secret,
      type: 'kubernetes.io/dockerconfigjson',
      key: DOCKER_CONFIG_KEY,
      valueFrom: credentialsParameter,
      usage: 'repositoryCredentials',
    })
    return { name: secret }
  }
}
