import { duplicate, forbidden as forbiddenCause, invalid, required, unsupported, type Cause } from './causes.js'
import { checkDns1123Label, checkEnvVarName, checkPortName } from './names.js'
import { parseQuantity } from './quantity.js'

/** ValidatePodSpec for the fields KECS and kubectl users touch: containers, ports, env, volumes. */
export const PROTOCOLS = ['SCTP', 'TCP', 'UDP']

export function checkPort(field: string, v: unknown): Cause[] {
  if (v === undefined || v === null) return [required(field)]
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 65535) {
    return [invalid(field, v, 'must be between 1 and 65535, inclusive')]
  }
  return []
}

const notFound = (field: string, value: unknown): Cause => ({ field, reason: 'FieldValueNotFound', message: `Not found: ${JSON.stringify(value)}` })

function checkContainers(field: string, list: unknown, requireNonEmpty: boolean, volumes: Set<string>): Cause[] {
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
    out.push(...checkContainerPorts(`${f}.ports`, c.ports))
    out.push(...checkResources(`${f}.resources`, c.resources))
    ;(Array.isArray(c.env) ? c.env : []).forEach((e: any, j: number) => {
      if (!e?.name) out.push(required(`${f}.env[${j}].name`))
      else out.push(...checkEnvVarName(`${f}.env[${j}].name`, String(e.name)))
    })
    const mountPaths = new Set<string>()
    ;(Array.isArray(c.volumeMounts) ? c.volumeMounts : []).forEach((m: any, j: number) => {
      const mf = `${f}.volumeMounts[${j}]`
      if (!m?.name) out.push(required(`${mf}.name`))
      else if (!volumes.has(m.name)) out.push(notFound(`${mf}.name`, m.name))
      if (!m?.mountPath) out.push(required(`${mf}.mountPath`))
      else {
        if (mountPaths.has(m.mountPath)) out.push(invalid(`${mf}.mountPath`, m.mountPath, 'must be unique'))
        mountPaths.add(m.mountPath)
      }
    })
  })
  return out
}

/** Requests may not exceed limits; extended resources (`vendor/name`) must request what they limit. */
function checkResources(field: string, r: any): Cause[] {
  const out: Cause[] = []
  const requests = r?.requests && typeof r.requests === 'object' ? r.requests : {}
  const limits = r?.limits && typeof r.limits === 'object' ? r.limits : {}
  for (const [name, req] of Object.entries(requests)) {
    const lim = limits[name]
    const f = `${field}.requests[${name}]`
    const extended = name.includes('/') && !name.startsWith('kubernetes.io/')
    if (lim === undefined) {
      if (extended) out.push(forbiddenCause(f, 'Limit must be set for non overcommitable resources'))
      continue
    }
    const a = parseQuantity(req)
    const b = parseQuantity(lim)
    if (a === undefined || b === undefined) continue
    if (extended && a !== b) out.push(invalid(f, String(req), `must be equal to ${name} limit of ${lim}`))
    else if (a > b) out.push(invalid(f, String(req), `must be less than or equal to ${name} limit of ${lim}`))
  }
  return out
}

/** Container ports: 1-65535, valid and unique names, known protocols. */
function checkContainerPorts(field: string, ports: unknown): Cause[] {
  const out: Cause[] = []
  const names = new Set<string>()
  ;(Array.isArray(ports) ? ports : []).forEach((p: any, j: number) => {
    const pf = `${field}[${j}]`
    out.push(...checkPort(`${pf}.containerPort`, p?.containerPort))
    if (p?.hostPort !== undefined && p.hostPort !== 0) out.push(...checkPort(`${pf}.hostPort`, p.hostPort))
    if (p?.protocol !== undefined && !PROTOCOLS.includes(p.protocol)) out.push(unsupported(`${pf}.protocol`, p.protocol, PROTOCOLS))
    if (p?.name) {
      out.push(...checkPortName(`${pf}.name`, String(p.name)))
      if (names.has(p.name)) out.push(duplicate(`${pf}.name`, p.name))
      names.add(p.name)
    }
  })
  return out
}

export function checkPodSpec(field: string, spec: any, opts: { restartPolicies?: string[] } = {}): Cause[] {
  if (!spec || typeof spec !== 'object') return [required(field)]
  const out: Cause[] = []
  const volumeNames = new Set<string>()
  ;(Array.isArray(spec.volumes) ? spec.volumes : []).forEach((v: any, i: number) => {
    if (!v?.name) out.push(required(`${field}.volumes[${i}].name`))
    else {
      out.push(...checkDns1123Label(`${field}.volumes[${i}].name`, String(v.name)))
      if (volumeNames.has(v.name)) out.push(duplicate(`${field}.volumes[${i}].name`, v.name))
      volumeNames.add(v.name)
    }
  })
  out.push(...checkContainers(`${field}.containers`, spec.containers, true, volumeNames))
  out.push(...checkContainers(`${field}.initContainers`, spec.initContainers, false, volumeNames))
  const initNames = new Set<string>((Array.isArray(spec.initContainers) ? spec.initContainers : []).map((c: any) => c?.name))
  ;(Array.isArray(spec.containers) ? spec.containers : []).forEach((c: any, i: number) => {
    if (c?.name && initNames.has(c.name)) out.push(duplicate(`${field}.containers[${i}].name`, c.name))
  })
  const policies = opts.restartPolicies ?? ['Always', 'OnFailure', 'Never']
  if (spec.restartPolicy !== undefined && !policies.includes(spec.restartPolicy)) {
    out.push(unsupported(`${field}.restartPolicy`, spec.restartPolicy, policies))
  }
  if (spec.terminationGracePeriodSeconds !== undefined && (typeof spec.terminationGracePeriodSeconds !== 'number' || spec.terminationGracePeriodSeconds < 0)) {
    out.push(invalid(`${field}.terminationGracePeriodSeconds`, spec.terminationGracePeriodSeconds, 'must be greater than or equal to 0'))
  }
  return out
}
