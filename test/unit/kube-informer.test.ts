import type { V1Pod } from '@kubernetes/client-node'
import { describe, expect, it } from 'vitest'
import type { ObjectWatch, WatchOptions } from '../../src/kube/client.js'
import { SharedInformer } from '../../src/kube/informer.js'

/** A watch driven by the test: `sync` is a (re)list, `event` a watch event. */
function fakeWatch() {
  let opts: WatchOptions<V1Pod> | undefined
  const ctl = {
    sync: (items: V1Pod[]) => opts!.onSync(items),
    event: (type: 'ADDED' | 'MODIFIED' | 'DELETED', o: V1Pod) => opts!.onEvent(type, o),
    make: (o: WatchOptions<V1Pod>) => {
      opts = o
      return { start: async () => o.onSync(initial), stop() {}, resourceVersion: '1' } as unknown as ObjectWatch<V1Pod>
    },
  }
  let initial: V1Pod[] = []
  return { ...ctl, setInitial: (p: V1Pod[]) => (initial = p) }
}

const pod = (name: string, task: string, phase = 'Running'): V1Pod => ({
  metadata: { namespace: 'ns', name, annotations: { task } },
  status: { phase },
})

describe('SharedInformer', () => {
  it('caches the list, indexes it, and tells every handler', async () => {
    const w = fakeWatch()
    w.setInitial([pod('a', 't1'), pod('b', 't2')])
    const inf = new SharedInformer<V1Pod>('pod', w.make, 'x=y')
    inf.addIndex('task', (p) => [p.metadata!.annotations!.task!])
    const seen: string[] = []
    inf.addHandler((type, p) => seen.push(`${type} ${p.metadata!.name}`))
    await inf.start()
    expect(seen).toEqual(['ADDED a', 'ADDED b'])
    expect(inf.byIndex('task', 't2').map((p) => p.metadata!.name)).toEqual(['b'])
    // a late handler gets the cache replayed
    const late: string[] = []
    inf.addHandler((type, p) => late.push(`${type} ${p.metadata!.name}`))
    expect(late).toEqual(['ADDED a', 'ADDED b'])
  })

  it('a relist turns into MODIFIED for what is there and DELETED (with the last state) for what vanished', async () => {
    const w = fakeWatch()
    w.setInitial([pod('a', 't1'), pod('b', 't2')])
    const inf = new SharedInformer<V1Pod>('pod', w.make, 'x=y')
    inf.addIndex('task', (p) => [p.metadata!.annotations!.task!])
    const seen: [string, string, string | undefined][] = []
    inf.addHandler((type, p) => seen.push([type, p.metadata!.name!, p.status?.phase]))
    await inf.start()
    w.event('MODIFIED', pod('b', 't2', 'Succeeded'))
    seen.length = 0
    w.sync([pod('a', 't1')])
    expect(seen).toEqual([
      ['MODIFIED', 'a', 'Running'],
      ['DELETED', 'b', 'Succeeded'],
    ])
    expect(inf.get('ns/b')).toBeUndefined()
    expect(inf.byIndex('task', 't2')).toEqual([])
  })

  it('keeps the index values an object was filed under, even when the index function would now differ', async () => {
    const w = fakeWatch()
    const inf = new SharedInformer<V1Pod>('pod', w.make, 'x=y')
    let suffix = '1'
    inf.addIndex('task', (p) => [p.metadata!.name! + suffix])
    await inf.start()
    w.event('ADDED', pod('a', 't'))
    suffix = '2'
    w.event('DELETED', pod('a', 't'))
    expect(inf.byIndex('task', 'a1')).toEqual([])
  })
})
