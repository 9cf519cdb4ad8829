import { request } from 'node:http'
import { PassThrough, Writable } from 'node:stream'
import { CoreV1Api, PortForward } from '@kubernetes/client-node'
import WebSocket from 'ws'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { channelFrame, parseChannelFrame } from '../../src/emulator/apiserver/ws-channels.js'
import { eventually, startTestEmulator, type TestEmulator } from '../helpers/emulator.js'

/**
 * pods/portforward on the emulator: client-node's PortForward reaches a simulated container's
 * declared port (an HTTP answer naming pod, container and port); the wire as the kubelet speaks it
 * (port preambles, error channel, close); what is refused and when.
 */
let emu: TestEmulator
let core: CoreV1Api
const NS = 'default'

async function ready(name: string) {
  return eventually(async () => {
    const p = await core.readNamespacedPod({ namespace: NS, name })
    return p.status?.containerStatuses?.every((s) => s.ready) && p.status.phase === 'Running' ? p : undefined
  }, `pod ${name} ready`)
}

beforeAll(async () => {
  emu = await startTestEmulator({ speed: 20 })
  core = emu.kc.makeApiClient(CoreV1Api)
  await core.createNamespacedPod({
    namespace: NS,
    body: {
      metadata: { name: 'web-1' },
      spec: {
        containers: [
          { name: 'web', image: 'nginx:1.27', ports: [{ containerPort: 80 }] },
          { name: 'side', image: 'busybox:1.36', ports: [{ containerPort: 9000, protocol: 'UDP' }] },
        ],
      },
    },
  })
  await core.createNamespacedPod({
    namespace: NS,
    body: {
      metadata: { name: 'sick', annotations: { 'kecs.simulate.unhealthy': 'true' } },
      spec: {
        containers: [
          { name: 'app', image: 'nginx:1.27', ports: [{ containerPort: 80 }], readinessProbe: { exec: { command: ['true'] }, periodSeconds: 1 } },
        ],
      },
    },
  })
  await ready('web-1')
})
afterAll(async () => emu?.stop())

/** One HTTP exchange through client-node's PortForward; resolves with what came back on each channel. */
async function forward(pod: string, port: number, payload: string): Promise<{ out: string; err: string }> {
  const pf = new PortForward(emu.kc)
  let out = ''
  let err = ''
  const output = new Writable({ write: (c, _e, cb) => ((out += c.toString()), cb()) })
  const errors = new Writable({ write: (c, _e, cb) => ((err += c.toString()), cb()) })
  const input = new PassThrough()
  const ws = (await pf.portForward(NS, pod, [port], output, errors, input)) as WebSocket
  const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()))
  input.write(payload)
  await closed
  return { out, err }
}

/** Opens the raw WebSocket as client-node does (same subprotocols); collects frames until close. */
function rawForward(path: string, protocols = ['v5.channel.k8s.io', 'v4.channel.k8s.io', 'channel.k8s.io'], send?: Buffer[]) {
  return new Promise<{ protocol: string; frames: { channel: number; payload: Buffer }[]; code: number }>((resolve, reject) => {
    const ws = new WebSocket(emu.url.replace('http://', 'ws://') + path, protocols)
    const frames: { channel: number; payload: Buffer }[] = []
    ws.on('open', () => {
      for (const b of send ?? []) ws.send(b)
    })
    ws.on('message', (d: Buffer) => frames.push(parseChannelFrame(d)!))
    ws.on('close', (code) => resolve({ protocol: ws.protocol, frames, code }))
    ws.on('error', reject)
  })
}

/** An upgrade the server refuses: its HTTP status and Status body. */
function refusedUpgrade(path: string, headers: Record<string, string>) {
  return new Promise<{ status: number; body: any }>((resolve, reject) => {
    const req = request(emu.url + path, { headers: { Connection: 'Upgrade', ...headers } })
    req.on('response', async (res) => {
      let text = ''
      for await (const c of res) text += c
      resolve({ status: res.statusCode!, body: JSON.parse(text) })
    })
    req.on('upgrade', () => reject(new Error('upgraded')))
    req.on('error', reject)
    req.end()
  })
}

