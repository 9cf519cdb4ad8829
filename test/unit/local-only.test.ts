import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { exposureWarning } from '../../src/cli/exposure.js'
import { allowHosts, startArgs } from '../../src/cli/start-options.js'
import { CliError } from '../../src/lib/errors.js'
import { defaultAdminHost, hostName, HostAllowList, isLoopbackName, originName } from '../../src/lib/local-hosts.js'
import { BUILT_IN_HOSTS, localOnly, type LocalOnlyReason } from '../../src/server/local-only.js'
import { Metrics } from '../../src/server/metrics.js'
import { originAllowed } from '../../src/server/ws-hub.js'

/** An app behind the guard: GET and POST / answer 200, the refusals are recorded. */
function guarded(extra: string[] = [], dynamic?: () => string[]) {
  const refused: { reason: LocalOnlyReason; message: string }[] = []
  const guard = localOnly({ hosts: new HostAllowList([...BUILT_IN_HOSTS, ...extra]), dynamic, onRefused: (reason, message) => refused.push({ reason, message }) })
  const app = new Hono()
  app.use('*', guard.middleware)
  app.get('/', (c) => c.json({ ok: true }))
  app.post('/', (c) => c.json({ ok: true }))
  app.get('/ui', (c) => c.html('<p>ui</p>'))
  return { app, guard, refused }
}

const req = (app: Hono, headers: Record<string, string>, init: RequestInit & { path?: string } = {}) =>
  app.request(init.path ?? '/', { method: init.method ?? 'GET', headers, body: init.body })

describe('host names', () => {
  it('takes the name part of a Host header: lower case, no port, no brackets, no trailing dot', () => {
    expect(hostName('localhost:8080')).toBe('localhost')
    expect(hostName('Evil.Example:80')).toBe('evil.example')
    expect(hostName('[::1]:8080')).toBe('::1')
    expect(hostName('[::1]')).toBe('::1')
    expect(hostName('::1')).toBe('::1')
    expect(hostName('127.0.0.1')).toBe('127.0.0.1')
    expect(hostName('localhost.')).toBe('localhost')
    expect(hostName('kecs_node:1')).toBe('kecs_node')
    for (const bad of ['', ':8080', 'a b', 'user@evil.example', 'evil.example:http', '[::1', '[::1]x', 'evil/x', 'a..b', '[evil.example]']) {
      expect(hostName(bad), bad).toBeUndefined()
    }
  })

  it('knows the loopback names: localhost, *.localhost, 127.x, ::1', () => {
    for (const n of ['localhost', 'app.localhost', 'a.b.localhost', '127.0.0.1', '127.1.2.3', '127.255.255.255', '::1']) expect(isLoopbackName(n), n).toBe(true)
    for (const n of ['localhost.evil.example', 'evillocalhost', '128.0.0.1', '127.0.0.256', '10.0.0.1', '0.0.0.0', '::', 'example.com']) {
      expect(isLoopbackName(n), n).toBe(false)
    }
  })

  it('reads the host of an Origin; null, other schemes and garbage have none', () => {
    expect(originName('http://localhost:5173')).toBe('localhost')
    expect(originName('https://Evil.Example')).toBe('evil.example')
    expect(originName('http://[::1]:8080')).toBe('::1')
    for (const bad of ['null', 'file://', 'chrome-extension://abc', 'not a url', '']) expect(originName(bad), bad).toBeUndefined()
  })

  it('an allow list holds exact names and *.suffix patterns, and loopback always', () => {
    const l = new HostAllowList(['MyBox.lan:8080', '*.corp.example', '[fe80::1]'])
    for (const n of ['mybox.lan', 'a.corp.example', 'b.a.corp.example', 'fe80::1', 'localhost', '127.0.0.2']) expect(l.has(n), n).toBe(true)
    for (const n of ['corp.example', 'evil.example', 'mybox.lan.evil.example']) expect(l.has(n), n).toBe(false)
    expect(l.add('not a name')).toBe(false)
  })

  it('the admin port stays on loopback unless the API is on a loopback address', () => {
    expect(defaultAdminHost('127.0.0.1')).toBe('127.0.0.1')
    expect(defaultAdminHost('::1')).toBe('::1')
    expect(defaultAdminHost('localhost')).toBe('localhost')
    expect(defaultAdminHost('0.0.0.0')).toBe('127.0.0.1')
    expect(defaultAdminHost('192.168.1.5')).toBe('127.0.0.1')
  })
})

