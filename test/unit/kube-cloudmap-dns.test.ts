import { describe, expect, it } from 'vitest'
import { corefileWithZones, dnsLabel, serviceName, zoneNamespace, zoneObjects } from '../../src/kube/cloudmap-dns.js'

/** Kind's (kubeadm's) default Corefile. */
const KIND_COREFILE = `.:53 {
    errors
    health {
       lameduck 5s
    }
    ready
    kubernetes cluster.local in-addr.arpa ip6.arpa {
       pods insecure
       fallthrough in-addr.arpa ip6.arpa
       ttl 30
    }
    prometheus :9153
    forward . /etc/resolv.conf {
       max_concurrent 1000
    }
    cache 30
    loop
    reload
    loadbalance
}
`

describe('Cloud Map names in the cluster DNS', () => {
  it('names a Kubernetes namespace per Cloud Map namespace, and Services per service when they can be names', () => {
    expect(zoneNamespace('app.local')).toBe('kecs-cm-app-local')
    expect(zoneNamespace('App.Local.')).toMatch(/^kecs-cm-app-local-[0-9a-z]{1,8}$/)
    expect(zoneNamespace(`${'a'.repeat(70)}.local`).length).toBeLessThanOrEqual(63)
    expect(dnsLabel('web')).toBe('web')
    expect(serviceName('web')).toBe('web')
    expect(serviceName('Web')).toBe('web')
    expect(serviceName('_http._tcp')).toBeUndefined()
  })

  it('adds one rewrite per zone to the root server block, replaces it on the next change and removes it when none is left', () => {
    const one = corefileWithZones(KIND_COREFILE, ['app.local'])
    expect(one).toContain('    # kecs cloudmap begin')
    expect(one).toContain('      name regex (.+)\\.app\\.local\\.$ {1}.kecs-cm-app-local.svc.cluster.local.')
    expect(one).toContain('      answer name (.+)\\.kecs-cm-app-local\\.svc\\.cluster\\.local\\.$ {1}.app.local.')
    expect(one.startsWith('.:53 {\n    # kecs cloudmap begin')).toBe(true)
    expect(one).toContain('    kubernetes cluster.local in-addr.arpa ip6.arpa {')
    const two = corefileWithZones(one, ['corp.internal', 'app.local'])
    expect(two.match(/kecs cloudmap begin/g)).toHaveLength(1)
    expect(two.match(/rewrite stop/g)).toHaveLength(2)
    expect(corefileWithZones(two, [])).toBe(KIND_COREFILE)
    expect(corefileWithZones(two, ['app.local'])).toBe(one)
  })

  it('makes a headless Service without selector and Endpoints with the addresses and ports', () => {
    const { namespace, services } = zoneObjects({
      zone: 'app.local',
      services: [
        { name: 'web', addresses: [{ ip: '10.0.0.2', port: 80 }, { ip: '10.0.0.1', port: 80 }] },
        { name: 'idle', addresses: [] },
        { name: '_bad_', addresses: [{ ip: '10.0.0.3' }] },
      ],
    })
    expect(namespace.metadata).toMatchObject({ name: 'kecs-cm-app-local', labels: { 'kecs.dev/managed-by': 'kecs', 'kecs.dev/cloudmap-namespace': 'true' } })
    expect(services.map((s) => s.service.metadata!.name)).toEqual(['web', 'idle'])
    expect(services[0]!.service.spec).toEqual({ clusterIP: 'None', ports: [{ name: 'p80', port: 80, protocol: 'TCP' }] })
    expect(services[0]!.endpoints.subsets).toEqual([{ addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }], ports: [{ name: 'p80', port: 80, protocol: 'TCP' }] }])
    expect(services[1]!.endpoints.subsets).toEqual([])
  })
})
