import { labelSelectorRequirements, matchRequirements } from '../selectors.js'
import { deepEqual } from '../patch.js'
import { KubeStatusError, type KubeObject } from '../types.js'

/**
 * Validation as the API server does it for the fields KECS and kubectl users get wrong: names, labels,
 * containers, ports, workload selectors, immutable fields. Failures are 422 Invalid naming each field,
 * with the API server's wording (`spec.containers[0].image: Required value`).
 */
export interface Cause {
  field: string
  message: string
  reason: 'FieldValueRequired' | 'FieldValueInvalid' | 'FieldValueDuplicate' | 'FieldValueNotSupported' | 'FieldValueForbidden'
}

const required = (field: string, detail?: string): Cause => ({
  field,
  reason: 'FieldValueRequired',
  message: detail ? `Required value: ${detail}` : 'Required value',
})
const invalid = (field: string, value: unknown, detail: string): Cause => ({
  field,
  reason: 'FieldValueInvalid',
  message: `Invalid value: ${show(value)}: ${detail}`,
})
const duplicate = (field: string, value: unknown): Cause => ({
  field,
  reason: 'FieldValueDuplicate',
  message: `Duplicate value: ${show(value)}`,
})
const unsupported = (field: string, value: unknown, supported: string[]): Cause => ({
  field,
  reason: 'FieldValueNotSupported',
  message: `Unsupported value: ${show(value)}: supported values: ${supported.map((s) => `"${s}"`).join(', ')}`,
})
const forbidden = (field: string, detail: string): Cause => ({ field, reason: 'FieldValueForbidden', message: `Forbidden: ${detail}` })

function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v)
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    return `map[string]string{${Object.entries(v as Record<string, unknown>)
      .map(([k, x]) => `${JSON.stringify(k)}:${JSON.stringify(x)}`)
      .join(', ')}}`
  }
  return JSON.stringify(v)
}

/** Throws the 422 Invalid error for a list of causes (the API server's message format). */
export function invalidError(kind: string, name: string | undefined, causes: Cause[]): KubeStatusError {
  const parts = causes.map((c) => `${c.field}: ${c.message}`)
  const message = `${kind} "${name ?? ''}" is invalid: ${parts.length === 1 ? parts[0] : `[${parts.join(', ')}]`}`
  return new KubeStatusError(422, 'Invalid', message, {
    name,
    kind,
    causes: causes.map((c) => ({ reason: c.reason, message: c.message, field: c.field })),
  })
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/

export function checkDns1123Label(field: string, v: string): Cause[] {
  const out: Cause[] = []
  if (v.length > 63) out.push(invalid(field, v, 'must be no more than 63 characters'))
  if (!DNS1123_LABEL.test(v)) {
    out.push(
      invalid(
        field,
        v,
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
      ),
    )
  }
  return out
}

export function checkDns1123Subdomain(field: string, v: string): Cause[] {
  const out: Cause[] = []
  if (v.length > 253) out.push(invalid(field, v, 'must be no more than 253 characters'))
  if (!DNS1123_SUBDOMAIN.test(v)) {
    out.push(
      invalid(
        field,
        v,
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
      ),
    )
  }
  return out
}

function checkDns1035Label(field: string, v: string): Cause[] {
  const out: Cause[] = []
  if (v.length > 63) out.push(invalid(field, v, 'must be no more than 63 characters'))
  if (!DNS1035_LABEL.test(v)) {
    out.push(
      invalid(
        field,
        v,
        "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
      ),
    )
  }
  return out
}

function checkLabels(field: string, labels: unknown): Cause[] {
  if (labels === undefined || labels === null) return []
  if (typeof labels !== 'object' || Array.isArray(labels)) return [invalid(field, labels, 'must be a map of strings')]
  const out: Cause[] = []
  for (const [k, v] of Object.entries(labels as Record<string, unknown>)) {
    const slash = k.indexOf('/')
    const prefix = slash >= 0 ? k.slice(0, slash) : undefined
    const name = slash >= 0 ? k.slice(slash + 1) : k
    if ((prefix !== undefined && !DNS1123_SUBDOMAIN.test(prefix)) || !QUALIFIED_NAME.test(name) || name.length > 63) {
      out.push(
        invalid(
          field,
          k,
          "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
        ),
      )
    }
    if (typeof v !== 'string') out.push(invalid(`${field}`, v, 'label values must be strings'))
    else if (v.length > 63 || !LABEL_VALUE.test(v)) {
      out.push(
        invalid(
          field,
          v,
          "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
        ),
      )
    }
  }
  return out
}

function checkMetadata(obj: KubeObject, nameCheck: (field: string, v: string) => Cause[]): Cause[] {
  const out: Cause[] = []
  const name = obj.metadata?.name
  if (!name) out.push(required('metadata.name', 'name or generateName is required'))
  else out.push(...nameCheck('metadata.name', name))
  out.push(...checkLabels('metadata.labels', obj.metadata?.labels))
  const ann = obj.metadata?.annotations
  if (ann && typeof ann === 'object') {
    for (const [k, v] of Object.entries(ann)) {
      if (typeof v !== 'string') out.push(invalid(`metadata.annotations`, v, `annotation ${k} must be a string`))
    }
  }
  return out
}

const PROTOCOLS = ['SCTP', 'TCP', 'UDP']

function checkPort(field: string, v: unknown): Cause[] {
  if (v === undefined || v === null) return [required(field)]
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 65535) {
    return [invalid(field, v, 'must be between 1 and 65535, inclusive')]
  }
  return []
}