describe('the local-only guard (DNS rebinding, cross-site requests)', () => {
  it('serves loopback names, the built-in ones and allowed names, whatever the port', async () => {
    const { app, refused } = guarded(['mybox.lan'])
    for (const host of ['localhost:8080', 'LOCALHOST', 'ui.localhost:8080', '127.0.0.1:8080', '127.0.0.9', '[::1]:8080', 'host.docker.internal:8080', '169.254.170.2', 'mybox.lan:1234']) {
      expect((await req(app, { host })).status, host).toBe(200)
    }
    expect(refused).toEqual([])
  })

  it('serves a request without a Host header (HTTP/1.0) or an Origin (a non-browser client)', async () => {
    const { app } = guarded()
    expect((await app.request('/')).status).toBe(200)
    expect((await app.request('/', { method: 'POST', body: '{}' })).status).toBe(200)
  })

  it('refuses a foreign Host with 403 and an AWS JSON error naming the host and the flag', async () => {
    const { app, refused } = guarded()
    const res = await req(app, { host: 'evil.example:8080' }, { method: 'POST', body: '{}' })
    expect(res.status).toBe(403)
    expect(res.headers.get('x-amzn-errortype')).toBe('AccessDeniedException')
    expect(res.headers.get('content-type')).toBe('application/x-amz-json-1.1')
    expect(res.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/)
    expect(res.headers.get('access-control-allow-origin')).toBeNull()
    const body = (await res.json()) as { __type: string; message: string }
    expect(body.__type).toBe('AccessDeniedException')
    expect(body.message).toContain('"evil.example:8080"')
    expect(body.message).toContain('--allow-host evil.example')
    expect(body.message).toContain('KECS_ALLOW_HOSTS')
    expect(refused.map((r) => r.reason)).toEqual(['host'])
    // Names that only look local, and hosts that are not names at all.
    for (const host of ['localhost.evil.example', '127.0.0.1.nip.io', '0.0.0.0:8080', '10.0.0.1', 'a b', 'x@localhost']) {
      expect((await req(app, { host })).status, host).toBe(403)
    }
  })

  it('answers a refused query-protocol call (form body, GET ?Action=) with the XML error its clients read', async () => {
    const { app } = guarded()
    const form = await req(app, { host: 'evil.example', 'content-type': 'application/x-www-form-urlencoded' }, { method: 'POST', body: 'Action=ListRoles&Version=2010-05-08' })
    expect(form.status).toBe(403)
    expect(form.headers.get('content-type')).toContain('text/xml')
    const xml = await form.text()
    expect(xml).toContain('<Code>AccessDenied</Code>')
    expect(xml).toContain('--allow-host evil.example')
    const get = await req(app, { host: 'evil.example' }, { path: '/?Action=GetCallerIdentity&Version=2011-06-15' })
    expect(get.status).toBe(403)
    expect(await get.text()).toContain('<Code>AccessDenied</Code>')
  })

  it('refuses a request carrying the Origin of a page of another site, on every method', async () => {
    const { app, refused } = guarded()
    for (const method of ['POST', 'GET', 'PUT', 'DELETE', 'OPTIONS']) {
      const res = await req(app, { host: '127.0.0.1:8080', origin: 'https://evil.example' }, { method, body: method === 'POST' || method === 'PUT' ? '{}' : undefined })
      expect(res.status, method).toBe(403)
      expect(res.headers.get('access-control-allow-origin')).toBeNull()
      const body = (await res.json()) as { __type: string; message: string }
      expect(body).toMatchObject({ __type: 'AccessDeniedException' })
      expect(body.message).toContain('https://evil.example')
      expect(body.message).toContain('--allow-host evil.example')
    }
    for (const origin of ['null', 'file://', 'chrome-extension://abc']) {
      expect((await req(app, { host: 'localhost', origin }, { method: 'POST', body: '{}' })).status, origin).toBe(403)
    }
    expect(refused.every((r) => r.reason === 'origin')).toBe(true)
  })

  it('serves pages of this server, of loopback origins and of allowed names (ports ignored)', async () => {
    const { app } = guarded(['mybox.lan'])
    for (const origin of ['http://127.0.0.1:8080', 'http://localhost:5173', 'http://[::1]:8080', 'https://mybox.lan']) {
      expect((await req(app, { host: '127.0.0.1:8080', origin }, { method: 'POST', body: '{}' })).status, origin).toBe(200)
    }
  })

  it('refuses a cross-site browser request without Origin (<img>, no-cors), but lets a top-level navigation open the UI', async () => {
    const { app } = guarded()
    const img = await req(app, { host: '127.0.0.1:8080', 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors', 'sec-fetch-dest': 'image' }, { path: '/?Action=CreateUser&Version=2010-05-08&UserName=x' })
    expect(img.status).toBe(403)
    expect(await img.text()).toContain('AccessDenied')
    const frame = await req(app, { host: '127.0.0.1:8080', 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'iframe' }, { path: '/ui' })
    expect(frame.status).toBe(403)
    const link = await req(app, { host: '127.0.0.1:8080', 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document' }, { path: '/ui' })
    expect(link.status).toBe(200)
    // The UI's own requests, and a dev server on another port of localhost (same site).
    expect((await req(app, { host: '127.0.0.1:8080', 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'cors' })).status).toBe(200)
    expect((await req(app, { host: 'localhost:8080', 'sec-fetch-site': 'same-site', 'sec-fetch-mode': 'no-cors' })).status).toBe(200)
  })

  it('asks the dynamic names (the interface addresses of a wildcard listener) only for names not in the list', async () => {
    let asked = 0
    const { app } = guarded([], () => {
      asked++
      return ['192.168.1.5', 'fe80::1']
    })
    expect((await req(app, { host: 'localhost:8080' })).status).toBe(200)
    expect(asked).toBe(0)
    expect((await req(app, { host: '192.168.1.5:8080' })).status).toBe(200)
    expect((await req(app, { host: '[fe80::1]:8080', origin: 'http://[fe80::1]:8080' }, { method: 'POST', body: '{}' })).status).toBe(200)
    expect((await req(app, { host: '192.168.1.6:8080' })).status).toBe(403)
    expect(asked).toBeGreaterThan(0)
  })

  it('gives the WebSocket feed the same Origin rule', () => {
    const { guard } = guarded(['mybox.lan'])
    expect(guard.originAllowed(undefined)).toBe(true)
    expect(guard.originAllowed('http://localhost:5173')).toBe(true)
    expect(guard.originAllowed('http://mybox.lan:8080')).toBe(true)
    expect(guard.originAllowed('https://evil.example')).toBe(false)
    // The hub's default (no guard in front): loopback pages and pages of the Host the request names.
    expect(originAllowed(undefined, 'x:1')).toBe(true)
    expect(originAllowed('http://localhost:3000', '127.0.0.1:8080')).toBe(true)
    expect(originAllowed('http://mybox.lan:8080', 'mybox.lan:8080')).toBe(true)
    expect(originAllowed('https://evil.example', '127.0.0.1:8080')).toBe(false)
  })
})

describe('refused requests in /metrics', () => {
  it('counts them by reason, every known reason from 0', () => {
    const m = new Metrics()
    m.countRefused('host')
    m.countRefused('host')
    m.countRefused('origin')
    const text = m.render()
    expect(text).toContain('# TYPE kecs_refused_requests_total counter')
    expect(text).toContain('kecs_refused_requests_total{reason="host"} 2\n')
    expect(text).toContain('kecs_refused_requests_total{reason="origin"} 1\n')
    expect(text).toContain('kecs_refused_requests_total{reason="body_too_large"} 0\n')
    expect(text).toContain('kecs_refused_requests_total{reason="auth"} 0\n')
  })
})

describe('kecs start: --host beyond loopback, --allow-host', () => {
  it('warns what a non-loopback --host exposes and how to restrict it; nothing for loopback', () => {
    expect(exposureWarning({ host: '127.0.0.1', port: 8080, adminPort: 8081 })).toEqual([])
    expect(exposureWarning({ host: '::1', port: 8080, adminPort: 8081 })).toEqual([])
    const text = exposureWarning({ host: '0.0.0.0', port: 8080, adminPort: 8081 }).join('\n')
    expect(text).toMatch(/^Warning: --host 0\.0\.0\.0 listens on every network interface/)
    expect(text).toContain('ECS and AWS APIs')
    expect(text).toContain('without authentication')
    expect(text).toContain('--auth')
    expect(text).toContain('web UI')
    expect(text).toContain('/metadata')
    expect(text).toContain('credentials')
    expect(text).toContain('--allow-host')
    expect(text).toContain('The admin port stays on 127.0.0.1:8081')
    expect(text).toContain('--host 127.0.0.1')
    // `kecs start` always passes --auth's value; its default `none` is no authentication.
    expect(exposureWarning({ host: '0.0.0.0', port: 8080, adminPort: 8081, auth: 'none' }).join('\n')).toContain('without authentication: any credentials are accepted')
    expect(exposureWarning({ host: '0.0.0.0', port: 8080, adminPort: 8081, auth: 'sigv4' }).join('\n')).toContain('signed as --auth sigv4 requires')
    expect(exposureWarning({ host: '172.18.0.1', port: 8080, adminPort: 8081 })[0]).toContain('anyone who can reach 172.18.0.1:8080')
    const admin = exposureWarning({ host: '127.0.0.1', port: 8080, adminHost: '0.0.0.0', adminPort: 8081 }).join('\n')
    expect(admin).toMatch(/^Warning: the admin port listens on every network interface/)
    expect(admin).toContain('POST /reset')
  })

  it('reads --allow-host and KECS_ALLOW_HOSTS, refusing what is not a host name', () => {
    expect(allowHosts(['a.lan', 'b.lan'], ' c.lan, a.lan ,,')).toEqual(['a.lan', 'b.lan', 'c.lan'])
    expect(allowHosts([], undefined)).toEqual([])
    expect(allowHosts(['*.corp.example', '[::1]:8080'], '')).toEqual(['*.corp.example', '[::1]:8080'])
    expect(() => allowHosts(['http://x/'], '')).toThrow(CliError)
    expect(() => allowHosts([], 'a b')).toThrow(/not a host name/)
  })

  it('passes --admin-host and every --allow-host to the detached child', () => {
    const args = startArgs({ name: 'x', host: '0.0.0.0', port: 1, adminPort: 2, adminHost: '127.0.0.1', allowHosts: ['a.lan', 'b.lan'], cluster: 'auto', timeoutMs: 1000 })
    expect(args.join(' ')).toContain('--admin-host 127.0.0.1 --allow-host a.lan --allow-host b.lan')
  })
})
