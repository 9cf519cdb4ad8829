import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import {
  containerNameHash,
  containerOfRuntimeId,
  containerRuntimeId,
  parseContainerRuntimeId,
  taskIdOfPodUid,
  taskIdOfRef,
} from '../../src/ecs/tasks/container-ids.js'
import { escapeExpansion } from '../../src/kube/convert/env.js'
import { isValidAnnotationKey, isValidLabelValue, sanitizeAnnotationKey, sanitizeLabelValue } from '../../src/kube/convert/labels.js'
import { dnsLabel, namespaceName, portName, workloadName } from '../../src/kube/convert/names.js'
import { clusterToNamespace } from '../../src/kube/convert/namespace.js'
import { cpuQuantity, parseTaskCpu, parseTaskMemory } from '../../src/kube/convert/resources.js'
import { expectGolden } from './convert-golden.js'

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/
/** The instance's region and account in these tests (the defaults, passed explicitly so the env does not matter). */
const HOME = { region: 'us-east-1', account: '000000000000' }

describe('label values', () => {
  it.each(['default', 'web.3', 'My_Cluster', 'a', ''])('keeps valid %j', (v) => {
    expect(sanitizeLabelValue(v)).toBe(v)
  })

  it.each(['_leading', 'trailing-', 'x'.repeat(64), 'web:3', 'ecs-svc/123', 'a b', '---', 'x'.repeat(255)])('sanitises %j', (v) => {
    const s = sanitizeLabelValue(v)
    expect(isValidLabelValue(s)).toBe(true)
    expect(s).not.toBe(v)
    expect(sanitizeLabelValue(v)).toBe(s) // deterministic
  })

  it('keeps different inputs apart', () => {
    expect(sanitizeLabelValue('x'.repeat(64))).not.toBe(sanitizeLabelValue('x'.repeat(65)))
    expect(sanitizeLabelValue('a:b')).not.toBe(sanitizeLabelValue('a/b'))
  })
})

describe('annotation keys', () => {
  it.each(['com.example.team', 'kecs.dev/task-arn', 'app.kubernetes.io/name', 'Maintainer'])('valid %j', (k) => {
    expect(isValidAnnotationKey(k)).toBe(true)
    expect(sanitizeAnnotationKey(k)).toBe(k)
  })
  it.each(['bad key', 'UPPER.Prefix/x', '/x', 'x/', 'a'.repeat(64), '-x'])('sanitises %j', (k) => {
    expect(isValidAnnotationKey(k)).toBe(false)
    expect(isValidAnnotationKey(sanitizeAnnotationKey(k))).toBe(true)
  })
})

describe('names', () => {
  it('keeps valid DNS labels and maps others deterministically and uniquely', () => {
    expect(dnsLabel('web')).toBe('web')
    const a = dnsLabel('My_App')
    const b = dnsLabel('my-app')
    expect(b).toBe('my-app')
    expect(a).toMatch(/^my-app-[0-9a-f]{6}$/)
    expect(a).not.toBe(b)
    const long = dnsLabel('A'.repeat(255))
    expect(long.length).toBeLessThanOrEqual(63)
    expect(long).toMatch(DNS_LABEL)
    expect(dnsLabel('___')).toMatch(DNS_LABEL)
  })

  it('namespaces are kecs-<cluster> DNS labels ≤63', () => {
    expect(namespaceName('default')).toBe('kecs-default')
    expect(namespaceName('default', HOME, HOME)).toBe('kecs-default')
    for (const n of ['Prod_Cluster', 'x'.repeat(255), '_', '9lives']) {
      expect(namespaceName(n)).toMatch(DNS_LABEL)
      expect(namespaceName(n).length).toBeLessThanOrEqual(63)
      expect(namespaceName(n).startsWith('kecs-')).toBe(true)
    }
  })

  it('clusters outside the home region and account get kecs-<cluster>-<6 hex of account/region>', () => {
    const eu = { region: 'eu-west-1', account: '000000000000' }
    const other = { region: 'us-east-1', account: '123456789012' }
    const a = namespaceName('demo', eu, HOME)
    const b = namespaceName('demo', other, HOME)
    expect(a).toMatch(/^kecs-demo-[0-9a-f]{6}$/)
    expect(b).toMatch(/^kecs-demo-[0-9a-f]{6}$/)
    expect(new Set([a, b, namespaceName('demo', HOME, HOME)]).size).toBe(3)
    expect(namespaceName('demo', { ...eu }, HOME)).toBe(a) // deterministic
    // the region's own clusters are plain when it is the home one
    expect(namespaceName('demo', eu, eu)).toBe('kecs-demo')
    expect(namespaceName('demo', HOME, eu)).toMatch(/^kecs-demo-[0-9a-f]{6}$/)
    for (const n of ['Prod_Cluster', 'x'.repeat(255), 'y'.repeat(51), 'y'.repeat(52), '_', '9lives', 'a-']) {
      const ns = namespaceName(n, eu, HOME)
      expect(ns).toMatch(DNS_LABEL)
      expect(ns.length).toBeLessThanOrEqual(63)
      expect(ns.startsWith('kecs-')).toBe(true)
      expect(ns).not.toBe(namespaceName(n, HOME, HOME))
    }
    expect(namespaceName('y'.repeat(51), eu, HOME)).not.toBe(namespaceName('y'.repeat(52), eu, HOME))
  })

  it('workload names are DNS-1035 labels (start with a letter)', () => {
    expect(workloadName('web')).toBe('web')
    for (const n of ['1st', 'Web_Svc', '-x-', 'x'.repeat(255), '9']) {
      expect(workloadName(n)).toMatch(/^[a-z]([-a-z0-9]*[a-z0-9])?$/)
      expect(workloadName(n).length).toBeLessThanOrEqual(63)
    }
  })

  it('port names are IANA service names', () => {
    expect(portName('http')).toBe('http')
    for (const n of ['web-port-with-a-long-name', 'HTTP_1', '8080', '--a--', 'a--b']) {
      const p = portName(n)
      expect(p.length).toBeLessThanOrEqual(15)
      expect(p).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/)
      expect(p).toMatch(/[a-z]/)
    }
  })
})