const wsHeaders = { Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==' }

describe('pods/portforward', () => {
  it('client-node PortForward reaches the container port: an HTTP answer naming pod, container and port', async () => {
    const { out, err } = await forward('web-1', 80, 'GET /hello?x=1 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n')
    expect(err).toBe('')
    expect(out).toMatch(/^HTTP\/1\.1 200 OK\r\n/)
    expect(out).toContain('X-Kecs-Pod: web-1')
    expect(out.endsWith('kecs emulated container web (pod web-1) port 80: GET /hello?x=1\n')).toBe(true)
  })

  it('speaks v4.channel.k8s.io: port preambles on both channels, data on 0, then closes with the connection', async () => {
    const req = Buffer.from('HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
    const r = await rawForward('/api/v1/namespaces/default/pods/web-1/portforward?ports=80', undefined, [channelFrame(0, req)])
    expect(r.protocol).toBe('v4.channel.k8s.io')
    expect(r.frames[0]).toEqual({ channel: 0, payload: Buffer.from([80, 0]) })
    expect(r.frames[1]).toEqual({ channel: 1, payload: Buffer.from([80, 0]) })
    const data = Buffer.concat(r.frames.slice(2).filter((f) => f.channel === 0).map((f) => f.payload)).toString()
    expect(data).toMatch(/^HTTP\/1\.1 200 OK\r\n/)
    expect(r.frames.slice(2).some((f) => f.channel === 1)).toBe(false)
    expect(r.code).toBe(1000)
  })

  it('several ports in one request use channels 2i and 2i+1; a port nobody serves gets the error channel', async () => {
    const r = await rawForward('/api/v1/namespaces/default/pods/web-1/portforward?ports=80,8081', ['v4.channel.k8s.io'], [
      channelFrame(0, 'GET /a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'),
    ])
    const port8081 = Buffer.alloc(2)
    port8081.writeUInt16LE(8081)
    expect(r.frames.slice(0, 4)).toEqual([
      { channel: 0, payload: Buffer.from([80, 0]) },
      { channel: 1, payload: Buffer.from([80, 0]) },
      { channel: 2, payload: port8081 },
      { channel: 3, payload: port8081 },
    ])
    const errors = r.frames.slice(4).filter((f) => f.channel === 3).map((f) => f.payload.toString())
    expect(errors.join('')).toMatch(/^error forwarding port 8081 to pod web-1_default, uid [0-9a-f-]+: .*connection refused.*no container of the pod declares TCP containerPort 8081/)
    expect(Buffer.concat(r.frames.filter((f) => f.channel === 0).slice(1).map((f) => f.payload)).toString()).toContain('port 80: GET /a')
  })

  it('refuses UDP ports and containers that are not ready, through the error stream', async () => {
    const udp = await forward('web-1', 9000, 'x')
    expect(udp.out).toBe('')
    expect(udp.err).toContain('no container of the pod declares TCP containerPort 9000')
    await eventually(async () => (await core.readNamespacedPod({ namespace: NS, name: 'sick' })).status?.phase === 'Running', 'sick running')
    const sick = await forward('sick', 80, 'GET / HTTP/1.1\r\n\r\n')
    expect(sick.out).toBe('')
    expect(sick.err).toContain('container app is not ready')
  })

  it('answers what the API server answers before upgrading: unknown pod, no port, SPDY, unknown protocol', async () => {
    const missing = await refusedUpgrade('/api/v1/namespaces/default/pods/nope/portforward?ports=80', wsHeaders)
    expect(missing).toMatchObject({ status: 404, body: { kind: 'Status', reason: 'NotFound', message: 'pods "nope" not found' } })
    const noPort = await refusedUpgrade('/api/v1/namespaces/default/pods/web-1/portforward', wsHeaders)
    expect(noPort).toMatchObject({ status: 400, body: { message: 'query parameter "port" is required' } })
    const spdy = await refusedUpgrade('/api/v1/namespaces/default/pods/web-1/portforward?ports=80', { Upgrade: 'SPDY/3.1', 'X-Stream-Protocol-Version': 'portforward.k8s.io' })
    expect(spdy.status).toBe(400)
    expect(spdy.body.message).toContain('WebSocket')
    const tunnel = await refusedUpgrade('/api/v1/namespaces/default/pods/web-1/portforward?ports=80', {
      ...wsHeaders,
      'Sec-WebSocket-Protocol': 'SPDY/3.1+portforward.k8s.io',
    })
    expect(tunnel.status).toBe(400)
    expect(tunnel.body.message).toContain('requested protocol(s) are not supported')
  })

  it('drops an open connection when the pod goes', async () => {
    await core.createNamespacedPod({ namespace: NS, body: { metadata: { name: 'brief' }, spec: { containers: [{ name: 'web', image: 'nginx:1.27', ports: [{ containerPort: 80 }] }] } } })
    await ready('brief')
    const ws = new WebSocket(emu.url.replace('http://', 'ws://') + '/api/v1/namespaces/default/pods/brief/portforward?ports=80', ['v4.channel.k8s.io'])
    const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()))
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject))
    await core.deleteNamespacedPod({ namespace: NS, name: 'brief', gracePeriodSeconds: 0 })
    await closed
  })
})
