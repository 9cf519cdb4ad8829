import { randomBytes } from 'node:crypto'
import { AwsError } from '../service.js'
import type { CloudMapState, NamespaceDoc, Scope, ServiceDoc } from './state.js'

const LOWER = 'abcdefghijklmnopqrstuvwxyz0123456789'
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'

function random(alphabet: string, n: number): string {
  let out = ''
  for (const b of randomBytes(n)) out += alphabet[b % alphabet.length]
  return out
}

/** `ns-` / `srv-` + 16 lowercase alphanumerics, as the CLI examples show (`ns-abcd1234xmpl5678`). */
export const newNamespaceId = () => `ns-${random(LOWER, 16)}`
export const newServiceId = () => `srv-${random(LOWER, 16)}`
/** `<32>-<8>` lowercase alphanumerics (`gv4g5meo7ndmeh4fqskygvk23d2fijwa-k9302yzd`). */
export const newOperationId = () => `${random(LOWER, 32)}-${random(LOWER, 8)}`
/** A Route 53 hosted zone id (`Z06752353VBUDTC32S84S`). */
export const newHostedZoneId = () => `Z${random(UPPER, 20)}`

export const namespaceArn = (scope: Scope, id: string) => `arn:aws:servicediscovery:${scope.region}:${scope.account}:namespace/${id}`
export const serviceArn = (scope: Scope, id: string) => `arn:aws:servicediscovery:${scope.region}:${scope.account}:service/${id}`

const ARN = /^arn:[^:]+:servicediscovery:([^:]*):(\d{12}):(namespace|service)\/(.+)$/

/** An ARN of this service: its scope, kind and id. */
export function parseArn(arn: string): { scope: Scope; kind: 'namespace' | 'service'; id: string } | undefined {
  const m = ARN.exec(arn)
  return m ? { scope: { region: m[1]!, account: m[2]! }, kind: m[3] as 'namespace' | 'service', id: m[4]! } : undefined
}

/** An `Id` member that may be an id or an ARN: where to look and the id. */
function ref(scope: Scope, idOrArn: string, kind: 'namespace' | 'service'): { scope: Scope; id: string } | undefined {
  if (!idOrArn.startsWith('arn:')) return { scope, id: idOrArn }
  const p = parseArn(idOrArn)
  return p && p.kind === kind ? { scope: p.scope, id: p.id } : undefined
}

export const namespaceNotFound = (id: string) => new AwsError('NamespaceNotFound', `Namespace not found: ${id}`)
export const serviceNotFound = (id: string) => new AwsError('ServiceNotFound', `Service not found: ${id}`)
export const instanceNotFound = (id: string) => new AwsError('InstanceNotFound', `Instance not found: ${id}`)
export const invalidInput = (message: string) => new AwsError('InvalidInput', message)

export function findNamespace(state: CloudMapState, scope: Scope, idOrArn: string): NamespaceDoc {
  const r = ref(scope, idOrArn, 'namespace')
  const ns = r && state.namespace(r.scope, r.id)
  if (!ns) throw namespaceNotFound(idOrArn)
  return ns
}

export function findService(state: CloudMapState, scope: Scope, idOrArn: string): ServiceDoc {
  const r = ref(scope, idOrArn, 'service')
  const svc = r && state.service(r.scope, r.id)
  if (!svc) throw serviceNotFound(idOrArn)
  return svc
}
