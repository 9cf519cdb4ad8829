import type { KubeObject, WatchEvent } from '../types.js'
import type { Controller, ControllerContext } from './context.js'
import { mapSelectorMatches } from './label-selector.js'
import { deepEqual, keyOf, objKey, patchObject, splitKey, statusCode } from './objects.js'
import { isPodReady, isTerminal } from './pods.js'
import { WorkQueue } from '../../lib/work-queue.js'

interface EndpointPort {
  name?: string
  port: number
  protocol: string
  appProtocol?: string
}

/** A service port's targetPort on one pod: a number, or a named container port (undefined when the pod has none). */
export function resolveTargetPort(sp: any, pod: KubeObject): number | undefined {
  const target = sp.targetPort ?? sp.port
  if (typeof target === 'number') return target
  if (/^\d+$/.test(String(target))) return Number(target)
  const protocol = sp.protocol ?? 'TCP'
  for (const c of pod.spec?.containers ?? [])
    for (const p of c.ports ?? []) if (p.name === target && (p.protocol ?? 'TCP') === protocol) return p.containerPort
  return undefined
}

/**
 * The Endpoints of a selector Service: ready pods' IPs in addresses, the others in
 * notReadyAddresses, grouped into subsets by the ports they resolve to.
 */
export function endpointSubsets(svc: KubeObject, pods: KubeObject[]): any[] {
  const publishNotReady = !!svc.spec?.publishNotReadyAddresses
  const servicePorts: any[] = svc.spec?.ports ?? []
  const groups = new Map<string, { ports: EndpointPort[]; addresses: any[]; notReadyAddresses: any[] }>()
  for (const pod of pods) {
    const ip = pod.status?.podIP
    if (!ip || isTerminal(pod)) continue
    if (pod.metadata.deletionTimestamp && !publishNotReady) continue
    const ports: EndpointPort[] = []
    for (const sp of servicePorts) {
      const port = resolveTargetPort(sp, pod)
      if (port === undefined) continue
      ports.push({ ...(sp.name ? { name: sp.name } : {}), port, protocol: sp.protocol ?? 'TCP', ...(sp.appProtocol ? { appProtocol: sp.appProtocol } : {}) })
    }
    if (servicePorts.length > 0 && ports.length === 0) continue
    ports.sort((a, b) => (a.name ?? '').localeCompare(b.name ?? '') || a.port - b.port)
    const address: any = {
      ip,
      ...(pod.spec?.hostname && pod.spec?.subdomain === svc.metadata.name ? { hostname: pod.spec.hostname } : {}),
      ...(pod.spec?.nodeName ? { nodeName: pod.spec.nodeName } : {}),
      targetRef: { kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid },
    }
    const key = JSON.stringify(ports)
    let g = groups.get(key)
    if (!g) groups.set(key, (g = { ports, addresses: [], notReadyAddresses: [] }))
    ;(publishNotReady || isPodReady(pod) ? g.addresses : g.notReadyAddresses).push(address)
  }
  const byIp = (a: any, b: any) => ipNum(a.ip) - ipNum(b.ip)
  return [...groups.values()]
    .map((g) => ({
      ...(g.addresses.length ? { addresses: g.addresses.sort(byIp) } : {}),
      ...(g.notReadyAddresses.length ? { notReadyAddresses: g.notReadyAddresses.sort(byIp) } : {}),
      ...(g.ports.length ? { ports: g.ports } : {}),
    }))
    .sort((a, b) => JSON.stringify(a.ports ?? []).localeCompare(JSON.stringify(b.ports ?? [])))
}

const ipNum = (ip: string) => ip.split('.').reduce((n, o) => n * 256 + (Number(o) || 0), 0)

/** Keeps one Endpoints object per Service with a selector (name = the service's). */
export class EndpointsController implements Controller {
  private readonly queue: WorkQueue

  constructor(private readonly ctx: ControllerContext) {
    this.queue = new WorkQueue('endpoints', (k) => this.sync(k), ctx.timers, ctx.onError)
  }

  get idle() {
    return this.queue.idle
  }

  start(): void {
    for (const svc of this.ctx.store.list('services').items) this.queue.add(keyOf(svc))
  }

  stop(): Promise<void> {
    return this.queue.stop()
  }

  handle(resource: string, e: WatchEvent): void {
    if (resource === 'services') this.queue.add(keyOf(e.object))
    else if (resource === 'endpoints') {
      // someone else changed or deleted an Endpoints this controller keeps: put it back
      const o = e.object
      if (this.ctx.store.get('services', o.metadata.namespace, o.metadata.name!)) this.queue.add(keyOf(o))
    }
    else if (resource === 'pods') {
      const ns = e.object.metadata.namespace
      const labels = [e.object.metadata.labels, e.oldObject?.metadata.labels]
      for (const svc of this.ctx.store.list('services', { namespace: ns }).items)
        if (labels.some((l) => mapSelectorMatches(svc.spec?.selector, l))) this.queue.add(objKey(ns, svc.metadata.name!))
    }
  }

  private async sync(key: string): Promise<void> {
    const [ns, name] = splitKey(key)
    const { store } = this.ctx
    const svc = store.get('services', ns, name)
    const ep = store.get('endpoints', ns, name)
    if (!svc) {
      // the service is gone: so are its endpoints (as the endpoints controller does)
      if (ep) {
        try {
          await store.delete('endpoints', ns, name)
        } catch (err) {
          if (statusCode(err) !== 404) throw err
        }
      }
      return
    }
    const selector: Record<string, string> | undefined = svc.spec?.selector
    if (!selector || Object.keys(selector).length === 0 || svc.spec?.type === 'ExternalName') return
    const pods = store.list('pods', { namespace: ns }).items.filter((p) => mapSelectorMatches(selector, p.metadata.labels))
    const subsets = endpointSubsets(svc, pods)
    const labels: Record<string, string> = {
      ...(svc.metadata.labels ?? {}),
      ...(svc.spec?.clusterIP === 'None' ? { 'service.kubernetes.io/headless': '' } : {}),
    }
    if (!ep) {
      try {
        await store.create('endpoints', {
          apiVersion: 'v1',
          kind: 'Endpoints',
          metadata: { name, namespace: ns, labels },
          ...(subsets.length ? { subsets } : {}),
        })
      } catch (err) {
        if (statusCode(err) === 409) this.queue.add(key)
        else if (statusCode(err) !== 404 && statusCode(err) !== 403) throw err
      }
      return
    }
    if (deepEqual(ep.subsets ?? [], subsets) && deepEqual(ep.metadata.labels ?? {}, labels)) return
    await patchObject(store, 'endpoints', ns, name, (o) => {
      o.metadata.labels = labels
      if (subsets.length) o.subsets = subsets
      else delete o.subsets
    })
  }
}
