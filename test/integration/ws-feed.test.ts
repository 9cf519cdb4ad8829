import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import type { EcsEvent } from '../../src/events/bus.js'
import type { NoticeFrame } from '../../src/events/feed-protocol.js'
import { FeedClient } from '../helpers/feed-client.js'
import { deploymentEvent, instanceEvent, publishable, serviceAction, TASK_ID, taskEvent } from '../helpers/ecs-events.js'
import { startTestInstance, type TestInstance } from '../helpers/instance.js'

let t: TestInstance
const clients: FeedClient[] = []
const open = async (query = '', opts?: { subscribed?: boolean }) => {
  const c = await FeedClient.open(t.endpoint, query, opts)
  clients.push(c)
  return c
}
const publish = (e: EcsEvent, time?: Date) => t.instance.bus.publish({ ...publishable(e), time })

beforeAll(async () => {
  t = await startTestInstance()
})
afterEach(() => {
  for (const c of clients.splice(0)) c.close()
})
afterAll(async () => {
  await t?.stop()
})

describe('GET /ws', () => {
  it('streams the events matching the query filters, in order, in EventBridge shape', async () => {
    const c = await open('cluster=default&service=web')
    expect(c.subscribed()[0]).toMatchObject({ filters: { cluster: 'default', service: 'web' }, replay: 0, instance: t.instance.hub.instanceId })

    const a = publish(taskEvent({ service: 'web' }))
    publish(taskEvent({ cluster: 'batch', family: 'job' })) // another cluster
    publish(taskEvent({ service: 'api' })) // another service
    publish(deploymentEvent({ cluster: 'prod', service: 'web' })) // same name, another cluster
    publish(instanceEvent()) // not about a service
    const b = publish(serviceAction({ service: 'web' }))
    const last = publish(deploymentEvent({ service: 'web' }))
    await c.untilEvent(last.id)

    expect(c.ids()).toEqual([a.id, b.id, last.id])
    const got = c.events()[0]!
    expect(got).toEqual(a) // exactly as the bus has it
    expect(Object.keys(got).sort()).toEqual(['account', 'detail', 'detail-type', 'id', 'region', 'resources', 'source', 'time', 'version'])
  })

  it('filters by detail-type and task, and changes filters on a subscribe message', async () => {
    const c = await open('detail-type=ECS%20Service%20Action')
    publish(taskEvent())
    const steady = publish(serviceAction())
    await c.untilEvent(steady.id)
    expect(c.ids()).toEqual([steady.id])

    c.send({ action: 'subscribe', filters: { task: TASK_ID } })
    await c.until(() => c.subscribed().length === 2, 'second subscribed')
    expect(c.subscribed()[1]!.filters).toEqual({ task: TASK_ID })
    publish(serviceAction())
    publish(taskEvent({ id: 'ffffffffffffffffffffffffffffffff' }))
    const mine = publish(taskEvent())
    await c.untilEvent(mine.id)
    expect(c.ids()).toEqual([steady.id, mine.id])

    // A bad message is answered, and the connection stays.
    c.ws.send('not json')
    c.send({ action: 'unsubscribe' })
    c.send({ action: 'subscribe', filters: { cluster: 42 } })
    await c.until(() => c.frames.filter((f) => f.type === 'error').length === 3, 'three errors')
    const again = publish(taskEvent())
    await c.untilEvent(again.id)
  })

  it('replays after an event id, or since a time, then goes live without gap or duplicate', async () => {
    const e = [0, 1, 2].map(() => publish(taskEvent({ cluster: 'replay' }), new Date('2030-01-01T10:00:00Z')))
    const later = [0, 1].map(() => publish(taskEvent({ cluster: 'replay' }), new Date('2030-01-01T10:00:05Z')))
    publish(taskEvent({ cluster: 'elsewhere' }), new Date('2030-01-01T10:00:05Z'))

    const afterId = await open(`cluster=replay&after=${e[0]!.id}`)
    const since = await open('cluster=replay&since=2030-01-01T10:00:05Z')
    expect(afterId.subscribed()[0]!.replay).toBe(4)
    expect(since.subscribed()[0]!.replay).toBe(2)
    const live = publish(taskEvent({ cluster: 'replay' }))
    await afterId.untilEvent(live.id)
    await since.untilEvent(live.id)
    expect(afterId.ids()).toEqual([e[1]!.id, e[2]!.id, later[0]!.id, later[1]!.id, live.id])
    expect(since.ids()).toEqual([later[0]!.id, later[1]!.id, live.id])
  })

  it('has no gap and no duplicate between replay and live while events keep coming', async () => {
    const start = publish(taskEvent({ cluster: 'busy' }))
    let running = true
    const publisher = (async () => {
      while (running) {
        publish(taskEvent({ cluster: 'busy' }))
        publish(taskEvent({ cluster: 'quiet' }))
        await new Promise((r) => setImmediate(r))
      }
    })()
    const c = await open(`cluster=busy&after=${start.id}`)
    await c.until(() => c.events().length >= 200, '200 events')
    running = false
    await publisher
    const end = publish(taskEvent({ cluster: 'busy' }))
    await c.untilEvent(end.id)

    const history = t.instance.bus.replay({ sinceId: start.id }).filter((e) => e.resources[0]!.includes(':task/busy/'))
    expect(c.ids()).toEqual(history.map((e) => e.id))
    expect(new Set(c.ids()).size).toBe(c.ids().length)
  })

  it('says so when the event to resume after is no longer kept', async () => {
    publish(taskEvent({ cluster: 'gap' }))
    const c = await open('cluster=gap&after=00000000-0000-0000-0000-000000000000')
    await c.until(() => c.frames.some((f) => f.type === 'notice'), 'notice')
    const notice = c.frames.find((f) => f.type === 'notice') as NoticeFrame
    expect(notice.code).toBe('replay-gap')
    expect(c.subscribed()[0]!.replay).toBeGreaterThanOrEqual(1)

    // A client of a previous instance (KECS restarted) gets all of this one's events, as news.
    const other = await open('cluster=gap&after=x&instance=some-earlier-instance')
    await other.until(() => other.frames.some((f) => f.type === 'notice'), 'notice')
    expect((other.frames.find((f) => f.type === 'notice') as NoticeFrame).code).toBe('instance-changed')
  })

  it('sends heartbeats at the interval asked for', async () => {
    const c = await open('heartbeatMs=20')
    expect(c.subscribed()[0]!.heartbeatMs).toBe(20)
    await c.until(() => c.frames.filter((f) => f.type === 'heartbeat').length >= 2, 'two heartbeats')
    const hb = c.frames.find((f) => f.type === 'heartbeat')!
    expect(Number.isNaN(Date.parse((hb as { time: string }).time))).toBe(false)
  })

  it('refuses bad parameters with an error frame and close code 1008', async () => {
    const c = await open('since=yesterday', { subscribed: false })
    const closed = await c.untilClosed()
    expect(closed.code).toBe(1008)
    expect(c.frames[0]).toMatchObject({ type: 'error' })
    expect((c.frames[0] as { message: string }).message).toMatch(/since/)
  })

  it('refuses pages of other origins (a browser lets any site connect to 127.0.0.1)', async () => {
    const status = (origin: string) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(`${t.endpoint.replace('http', 'ws')}/ws`, { origin })
        ws.on('unexpected-response', (_req, res) => {
          resolve(res.statusCode ?? 0)
          ws.terminate()
        })
        ws.on('open', () => {
          resolve(101)
          ws.terminate()
        })
        ws.on('error', () => {})
      })
    expect(await status('https://evil.example')).toBe(403)
    expect(await status(t.endpoint)).toBe(101)
    expect(await status('http://localhost:5173')).toBe(101)
  })

  it('answers a plain GET with 426 and JSON', async () => {
    const res = await fetch(`${t.endpoint}/ws`)
    expect(res.status).toBe(426)
    expect(((await res.json()) as { message: string }).message).toMatch(/WebSocket/)
    // The ECS endpoint still works next to it.
    const r = await t.call('ListClusters')
    expect(r.status).toBe(200)
  })
})

