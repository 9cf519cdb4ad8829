import { describe, expect, it } from 'vitest'
import { pickNode } from '../../src/emulator/controllers/scheduler.js'
import type { KubeObject } from '../../src/emulator/types.js'

const node = (name: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name, labels: { 'kubernetes.io/hostname': name } },
  spec: {},
  status: { conditions: [{ type: 'Ready', status: 'True' }] },
})

const pod = (name: string, antiAffinity: boolean): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'ns', uid: name, labels: { app: 'web' } },
  spec: antiAffinity
    ? {
        affinity: {
          podAntiAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'kubernetes.io/hostname' }],
          },
        },
      }
    : {},
})

describe('scheduler: required pod anti-affinity', () => {
  const nodes = [node('a'), node('b')]

  it('skips nodes that run a matching pod in the same topology domain', () => {
    const r = pickNode(pod('p2', true), nodes, new Map([['a', 1]]), [{ pod: pod('p1', true), nodeName: 'a' }])
    expect('node' in r && r.node.metadata.name).toBe('b')
  })

  it('refuses with the scheduler message when every node has one', () => {
    const placed = [
      { pod: pod('p1', true), nodeName: 'a' },
      { pod: pod('p2', true), nodeName: 'b' },
    ]
    const r = pickNode(pod('p3', true), nodes, new Map([['a', 1], ['b', 1]]), placed)
    expect(r).toEqual({ message: expect.stringContaining("2 node(s) didn't match pod anti-affinity rules") })
  })

  it('ignores pods of other namespaces and pods without the rule', () => {
    const other = { ...pod('p1', true), metadata: { ...pod('p1', true).metadata, namespace: 'other' } }
    expect('node' in pickNode(pod('p2', true), [node('a')], new Map(), [{ pod: other, nodeName: 'a' }])).toBe(true)
    expect('node' in pickNode(pod('p2', false), [node('a')], new Map(), [{ pod: pod('p1', true), nodeName: 'a' }])).toBe(true)
  })
})
