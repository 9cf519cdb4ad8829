/**
 * The SigV4 credential scope of a request (`Credential=AKID/20260101/us-east-1/ssm/aws4_request`),
 * from the Authorization header or a presigned URL's `X-Amz-Credential`. KECS verifies no
 * signatures; the scope only says which service and region the client meant.
 */
export interface SigV4Scope {
  accessKeyId: string
  region: string
  service: string
}

const SCOPE = /([^/,\s=]+)\/\d{8}\/([a-z0-9-]+)\/([a-z0-9-]+)\/aws4_request/

export function sigv4Scope(authorization: string | undefined | null, credentialParam?: string | null): SigV4Scope | undefined {
  const text = authorization?.includes('Credential=') ? authorization.slice(authorization.indexOf('Credential=') + 11) : credentialParam
  const m = text ? SCOPE.exec(text) : null
  return m ? { accessKeyId: m[1]!, region: m[2]!, service: m[3]! } : undefined
}
