import { describe, expect, it } from 'vitest'
import { strategyFor } from '../../src/emulator/store/strategies/index.js'
import { admitForCreate, kubeObjectsIn } from '../../src/emulator/store/validation/admission.js'
import { fieldPath, schemaErrors } from '../../src/emulator/store/validation/schema.js'
import { KubeStatusError, type KubeObject } from '../../src/emulator/types.js'

/** The emulator's admission of objects: decoding, the upstream schema and the API server's rules. */
const pod = (spec: Record<string, unknown> = {}, meta: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web', namespace: 'default', ...meta },
  spec: { containers: [{ name: 'app', image: 'nginx:1.27', ports: [{ containerPort: 80, name: 'http' }] }], ...spec },
})

const deployment = (): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default' },
  spec: {
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'nginx' }] } },
  },
})

const service = (spec: Record<string, unknown> = {}, name = 'web'): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: 'default' },
  spec: { selector: { app: 'web' }, ports: [{ port: 80 }], ...spec },
})

function refusal(obj: KubeObject): KubeStatusError {
  try {
    admitForCreate(obj)
  } catch (e) {
    expect(e).toBeInstanceOf(KubeStatusError)
    return e as KubeStatusError
  }
  throw new Error('expected the object to be refused')
}

/** The causes of a 422, as [field, message] pairs. */
function causes(obj: KubeObject): [string, string][] {
  const e = refusal(obj)
  expect(e.code).toBe(422)
  expect(e.reason).toBe('Invalid')
  return (e.details?.causes ?? []).map((c) => [c.field, c.message])
}

