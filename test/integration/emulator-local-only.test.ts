import { request } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js'

/**
 * The emulated Kubernetes API (no authentication, like KECS's own) answers only requests meant for
 * it: a foreign Host (DNS rebinding) or the Origin of a page of another site (a browser opening
 * pods/exec or pods/portforward) gets a 403 Status; kubectl and client-node send neither.
 */
let emu: TestEmulator
let port: number
beforeAll(async () => {
  emu = await startTestEmulator()
  port = Number(new URL(emu.url).port)
})
afterAll(async () => emu?.stop())

function get(path: string, headers: Record<string, string>): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
      let body = ''
      res.on('data', (c) => (body += c))
      res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(body) }))
    })
    req.on('error', reject)
    req.end()
  })
}

function upgrade(path: string, opts: { origin?: string; host?: string }): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, ['v4.channel.k8s.io'], { origin: opts.origin, headers: opts.host ? { host: opts.host } : {} })
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

describe('emulated API server: local only', () => {
  it('refuses Host: evil.example (reading secrets through DNS rebinding) with a 403 Status', async () => {
    const r = await get('/api/v1/secrets', { host: `evil.example:${port}` })
    expect(r.status).toBe(403)
    expect(r.body).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Forbidden', code: 403 })
    expect(r.body.message).toContain('evil.example')
    expect((await get('/api/v1/secrets', { host: `127.0.0.1:${port}` })).status).toBe(200)
    expect((await get('/api/v1/secrets', { host: `localhost:${port}` })).status).toBe(200)
  })

  it('refuses a foreign Origin, on plain requests and on exec/portforward upgrades', async () => {
    expect((await get('/api/v1/namespaces', { host: `127.0.0.1:${port}`, origin: 'https://evil.example' })).status).toBe(403)
    const exec = '/api/v1/namespaces/default/pods/nope/exec?command=sh&stdout=true'
    expect(await upgrade(exec, { origin: 'https://evil.example' })).toBe(403)
    expect(await upgrade('/api/v1/namespaces/default/pods/nope/portforward?ports=80', { host: 'evil.example' })).toBe(403)
    // Without a foreign Origin the request reaches the API: this pod does not exist.
    expect(await upgrade(exec, {})).toBe(404)
    expect(await upgrade(exec, { origin: `http://localhost:${port}` })).toBe(404)
  })
})
