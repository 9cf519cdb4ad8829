import type { V1ConfigMap, V1Endpoints, V1Namespace, V1Service } from '@kubernetes/client-node'
import { shortHash } from '../lib/hash.js'
import type { KubeClient } from './client.js'
import { statusOf } from './client.js'
import { LABELS, MANAGED_BY_VALUE } from './convert/labels.js'

/**
 * Cloud Map's DNS names in the cluster: `<service>.<namespace>` resolves from every pod, as it does in
 * a VPC. For each Cloud Map DNS namespace KECS keeps one Kubernetes namespace (`kecs-cm-<name>`) with
 * one headless, selector-less Service per Cloud Map service and an Endpoints object listing its
 * instances' addresses (the ones DNS would answer: healthy, else all, as Route 53 fails open). A
 * CoreDNS `rewrite` stanza in the `coredns` ConfigMap (kube-system), kept between KECS's markers,
 * maps `<service>.<namespace>` to `<service>.kecs-cm-<name>.svc.cluster.local` and back. On the
 * emulated cluster there is no CoreDNS: the Services and Endpoints are its DNS view.
 */
export interface DnsZone {
  /** The Cloud Map namespace name (`app.local`). */
  zone: string
  services: { name: string; addresses: { ip: string; port?: number }[] }[]
}

export const CLOUDMAP_LABEL = 'kecs.dev/cloudmap-namespace'
const BEGIN = '# kecs cloudmap begin'
const END = '# kecs cloudmap end'

/**
 * A DNS-1123 label from a name: dots as `-`, other characters lowercased or as `-`; a hash of the name
 * when it had to be changed beyond its dots, or cut to 63.
 */
export function dnsLabel(name: string, prefix = ''): string {
  const clean = (prefix + name.toLowerCase()).replace(/[^a-z0-9-]/g, '-').replace(/^-+|-+$/g, '')
  const changed = clean !== (prefix + name).replace(/\./g, '-')
  if (!changed && clean.length <= 63 && /^[a-z]/.test(clean)) return clean
  const base = clean.slice(0, 63 - 9).replace(/-+$/, '')
  return `${/^[a-z]/.test(base) ? base : `x${base}`}-${shortHash(name).slice(0, 8)}`.slice(0, 63)
}

/** The Kubernetes namespace for a Cloud Map namespace. */
export const zoneNamespace = (zone: string) => dnsLabel(zone.replace(/\.$/, ''), 'kecs-cm-')

/** A Kubernetes Service name for a Cloud Map service name, or undefined when it cannot be one (it then does not resolve). */
export function serviceName(name: string): string | undefined {
  const n = name.toLowerCase()
  return /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/.test(n) ? n : undefined
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** The Corefile with KECS's rewrite stanza for the zones (replacing any earlier one); none when there are no zones. */
export function corefileWithZones(corefile: string, zones: string[], clusterDomain = 'cluster.local'): string {
  const without = corefile.replace(new RegExp(`\\n?[ \\t]*${escape(BEGIN)}[\\s\\S]*?${escape(END)}[^\\n]*`, 'g'), '')
  if (!zones.length) return without
  const lines = [`    ${BEGIN} (written by KECS: Cloud Map namespaces)`]
  for (const zone of [...zones].sort()) {
    const ns = zoneNamespace(zone)
    const z = zone.replace(/\.$/, '')
    lines.push(
      '    rewrite stop {',
      `      name regex (.+)\\.${escape(z)}\\.$ {1}.${ns}.svc.${clusterDomain}.`,
      `      answer name (.+)\\.${escape(ns)}\\.svc\\.${escape(clusterDomain)}\\.$ {1}.${z}.`,
      '    }',
    )
  }
  lines.push(`    ${END}`)
  // Into the root server block, before its first plugin.
  const m = /^(\.:53\s*\{[^\n]*\n)/m.exec(without)
  if (!m) return without
  return without.slice(0, m.index + m[1]!.length) + lines.join('\n') + '\n' + without.slice(m.index + m[1]!.length)
}

/** The objects one zone needs. */
export function zoneObjects(z: DnsZone): { namespace: V1Namespace; services: { service: V1Service; endpoints: V1Endpoints }[] } {
  const ns = zoneNamespace(z.zone)
  const labels = { [LABELS.managedBy]: MANAGED_BY_VALUE, [CLOUDMAP_LABEL]: 'true' }
  const services: { service: V1Service; endpoints: V1Endpoints }[] = []
  for (const s of z.services) {
    const name = serviceName(s.name)
    if (!name) continue
    const ports = [...new Set(s.addresses.map((a) => a.port).filter((p): p is number => p !== undefined))].sort((a, b) => a - b)
    const svcPorts = ports.length ? ports.map((p) => ({ name: `p${p}`, port: p, protocol: 'TCP' })) : [{ name: 'none', port: 1, protocol: 'TCP' }]
    const annotations = { 'kecs.dev/cloudmap-service': s.name, 'kecs.dev/cloudmap-namespace-name': z.zone }
    services.push({
      service: {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name, namespace: ns, labels, annotations },
        spec: { clusterIP: 'None', ports: svcPorts },
      },
      endpoints: {
        apiVersion: 'v1',
        kind: 'Endpoints',
        metadata: { name, namespace: ns, labels, annotations },
        subsets: s.addresses.length
          ? [{ addresses: [...new Set(s.addresses.map((a) => a.ip))].sort().map((ip) => ({ ip })), ports: svcPorts }]
          : [],
      },
    })
  }
  return { namespace: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels } }, services }
}