function checkContainers(field: string, list: unknown, requireNonEmpty: boolean): Cause[] {
  const out: Cause[] = []
  if (list === undefined || list === null || (Array.isArray(list) && list.length === 0)) {
    if (requireNonEmpty) out.push(required(field))
    return out
  }
  if (!Array.isArray(list)) return [invalid(field, list, 'must be a list of containers')]
  const seen = new Set<string>()
  list.forEach((c: any, i) => {
    const f = `${field}[${i}]`
    if (!c || typeof c !== 'object') {
      out.push(invalid(f, c, 'must be a container object'))
      return
    }
    if (!c.name) out.push(required(`${f}.name`))
    else {
      out.push(...checkDns1123Label(`${f}.name`, String(c.name)))
      if (seen.has(c.name)) out.push(duplicate(`${f}.name`, c.name))
      seen.add(c.name)
    }
    if (!c.image || typeof c.image !== 'string' || !c.image.trim()) out.push(required(`${f}.image`))
    const portNames = new Set<string>()
    ;(Array.isArray(c.ports) ? c.ports : []).forEach((p: any, j: number) => {
      const pf = `${f}.ports[${j}]`
      out.push(...checkPort(`${pf}.containerPort`, p?.containerPort))
      if (p?.hostPort !== undefined && p.hostPort !== 0) out.push(...checkPort(`${pf}.hostPort`, p.hostPort))
      if (p?.protocol !== undefined && !PROTOCOLS.includes(p.protocol)) out.push(unsupported(`${pf}.protocol`, p.protocol, PROTOCOLS))
      if (p?.name) {
        if (portNames.has(p.name)) out.push(duplicate(`${pf}.name`, p.name))
        portNames.add(p.name)
      }
    })
    ;(Array.isArray(c.env) ? c.env : []).forEach((e: any, j: number) => {
      if (!e?.name) out.push(required(`${f}.env[${j}].name`))
    })
    ;(Array.isArray(c.volumeMounts) ? c.volumeMounts : []).forEach((m: any, j: number) => {
      if (!m?.name) out.push(required(`${f}.volumeMounts[${j}].name`))
      if (!m?.mountPath) out.push(required(`${f}.volumeMounts[${j}].mountPath`))
    })
  })
  return out
}

