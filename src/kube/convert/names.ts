import { defaultAccount, defaultRegion } from '../../ecs/context.js'
import { shortHash } from '../../lib/hash.js'

/**
 * Kubernetes names for ECS names. ECS names allow upper case, '_' and up to 255 chars; Kubernetes
 * names are DNS labels (lower case alphanumerics and '-', at most 63). The mapping is deterministic:
 * a name that is already valid stays as it is; any other is lower-cased, '_' (and anything else) becomes
 * '-', it is shortened, and it gets `-<6 hex of sha256(original)>` so `My_App` and `my-app` stay
 * different objects. The exact ECS name is always kept in an annotation.
 */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/

export function dnsLabel(name: string, opts: { maxLength?: number; startWithLetter?: boolean } = {}): string {
  const max = opts.maxLength ?? 63
  const valid = name.length <= max && DNS_LABEL.test(name) && (!opts.startWithLetter || /^[a-z]/.test(name))
  if (valid) return name
  const suffix = shortHash(name)
  let body = name
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .replace(/^-+/, '')
  if (opts.startWithLetter && body && !/^[a-z]/.test(body)) body = `x${body}`
  body = body.slice(0, max - suffix.length - 1).replace(/-+$/, '')
  if (!body) return opts.startWithLetter ? `x${suffix}`.slice(0, max) : suffix
  return `${body}-${suffix}`
}

/** Where a cluster lives: its ARN's region and account. */
export interface ClusterScope {
  region: string
  account: string
}

/** The instance's own region and account (src/ecs/context.ts): their clusters get the plain namespace. */
export const homeScope = (): ClusterScope => ({ region: defaultRegion(), account: defaultAccount() })

/**
 * Namespace of an ECS cluster, a DNS label ≤63. Cluster names are unique per account and region
 * only, so a cluster of the instance's own region and account is `kecs-<cluster>` (what users see in
 * kubectl most of the time) and any other is `kecs-<cluster>-<6 hex of sha256("<account>/<region>")>`,
 * so `demo` in us-east-1 and `demo` in eu-west-1 never share (or delete) one namespace. The
 * namespace's labels and annotations carry the exact name, region and account (namespace.ts).
 * Without a scope: the home one (for callers that only know the name).
 */
export function namespaceName(clusterName: string, scope?: ClusterScope, home: ClusterScope = homeScope()): string {
  if (!scope || (scope.region === home.region && scope.account === home.account)) {
    return `kecs-${dnsLabel(clusterName, { maxLength: 58 })}`
  }
  const suffix = shortHash(`${scope.account}/${scope.region}`)
  return `kecs-${dnsLabel(clusterName, { maxLength: 63 - 'kecs-'.length - suffix.length - 1 })}-${suffix}`
}

/**
 * Deployment / DaemonSet / Service name of an ECS service. A Service name must be a DNS-1035 label
 * (starts with a letter), and the workload gets the same name so `<name>.<namespace>` resolves.
 */
export const workloadName = (serviceName: string) => dnsLabel(serviceName, { startWithLetter: true })

/**
 * Pod volume name of a task definition volume. The volumes KECS adds itself are named
 * `kecs-<kind>-<hash>` (see volumes.ts), which a task definition volume would only match by a hash collision.
 */
export const volumeName = (ecsName: string) => dnsLabel(ecsName)

/**
 * A container port name (IANA_SVC_NAME: ≤15 chars of [a-z0-9-], at least one letter, no leading,
 * trailing or double '-') for an ECS portMapping name (≤64 chars of [a-z0-9-]).
 */
export function portName(name: string): string {
  const valid = name.length <= 15 && /^[a-z0-9]+(-[a-z0-9]+)*$/.test(name) && /[a-z]/.test(name)
  if (valid) return name
  const suffix = shortHash(name, 5)
  const body = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 15 - suffix.length - 1)
    .replace(/-+$/, '')
  const out = body ? `${body}-${suffix}` : `p${suffix}`
  return /[a-z]/.test(out) ? out : `p${out.slice(1)}`
}
