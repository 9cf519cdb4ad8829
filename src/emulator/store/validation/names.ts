import { invalid, required, type Cause } from './causes.js'

/** Name and label rules of the API machinery (k8s.io/apimachinery/pkg/util/validation), with its messages. */
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/
// Kubernetes 1.32 (the Kind image KECS pins) relaxes env names to printable ASCII but '=' (RelaxedEnvironmentVariableValidation).
const ENV_VAR_NAME = /^[\x20-\x3c\x3e-\x7e]+$/

export type NameRule = (field: string, v: string) => Cause[]

const DNS1123_LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
const DNS1123_SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
const DNS1035_LABEL_MSG =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"
const QUALIFIED_NAME_MSG =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
const LABEL_VALUE_MSG =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
const ENV_VAR_NAME_MSG = "a valid environment variable name must consist only of printable ASCII characters other than '='"

function matching(re: RegExp, max: number, msg: string): NameRule {
  return (field, v) => {
    const out: Cause[] = []
    if (v.length > max) out.push(invalid(field, v, `must be no more than ${max} characters`))
    if (!re.test(v)) out.push(invalid(field, v, msg))
    return out
  }
}

export const checkDns1123Label: NameRule = matching(DNS1123_LABEL, 63, DNS1123_LABEL_MSG)
export const checkDns1123Subdomain: NameRule = matching(DNS1123_SUBDOMAIN, 253, DNS1123_SUBDOMAIN_MSG)
export const checkDns1035Label: NameRule = matching(DNS1035_LABEL, 63, DNS1035_LABEL_MSG)
export const checkEnvVarName: NameRule = matching(ENV_VAR_NAME, Infinity, ENV_VAR_NAME_MSG)

/** The messages of IsQualifiedName (label and annotation keys): an optional DNS subdomain prefix and '/', then a name. */
export function qualifiedNameErrors(key: string): string[] {
  const parts = key.split('/')
  let name = key
  const out: string[] = []
  if (parts.length === 2) {
    const prefix = parts[0]!
    name = parts[1]!
    if (!prefix) out.push('prefix part must be non-empty')
    else {
      if (prefix.length > 253) out.push('prefix part must be no more than 253 characters')
      if (!DNS1123_SUBDOMAIN.test(prefix)) out.push(`prefix part ${DNS1123_SUBDOMAIN_MSG}`)
    }
  } else if (parts.length > 2) {
    return [`a qualified name ${QUALIFIED_NAME_MSG} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`]
  }
  if (!name) out.push('name part must be non-empty')
  else if (name.length > 63) out.push('name part must be no more than 63 characters')
  if (name && !QUALIFIED_NAME.test(name)) out.push(`name part ${QUALIFIED_NAME_MSG}`)
  return out
}

/** metadata.labels and selector maps: qualified-name keys, label values. */
export function checkLabels(field: string, labels: unknown): Cause[] {
  if (labels === undefined || labels === null) return []
  if (typeof labels !== 'object' || Array.isArray(labels)) return [invalid(field, labels, 'must be a map of strings')]
  const out: Cause[] = []
  for (const [k, v] of Object.entries(labels as Record<string, unknown>)) {
    for (const msg of qualifiedNameErrors(k)) out.push(invalid(field, k, msg))
    if (typeof v !== 'string') out.push(invalid(field, v, 'label values must be strings'))
    else {
      if (v.length > 63) out.push(invalid(field, v, 'must be no more than 63 characters'))
      if (!LABEL_VALUE.test(v)) out.push(invalid(field, v, LABEL_VALUE_MSG))
    }
  }
  return out
}

/** Annotation keys are qualified names (checked lowercased, as the API server does); values are strings. */
function checkAnnotations(field: string, ann: unknown): Cause[] {
  if (!ann || typeof ann !== 'object') return []
  const out: Cause[] = []
  for (const [k, v] of Object.entries(ann)) {
    for (const msg of qualifiedNameErrors(k.toLowerCase())) out.push(invalid(field, k, msg))
    if (typeof v !== 'string') out.push(invalid(field, v, `annotation ${k} must be a string`))
  }
  return out
}

/** ValidateObjectMeta: the name by the kind's rule, labels, annotations. */
export function checkMetadata(obj: { metadata?: any }, nameRule: NameRule): Cause[] {
  const out: Cause[] = []
  const name = obj.metadata?.name
  if (!name) out.push(required('metadata.name', 'name or generateName is required'))
  else out.push(...nameRule('metadata.name', name))
  out.push(...checkLabels('metadata.labels', obj.metadata?.labels))
  out.push(...checkAnnotations('metadata.annotations', obj.metadata?.annotations))
  return out
}

/** IsValidPortName: the IANA service name rules for container port names and named target ports. */
export function checkPortName(field: string, v: string): Cause[] {
  const out: Cause[] = []
  if (v.length < 1 || v.length > 15) out.push(invalid(field, v, 'must be no more than 15 characters'))
  if (!/^[-a-z0-9]+$/.test(v)) out.push(invalid(field, v, 'must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)'))
  if (!/[a-z]/.test(v)) out.push(invalid(field, v, 'must contain at least one letter (a-z)'))
  if (v.includes('--')) out.push(invalid(field, v, 'must not contain consecutive hyphens'))
  if (v.startsWith('-') || v.endsWith('-')) out.push(invalid(field, v, 'must not begin or end with a hyphen'))
  return out
}