describe('a slow consumer', () => {
  it('never blocks publishing: its buffer stays bounded, it gets a drop notice, others get everything', async () => {
    const s = await startTestInstance()
    try {
      const slow = await FeedClient.open(s.endpoint, 'cluster=default')
      const fast = await FeedClient.open(s.endpoint, 'cluster=default')
      slow.ws.pause() // never reads: the kernel buffers fill, then the server's
      const padding = 'x'.repeat(4096)
      const published: string[] = []
      const N = 10_000
      for (let i = 0; i < N; i++) {
        const e = taskEvent()
        e.detail.padding = padding
        published.push(s.instance.bus.publish(publishable(e)).id)
        // Pace by the fast client only (it reads as fast as it can); the slow one is left behind.
        if (i % 50 === 49) {
          await new Promise((r) => setImmediate(r))
          while (published.length - fast.events().length > 500) await new Promise((r) => setTimeout(r, 1))
        }
      }
      await fast.untilEvent(published[N - 1]!)
      expect(fast.ids()).toEqual(published)
      expect(fast.frames.some((f) => f.type === 'notice')).toBe(false)

      const slowStats = s.instance.hub.clients().find((c) => c.dropped > 0)!
      expect(slowStats).toBeDefined()
      expect(slowStats.queued).toBeLessThanOrEqual(1_000)
      expect(slowStats.bufferedAmount).toBeLessThan(1024 * 1024 + 16 * 1024)

      slow.ws.resume()
      await slow.until(() => slow.frames.some((f) => f.type === 'notice'), 'drop notice')
      const notice = slow.frames.find((f) => f.type === 'notice') as NoticeFrame
      expect(notice.code).toBe('dropped')
      const got = slow.ids()
      // What it got is the start of the stream, in order; the notice says what follows is missing.
      expect(got).toEqual(published.slice(0, got.length))
      expect(notice.after).toBe(got[got.length - 1])
      expect(got.length + notice.dropped!).toBe(N)

      // It is still subscribed: new events reach it.
      const next = s.instance.bus.publish(publishable(taskEvent())).id
      await slow.untilEvent(next)
      slow.close()
      fast.close()
    } finally {
      await s.stop()
    }
  })

  it('does not hold up shutdown: closing the instance closes every socket', async () => {
    const s = await startTestInstance()
    const stuck = await FeedClient.open(s.endpoint)
    const normal = await FeedClient.open(s.endpoint)
    stuck.ws.pause()
    for (let i = 0; i < 2000; i++) s.instance.bus.publish({ ...publishable(taskEvent()), detail: { padding: 'y'.repeat(4096) } })
    await s.stop()
    expect((await normal.untilClosed()).code).toBe(1001)
    stuck.ws.resume()
    await stuck.untilClosed()
  })
})
