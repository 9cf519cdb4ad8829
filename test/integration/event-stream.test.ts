import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { streamEvents, StreamError, type StreamNotice } from '../../src/cli/event-stream.js'
import { runEvents } from '../../src/cli/events.js'
import { CliError } from '../../src/lib/errors.js'
import type { EcsEvent } from '../../src/events/bus.js'
import { publishable, serviceAction, taskEvent } from '../helpers/ecs-events.js'
import { startTestInstance, type TestInstance } from '../helpers/instance.js'

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

/** Runs streamEvents in the background, collecting what it delivers. */
function collect(endpoint: string | (() => string), opts: { filters?: object; after?: string } = {}) {
  const ac = new AbortController()
  const events: EcsEvent[] = []
  const notices: StreamNotice[] = []
  let wake: (() => void)[] = []
  const poke = () => {
    const w = wake
    wake = []
    for (const f of w) f()
  }
  const done = streamEvents({
    endpoint,
    filters: opts.filters,
    after: opts.after,
    signal: ac.signal,
    backoff: { initialMs: 10, maxMs: 50 },
    onEvent: (e) => {
      events.push(e)
      poke()
    },
    onNotice: (n) => {
      notices.push(n)
      poke()
    },
  })
  const until = (cond: () => boolean) =>
    new Promise<void>((resolve) => {
      const check = () => (cond() ? resolve() : wake.push(check))
      check()
    })
  cleanups.push(async () => {
    ac.abort()
    await done.catch(() => {})
  })
  return {
    events,
    notices,
    done,
    abort: () => ac.abort(),
    ids: () => events.map((e) => e.id),
    until,
    connections: () => notices.filter((n) => n.code === 'connected').length,
  }
}

async function instanceOn(port = 0): Promise<TestInstance> {
  const dir = mkdtempSync(join(tmpdir(), 'kecs-stream-'))
  const t = await startTestInstance({ dir, port })
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
  return t
}

const publish = (t: TestInstance, e: EcsEvent) => t.instance.bus.publish(publishable(e))

describe('streamEvents', () => {
  it('delivers filtered events and ends when aborted', async () => {
    const t = await instanceOn()
    cleanups.push(() => t.stop())
    const s = collect(t.endpoint, { filters: { service: 'web' } })
    await s.until(() => s.connections() === 1)
    publish(t, serviceAction({ service: 'api' }))
    const mine = publish(t, serviceAction({ service: 'web' }))
    await s.until(() => s.events.length === 1)
    expect(s.ids()).toEqual([mine.id])
    s.abort()
    await s.done
  })

  it('reconnects when KECS restarts on the same port, without repeating or losing events', async () => {
    const a = await instanceOn()
    const port = a.instance.api.port
    const s = collect(`http://127.0.0.1:${port}`)
    await s.until(() => s.connections() === 1)
    const e1 = publish(a, taskEvent())
    const e2 = publish(a, taskEvent())
    await s.until(() => s.events.length === 2)
    await a.stop()
    await s.until(() => s.notices.some((n) => n.code === 'disconnected'))

    const b = await instanceOn(port)
    cleanups.push(() => b.stop())
    // Published before the client is back: it must still see it, once.
    const e3 = publish(b, taskEvent())
    await s.until(() => s.connections() === 2)
    const e4 = publish(b, taskEvent())
    await s.until(() => s.ids().includes(e4.id))
    expect(s.ids()).toEqual([e1.id, e2.id, e3.id, e4.id])
    expect(s.notices.map((n) => n.code)).toContain('instance-changed')
  })

  it('resumes after the last event it saw when the connection drops on a running instance', async () => {
    const t = await instanceOn()
    cleanups.push(() => t.stop())
    const s = collect(t.endpoint)
    await s.until(() => s.connections() === 1)
    const e1 = publish(t, taskEvent())
    await s.until(() => s.events.length === 1)
    // Cut the connection from the server side, then publish while the client is away.
    for (const ws of t.instance.hub.wss.clients) ws.terminate()
    const e2 = publish(t, taskEvent())
    const e3 = publish(t, taskEvent())
    await s.until(() => s.connections() === 2)
    const e4 = publish(t, taskEvent())
    await s.until(() => s.ids().includes(e4.id))
    expect(s.ids()).toEqual([e1.id, e2.id, e3.id, e4.id])
    expect(s.notices.some((n) => n.code === 'replay-gap')).toBe(false)
  })

  it('resumes even when nothing was seen before the drop (since the first subscription)', async () => {
    const t = await instanceOn()
    cleanups.push(() => t.stop())
    const s = collect(t.endpoint)
    await s.until(() => s.connections() === 1)
    for (const ws of t.instance.hub.wss.clients) ws.terminate()
    const e1 = publish(t, taskEvent())
    await s.until(() => s.ids().includes(e1.id))
    expect(s.ids()).toEqual([e1.id])
  })

  it('fails without retrying when the endpoint is not a KECS feed', async () => {
    const t = await instanceOn()
    cleanups.push(() => t.stop())
    const admin = `http://127.0.0.1:${t.instance.admin.port}`
    const s = collect(admin)
    await expect(s.done).rejects.toBeInstanceOf(StreamError)
  })
})

describe('runEvents (kecs events)', () => {
  it('prints JSON lines, or one line per event for people', async () => {
    const t = await instanceOn()
    cleanups.push(() => t.stop())
    for (const json of [true, false]) {
      const ac = new AbortController()
      const out: string[] = []
      const err: string[] = []
      const done = runEvents(
        { name: 'default', endpoint: t.endpoint, filters: { cluster: 'default' }, json },
        { out: (l) => out.push(l), err: (l) => err.push(l), signal: ac.signal },
      )
      while (!err.some((l) => l.includes('connected to'))) await new Promise((r) => setTimeout(r, 5))
      const e = publish(t, taskEvent())
      while (out.length === 0) await new Promise((r) => setTimeout(r, 5))
      ac.abort()
      await done
      if (json) expect(JSON.parse(out[0]!)).toEqual(e)
      else expect(out[0]).toMatch(/ task 1a2b3c4d web RUNNING$/)
    }
  })

  it('says when the named instance is not running', async () => {
    const home = mkdtempSync(join(tmpdir(), 'kecs-home-'))
    cleanups.push(() => rmSync(home, { recursive: true, force: true }))
    const run = runEvents({ name: 'nope', filters: {}, json: false, home }, { out: () => {}, err: () => {}, signal: new AbortController().signal })
    await expect(run).rejects.toThrow(CliError)
    await expect(run).rejects.toThrow(/KECS "nope" is not running/)
  })
})
