import { limitExceeded, malformedPolicy } from './errors.js'

/**
 * Policy-document checks IAM makes before storing a document. "This policy contains invalid Json" is
 * recorded real output; the grammar texts below are IAM's as remembered (not confirmed in a recorded
 * response), kept because Terraform only looks at the code.
 */
export type PolicyKind = 'identity' | 'trust'

const VERSIONS = new Set(['2012-10-17', '2008-10-17'])
const EFFECTS = new Set(['Allow', 'Deny'])

export function checkPolicyDocument(text: string, kind: PolicyKind): void {
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch {
    throw malformedPolicy('This policy contains invalid Json')
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw malformedPolicy('This policy contains invalid Json')
  const d = doc as Record<string, unknown>
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
    if (stmt.Effect === undefined) throw malformedPolicy('Missing required field Effect')
    if (typeof stmt.Effect !== 'string' || !EFFECTS.has(stmt.Effect)) throw malformedPolicy('Syntax errors in policy.')
    if (stmt.Action === undefined && stmt.NotAction === undefined) {
      throw malformedPolicy(kind === 'trust' ? 'Missing required field Action' : 'Policy statement must contain actions.')
    }
    if (kind === 'trust') {
      if (stmt.Principal === undefined && stmt.NotPrincipal === undefined) throw malformedPolicy('Missing required field Principal')
      if (stmt.Resource !== undefined || stmt.NotResource !== undefined) throw malformedPolicy('Has prohibited field Resource')
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
