import { request } from 'node:http'
import { connect } from 'node:net'
import { networkInterfaces } from 'node:os'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import type { ClusterProvider } from '../../src/cluster/providers.js'
import { startTestInstance, type TestInstance } from '../helpers/instance.js'

/**
 * Local-only through a running instance: the API port, /ws, the UI and the admin port answer only
 * requests that name this KECS (DNS rebinding) and that no page of another site sent; each refusal
 * is counted in /metrics by reason.
 */

interface Raw {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

/** A request with exactly these headers (fetch would not let a test set Host). */
/** An HTTP/1.0 request as written (no Host header): the whole answer. */
function http10(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(text))
    let out = ''
    socket.on('data', (d) => (out += d))
    socket.on('close', () => resolve(out))
    socket.on('error', reject)
  })
}

function raw(port: number, opts: { method?: string; path?: string; headers?: Record<string, string>; body?: string; host?: string }): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = request({ host: opts.host ?? '127.0.0.1', port, agent: false, method: opts.method ?? 'GET', path: opts.path ?? '/', headers: opts.headers }, (res) => {
      let body = ''
      res.on('data', (c) => (body += c))
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }))
    })
    req.on('error', reject)
    req.end(opts.body)
  })
}

const ecs = (op: string, headers: Record<string, string> = {}) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `AmazonEC2ContainerServiceV20141113.${op}`, ...headers },
  body: '{}',
})

/** The status a WebSocket upgrade of /ws gets: 101 when it opens. */
function upgrade(port: number, headers: { origin?: string; host?: string }): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { origin: headers.origin, headers: headers.host ? { host: headers.host } : {} })
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0)
      ws.terminate()
    })
    ws.on('open', () => {
      resolve(101)
      ws.terminate()
    })
    ws.on('error', () => resolve(-1))
  })
}

/** The pods of this cluster reach KECS at 10.1.2.3 (as Kind's reach the kind network's gateway). */
const podsAt: ClusterProvider = {
  name: 'fake-pods-address',
  async start() {
    return { describe: 'pods reach KECS at 10.1.2.3', async stop() {}, endpointForPods: (e) => e.replace('127.0.0.1', '10.1.2.3') }
  },
}

let t: TestInstance
let port: number
let adminPort: number
beforeAll(async () => {
  t = await startTestInstance({ allowHosts: ['kecs.test', '*.dev.example'], cluster: { provider: podsAt } })
  port = t.instance.api.port
  adminPort = t.instance.admin.port
})
afterAll(async () => t?.stop())

const refusedCount = async (reason: string) => {
  const text = await (await fetch(`http://127.0.0.1:${adminPort}/metrics`)).text()
  const line = text.split('\n').find((l) => l.startsWith(`kecs_refused_requests_total{reason="${reason}"} `))
  return Number(line?.split(' ')[1])
}

describe('Host: a guard against DNS rebinding', () => {
  it('refuses Host: evil.example with 403 and an AWS JSON error naming the host and --allow-host; nothing is done', async () => {
    const before = await refusedCount('host')
    const r = await raw(port, { ...ecs('CreateCluster', { host: `evil.example:${port}` }), body: '{"clusterName":"rebound"}' })
    expect(r.status).toBe(403)
    expect(r.headers['x-amzn-errortype']).toBe('AccessDeniedException')
    expect(r.headers['access-control-allow-origin']).toBeUndefined()
    const body = JSON.parse(r.body) as { __type: string; message: string }
    expect(body.__type).toBe('AccessDeniedException')
    expect(body.message).toContain(`evil.example:${port}`)
    expect(body.message).toContain('--allow-host evil.example')
    expect(await refusedCount('host')).toBe(before + 1)
    const list = await t.call('ListClusters')
    expect(list.body.clusterArns.some((a: string) => a.endsWith('/rebound'))).toBe(false)
  })

  it('serves localhost, 127.0.0.1, [::1], host.docker.internal, the pods\u2019 address and --allow-host names', async () => {
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, `host.docker.internal:${port}`, '169.254.170.2', `10.1.2.3:${port}`, `kecs.test:${port}`, 'a.dev.example']) {
      const r = await raw(port, ecs('ListClusters', { host }))
      expect(r.status, host).toBe(200)
    }
    // And the SDK, which sends Host 127.0.0.1:<port>; a request without Host (HTTP/1.0).
    expect((await t.call('ListClusters')).status).toBe(200)
    const noHost = await http10(port, 'POST / HTTP/1.0\r\nContent-Type: application/x-amz-json-1.1\r\n' +
      'X-Amz-Target: AmazonEC2ContainerServiceV20141113.ListClusters\r\nContent-Length: 2\r\n\r\n{}')
    expect(noHost).toMatch(/^HTTP\/1\.[01] 200/)
  })

  it('guards the UI, the task endpoints and the admin port the same way', async () => {
    expect((await raw(port, { path: '/ui', headers: { host: 'evil.example' } })).status).toBe(403)
    expect((await raw(port, { path: '/status', headers: { host: 'evil.example' } })).status).toBe(403)
    expect((await raw(port, { path: '/v2/credentials/x', headers: { host: 'evil.example' } })).status).toBe(403)
    const admin = await raw(adminPort, { path: '/metrics', headers: { host: `evil.example:${adminPort}` } })
    expect(admin.status).toBe(403)
    expect(JSON.parse(admin.body).__type).toBe('AccessDeniedException')
    expect((await raw(adminPort, { path: '/ready', headers: { host: `localhost:${adminPort}` } })).status).toBe(200)
  })
})

