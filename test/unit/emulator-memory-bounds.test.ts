import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { LogBuffers } from '../../src/emulator/kubelet/logs.js'
import { openObjectStore } from '../../src/emulator/store/object-store.js'
import type { KubeObject, ObjectStore } from '../../src/emulator/types.js'
import { stripPod } from '../../src/kube/informers.js'
import { Store } from '../../src/store/store.js'

// What keeps the emulator's memory bounded with thousands of pods (issue 14).

const cleanup: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c()
})

const event = (i: number): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Event',
  metadata: { name: `ev-${i}`, namespace: 'default' },
  involvedObject: { kind: 'Pod', name: `p-${i}`, namespace: 'default' },
  reason: 'Started',
  message: 'Started container app',
  type: 'Normal',
})

describe('Events cap', () => {
  it('keeps the newest maxEvents Events, removing the oldest with a DELETED event', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kecs-emu-bounds-'))
    const store = await Store.open(join(dir, 'kecs.duckdb'))
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }))
    cleanup.push(() => store.close())
    const objects = await openObjectStore(store, { maxEvents: 3 })
    const deleted: string[] = []
    objects.onChange((resource, e) => {
      if (resource === 'events' && e.type === 'DELETED') deleted.push(e.object.metadata.name!)
    })
    for (let i = 0; i < 5; i++) await objects.create('events', event(i))
    expect(objects.list('events').items.map((e) => e.metadata.name).sort()).toEqual(['ev-2', 'ev-3', 'ev-4'])
    expect(deleted).toEqual(['ev-0', 'ev-1'])
  })
})

describe('log buffer heartbeat lines', () => {
  const pod = { metadata: { name: 'p', namespace: 'default', uid: 'u1' }, spec: { containers: [{ name: 'app' }] }, status: { containerStatuses: [{ name: 'app', restartCount: 0, state: { running: {} } }] } }
  const store = { get: () => pod } as unknown as ObjectStore
  const timers = { now: () => 0, setTimeout: () => () => {} } as any
  const read = async (logs: LogBuffers, follow = false, signal = new AbortController().signal) => {
    const out: string[] = []
    for await (const l of logs.read('default', 'p', 'app', { follow }, signal)) out.push(l)
    return out
  }

  it('a keyed line directly after one of the same key replaces it; other lines stay', async () => {
    const logs = new LogBuffers(store, timers)
    logs.begin('u1', 'app', 0)
    logs.write('u1', 'app', 'starting')
    for (let i = 1; i <= 50; i++) logs.write('u1', 'app', `running (uptime ${i}s)`, 'heartbeat')
    logs.write('u1', 'app', 'something else')
    logs.write('u1', 'app', 'running (uptime 51s)', 'heartbeat')
    expect(await read(logs)).toEqual(['starting\n', 'running (uptime 50s)\n', 'something else\n', 'running (uptime 51s)\n'])
  })

  it('a follower gets every heartbeat as it comes', async () => {
    const logs = new LogBuffers(store, timers)
    logs.begin('u1', 'app', 0)
    logs.write('u1', 'app', 'hb 1', 'heartbeat')
    const ac = new AbortController()
    const seen: string[] = []
    const following = (async () => {
      for await (const l of logs.read('default', 'p', 'app', { follow: true }, ac.signal)) seen.push(l)
    })()
    await new Promise((r) => setTimeout(r, 10))
    logs.write('u1', 'app', 'hb 2', 'heartbeat')
    await new Promise((r) => setTimeout(r, 10))
    logs.write('u1', 'app', 'hb 3', 'heartbeat')
    await new Promise((r) => setTimeout(r, 10))
    logs.end('u1', 'app')
    await following
    expect(seen).toEqual(['hb 1\n', 'hb 2\n', 'hb 3\n'])
  })
})

describe('pod informer transform', () => {
  it('drops what KECS never reads and keeps names, probes, status and metadata', () => {
    const pod: any = {
      metadata: { name: 'p', namespace: 'n', annotations: { a: 'b' }, managedFields: [{}] },
      spec: {
        nodeName: 'kecs-node',
        affinity: {},
        tolerations: [{}],
        volumes: [{}],
        terminationGracePeriodSeconds: 30,
        containers: [{ name: 'app', env: [{ name: 'X', value: 'y' }], command: ['sh'], args: ['-c'], readinessProbe: { exec: {} } }],
      },
      status: { phase: 'Running' },
    }
    expect(stripPod(pod)).toEqual({
      metadata: { name: 'p', namespace: 'n', annotations: { a: 'b' } },
      spec: { nodeName: 'kecs-node', terminationGracePeriodSeconds: 30, containers: [{ name: 'app', readinessProbe: { exec: {} } }] },
      status: { phase: 'Running' },
    })
  })
})
