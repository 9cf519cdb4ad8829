/**
 * End-to-end: `kecs start` in the foreground shuts down cleanly on SIGTERM: a request already being
 * received when the signal arrives is still answered, its write is durable, and the process exits 0.
 */
import { existsSync } from 'node:fs'
import { connect } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BUILT, cliHome, freePort, until, type CliHome } from '../helpers/cli.js'

describe('kecs start: SIGTERM with a request in flight', { timeout: 60_000 }, () => {
  let cli: CliHome
  beforeAll(() => {
    if (!BUILT) throw new Error('dist/ is missing: run `npm run build` first (`npm test` does)')
    cli = cliHome('kecs-shutdown-')
  })
  afterAll(async () => cli?.cleanup())

  it('answers the in-flight request, keeps its write, removes instance.json and exits 0', async () => {
    const port = await freePort()
    const adminPort = await freePort()
    const { child, output, exited } = cli.spawnKecs(['start', '--name', 'sig', '--port', String(port), '--admin-port', String(adminPort)])
    try {
      await until('the instance to be ready', () => output().includes('is ready'))

      // A raw request sent in two parts. `Expect: 100-continue` makes the server say when it has the
      // headers: from then on the request is in flight, and SIGTERM arrives before its body.
      const body = JSON.stringify({ clusterName: 'in-flight' })
      const sock = connect(port, '127.0.0.1')
      let response = ''
      sock.on('data', (d) => (response += d))
      const closed = new Promise<void>((r) => sock.on('close', () => r()))
      sock.write(
        'POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-amz-json-1.1\r\nExpect: 100-continue\r\n' +
          `X-Amz-Target: AmazonEC2ContainerServiceV20141113.CreateCluster\r\nContent-Length: ${body.length}\r\n\r\n`,
      )
      await until('100 Continue', () => response.startsWith('HTTP/1.1 100 Continue'))
      child.kill('SIGTERM')
      await until('shutdown to begin', () => output().includes('SIGTERM: stopping'))
      expect(child.exitCode).toBeNull() // waiting for the request

      sock.write(body)
      await until('the answer', () => response.includes('\r\n\r\n{'))
      expect(response).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 /)
      expect(response).toContain('"clusterName":"in-flight"')
      await closed
      expect(await exited).toBe(0)
      expect(output()).toContain('KECS "sig" stopped.')
      expect(existsSync(join(cli.instanceDir('sig'), 'instance.json'))).toBe(false)
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL')
    }

    // The store was closed cleanly, with the in-flight write in it.
    const again = await cli.startDetached('sig')
    const res = await fetch(`${again.endpoint}/`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': 'AmazonEC2ContainerServiceV20141113.ListClusters' },
      body: '{}',
    })
    expect(((await res.json()) as { clusterArns: string[] }).clusterArns).toEqual(['arn:aws:ecs:us-east-1:000000000000:cluster/in-flight'])
    expect((await cli.kecs(['stop', '--name', 'sig'])).exitCode).toBe(0)
  })
})