describe('Origin: no request from a page of another site', () => {
  it("refuses the UI's mutating calls (ECS POST) from a foreign Origin, and serves them from the UI's own", async () => {
    const before = await refusedCount('origin')
    const evil = await raw(port, { ...ecs('CreateCluster', { host: `127.0.0.1:${port}`, origin: 'https://evil.example' }), body: '{"clusterName":"csrf"}' })
    expect(evil.status).toBe(403)
    expect(JSON.parse(evil.body)).toMatchObject({ __type: 'AccessDeniedException' })
    expect(await refusedCount('origin')).toBe(before + 1)
    const own = await raw(port, { ...ecs('CreateCluster', { host: `127.0.0.1:${port}`, origin: `http://127.0.0.1:${port}` }), body: '{"clusterName":"own"}' })
    expect(own.status).toBe(200)
    const clusters = (await t.call('ListClusters')).body.clusterArns as string[]
    expect(clusters.some((a) => a.endsWith('/csrf'))).toBe(false)
    expect(clusters.some((a) => a.endsWith('/own'))).toBe(true)
  })

  it('refuses a cross-site form post to IAM (a simple request, no preflight) with the XML error; no role is made', async () => {
    const body = 'Action=CreateRole&Version=2010-05-08&RoleName=csrf&AssumeRolePolicyDocument=%7B%7D'
    const r = await raw(port, { method: 'POST', headers: { host: `127.0.0.1:${port}`, origin: 'https://evil.example', 'content-type': 'application/x-www-form-urlencoded' }, body })
    expect(r.status).toBe(403)
    expect(r.body).toContain('<Code>AccessDenied</Code>')
    // A GET query call from an <img> of another site: no Origin, Sec-Fetch-Site says cross-site.
    const img = await raw(port, {
      path: '/?Action=CreateRole&Version=2010-05-08&RoleName=img&AssumeRolePolicyDocument=%7B%7D',
      headers: { host: `127.0.0.1:${port}`, 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors', 'sec-fetch-dest': 'image' },
    })
    expect(img.status).toBe(403)
    const roles = await raw(port, { path: '/?Action=ListRoles&Version=2010-05-08', headers: { host: `127.0.0.1:${port}` } })
    expect(roles.status).toBe(200)
    expect(roles.body).not.toContain('<RoleName>csrf</RoleName>')
    expect(roles.body).not.toContain('<RoleName>img</RoleName>')
  })

  it('refuses POST /reset on the admin port from a foreign Origin: the instance is not emptied', async () => {
    await t.call('CreateCluster', { clusterName: 'kept' })
    const r = await raw(adminPort, { method: 'POST', path: '/reset', headers: { host: `127.0.0.1:${adminPort}`, origin: 'https://evil.example' } })
    expect(r.status).toBe(403)
    expect(((await t.call('ListClusters')).body.clusterArns as string[]).some((a) => a.endsWith('/kept'))).toBe(true)
  })

  it('refuses a /ws upgrade from a foreign Origin or Host, and opens it for loopback and allowed origins', async () => {
    const before = await refusedCount('origin')
    expect(await upgrade(port, { origin: 'https://evil.example' })).toBe(403)
    expect(await upgrade(port, { origin: 'null' })).toBe(403)
    expect(await refusedCount('origin')).toBe(before + 2)
    expect(await upgrade(port, { host: `evil.example:${port}` })).toBe(403)
    expect(await upgrade(port, {})).toBe(101) // a non-browser client: no Origin
    expect(await upgrade(port, { origin: `http://127.0.0.1:${port}` })).toBe(101)
    expect(await upgrade(port, { origin: 'http://localhost:5173' })).toBe(101)
    // A page of a name given with --allow-host, on its own Host or on 127.0.0.1.
    expect(await upgrade(port, { origin: `http://kecs.test:${port}`, host: `kecs.test:${port}` })).toBe(101)
    expect(await upgrade(port, { origin: `http://kecs.test:${port}` })).toBe(101)
  })

  it('sends no CORS headers, not even to a preflight from an allowed origin', async () => {
    const pre = await raw(port, { method: 'OPTIONS', headers: { host: `127.0.0.1:${port}`, origin: 'http://localhost:5173', 'access-control-request-method': 'POST' } })
    expect(Object.keys(pre.headers).filter((h) => h.startsWith('access-control-'))).toEqual([])
  })
})

describe('listening on every interface', () => {
  const external = Object.values(networkInterfaces())
    .flat()
    .find((a) => a && a.family === 'IPv4' && !a.internal)?.address
  let w: TestInstance
  beforeAll(async () => {
    w = await startTestInstance({ host: '0.0.0.0' })
  })
  afterAll(async () => w?.stop())

  it('keeps the admin port on 127.0.0.1; Host 0.0.0.0 (a page reaching loopback through it) is not a name of KECS', async () => {
    expect((w.instance.admin.server.address() as { address: string }).address).toBe('127.0.0.1')
    expect((w.instance.api.server.address() as { address: string }).address).toBe('0.0.0.0')
    const p = w.instance.api.port
    expect((await raw(p, ecs('ListClusters', { host: `0.0.0.0:${p}` }))).status).toBe(403)
    expect((await raw(p, ecs('ListClusters', { host: `127.0.0.1:${p}` }))).status).toBe(200)
  })

  it.skipIf(!external)("serves Host: this machine's own address, still refuses other names", async () => {
    const p = w.instance.api.port
    expect((await raw(p, { ...ecs('ListClusters', { host: `${external}:${p}` }), host: external })).status).toBe(200)
    expect((await raw(p, { ...ecs('ListClusters', { host: `evil.example:${p}` }), host: external })).status).toBe(403)
  })
})