describe('admission: valid objects pass', () => {
  it('admits the objects KECS sends', () => {
    expect(admitForCreate(pod()).spec.containers[0].ports[0].protocol).toBe('TCP')
    admitForCreate(deployment())
    admitForCreate({ ...deployment(), kind: 'DaemonSet' })
    admitForCreate(service())
    admitForCreate({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kecs-default' } })
    admitForCreate({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db.password', namespace: 'x' }, data: { v: 'c2VjcmV0' } })
    admitForCreate({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'x' }, data: { a: 'b' } })
  })

  it('finds the objects inside a converter output', () => {
    const found = kubeObjectsIn({ pod: pod(), secrets: [{ apiVersion: 'v1', kind: 'Secret', metadata: {} }], ignored: [{ field: 'x' }] })
    expect(found.map((f) => [f.path, f.object.kind])).toEqual([
      ['$.pod', 'Pod'],
      ['$.secrets[0]', 'Secret'],
    ])
  })
})

describe('admission: the upstream schema', () => {
  it('maps schema paths to the API server field paths', () => {
    expect(fieldPath('/spec/containers/0/ports/1/name')).toBe('spec.containers[0].ports[1].name')
    expect(fieldPath('/metadata/labels/a~1b')).toBe('metadata.labels.a/b')
    expect(schemaErrors(pod())).toEqual([])
  })

  it('answers 400 BadRequest for a field of the wrong type, as the decoder does', () => {
    const e = refusal(pod({ containers: [{ name: 'app', image: 'nginx', ports: [{ containerPort: '80' }] }] }))
    expect(e.code).toBe(400)
    expect(e.reason).toBe('BadRequest')
    expect(e.message).toBe(
      'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal string into Go struct field spec.containers.ports.containerPort of type int',
    )
    expect(e.details?.causes?.[0]).toMatchObject({ field: 'spec.containers[0].ports[0].containerPort', reason: 'FieldValueTypeInvalid' })
  })

  it('refuses malformed quantities and base64 data with 400', () => {
    const q = refusal(pod({ containers: [{ name: 'app', image: 'nginx', resources: { limits: { cpu: '1x' } } }] }))
    expect(q.code).toBe(400)
    expect(q.message).toContain('quantities must match the regular expression')
    expect(q.details?.causes?.[0]?.field).toBe('spec.containers[0].resources.limits.cpu')
    const b = refusal({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'x' }, data: { v: 'not base64!' } })
    expect(b.code).toBe(400)
    expect(b.details?.causes?.[0]?.field).toBe('data.v')
  })

  it('names required members and values outside an enum (422)', () => {
    expect(causes(pod({ containers: [{ image: 'nginx', ports: [{ containerPort: 80, protocol: 'tcp' }] }] }))).toEqual([
      ['spec.containers[0].name', 'Required value'],
      ['spec.containers[0].ports[0].protocol', 'Unsupported value: "tcp": supported values: "SCTP", "TCP", "UDP"'],
    ])
    expect(causes(service({ type: 'Internal' }))).toContainEqual([
      'spec.type',
      'Unsupported value: "Internal": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
    ])
    const ev = { apiVersion: 'v1', kind: 'Event', metadata: { name: 'e', namespace: 'default' } }
    expect(causes(ev)).toEqual([['involvedObject', 'Required value']])
  })
})

describe('admission: the API server rules the schema does not carry', () => {
  it('names: DNS-1123 subdomains for most objects, labels for namespaces, DNS-1035 for services', () => {
    expect(causes(pod({}, { name: 'Foo' }))).toEqual([
      [
        'metadata.name',
        `Invalid value: "Foo": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
      ],
    ])
    expect(admitForCreate(pod({}, { name: 'web.v2' })).metadata.name).toBe('web.v2')
    const ns = causes({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kecs.default' } })
    expect(ns[0]![1]).toContain('a lowercase RFC 1123 label must consist of')
    expect(causes(service({}, '1web'))[0]![1]).toContain('a DNS-1035 label must consist of')
    expect(causes(pod({}, { name: 'x'.repeat(254) }))[0]![1]).toBe(`Invalid value: "${'x'.repeat(254)}": must be no more than 253 characters`)
  })

  it('label keys and values', () => {
    const c = causes(pod({}, { labels: { 'Bad Key': 'v', 'kecs.dev/ok': 'a b', 'Example.com/x': 'v', ['k'.repeat(64)]: 'v' } }))
    expect(c.map((x) => x[0])).toEqual(['metadata.labels', 'metadata.labels', 'metadata.labels', 'metadata.labels'])
    expect(c[0]![1]).toMatch(/^Invalid value: "Bad Key": name part must consist of alphanumeric characters/)
    expect(c[1]![1]).toMatch(/^Invalid value: "a b": a valid label must be an empty string or consist of/)
    expect(c[2]![1]).toMatch(/^Invalid value: "Example.com\/x": prefix part a lowercase RFC 1123 subdomain/)
    expect(c[3]![1]).toMatch(/name part must be no more than 63 characters$/)
    expect(causes(pod({}, { annotations: { 'a/b/c': 'x' } }))[0]![1]).toContain('a qualified name must consist of')
  })

  it('ports 1-65535 and port names', () => {
    const ports = (p: unknown[]) => pod({ containers: [{ name: 'app', image: 'nginx', ports: p }] })
    expect(causes(ports([{ containerPort: 0 }, { containerPort: 65536 }]))).toEqual([
      ['spec.containers[0].ports[0].containerPort', 'Invalid value: 0: must be between 1 and 65535, inclusive'],
      ['spec.containers[0].ports[1].containerPort', 'Invalid value: 65536: must be between 1 and 65535, inclusive'],
    ])
    expect(causes(ports([{ containerPort: 80, hostPort: 70000 }]))).toEqual([
      ['spec.containers[0].ports[0].hostPort', 'Invalid value: 70000: must be between 1 and 65535, inclusive'],
    ])
    expect(causes(ports([{ containerPort: 80, name: 'HTTP' }]))).toEqual([
      ['spec.containers[0].ports[0].name', 'Invalid value: "HTTP": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)'],
      ['spec.containers[0].ports[0].name', 'Invalid value: "HTTP": must contain at least one letter (a-z)'],
    ])
    expect(causes(ports([{ containerPort: 80, name: 'web-port-number-1' }]))[0]![1]).toBe('Invalid value: "web-port-number-1": must be no more than 15 characters')
    // The target port defaults to the port, and is checked too, as in Kubernetes.
    expect(causes(service({ ports: [{ port: 0 }] }))).toEqual([
      ['spec.ports[0].port', 'Invalid value: 0: must be between 1 and 65535, inclusive'],
      ['spec.ports[0].targetPort', 'Invalid value: 0: must be between 1 and 65535, inclusive'],
    ])
    expect(causes(service({ ports: [{ port: 80, targetPort: 'Http' }] }))[0]![0]).toBe('spec.ports[0].targetPort')
  })

  it('unique container names and unique port names within a pod', () => {
    const c = causes(
      pod({
        containers: [
          { name: 'app', image: 'nginx', ports: [{ containerPort: 80, name: 'http' }, { containerPort: 81, name: 'http' }] },
          { name: 'app', image: 'nginx' },
        ],
      }),
    )
    expect(c).toEqual([
      ['spec.containers[0].ports[1].name', 'Duplicate value: "http"'],
      ['spec.containers[1].name', 'Duplicate value: "app"'],
    ])
    const svc = causes(service({ ports: [{ port: 80, name: 'a' }, { port: 81, name: 'a' }] }))
    expect(svc).toEqual([['spec.ports[1].name', 'Duplicate value: "a"']])
  })

  it('env names, volumes and their mounts', () => {
    const c = causes(
      pod({
        volumes: [{ name: 'data', emptyDir: {} }, { name: 'data', emptyDir: {} }],
        containers: [
          {
            name: 'app',
            image: 'nginx',
            env: [{ name: 'A=B', value: '1' }, { name: '1ST.ok', value: '2' }],
            volumeMounts: [{ name: 'logs', mountPath: '/logs' }, { name: 'data', mountPath: '/logs' }],
          },
        ],
      }),
    )
    expect(c).toEqual([
      ['spec.volumes[1].name', 'Duplicate value: "data"'],
      ['spec.containers[0].env[0].name', `Invalid value: "A=B": a valid environment variable name must consist only of printable ASCII characters other than '='`],
      ['spec.containers[0].volumeMounts[0].name', 'Not found: "logs"'],
      ['spec.containers[0].volumeMounts[1].mountPath', 'Invalid value: "/logs": must be unique'],
    ])
  })

  it('workloads: a selector matching the template, replicas ≥ 0, Always restart', () => {
    const d = deployment()
    d.spec.template.spec.restartPolicy = 'Never'
    d.spec.replicas = -1
    expect(causes(d)).toEqual([
      ['spec.replicas', 'Invalid value: -1: must be greater than or equal to 0'],
      ['spec.template.spec.restartPolicy', 'Unsupported value: "Never": supported values: "Always"'],
    ])
  })
})

describe('strategies: update rules and generation', () => {
  const updated = (kind: string, obj: KubeObject, change: (o: KubeObject) => void) => {
    const next = structuredClone(obj)
    change(next)
    return strategyFor(kind).validateUpdate(next, obj).map((c) => [c.field, c.message])
  }

  it('pod specs are immutable but for images, deadlines, tolerations, the grace period and binding', () => {
    const p = admitForCreate(pod())
    expect(updated('Pod', p, (o) => (o.spec.containers[0].image = 'nginx:1.28'))).toEqual([])
    expect(updated('Pod', p, (o) => (o.spec.nodeName = 'kecs-node'))).toEqual([])
    const [c] = updated('Pod', p, (o) => (o.spec.containers[0].ports[0].containerPort = 81))
    expect(c![0]).toBe('spec')
    expect(c![1]).toMatch(/^Forbidden: pod updates may not change fields other than `spec.containers\[\*\].image`/)
  })

  it('a service keeps its cluster IP; an apps/v1 selector is immutable; immutable secrets keep their data', () => {
    const s = { ...service(), spec: { ...service().spec, clusterIP: '10.96.0.20' } }
    expect(updated('Service', s, (o) => (o.spec.clusterIP = '10.96.0.21'))).toEqual([['spec.clusterIPs[0]', 'Invalid value: "10.96.0.21": may not change once set']])
    const keep = structuredClone(s)
    delete keep.spec.clusterIP
    strategyFor('Service').prepareForUpdate(keep, s)
    expect(keep.spec.clusterIP).toBe('10.96.0.20')
    for (const kind of ['Deployment', 'DaemonSet', 'ReplicaSet']) {
      expect(updated(kind, deployment(), (o) => (o.spec.selector = { matchLabels: { app: 'other' } }))).toEqual([
        ['spec.selector', 'Invalid value: map[string]string{"matchLabels":{"app":"other"}}: field is immutable'],
      ])
    }
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, immutable: true, data: { a: 'YQ==' } }
    expect(updated('Secret', secret, (o) => (o.data = { a: 'Yg==' }))).toEqual([['data', 'Forbidden: field is immutable when `immutable` is set']])
  })

  it('generation follows the spec; pods are deleted gracefully once scheduled; namespaces terminate', () => {
    const d = deployment()
    const s = strategyFor('Deployment')
    expect(s.generationChanged({ ...d, metadata: { ...d.metadata, labels: { a: 'b' } } }, d)).toBe(false)
    expect(s.generationChanged({ ...d, spec: { ...d.spec, replicas: 3 } }, d)).toBe(true)
    const p = strategyFor('Pod')
    expect(p.gracePeriod(pod(), {})).toBe(0)
    expect(p.gracePeriod(pod({ nodeName: 'n' }), {})).toBe(30)
    expect(p.gracePeriod(pod({ nodeName: 'n', terminationGracePeriodSeconds: 5 }), { gracePeriodSeconds: 2 })).toBe(2)
    expect(strategyFor('Deployment').gracePeriod(d, {})).toBeUndefined()
    expect(strategyFor('Namespace').terminates).toBe(true)
    expect(strategyFor('Namespace').removeWhenFinalized(d)).toBe(false)
    expect(strategyFor('Event').holdsNamespace).toBe(false)
    expect(() => strategyFor('Namespace').checkDelete({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } })).toThrow(
      'namespaces "default" is forbidden: this namespace may not be deleted',
    )
  })
})

describe('admission: resources', () => {
  const withResources = (resources: unknown) => pod({ containers: [{ name: 'app', image: 'nginx', resources }] })

  it('requests may not exceed limits; extended resources request what they limit', () => {
    admitForCreate(withResources({ requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '0.5', memory: '512Mi' } }))
    admitForCreate(withResources({ requests: { memory: '1Gi' }, limits: { memory: '1024Mi', 'nvidia.com/gpu': '1' } }))
    expect(causes(withResources({ requests: { cpu: '2', memory: '600Mi' }, limits: { cpu: '1500m', memory: '512Mi' } }))).toEqual([
      ['spec.containers[0].resources.requests[cpu]', 'Invalid value: "2": must be less than or equal to cpu limit of 1500m'],
      ['spec.containers[0].resources.requests[memory]', 'Invalid value: "600Mi": must be less than or equal to memory limit of 512Mi'],
    ])
    expect(causes(withResources({ requests: { 'nvidia.com/gpu': '1' }, limits: { 'nvidia.com/gpu': '2' } }))).toEqual([
      ['spec.containers[0].resources.requests[nvidia.com/gpu]', 'Invalid value: "1": must be equal to nvidia.com/gpu limit of 2'],
    ])
  })
})
