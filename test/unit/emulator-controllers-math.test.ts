import { describe, expect, it } from 'vitest'
import {
  cleanupUnhealthy,
  maxScaledDown,
  newRSReplicasRolling,
  resolveFenceposts,
  scaledValue,
  scaleDownOld,
} from '../../src/emulator/controllers/rollout-math.js'
import { computeTemplateHash } from '../../src/emulator/controllers/objects.js'
import { compareForDeletion, podsToDelete } from '../../src/emulator/controllers/pods.js'
import { endpointSubsets, resolveTargetPort } from '../../src/emulator/controllers/endpoints.js'
import { selectorMatches } from '../../src/emulator/controllers/label-selector.js'
import type { KubeObject } from '../../src/emulator/types.js'

describe('rolling update arithmetic', () => {
  it('scales ints and percentages, surge rounding up and unavailable down', () => {
    expect(scaledValue(2, 10, true)).toBe(2)
    expect(scaledValue('25%', 2, true)).toBe(1)
    expect(scaledValue('25%', 2, false)).toBe(0)
    expect(scaledValue('33%', 10, true)).toBe(4)
    expect(scaledValue('33%', 10, false)).toBe(3)
    expect(scaledValue('100%', 3, false)).toBe(3)
    expect(scaledValue('0%', 3, true)).toBe(0)
    expect(scaledValue('3', 3, true)).toBe(3)
  })

  it('resolves fenceposts with defaults of 25%, and unavailable 1 when both are 0', () => {
    expect(resolveFenceposts(undefined, undefined, 4)).toEqual({ surge: 1, unavailable: 1 })
    expect(resolveFenceposts(undefined, undefined, 2)).toEqual({ surge: 1, unavailable: 0 })
    expect(resolveFenceposts(0, 0, 3)).toEqual({ surge: 0, unavailable: 1 })
    expect(resolveFenceposts('0%', '0%', 3)).toEqual({ surge: 0, unavailable: 1 })
    expect(resolveFenceposts('50%', 1, 3)).toEqual({ surge: 2, unavailable: 1 })
  })

  it('grows the new ReplicaSet within desired + surge', () => {
    // 3 desired, surge 1: old has 3 → new may get 1
    expect(newRSReplicasRolling(3, 1, [{ replicas: 3, available: 3 }, { replicas: 0, available: 0 }], { replicas: 0, available: 0 })).toBe(1)
    // already at the cap: no growth
    expect(newRSReplicasRolling(3, 1, [{ replicas: 3, available: 3 }, { replicas: 1, available: 0 }], { replicas: 1, available: 0 })).toBe(1)
    // old scaled down: grows, never beyond desired
    expect(newRSReplicasRolling(3, 5, [{ replicas: 0, available: 0 }, { replicas: 1, available: 1 }], { replicas: 1, available: 1 })).toBe(3)
    // plain scale-up 2 → 3
    expect(newRSReplicasRolling(3, 1, [{ replicas: 2, available: 2 }], { replicas: 2, available: 2 })).toBe(3)
  })

  it('scales old replicas down only while enough stay available', () => {
    const all = [
      { replicas: 3, available: 3 },
      { replicas: 1, available: 0 },
    ]
    // desired 3, unavailable 0: total 4 - min 3 - new unavailable 1 = 0 → nothing may go yet
    expect(maxScaledDown(3, 0, all, all[1])).toBe(0)
    const later = [
      { replicas: 3, available: 3 },
      { replicas: 1, available: 1 },
    ]
    expect(maxScaledDown(3, 0, later, later[1])).toBe(1)
    expect(scaleDownOld(3, 0, later, [later[0]!])).toEqual({ sizes: [2], scaled: 1 })
  })

  it('cleans up unavailable old replicas first, oldest ReplicaSets first', () => {
    expect(cleanupUnhealthy([{ replicas: 2, available: 1 }, { replicas: 3, available: 0 }], 2)).toEqual({ sizes: [1, 2], cleaned: 2 })
    expect(cleanupUnhealthy([{ replicas: 2, available: 2 }], 5)).toEqual({ sizes: [2], cleaned: 0 })
  })
})

