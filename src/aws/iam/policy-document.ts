import { limitExceeded, malformedPolicy } from './errors.js'

/**
 * Policy-document checks IAM makes before storing a document. "This policy contains invalid Json" is
 * recorded real output; the grammar texts below are IAM's as remembered (not confirmed in a recorded
 * response), kept because Terraform only looks at the code.
 */
export type PolicyKind = 'identity' | 'trust'

const VERSIONS = new Set(['2012-10-17', '2008-10-17'])
const EFFECTS = new Set(['Allow', 'Deny'])
const TOP_LEVEL = new Set(['Version', 'Id', 'Statement'])
const STATEMENT = new Set(['Sid', 'Effect', 'Principal', 'NotPrincipal', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition'])
const PRINCIPAL_KINDS = new Set(['AWS', 'Service', 'Federated', 'CanonicalUser'])

const isStrings = (v: unknown) => typeof v === 'string' || (Array.isArray(v) && v.every((x) => typeof x === 'string'))
const strings = (v: unknown): string[] => (typeof v === 'string' ? [v] : Array.isArray(v) ? (v as string[]) : [])

/** `"*"` or `{ AWS | Service | Federated | CanonicalUser: string | string[] }`. Terraform retries this text a while (IAM's eventual consistency). */
function checkPrincipal(p: unknown): void {
  if (p === '*') return
  const ok =
    !!p &&
    typeof p === 'object' &&
    !Array.isArray(p) &&
    Object.keys(p).length > 0 &&
    Object.entries(p).every(([k, v]) => PRINCIPAL_KINDS.has(k) && isStrings(v) && strings(v).every((x) => x.length > 0))
  if (!ok) throw malformedPolicy(`Invalid principal in policy: ${JSON.stringify(p)}`)
}

/** Trust policies may only grant the STS role actions. */
const isStsAction = (a: string) => a === '*' || /^sts:/i.test(a)

export function checkPolicyDocument(text: string, kind: PolicyKind): void {
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch {
    throw malformedPolicy('This policy contains invalid Json')
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw malformedPolicy('This policy contains invalid Json')
  const d = doc as Record<string, unknown>
  // Unknown elements are refused (IAM's exact text for them is not confirmed).
  if (Object.keys(d).some((k) => !TOP_LEVEL.has(k))) throw malformedPolicy('Syntax errors in policy.')
  if (d.Version !== undefined && !(typeof d.Version === 'string' && VERSIONS.has(d.Version))) {
    throw malformedPolicy('The policy must contain a valid version string')
  }
  const st = d.Statement
  if (st === undefined) throw malformedPolicy('Syntax errors in policy.')
  const statements = Array.isArray(st) ? st : [st]
  if (statements.length === 0 && kind === 'trust') throw malformedPolicy('Syntax errors in policy.')
  for (const s of statements) {
    if (!s || typeof s !== 'object' || Array.isArray(s)) throw malformedPolicy('Syntax errors in policy.')
    const stmt = s as Record<string, unknown>
    if (Object.keys(stmt).some((k) => !STATEMENT.has(k))) throw malformedPolicy('Syntax errors in policy.')
    if (stmt.Sid !== undefined && typeof stmt.Sid !== 'string') throw malformedPolicy('Syntax errors in policy.')
    for (const k of ['Action', 'NotAction', 'Resource', 'NotResource'] as const) {
      if (stmt[k] !== undefined && !isStrings(stmt[k])) throw malformedPolicy('Syntax errors in policy.')
    }
    if (stmt.Condition !== undefined && (typeof stmt.Condition !== 'object' || stmt.Condition === null || Array.isArray(stmt.Condition))) {
      throw malformedPolicy('Syntax errors in policy.')
    }
    if (stmt.Effect === undefined) throw malformedPolicy('Missing required field Effect')
    if (typeof stmt.Effect !== 'string' || !EFFECTS.has(stmt.Effect)) throw malformedPolicy('Syntax errors in policy.')
    if (stmt.Action === undefined && stmt.NotAction === undefined) {
      throw malformedPolicy(kind === 'trust' ? 'Missing required field Action' : 'Policy statement must contain actions.')
    }
    if (kind === 'trust') {
      if (stmt.Principal === undefined && stmt.NotPrincipal === undefined) throw malformedPolicy('Missing required field Principal')
      if (stmt.Resource !== undefined || stmt.NotResource !== undefined) throw malformedPolicy('Has prohibited field Resource')
      if (stmt.Principal !== undefined) checkPrincipal(stmt.Principal)
      if (stmt.NotPrincipal !== undefined) checkPrincipal(stmt.NotPrincipal)
      if (!strings(stmt.Action ?? stmt.NotAction).every(isStsAction)) {
        throw malformedPolicy('AssumeRole policy may only specify STS AssumeRole actions.')
      }
    } else {
      if (stmt.Principal !== undefined || stmt.NotPrincipal !== undefined) {
        throw malformedPolicy('Policy document should not specify a principal.')
      }
      if (stmt.Resource === undefined && stmt.NotResource === undefined) {
        throw malformedPolicy('Policy statement must contain resources.')
      }
    }
  }
}

/** IAM counts policy size without whitespace. */
export const policySize = (text: string) => text.replace(/\s/g, '').length

/**
 * IAM quotas on document sizes: managed policy 6,144 (fixed), inline policies of one role 10,240 in
 * all (fixed), trust policy 2,048 by default and raisable to 4,096 — we allow the raised value so a
 * stack that works on a raised account works here.
 */
export const QUOTAS = { PolicySize: 6144, RolePolicySize: 10240, ACLSizePerRole: 4096, PoliciesPerRole: 20, TagsPerResource: 50 }

export function checkQuota(name: keyof typeof QUOTAS, value: number): void {
  if (value > QUOTAS[name]) throw limitExceeded(`Cannot exceed quota for ${name}: ${QUOTAS[name]}`)
}

/**
 * Documents come back URL-encoded (RFC 3986), as AWS returns Role.AssumeRolePolicyDocument,
 * GetRolePolicy.PolicyDocument and PolicyVersion.Document; SDKs/Terraform unescape them.
 */
export const encodeDocument = (text: string) => encodeURIComponent(text)
