import { describe, expect, it } from 'vitest'
import { runtimeFromPod, type PodRuntime } from '../../src/emulator/kubelet/runtime.js'
import { StatusWriter } from '../../src/emulator/kubelet/status-writer.js'
import { ManualClock } from '../../src/lib/timers.js'
import type { KubeObject } from '../../src/emulator/types.js'
import { FakeObjectStore } from '../helpers/fake-object-store.js'

/** The simulated kubelet's status writes: one queue keyed by pod, the latest status wins, failures retry. */

const podObject = (name = 'web-1'): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default' },
  spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] },
})

async function setup(store = new FakeObjectStore(new ManualClock())) {
  const clock = new ManualClock()
  const created = await store.create('pods', podObject())
  const rt = runtimeFromPod(created, clock.now())
  const pods = new Map<string, PodRuntime>([[rt.uid, rt]])
  const forgotten: string[] = []
  const errors: string[] = []
  const writer = new StatusWriter({
    store,
    timers: clock,
    onError: (where, err) => void errors.push(`${where}: ${(err as Error).message}`),
    lookup: (uid) => pods.get(uid),
    forget: (r) => {
      r.gone = true
      pods.delete(r.uid)
      forgotten.push(r.name)
    },
  })
  const writes = () => store.log.filter((e) => e.resource === 'pods' && e.event.type === 'MODIFIED').map((e) => e.event.object)
  return { clock, store, rt, writer, forgotten, errors, writes }
}

describe('kubelet status writer', () => {
  it('coalesces requests made before the write starts into one write', async () => {
    const { clock, rt, writer, writes } = await setup()
    writer.request(rt)
    rt.nodeName = 'kecs-node'
    writer.request(rt)
    writer.request(rt)
    await clock.settle()
    expect(writes()).toHaveLength(1)
    expect(writes()[0]!.spec.nodeName).toBe('kecs-node')
    expect(writer.idle).toBe(true)
  })

  it('writes once more, with the latest state, after requests made while a write runs', async () => {
    const { clock, rt, writer, writes } = await setup()
    rt.unschedulable = 'first'
    writer.request(rt)
    await Promise.resolve()
    await Promise.resolve()
    // the first write is under way: these three become one more write
    rt.unschedulable = 'second'
    writer.request(rt)
    rt.unschedulable = 'third'
    writer.request(rt)
    writer.request(rt)
    await clock.settle()
    const messages = writes().map((p) => p.status.conditions.find((c: any) => c.type === 'PodScheduled')?.message)
    expect(messages).toEqual(['first', 'third'])
  })

  it('retries a failed write with backoff', async () => {
    const store = new FakeObjectStore(new ManualClock())
    const mutate = store.mutate.bind(store)
    let failures = 1
    store.mutate = async (...args: Parameters<typeof mutate>) => {
      if (failures-- > 0) throw new Error('etcd is sulking')
      return mutate(...args)
    }
    const { clock, rt, writer, errors, writes } = await setup(store)
    rt.nodeName = 'kecs-node'
    writer.request(rt)
    await clock.settle()
    expect(errors).toEqual([`kubelet status default/web-1/${rt.uid}: etcd is sulking`])
    expect(writes()).toHaveLength(0)
    await clock.advance(100)
    expect(writes()).toHaveLength(1)
    expect(writes()[0]!.spec.nodeName).toBe('kecs-node')
  })

  it('forgets a pod that is gone or was replaced by another of the same name', async () => {
    const { clock, store, rt, writer, forgotten, writes } = await setup()
    await store.remove('pods', 'default', 'web-1')
    await store.create('pods', podObject())
    writer.request(rt)
    await clock.settle()
    expect(forgotten).toEqual(['web-1'])
    expect(writes()).toHaveLength(0)
  })

  it('posts the final status of a removing pod, then removes it', async () => {
    const { clock, store, rt, writer, forgotten } = await setup()
    rt.nodeName = 'kecs-node'
    rt.removing = true
    writer.request(rt)
    await clock.settle()
    const last = store.history('pods', 'web-1').at(-1)!
    expect(last.spec.nodeName).toBe('kecs-node')
    expect(last.status.phase).toBe('Failed')
    expect(store.get('pods', 'default', 'web-1')).toBeUndefined()
    expect(forgotten).toEqual(['web-1'])
  })
})