/** Keeps the cluster's DNS view in line with Cloud Map: level-triggered, one pass at a time, changes coalesced. */
export class CloudMapDns {
  private dirty = false
  private running: Promise<void> | undefined
  private stopped = false

  constructor(
    private readonly client: KubeClient,
    private readonly zones: () => DnsZone[],
    private readonly log: (line: string) => void = () => {},
  ) {}

  /** Something in Cloud Map changed: sync soon (a pass in progress is followed by one more). */
  changed(): Promise<void> {
    this.dirty = true
    this.running ??= this.loop().finally(() => (this.running = undefined))
    return this.running
  }

  stop(): void {
    this.stopped = true
  }

  private async loop() {
    while (this.dirty && !this.stopped) {
      this.dirty = false
      try {
        await this.sync()
      } catch (e) {
        this.log(`Cloud Map DNS: ${(e as Error).message}`)
      }
    }
  }

  /** One pass: namespaces, Services and Endpoints as the zones want them, the rest of KECS's removed, CoreDNS told. */
  async sync(): Promise<void> {
    const zones = this.zones()
    const core = this.client.core
    const wanted = new Set<string>()
    for (const z of zones) {
      const objs = zoneObjects(z)
      const ns = objs.namespace.metadata!.name!
      wanted.add(ns)
      await this.client.ensureNamespace(objs.namespace)
      const keep = new Set<string>()
      for (const { service, endpoints } of objs.services) {
        keep.add(service.metadata!.name!)
        await put(
          () => core.createNamespacedService({ namespace: ns, body: service }),
          async () => {
            const cur = await core.readNamespacedService({ namespace: ns, name: service.metadata!.name! })
            // clusterIP is immutable; ports may change.
            await core.replaceNamespacedService({ namespace: ns, name: service.metadata!.name!, body: { ...service, metadata: { ...service.metadata, resourceVersion: cur.metadata?.resourceVersion } } })
          },
        )
        await put(
          () => core.createNamespacedEndpoints({ namespace: ns, body: endpoints }),
          async () => {
            const cur = await core.readNamespacedEndpoints({ namespace: ns, name: endpoints.metadata!.name! })
            if (JSON.stringify(cur.subsets ?? []) === JSON.stringify(endpoints.subsets ?? [])) return
            await core.replaceNamespacedEndpoints({ namespace: ns, name: endpoints.metadata!.name!, body: { ...endpoints, metadata: { ...endpoints.metadata, resourceVersion: cur.metadata?.resourceVersion } } })
          },
        )
      }
      for (const s of (await core.listNamespacedService({ namespace: ns, labelSelector: `${CLOUDMAP_LABEL}=true` })).items) {
        if (!keep.has(s.metadata!.name!)) await core.deleteNamespacedService({ namespace: ns, name: s.metadata!.name! }).catch(ignore404)
        if (!keep.has(s.metadata!.name!)) await core.deleteNamespacedEndpoints({ namespace: ns, name: s.metadata!.name! }).catch(ignore404)
      }
    }
    for (const name of await this.client.listNamespaceNames(`${CLOUDMAP_LABEL}=true`)) if (!wanted.has(name)) await this.client.deleteNamespace(name)
    await this.corefile(zones.map((z) => z.zone))
  }

  /** The coredns ConfigMap, where the cluster has one (Kind, most clusters; not the emulator). */
  private async corefile(zones: string[]) {
    let cm: V1ConfigMap
    try {
      cm = await this.client.core.readNamespacedConfigMap({ namespace: 'kube-system', name: 'coredns' })
    } catch (e) {
      if (statusOf(e) === 404) return
      throw e
    }
    const before = cm.data?.Corefile
    if (before === undefined) return
    const after = corefileWithZones(before, zones)
    if (after === before) return
    await this.client.core.replaceNamespacedConfigMap({ namespace: 'kube-system', name: 'coredns', body: { ...cm, data: { ...cm.data, Corefile: after } } })
    this.log(`Cloud Map DNS: CoreDNS now resolves ${zones.length ? zones.map((z) => `*.${z}`).join(', ') : 'no Cloud Map namespace'}`)
  }
}

async function put(create: () => Promise<unknown>, replace: () => Promise<unknown>) {
  try {
    await create()
  } catch (e) {
    if (statusOf(e) !== 409) throw e
    await replace()
  }
}

const ignore404 = (e: unknown) => {
  if (statusOf(e) !== 404) throw e
}
