import { KubeStatusError, type KubeObject } from '../types.js'
import { invalidError } from './validation/causes.js'

/**
 * Service cluster IPs (from the service CIDR, 10.96.0.0/12 like kubeadm and Kind) and node ports
 * (30000-32767). Allocation is random with retry, as the API server does; the store rebuilds the used
 * sets from the loaded objects on open.
 */
export const SERVICE_CIDR = '10.96.0.0/12'
const NODE_PORT_MIN = 30000
const NODE_PORT_MAX = 32767

const ipToInt = (ip: string) => ip.split('.').reduce((n, o) => n * 256 + Number(o), 0)
const intToIp = (n: number) => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.')

export class ServiceAllocators {
  private readonly ips = new Set<string>()
  private readonly ports = new Set<number>()
  private readonly base: number
  private readonly count: number

  constructor(cidr = SERVICE_CIDR) {
    const [addr, bits] = cidr.split('/')
    this.base = ipToInt(addr!)
    this.count = 2 ** (32 - Number(bits))
  }

  inRange(ip: string): boolean {
    if (!/^\d+\.\d+\.\d+\.\d+$/.test(ip)) return false
    const n = ipToInt(ip)
    return n > this.base && n < this.base + this.count - 1
  }

  /** Records the IP and node ports of a loaded service. */
  track(svc: KubeObject): void {
    const ip = svc.spec?.clusterIP
    if (ip && ip !== 'None') this.ips.add(ip)
    for (const p of svc.spec?.ports ?? []) if (p.nodePort) this.ports.add(p.nodePort)
  }

  release(svc: KubeObject): void {
    const ip = svc.spec?.clusterIP
    if (ip && ip !== 'None') this.ips.delete(ip)
    for (const p of svc.spec?.ports ?? []) if (p.nodePort) this.ports.delete(p.nodePort)
  }

  /**
   * Fills clusterIP/clusterIPs and node ports of a service being created or updated (`old` keeps what was
   * allocated before). Checks everything before recording anything, so a rejected service leaks nothing.
   */
  allocate(svc: KubeObject, old?: KubeObject): void {
    const spec = svc.spec ?? (svc.spec = {})
    if (spec.type === 'ExternalName') {
      if (old) this.release(old)
      return
    }
    if (old && !spec.clusterIP && old.spec?.clusterIP) spec.clusterIP = old.spec.clusterIP
    if (!spec.clusterIP && Array.isArray(spec.clusterIPs) && spec.clusterIPs[0]) spec.clusterIP = spec.clusterIPs[0]
    if (!spec.clusterIP) spec.clusterIP = this.randomIp()
    else if (spec.clusterIP !== 'None' && spec.clusterIP !== old?.spec?.clusterIP) {
      if (!this.inRange(spec.clusterIP)) {
        throw invalidError('Service', svc.metadata.name, [
          {
            field: 'spec.clusterIPs',
            reason: 'FieldValueInvalid',
            message: `Invalid value: ["${spec.clusterIP}"]: failed to allocate IP ${spec.clusterIP}: the provided IP (${spec.clusterIP}) is not in the valid range. The range of valid IPs is ${SERVICE_CIDR}`,
          },
        ])
      }
      if (this.ips.has(spec.clusterIP)) {
        throw invalidError('Service', svc.metadata.name, [
          {
            field: 'spec.clusterIPs',
            reason: 'FieldValueInvalid',
            message: `Invalid value: ["${spec.clusterIP}"]: failed to allocate IP ${spec.clusterIP}: provided IP is already allocated`,
          },
        ])
      }
    }
    spec.clusterIPs = [spec.clusterIP]

    const wantNodePorts = spec.type === 'NodePort' || spec.type === 'LoadBalancer'
    const oldPorts: any[] = old?.spec?.ports ?? []
    const keep = new Set<number>()
    for (const p of spec.ports ?? []) {
      if (p.nodePort && keep.has(p.nodePort)) {
        throw invalidError('Service', svc.metadata.name, [
          { field: 'spec.ports[1].nodePort', reason: 'FieldValueDuplicate', message: `Duplicate value: ${p.nodePort}` },
        ])
      }
      if (!wantNodePorts) {
        delete p.nodePort
        continue
      }
      if (!p.nodePort) {
        const prev = oldPorts.find((o) => o.port === p.port && (o.protocol ?? 'TCP') === (p.protocol ?? 'TCP'))
        p.nodePort = prev?.nodePort ?? this.randomPort(keep)
      } else if (!oldPorts.some((o) => o.nodePort === p.nodePort) && this.ports.has(p.nodePort)) {
        throw invalidError('Service', svc.metadata.name, [
          {
            field: 'spec.ports[0].nodePort',
            reason: 'FieldValueInvalid',
            message: `Invalid value: ${p.nodePort}: provided port is already allocated`,
          },
        ])
      } else if (p.nodePort < NODE_PORT_MIN || p.nodePort > NODE_PORT_MAX) {
        throw invalidError('Service', svc.metadata.name, [
          {
            field: 'spec.ports[0].nodePort',
            reason: 'FieldValueInvalid',
            message: `Invalid value: ${p.nodePort}: provided port is not in the valid range. The range of valid ports is ${NODE_PORT_MIN}-${NODE_PORT_MAX}`,
          },
        ])
      }
      keep.add(p.nodePort)
    }
    // Everything checked: record the new allocations and release what the old version held.
    if (old) this.release(old)
    this.track(svc)
  }

  private randomIp(): string {
    for (let i = 0; i < 1000; i++) {
      // Skip .1 (the `kubernetes` service) and .10 (cluster DNS), as kubeadm reserves them.
      const ip = intToIp(this.base + 11 + Math.floor(Math.random() * (this.count - 12)))
      if (!this.ips.has(ip)) return ip
    }
    throw new KubeStatusError(500, 'InternalError', 'failed to allocate a cluster IP: the range is full')
  }

  private randomPort(taken: Set<number>): number {
    for (let i = 0; i < 1000; i++) {
      const port = NODE_PORT_MIN + Math.floor(Math.random() * (NODE_PORT_MAX - NODE_PORT_MIN + 1))
      if (!this.ports.has(port) && !taken.has(port)) return port
    }
    throw new KubeStatusError(500, 'InternalError', 'failed to allocate a node port: the range is full')
  }
}
