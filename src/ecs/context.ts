import { randomUUID } from 'node:crypto'

/** One request context, built once per request (docs/architecture.md#one-request-context). */
export interface RequestContext {
  region: string
  account: string
  requestId: string
  operation: string
  /** The caller's principal ARN (KECS has no IAM: the account root). */
  principalArn: string
}

const DEFAULT_ACCOUNT = '000000000000'

/** Region from a SigV4 Authorization header's credential scope (`Credential=AKID/date/REGION/ecs/aws4_request`). */
function regionFromAuthorization(authorization: string | undefined | null): string | undefined {
  if (!authorization) return undefined
  const m = /Credential=[^/,\s]+\/\d{8}\/([a-z0-9-]+)\/[^/,\s]+\/aws4_request/.exec(authorization)
  return m?.[1]
}

export function defaultRegion(env: NodeJS.ProcessEnv = process.env): string {
  return env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1'
}

export function defaultAccount(env: NodeJS.ProcessEnv = process.env): string {
  const a = env.KECS_ACCOUNT_ID
  return a && /^\d{12}$/.test(a) ? a : DEFAULT_ACCOUNT
}

export function buildContext(opts: {
  operation: string
  authorization?: string | null
  region?: string
  account?: string
  requestId?: string
}): RequestContext {
  const region = regionFromAuthorization(opts.authorization) ?? opts.region ?? defaultRegion()
  const account = opts.account ?? defaultAccount()
  return {
    region,
    account,
    requestId: opts.requestId ?? randomUUID(),
    operation: opts.operation,
    principalArn: `arn:aws:iam::${account}:root`,
  }
}