export function checkPodSpec(field: string, spec: any, opts: { restartPolicies?: string[] } = {}): Cause[] {
  if (!spec || typeof spec !== 'object') return [required(field)]
  const out: Cause[] = []
  out.push(...checkContainers(`${field}.containers`, spec.containers, true))
  out.push(...checkContainers(`${field}.initContainers`, spec.initContainers, false))
  const initNames = new Set<string>((Array.isArray(spec.initContainers) ? spec.initContainers : []).map((c: any) => c?.name))
  ;(Array.isArray(spec.containers) ? spec.containers : []).forEach((c: any, i: number) => {
    if (c?.name && initNames.has(c.name)) out.push(duplicate(`${field}.containers[${i}].name`, c.name))
  })
  const policies = opts.restartPolicies ?? ['Always', 'OnFailure', 'Never']
  if (spec.restartPolicy !== undefined && !policies.includes(spec.restartPolicy)) {
    out.push(unsupported(`${field}.restartPolicy`, spec.restartPolicy, policies))
  }
  const volumeNames = new Set<string>()
  ;(Array.isArray(spec.volumes) ? spec.volumes : []).forEach((v: any, i: number) => {
    if (!v?.name) out.push(required(`${field}.volumes[${i}].name`))
    else {
      if (volumeNames.has(v.name)) out.push(duplicate(`${field}.volumes[${i}].name`, v.name))
      volumeNames.add(v.name)
    }
  })
  if (spec.terminationGracePeriodSeconds !== undefined && (typeof spec.terminationGracePeriodSeconds !== 'number' || spec.terminationGracePeriodSeconds < 0)) {
    out.push(invalid(`${field}.terminationGracePeriodSeconds`, spec.terminationGracePeriodSeconds, 'must be greater than or equal to 0'))
  }
  return out
}

function checkWorkload(obj: KubeObject, opts: { replicas: boolean }): Cause[] {
  const out: Cause[] = []
  const spec = obj.spec
  if (!spec || typeof spec !== 'object') return [required('spec')]
  if (opts.replicas && spec.replicas !== undefined && (!Number.isInteger(spec.replicas) || spec.replicas < 0)) {
    out.push(invalid('spec.replicas', spec.replicas, 'must be greater than or equal to 0'))
  }
  const sel = spec.selector
  const reqs = sel ? safeRequirements(sel) : undefined
  if (!sel || !reqs || reqs.length === 0) {
    out.push(sel ? invalid('spec.selector', sel, 'empty selector is invalid for deployment') : required('spec.selector'))
  }
  const labels = spec.template?.metadata?.labels
  out.push(...checkLabels('spec.template.metadata.labels', labels))
  if (reqs && reqs.length > 0 && !matchRequirements(reqs, labels)) {
    out.push(invalid('spec.template.metadata.labels', labels ?? {}, '`selector` does not match template `labels`'))
  }
  out.push(...checkPodSpec('spec.template.spec', spec.template?.spec, { restartPolicies: ['Always'] }))
  return out
}

function safeRequirements(sel: any) {
  try {
    return labelSelectorRequirements(sel)
  } catch {
    return undefined
  }
}

const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort']

function checkService(obj: KubeObject): Cause[] {
  const out: Cause[] = []
  const spec = obj.spec ?? {}
  if (spec.type && !SERVICE_TYPES.includes(spec.type)) out.push(unsupported('spec.type', spec.type, SERVICE_TYPES))
  const headless = spec.clusterIP === 'None'
  const ports: any[] = Array.isArray(spec.ports) ? spec.ports : []
  if (ports.length === 0 && spec.type !== 'ExternalName' && !headless) out.push(required('spec.ports'))
  const names = new Set<string>()
  ports.forEach((p, i) => {
    const f = `spec.ports[${i}]`
    out.push(...checkPort(`${f}.port`, p?.port))
    if (ports.length > 1 && !p?.name) out.push(required(`${f}.name`))
    if (p?.name) {
      if (names.has(p.name)) out.push(duplicate(`${f}.name`, p.name))
      names.add(p.name)
    }
    if (p?.protocol !== undefined && !PROTOCOLS.includes(p.protocol)) out.push(unsupported(`${f}.protocol`, p.protocol, PROTOCOLS))
    if (typeof p?.targetPort === 'number') out.push(...checkPort(`${f}.targetPort`, p.targetPort))
  })
  out.push(...checkLabels('spec.selector', spec.selector))
  return out
}

