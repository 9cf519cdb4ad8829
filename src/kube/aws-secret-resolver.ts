import { resolveRepositoryCredentials, resolveValueFrom } from '../aws/secret-values.js'
import type { SsmState } from '../aws/ssm/index.js'
import type { SecretsState } from '../aws/secretsmanager/index.js'
import type { SecretResolver } from './secret-resolver.js'

/**
 * The SecretResolver on the instance's own SSM Parameter Store and Secrets Manager. The resolving
 * itself (valueFrom formats, JSON keys, version stages, error texts) lives with those services in
 * src/aws/secret-values.ts; this only adapts it to the kube layer's interface.
 */
export function awsSecretResolver(ssm: SsmState, secrets: SecretsState): SecretResolver {
  return {
    valueFrom: (scope, ref) => resolveValueFrom(ssm, secrets, { account: scope.account, region: scope.region }, ref),
    repositoryCredentials: (scope, ref) => resolveRepositoryCredentials(secrets, { account: scope.account, region: scope.region }, ref),
  }
}
