import type { InstanceRecord } from './registry.js'

export const NEIGHBOUR_ENDPOINT_VARS = [
  'AWS_ENDPOINT_URL_SSM',
  'AWS_ENDPOINT_URL_SECRETS_MANAGER',
  'AWS_ENDPOINT_URL_CLOUDWATCH_LOGS',
  'AWS_ENDPOINT_URL_STS',
  'AWS_ENDPOINT_URL_IAM',
  'AWS_ENDPOINT_URL_SERVICEDISCOVERY',
]

/**
 * The environment that points AWS clients at an instance, as `export` lines for `eval "$(kecs env)"`.
 * AWS_DEFAULT_REGION too: AWS CLI v1 and boto3 read that one, not AWS_REGION.
 */
export function envVars(record: Pick<InstanceRecord, 'endpoint' | 'region' | 'auth'>): [string, string][] {
  const vars: [string, string][] = [
    ['AWS_ENDPOINT_URL_ECS', record.endpoint],
    // The neighbour services the same port serves (the SDKs' and CLI's per-service endpoint variables).
    ...NEIGHBOUR_ENDPOINT_VARS.map((k): [string, string] => [k, record.endpoint]),
    ['AWS_REGION', record.region],
    ['AWS_DEFAULT_REGION', record.region],
    // Cloud Map's DiscoverInstances is sent to `data-<host>` unless host prefixes are off (botocore / AWS CLI).
    ['AWS_DISABLE_HOST_PREFIX_INJECTION', 'true'],
  ]
  // With --auth sigv4 the dummy keys would be refused, and the real ones are not KECS's to print.
  if (record.auth !== 'sigv4') vars.push(['AWS_ACCESS_KEY_ID', 'test'], ['AWS_SECRET_ACCESS_KEY', 'test'])
  return vars
}

/** Single-quotes a value only when the shell would otherwise split or expand it. */
export function shellQuote(v: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(v) ? v : `'${v.replace(/'/g, `'\\''`)}'`
}

export function envLines(record: Pick<InstanceRecord, 'endpoint' | 'region' | 'auth'>): string[] {
  const lines = envVars(record).map(([k, v]) => `export ${k}=${shellQuote(v)}`)
  if (record.auth === 'sigv4') {
    lines.push('# --auth sigv4: sign with a key KECS was started with: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE) yourself')
  }
  return lines
}
