import type { ResolvedCredentials, ResolvedValue, SecretResolver, SecretScope } from './secret-resolver.js'

/**
 * The SecretResolver on the instance's own SSM Parameter Store and Secrets Manager. The resolving
 * itself (valueFrom formats, JSON keys, version stages, error texts) lives with those services in
 * src/aws/secret-values.ts; this only adapts its two functions to the kube layer's interface.
 *
 * The instance plugs it in (src/instance/instance.ts, `secretResolver`), once the neighbour services
 * are open:
 *   import * as secretValues from '../aws/secret-values.js'
 *   awsSecretResolver(secretValues, states.get('ssm')!.state, states.get('secretsmanager')!.state)
 * The functions are passed in (not imported here) so this file type-checks before that module exists;
 * their signatures are the contract below.
 */
export interface SecretValueFunctions<Ssm, Secrets> {
  resolveValueFrom(ssm: Ssm, secrets: Secrets, scope: SecretScope, valueFrom: string): ResolvedValue
  resolveRepositoryCredentials(secrets: Secrets, scope: SecretScope, credentialsParameter: string): ResolvedCredentials
}

export function awsSecretResolver<Ssm, Secrets>(fns: SecretValueFunctions<Ssm, Secrets>, ssm: Ssm, secrets: Secrets): SecretResolver {
  return {
    valueFrom: (scope, ref) => fns.resolveValueFrom(ssm, secrets, { account: scope.account, region: scope.region }, ref),
    repositoryCredentials: (scope, ref) => fns.resolveRepositoryCredentials(secrets, { account: scope.account, region: scope.region }, ref),
  }
}