/** Validates an object on create (and, with `old`, on update); throws 422 Invalid. */
export function validate(obj: KubeObject, old?: KubeObject): void {
  const causes: Cause[] = []
  switch (obj.kind) {
    case 'Namespace':
      causes.push(...checkMetadata(obj, checkDns1123Label))
      break
    case 'Service':
      causes.push(...checkMetadata(obj, checkDns1035Label))
      causes.push(...checkService(obj))
      break
    case 'Pod':
      causes.push(...checkMetadata(obj, checkDns1123Subdomain))
      causes.push(...checkPodSpec('spec', obj.spec))
      break
    case 'Deployment':
    case 'ReplicaSet':
      causes.push(...checkMetadata(obj, checkDns1123Subdomain))
      causes.push(...checkWorkload(obj, { replicas: true }))
      break
    case 'DaemonSet':
      causes.push(...checkMetadata(obj, checkDns1123Subdomain))
      causes.push(...checkWorkload(obj, { replicas: false }))
      break
    case 'Event':
      if (!obj.metadata?.name) causes.push(required('metadata.name', 'name or generateName is required'))
      if (!obj.involvedObject || typeof obj.involvedObject !== 'object') causes.push(required('involvedObject'))
      break
    default:
      causes.push(...checkMetadata(obj, checkDns1123Subdomain))
  }
  if (old) causes.push(...checkImmutable(obj, old))
  if (causes.length) throw invalidError(obj.kind, obj.metadata?.name, causes)
}

function checkImmutable(obj: KubeObject, old: KubeObject): Cause[] {
  const out: Cause[] = []
  switch (obj.kind) {
    case 'Deployment':
    case 'ReplicaSet':
    case 'DaemonSet':
      if (old.spec?.selector && !deepEqual(obj.spec?.selector, old.spec.selector)) {
        out.push(invalid('spec.selector', obj.spec?.selector ?? {}, 'field is immutable'))
      }
      break
    case 'Service':
      if (old.spec?.clusterIP && obj.spec?.clusterIP !== old.spec.clusterIP && old.spec.type !== 'ExternalName' && obj.spec?.type !== 'ExternalName') {
        out.push(invalid('spec.clusterIPs[0]', obj.spec?.clusterIP ?? '', 'may not change once set'))
      }
      break
    case 'Pod':
      if (!podSpecUpdateAllowed(obj.spec, old.spec)) {
        out.push(
          forbidden(
            'spec',
            'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
          ),
        )
      }
      break
    case 'Secret':
    case 'ConfigMap':
      if (old.immutable === true) {
        if (!deepEqual(obj.data, old.data) || !deepEqual(obj.binaryData, old.binaryData)) {
          out.push(forbidden('data', 'field is immutable when `immutable` is set'))
        }
      }
      break
  }
  return out
}

/** Pod spec updates may change images, activeDeadlineSeconds, tolerations, the grace period, and bind an unset nodeName. */
function podSpecUpdateAllowed(spec: any, old: any): boolean {
  if (!spec || !old) return true
  const strip = (s: any, ref: any) => {
    const c = structuredClone(s)
    delete c.activeDeadlineSeconds
    delete c.tolerations
    delete c.terminationGracePeriodSeconds
    if (!ref.nodeName) delete c.nodeName
    for (const list of ['containers', 'initContainers']) for (const ctr of c[list] ?? []) delete ctr.image
    return c
  }
  return deepEqual(strip(spec, old), strip(old, old))
}
