import { labelSelectorToString } from '../selectors.js'
import type { KubeObject } from '../types.js'

/**
 * Server-side printing: `kubectl get` asks for `as=Table` and prints the columns we send (docs/architecture.md#what-kubectl-and-client-node-need).
 * Columns and cell formats follow the API server's printers for the types KECS users look at.
 */
export interface Column {
  name: string
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date'
  format?: string
  description?: string
  priority?: number
}

interface Printer {
  columns: Column[]
  cells(obj: KubeObject, now: number): unknown[]
}

const col = (name: string, type: Column['type'] = 'string', priority = 0, format = ''): Column => ({
  name,
  type,
  format,
  description: '',
  priority,
})
const NAME = col('Name', 'string', 0, 'name')
const AGE = col('Age')

/** kubectl's duration.HumanDuration ("45s", "2m30s", "3h", "5d"). */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000)
  if (seconds < -1) return '<invalid>'
  if (seconds < 0) return '0s'
  if (seconds < 120) return `${seconds}s`
  const minutes = Math.floor(seconds / 60)
  if (minutes < 10) {
    const s = seconds % 60
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`
  }
  if (minutes < 180) return `${minutes}m`
  const hours = Math.floor(minutes / 60)
  if (hours < 8) {
    const m = minutes % 60
    return m === 0 ? `${hours}h` : `${hours}h${m}m`
  }
  if (hours < 48) return `${hours}h`
  if (hours < 24 * 8) {
    const h = hours % 24
    return h === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${h}h`
  }
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`
  if (hours < 24 * 365 * 8) {
    const years = Math.floor(hours / 24 / 365)
    const d = Math.floor(hours / 24) % 365
    return d === 0 ? `${years}y` : `${years}y${d}d`
  }
  return `${Math.floor(hours / 24 / 365)}y`
}

export function since(ts: string | undefined, now: number): string {
  if (!ts) return '<unknown>'
  const t = Date.parse(ts)
  return Number.isNaN(t) ? '<unknown>' : humanDuration(now - t)
}

const age = (obj: KubeObject, now: number) => since(obj.metadata.creationTimestamp, now)

function containersImages(spec: any): [string, string] {
  const cs: any[] = spec?.containers ?? []
  return [cs.map((c) => c.name).join(','), cs.map((c) => c.image).join(',')]
}

/** The STATUS column of `kubectl get pods`, as kubectl's printPod derives it. */
export function podStatusReason(pod: KubeObject): string {
  const st = pod.status ?? {}
  let reason: string = st.reason || st.phase || 'Unknown'
  let initializing = false
  const inits: any[] = st.initContainerStatuses ?? []
  const initSpecs: any[] = pod.spec?.initContainers ?? []
  for (let i = 0; i < inits.length; i++) {
    const c = inits[i]
    const sidecar = initSpecs.find((s) => s.name === c.name)?.restartPolicy === 'Always'
    if (c.state?.terminated?.exitCode === 0) continue
    if (sidecar && c.started) continue
    if (c.state?.terminated) {
      const t = c.state.terminated
      reason = t.reason ? `Init:${t.reason}` : t.signal ? `Init:Signal:${t.signal}` : `Init:ExitCode:${t.exitCode}`
    } else if (c.state?.waiting?.reason && c.state.waiting.reason !== 'PodInitializing') {
      reason = `Init:${c.state.waiting.reason}`
    } else {
      reason = `Init:${i}/${initSpecs.length || inits.length}`
    }
    initializing = true
    break
  }
  if (!initializing) {
    let hasRunning = false
    const cs: any[] = st.containerStatuses ?? []
    for (let i = cs.length - 1; i >= 0; i--) {
      const c = cs[i]
      if (c.state?.waiting?.reason) reason = c.state.waiting.reason
      else if (c.state?.terminated?.reason) reason = c.state.terminated.reason
      else if (c.state?.terminated) reason = c.state.terminated.signal ? `Signal:${c.state.terminated.signal}` : `ExitCode:${c.state.terminated.exitCode}`
      else if (c.ready && c.state?.running) hasRunning = true
    }
    if (reason === 'Completed' && hasRunning) {
      const ready = (st.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True')
      reason = ready ? 'Running' : 'NotReady'
    }
  }
  if (pod.metadata.deletionTimestamp) reason = st.reason === 'NodeLost' ? 'Unknown' : 'Terminating'
  return reason
}

function podRestarts(pod: KubeObject, now: number): string {
  let restarts = 0
  let last: number | undefined
  for (const c of [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]) {
    restarts += c.restartCount ?? 0
    const finished = c.lastState?.terminated?.finishedAt
    if (finished) {
      const t = Date.parse(finished)
      if (!Number.isNaN(t) && (last === undefined || t > last)) last = t
    }
  }
  return restarts > 0 && last !== undefined ? `${restarts} (${humanDuration(now - last)} ago)` : String(restarts)
}

function servicePorts(svc: KubeObject): string {
  const ports: any[] = svc.spec?.ports ?? []
  if (ports.length === 0) return '<none>'
  return ports.map((p) => (p.nodePort ? `${p.port}:${p.nodePort}/${p.protocol ?? 'TCP'}` : `${p.port}/${p.protocol ?? 'TCP'}`)).join(',')
}

function externalIp(svc: KubeObject): string {
  const spec = svc.spec ?? {}
  const external: string[] = spec.externalIPs ?? []
  switch (spec.type) {
    case 'ExternalName':
      return spec.externalName ?? '<none>'
    case 'LoadBalancer': {
      const ingress: string[] = (svc.status?.loadBalancer?.ingress ?? []).map((i: any) => i.ip || i.hostname).filter(Boolean)
      const all = [...ingress, ...external]
      return all.length ? all.join(',') : '<pending>'
    }
    default:
      return external.length ? external.join(',') : '<none>'
  }
}

function nodeStatus(node: KubeObject): string {
  const ready = (node.status?.conditions ?? []).find((c: any) => c.type === 'Ready')
  let s = ready ? (ready.status === 'True' ? 'Ready' : 'NotReady') : 'Unknown'
  if (node.spec?.unschedulable) s += ',SchedulingDisabled'
  return s
}

function nodeRoles(node: KubeObject): string {
  const roles = Object.keys(node.metadata.labels ?? {})
    .filter((k) => k.startsWith('node-role.kubernetes.io/'))
    .map((k) => k.slice('node-role.kubernetes.io/'.length))
    .filter(Boolean)
  return roles.length ? roles.sort().join(',') : '<none>'
}

function nodeAddress(node: KubeObject, type: string): string {
  return (node.status?.addresses ?? []).find((a: any) => a.type === type)?.address ?? '<none>'
}

function endpointsList(ep: KubeObject): string {
  const all: string[] = []
  for (const s of ep.subsets ?? []) {
    const ports: any[] = s.ports?.length ? s.ports : [{}]
    for (const a of s.addresses ?? []) for (const p of ports) all.push(p.port ? `${a.ip}:${p.port}` : a.ip)
  }
  if (all.length === 0) return '<none>'
  return all.length > 3 ? `${all.slice(0, 3).join(',')} + ${all.length - 3} more...` : all.join(',')
}

function selectorOf(spec: any): string {
  const s = labelSelectorToString(spec?.selector)
  return s || '<none>'
}

const nodeSelector = (spec: any) => {
  const ns = spec?.template?.spec?.nodeSelector ?? {}
  const s = Object.entries(ns)
    .map(([k, v]) => `${k}=${v}`)
    .join(',')
  return s || '<none>'
}

const PRINTERS: Record<string, Printer> = {
  Pod: {
    columns: [NAME, col('Ready'), col('Status'), col('Restarts'), AGE, col('IP', 'string', 1), col('Node', 'string', 1), col('Nominated Node', 'string', 1), col('Readiness Gates', 'string', 1)],
    cells: (p, now) => {
      const cs: any[] = p.status?.containerStatuses ?? []
      const total = p.spec?.containers?.length ?? cs.length
      const ready = cs.filter((c) => c.ready).length
      const gates: any[] = p.spec?.readinessGates ?? []
      const gateCells = gates.length
        ? `${gates.filter((g) => (p.status?.conditions ?? []).some((c: any) => c.type === g.conditionType && c.status === 'True')).length}/${gates.length}`
        : '<none>'
      return [p.metadata.name, `${ready}/${total}`, podStatusReason(p), podRestarts(p, now), age(p, now), p.status?.podIP || '<none>', p.spec?.nodeName || '<none>', p.status?.nominatedNodeName || '<none>', gateCells]
    },
  },
  Deployment: {
    columns: [NAME, col('Ready'), col('Up-to-date', 'integer'), col('Available', 'integer'), AGE, col('Containers', 'string', 1), col('Images', 'string', 1), col('Selector', 'string', 1)],
    cells: (d, now) => [
      d.metadata.name,
      `${d.status?.readyReplicas ?? 0}/${d.spec?.replicas ?? 0}`,
      d.status?.updatedReplicas ?? 0,
      d.status?.availableReplicas ?? 0,
      age(d, now),
      ...containersImages(d.spec?.template?.spec),
      selectorOf(d.spec),
    ],
  },
  ReplicaSet: {
    columns: [NAME, col('Desired', 'integer'), col('Current', 'integer'), col('Ready', 'integer'), AGE, col('Containers', 'string', 1), col('Images', 'string', 1), col('Selector', 'string', 1)],
    cells: (r, now) => [r.metadata.name, r.spec?.replicas ?? 0, r.status?.replicas ?? 0, r.status?.readyReplicas ?? 0, age(r, now), ...containersImages(r.spec?.template?.spec), selectorOf(r.spec)],
  },
  DaemonSet: {
    columns: [
      NAME,
      col('Desired', 'integer'),
      col('Current', 'integer'),
      col('Ready', 'integer'),
      col('Up-to-date', 'integer'),
      col('Available', 'integer'),
      col('Node Selector'),
      AGE,
      col('Containers', 'string', 1),
      col('Images', 'string', 1),
      col('Selector', 'string', 1),
    ],
    cells: (d, now) => [
      d.metadata.name,
      d.status?.desiredNumberScheduled ?? 0,
      d.status?.currentNumberScheduled ?? 0,
      d.status?.numberReady ?? 0,
      d.status?.updatedNumberScheduled ?? 0,
      d.status?.numberAvailable ?? 0,
      nodeSelector(d.spec),
      age(d, now),
      ...containersImages(d.spec?.template?.spec),
      selectorOf(d.spec),
    ],
  },
  Service: {
    columns: [NAME, col('Type'), col('Cluster-IP'), col('External-IP'), col('Port(s)'), AGE, col('Selector', 'string', 1)],
    cells: (s, now) => {
      const sel = Object.entries(s.spec?.selector ?? {})
        .map(([k, v]) => `${k}=${v}`)
        .join(',')
      return [s.metadata.name, s.spec?.type ?? 'ClusterIP', s.spec?.clusterIP || '<none>', externalIp(s), servicePorts(s), age(s, now), sel || '<none>']
    },
  },
  Endpoints: {
    columns: [NAME, col('Endpoints'), AGE],
    cells: (e, now) => [e.metadata.name, endpointsList(e), age(e, now)],
  },
  Node: {
    columns: [
      NAME,
      col('Status'),
      col('Roles'),
      AGE,
      col('Version'),
      col('Internal-IP', 'string', 1),
      col('External-IP', 'string', 1),
      col('OS-Image', 'string', 1),
      col('Kernel-Version', 'string', 1),
      col('Container-Runtime', 'string', 1),
    ],
    cells: (n, now) => {
      const info = n.status?.nodeInfo ?? {}
      return [
        n.metadata.name,
        nodeStatus(n),
        nodeRoles(n),
        age(n, now),
        info.kubeletVersion ?? '',
        nodeAddress(n, 'InternalIP'),
        nodeAddress(n, 'ExternalIP'),
        info.osImage ?? '<unknown>',
        info.kernelVersion ?? '<unknown>',
        info.containerRuntimeVersion ?? '<unknown>',
      ]
    },
  },
  Namespace: {
    columns: [NAME, col('Status'), AGE],
    cells: (n, now) => [n.metadata.name, n.status?.phase ?? 'Active', age(n, now)],
  },
  Event: {
    columns: [
      col('Last Seen'),
      col('Type'),
      col('Reason'),
      col('Object'),
      col('Subobject', 'string', 1),
      col('Source', 'string', 1),
      col('Message'),
      col('First Seen', 'string', 1),
      col('Count', 'integer', 1),
      { ...NAME, priority: 1 },
    ],
    cells: (e, now) => {
      const io = e.involvedObject ?? {}
      const last = e.series?.lastObservedTime ?? e.lastTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp
      const first = e.firstTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp
      const source = [e.source?.component ?? e.reportingComponent, e.source?.host].filter(Boolean).join(', ')
      return [
        since(last, now),
        e.type ?? '',
        e.reason ?? '',
        `${String(io.kind ?? '').toLowerCase()}/${io.name ?? ''}`,
        io.fieldPath ?? '',
        source,
        String(e.message ?? '').trim(),
        since(first, now),
        e.count ?? 1,
        e.metadata.name,
      ]
    },
  },
  ConfigMap: {
    columns: [NAME, col('Data', 'integer'), AGE],
    cells: (c, now) => [c.metadata.name, Object.keys(c.data ?? {}).length + Object.keys(c.binaryData ?? {}).length, age(c, now)],
  },
  Secret: {
    columns: [NAME, col('Type'), col('Data', 'integer'), AGE],
    cells: (s, now) => [s.metadata.name, s.type ?? 'Opaque', Object.keys(s.data ?? {}).length, age(s, now)],
  },
  ServiceAccount: {
    columns: [NAME, col('Secrets', 'integer'), AGE],
    cells: (s, now) => [s.metadata.name, (s.secrets ?? []).length, age(s, now)],
  },
}

const DEFAULT_PRINTER: Printer = {
  columns: [NAME, AGE],
  cells: (o, now) => [o.metadata.name, age(o, now)],
}

export type IncludeObject = 'None' | 'Metadata' | 'Object'

function rowObject(obj: KubeObject, include: IncludeObject) {
  if (include === 'None') return undefined
  if (include === 'Object') return obj
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata }
}

/** A meta.k8s.io/v1 Table for one kind. */
export function toTable(
  kind: string,
  objects: KubeObject[],
  opts: { now: number; resourceVersion?: string; continue?: string; includeObject?: IncludeObject; noHeaders?: boolean },
) {
  const printer = PRINTERS[kind] ?? DEFAULT_PRINTER
  const include = opts.includeObject ?? 'Metadata'
  const metadata: Record<string, string> = {}
  if (opts.resourceVersion) metadata.resourceVersion = opts.resourceVersion
  if (opts.continue) metadata.continue = opts.continue
  const table: Record<string, unknown> = {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata,
    columnDefinitions: opts.noHeaders ? [] : printer.columns,
    rows: objects.map((o) => {
      const row: Record<string, unknown> = { cells: printer.cells(o, opts.now) }
      const ro = rowObject(o, include)
      if (ro) row.object = ro
      return row
    }),
  }
  return table
}

/** True when the Accept header asks for a meta.k8s.io Table (kubectl get's default). */
export function wantsTable(accept: string | undefined): boolean {
  if (!accept) return false
  return accept.split(',').some((part) => {
    const params = part.split(';').map((s) => s.trim())
    return params.includes('as=Table') && params.some((p) => p === 'g=meta.k8s.io')
  })
}
