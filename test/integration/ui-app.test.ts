import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { KECS_VERSION } from '../../src/lib/version.js'
import { createAdminApp } from '../../src/server/admin-app.js'
import { Metrics } from '../../src/server/metrics.js'
import { mountUi } from '../../src/server/ui-app.js'
import { startTestInstance, type TestInstance } from '../helpers/instance.js'

/** The UI's routes on the API app, over a built folder the test writes (so it needs no build). */
describe('web UI routes', () => {
  let dir: string
  let app: Hono
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'kecs-ui-'))
    mkdirSync(join(dir, 'assets'))
    writeFileSync(join(dir, 'index.html'), '<!doctype html><div id="app"></div><script type="module" src="/ui/assets/main-ABC.js"></script>')
    writeFileSync(join(dir, 'manifest.json'), '{"js":"main-ABC.js"}')
    writeFileSync(join(dir, 'assets', 'main-ABC.js'), 'console.log(1)')
    app = new Hono()
    app.post('/', (c) => c.json({ ecs: true }))
    mountUi(app, { admin: createAdminApp(new Metrics(), { ready: () => true, details: () => ({ clusterProvider: 'emulated' }), status: () => ({ pid: 7 }) }), dir })
    app.notFound((c) => c.json({ __type: 'UnknownOperationException', message: 'No route' }, 404))
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('answers the app shell at /ui and at any deep link under it, never cached', async () => {
    for (const path of ['/ui', '/ui/', '/ui/clusters/c/services/web', '/ui/task-definitions/web/3']) {
      const res = await app.request(path)
      expect(res.status, path).toBe(200)
      expect(res.headers.get('content-type')).toMatch(/^text\/html/)
      expect(res.headers.get('cache-control')).toBe('no-cache')
      expect(await res.text()).toContain('<div id="app">')
    }
  })

  it('serves hashed assets with a year of caching, and 404s unknown ones', async () => {
    const res = await app.request('/ui/assets/main-ABC.js')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/javascript/)
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable')
    expect((await app.request('/ui/assets/nope.js')).status).toBe(404)
    expect((await app.request('/ui/assets/..%2Fmanifest.json')).status).toBe(404)
  })

  it('sends a browser at / to /ui; other GETs of / keep the JSON 404, POST / stays the API', async () => {
    const html = await app.request('/', { headers: { Accept: 'text/html,application/xhtml+xml' } })
    expect(html.status).toBe(302)
    expect(html.headers.get('location')).toBe('/ui')
    const plain = await app.request('/', { headers: { Accept: 'application/json' } })
    expect(plain.status).toBe(404)
    expect(await (await app.request('/', { method: 'POST' })).json()).toEqual({ ecs: true })
  })

  it("serves /status as the admin port's", async () => {
    const res = await app.request('/status')
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ status: 'ready', version: KECS_VERSION, clusterProvider: 'emulated', pid: 7 })
  })
})

describe('the instance serves /status on the API port', () => {
  let t: TestInstance
  beforeAll(async () => void (t = await startTestInstance({ dir: ':memory:' })))
  afterAll(() => t?.stop())

  it('with what the admin port says', async () => {
    const api = (await (await fetch(`${t.endpoint}/status`)).json()) as Record<string, unknown>
    const admin = (await (await fetch(`http://127.0.0.1:${t.instance.admin.port}/status`)).json()) as Record<string, unknown>
    expect(api.status).toBe('ready')
    expect(api.version).toMatch(/^\d+\.\d+\.\d+/)
    expect(api.pid).toBe(admin.pid)
    expect(api.resources).toEqual(admin.resources)
  })
})
