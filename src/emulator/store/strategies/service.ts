import type { KubeObject } from '../../types.js'
import { strategy } from '../strategy.js'
import { duplicate, invalid, required, unsupported, type Cause } from '../validation/causes.js'
import { checkDns1035Label, checkDns1123Label, checkLabels, checkMetadata, checkPortName } from '../validation/names.js'
import { checkPort, PROTOCOLS } from '../validation/pod-spec.js'

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
      out.push(...checkDns1123Label(`${f}.name`, String(p.name)))
      if (names.has(p.name)) out.push(duplicate(`${f}.name`, p.name))
      names.add(p.name)
    }
    if (p?.protocol !== undefined && !PROTOCOLS.includes(p.protocol)) out.push(unsupported(`${f}.protocol`, p.protocol, PROTOCOLS))
    if (typeof p?.targetPort === 'number') out.push(...checkPort(`${f}.targetPort`, p.targetPort))
    else if (typeof p?.targetPort === 'string') out.push(...checkPortName(`${f}.targetPort`, p.targetPort))
  })
  out.push(...checkLabels('spec.selector', spec.selector))
  return out
}

export const serviceStrategy = strategy('Service', {
  nameRule: checkDns1035Label,
  defaults(obj) {
    const spec = (obj.spec ??= {})
    spec.type ??= 'ClusterIP'
    spec.sessionAffinity ??= 'None'
    if (spec.type !== 'ExternalName') {
      spec.internalTrafficPolicy ??= 'Cluster'
      spec.ipFamilies ??= ['IPv4']
      spec.ipFamilyPolicy ??= 'SingleStack'
    }
    if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') spec.externalTrafficPolicy ??= 'Cluster'
    for (const p of spec.ports ?? []) {
      p.protocol ??= 'TCP'
      p.targetPort ??= p.port
    }
    obj.status ??= { loadBalancer: {} }
  },
  // Omitted allocations are kept, as the API server carries them over from the old object.
  prepareForUpdate(obj, old) {
    if (!obj.spec?.clusterIP && old.spec?.clusterIP) obj.spec.clusterIP = old.spec.clusterIP
  },
  validate(obj) {
    return [...checkMetadata(obj, this.nameRule), ...checkService(obj)]
  },
  validateUpdate(obj, old) {
    if (old.spec?.clusterIP && obj.spec?.clusterIP !== old.spec.clusterIP && old.spec.type !== 'ExternalName' && obj.spec?.type !== 'ExternalName') {
      return [invalid('spec.clusterIPs[0]', obj.spec?.clusterIP ?? '', 'may not change once set')]
    }
    return []
  },
  allocate(ctx, obj, old) {
    ctx.allocators.allocate(obj, old)
  },
  track(ctx, obj) {
    ctx.allocators.track(obj)
  },
  release(ctx, obj) {
    ctx.allocators.release(obj)
  },
})