describe('pod template hash', () => {
  it('is stable across key order, changes with the template and the collision count', () => {
    const a = computeTemplateHash({ metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1' }] } })
    const b = computeTemplateHash({ spec: { containers: [{ image: 'nginx:1', name: 'web' }] }, metadata: { labels: { app: 'web' } } })
    expect(a).toBe(b)
    expect(a).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{6,10}$/)
    expect(computeTemplateHash({ spec: { containers: [{ name: 'web', image: 'nginx:2' }] } })).not.toBe(a)
    expect(computeTemplateHash({ metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1' }] } }, 1)).not.toBe(a)
  })
})

const mkPod = (name: string, o: { node?: string; phase?: string; ready?: boolean; readySince?: string; restarts?: number; created?: string; ip?: string; labels?: any; ports?: any[]; deleting?: boolean } = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name,
    namespace: 'default',
    uid: `uid-${name}`,
    creationTimestamp: o.created ?? '2025-01-01T00:00:00Z',
    labels: o.labels ?? { app: 'web' },
    ...(o.deleting ? { deletionTimestamp: '2025-01-01T00:10:00Z' } : {}),
  },
  spec: { ...(o.node ? { nodeName: o.node } : {}), containers: [{ name: 'web', image: 'x', ports: o.ports ?? [] }] },
  status: {
    phase: o.phase ?? 'Running',
    ...(o.ip ? { podIP: o.ip } : {}),
    conditions: [{ type: 'Ready', status: o.ready ? 'True' : 'False', lastTransitionTime: o.readySince ?? '2025-01-01T00:00:00Z' }],
    containerStatuses: [{ name: 'web', restartCount: o.restarts ?? 0 }],
  },
})

describe('scale-down order (ActivePods ranking)', () => {
  it('deletes unscheduled, then pending, then not-ready, shortest-ready, most-restarted, newest pods first', () => {
    const pods = [
      mkPod('ready-old', { node: 'n', ready: true, readySince: '2025-01-01T00:00:00Z' }),
      mkPod('ready-new', { node: 'n', ready: true, readySince: '2025-01-01T00:05:00Z' }),
      mkPod('not-ready', { node: 'n', ready: false }),
      mkPod('pending', { node: 'n', phase: 'Pending' }),
      mkPod('unscheduled', { phase: 'Pending' }),
      mkPod('crashy', { node: 'n', ready: false, restarts: 5 }),
    ]
    expect([...pods].sort(compareForDeletion).map((p) => p.metadata.name)).toEqual(['unscheduled', 'pending', 'crashy', 'not-ready', 'ready-new', 'ready-old'])
    expect(podsToDelete(pods, 2).map((p) => p.metadata.name)).toEqual(['unscheduled', 'pending'])
    const newer = [mkPod('a', { node: 'n', created: '2025-01-01T00:00:00Z' }), mkPod('b', { node: 'n', created: '2025-01-01T00:01:00Z' })]
    expect(podsToDelete(newer, 1)[0]!.metadata.name).toBe('b')
  })
})

describe('label selectors', () => {
  it('matches matchLabels and matchExpressions; undefined matches nothing, empty everything', () => {
    const labels = { app: 'web', tier: 'front' }
    expect(selectorMatches({ matchLabels: { app: 'web' } }, labels)).toBe(true)
    expect(selectorMatches({ matchLabels: { app: 'db' } }, labels)).toBe(false)
    expect(selectorMatches({ matchExpressions: [{ key: 'tier', operator: 'In', values: ['front', 'back'] }] }, labels)).toBe(true)
    expect(selectorMatches({ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['front'] }] }, labels)).toBe(false)
    expect(selectorMatches({ matchExpressions: [{ key: 'x', operator: 'DoesNotExist' }] }, labels)).toBe(true)
    expect(selectorMatches({}, labels)).toBe(true)
    expect(selectorMatches(undefined, labels)).toBe(false)
  })
})

describe('endpoints', () => {
  const svc = (ports: any[], extra: any = {}): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'default' },
    spec: { selector: { app: 'web' }, ports, ...extra },
  })

  it('lists ready pods in addresses and the others in notReadyAddresses, with target ports', () => {
    const pods = [
      mkPod('b', { node: 'n', ready: true, ip: '10.244.0.10' }),
      mkPod('a', { node: 'n', ready: true, ip: '10.244.0.9' }),
      mkPod('c', { node: 'n', ready: false, ip: '10.244.0.11' }),
      mkPod('no-ip', { node: 'n', ready: false }),
      mkPod('gone', { node: 'n', ready: true, ip: '10.244.0.12', deleting: true }),
      mkPod('done', { node: 'n', phase: 'Succeeded', ip: '10.244.0.13' }),
    ]
    const subsets = endpointSubsets(svc([{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }]), pods)
    expect(subsets).toHaveLength(1)
    expect(subsets[0].addresses.map((a: any) => a.ip)).toEqual(['10.244.0.9', '10.244.0.10'])
    expect(subsets[0].addresses[0]).toEqual({ ip: '10.244.0.9', nodeName: 'n', targetRef: { kind: 'Pod', namespace: 'default', name: 'a', uid: 'uid-a' } })
    expect(subsets[0].notReadyAddresses.map((a: any) => a.ip)).toEqual(['10.244.0.11'])
    expect(subsets[0].ports).toEqual([{ name: 'http', port: 8080, protocol: 'TCP' }])
  })

  it('resolves named target ports per pod and groups pods by the ports they resolve', () => {
    const p1 = mkPod('p1', { ready: true, ip: '10.244.0.2', ports: [{ name: 'http', containerPort: 8080 }] })
    const p2 = mkPod('p2', { ready: true, ip: '10.244.0.3', ports: [{ name: 'http', containerPort: 9090 }] })
    const p3 = mkPod('p3', { ready: true, ip: '10.244.0.4', ports: [] })
    const s = svc([{ port: 80, targetPort: 'http', protocol: 'TCP' }])
    expect(resolveTargetPort(s.spec.ports[0], p1)).toBe(8080)
    expect(resolveTargetPort(s.spec.ports[0], p3)).toBeUndefined()
    const subsets = endpointSubsets(s, [p1, p2, p3])
    expect(subsets.map((x: any) => [x.addresses.map((a: any) => a.ip), x.ports[0].port])).toEqual([
      [['10.244.0.2'], 8080],
      [['10.244.0.3'], 9090],
    ])
  })

  it('publishes not-ready pods as ready when publishNotReadyAddresses is set', () => {
    const subsets = endpointSubsets(svc([{ port: 80 }], { publishNotReadyAddresses: true }), [mkPod('x', { ready: false, ip: '10.244.0.5' })])
    expect(subsets[0].addresses[0].ip).toBe('10.244.0.5')
    expect(subsets[0].ports).toEqual([{ port: 80, protocol: 'TCP' }])
  })
})