describe('container runtime ids', () => {
  it('a service pod UID in a metadata URL stands for its task id (the UID without dashes)', () => {
    const uid = '6F1C2B3A-1234-4abc-9def-0123456789ab'
    expect(taskIdOfPodUid(uid)).toBe('6f1c2b3a12344abc9def0123456789ab')
    expect(taskIdOfRef(uid)).toBe('6f1c2b3a12344abc9def0123456789ab')
    const id = containerRuntimeId(uid, 'app')
    expect(taskIdOfRef(parseContainerRuntimeId(id)!.taskId)).toBe('6f1c2b3a12344abc9def0123456789ab')
    expect(taskIdOfRef('0123456789abcdef0123456789abcdef')).toBe('0123456789abcdef0123456789abcdef')
    expect(taskIdOfRef('web-7d9f8c6b5-x2x4z')).toBe('web-7d9f8c6b5-x2x4z') // an older adopted task's id stays
  })

  it('is <taskId>-<10 digits> and parses back, also for pod names with dashes', () => {
    const id = containerRuntimeId('0123456789abcdef0123456789abcdef', 'app')
    expect(id).toMatch(/^0123456789abcdef0123456789abcdef-\d{10}$/)
    expect(parseContainerRuntimeId(id)).toEqual({ taskId: '0123456789abcdef0123456789abcdef', nameHash: containerNameHash('app') })
    const podId = containerRuntimeId('web-7d9f8c6b5-x2x4z', 'sidecar')
    expect(parseContainerRuntimeId(podId)?.taskId).toBe('web-7d9f8c6b5-x2x4z')
    expect(containerOfRuntimeId(podId, ['app', 'sidecar'])).toBe('sidecar')
    expect(containerOfRuntimeId(podId, ['app'])).toBeUndefined()
    expect(parseContainerRuntimeId('nope')).toBeUndefined()
    expect(parseContainerRuntimeId('abc-123')).toBeUndefined()
  })
})

describe('small conversions', () => {
  it('escapes $ for Kubernetes expansion', () => {
    expect(escapeExpansion('a $(B) $$ $C')).toBe('a $$(B) $$$$ $$C')
    expect(escapeExpansion('plain')).toBe('plain')
  })
  it('converts cpu units to millicores and parses task sizes', () => {
    expect(cpuQuantity(1024)).toBe('1000m')
    expect(cpuQuantity(256)).toBe('250m')
    expect(cpuQuantity(1)).toBe('1m')
    expect(parseTaskCpu('0.5 vCPU')).toBe(512)
    expect(parseTaskCpu('2048')).toBe(2048)
    expect(parseTaskMemory('2 GB')).toBe(2048)
    expect(parseTaskMemory('512')).toBe(512)
    expect(() => parseTaskCpu('lots')).toThrow("Invalid 'cpu' setting for task.")
  })
})

describe('clusterToNamespace', () => {
  // the instance's region and account come from the env: pin them to the defaults
  beforeAll(() => {
    vi.stubEnv('AWS_REGION', 'us-east-1')
    vi.stubEnv('AWS_DEFAULT_REGION', 'us-east-1')
    vi.stubEnv('KECS_ACCOUNT_ID', '000000000000')
  })
  afterAll(() => void vi.unstubAllEnvs())

  it.each([
    ['default', 'default'],
    ['mixed-case', 'Prod_Cluster'],
    ['long', 'c'.repeat(255)],
  ])('%s', (row, name) => {
    const ns = clusterToNamespace(name, `arn:aws:ecs:us-east-1:000000000000:cluster/${name}`)
    expect(ns.metadata!.name).toBe(namespaceName(name, HOME, HOME))
    expect(ns.metadata!.labels).toEqual({
      'kecs.dev/managed-by': 'kecs',
      'kecs.dev/cluster': sanitizeLabelValue(name),
      'kecs.dev/region': 'us-east-1',
      'kecs.dev/account': '000000000000',
    })
    expect(ns.metadata!.annotations).toEqual({
      'kecs.dev/cluster-name': name,
      'kecs.dev/cluster-arn': `arn:aws:ecs:us-east-1:000000000000:cluster/${name}`,
    })
    expectGolden(`namespace/${row}`, ns)
  })

  it('a cluster of another region or account gets its own namespace, with region and account labels', () => {
    const arn = 'arn:aws:ecs:eu-west-1:000000000000:cluster/demo'
    const ns = clusterToNamespace('demo', arn)
    expect(ns.metadata!.name).toMatch(/^kecs-demo-[0-9a-f]{6}$/)
    expect(ns.metadata!.labels).toMatchObject({ 'kecs.dev/cluster': 'demo', 'kecs.dev/region': 'eu-west-1', 'kecs.dev/account': '000000000000' })
    expect(ns.metadata!.annotations).toEqual({ 'kecs.dev/cluster-name': 'demo', 'kecs.dev/cluster-arn': arn })
    expectGolden('namespace/other-region', ns)
  })
})
