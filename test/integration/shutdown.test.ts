import { connect } from 'node:net'
import { describe, expect, it } from 'vitest'
import { startTestInstance } from '../helpers/instance.js'

const until = async (what: string, check: () => boolean) => {
  const deadline = Date.now() + 10_000
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

/** Closing an instance: requests in flight finish, and their keep-alive sockets do not hold the close open. */
describe('instance close', () => {
  it('answers a request in flight, then closes its keep-alive socket instead of waiting for the keep-alive timeout', async () => {
    const t = await startTestInstance()
    // Without the fix, close() would wait this long for the answered request's socket.
    ;(t.instance.api.server as unknown as { keepAliveTimeout: number }).keepAliveTimeout = 10 * 60_000
    const body = JSON.stringify({ clusterName: 'in-flight' })
    const sock = connect(t.instance.api.port, '127.0.0.1')
    let response = ''
    sock.on('data', (d) => (response += d))
    const sockClosed = new Promise<void>((r) => sock.on('close', () => r()))
    sock.write(
      'POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-amz-json-1.1\r\nExpect: 100-continue\r\n' +
        `X-Amz-Target: AmazonEC2ContainerServiceV20141113.CreateCluster\r\nContent-Length: ${body.length}\r\n\r\n`,
    )
    await until('100 Continue', () => response.startsWith('HTTP/1.1 100 Continue'))

    let closed = false
    const closing = t.stop().then(() => (closed = true))
    await new Promise((r) => setImmediate(r))
    expect(closed).toBe(false) // the request is still in flight
    sock.write(body)
    await closing
    await sockClosed
    expect(response).toMatch(/HTTP\/1\.1 200 OK/)
    expect(response).toContain('"clusterName":"in-flight"')
  }, 30_000)
})
