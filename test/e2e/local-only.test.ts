import { readFileSync } from 'node:fs'
import { request } from 'node:http'
import { networkInterfaces } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { BUILT, cliHome, freePort } from '../helpers/cli.js'

/**
 * `kecs start -d --host 0.0.0.0` with the built CLI: a warning on stderr says what is exposed and how
 * to restrict it; the admin port stays on loopback; requests naming a foreign Host are refused, names
 * given with --allow-host served. A default start says nothing of the kind.
 */
const cli = cliHome('kecs-e2e-local-only-')
afterAll(() => cli.cleanup())

function status(port: number, host: string, connectTo = '127.0.0.1'): Promise<number> {
  return new Promise((resolve) => {
    const headers = { host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AmazonEC2ContainerServiceV20141113.ListClusters' }
    const req = request({ host: connectTo, port, method: 'POST', path: '/', headers, agent: false }, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode!))
    })
    req.on('error', () => resolve(-1))
    req.end('{}')
  })
}

describe.skipIf(!BUILT)('kecs start: local only by default', () => {
  it('--host 0.0.0.0 warns on stderr what it exposes; the admin port stays on 127.0.0.1; foreign Hosts are refused', async () => {
    const [port, adminPort] = [await freePort(), await freePort()]
    const r = await cli.kecs(['start', '-d', '--name', 'open', '--cluster', 'emulated', '--host', '0.0.0.0', '--port', String(port), '--admin-port', String(adminPort), '--allow-host', 'kecs.test'])
    expect(r.exitCode, `${r.stderr}${r.stdout}`).toBe(0)
    const err = String(r.stderr)
    expect(err).toContain(`Warning: --host 0.0.0.0 listens on every network interface: anyone who can reach this machine on port ${port} can use`)
    expect(err).toContain('the ECS and AWS APIs')
    expect(err).toContain('without authentication: any credentials are accepted')
    expect(err).toContain('the web UI (/ui)')
    expect(err).toContain('the task metadata and credentials endpoints')
    expect(err).toContain(`The admin port stays on 127.0.0.1:${adminPort}`)
    expect(err).toContain('To restrict it: use --host 127.0.0.1 (the default)')
    expect(String(r.stdout)).not.toContain('Warning: --host')

    const record = JSON.parse(readFileSync(join(cli.instanceDir('open'), 'instance.json'), 'utf8'))
    expect(record).toMatchObject({ host: '0.0.0.0', adminHost: '127.0.0.1', endpoint: `http://127.0.0.1:${port}` })
    expect(String(r.stdout)).toContain(`admin    http://127.0.0.1:${adminPort}`)
    expect((await fetch(`http://127.0.0.1:${adminPort}/ready`)).status).toBe(200)
    const st = await cli.kecs(['status', '--name', 'open', '--json'])
    expect(JSON.parse(String(st.stdout))).toMatchObject({ state: 'running', admin: 'ready' })

    expect(await status(port, `127.0.0.1:${port}`)).toBe(200)
    expect(await status(port, `localhost:${port}`)).toBe(200)
    expect(await status(port, `kecs.test:${port}`)).toBe(200)
    expect(await status(port, `evil.example:${port}`)).toBe(403)
    const metrics = await (await fetch(`http://127.0.0.1:${adminPort}/metrics`)).text()
    expect(metrics).toContain('kecs_refused_requests_total{reason="host"} 1')

    const external = Object.values(networkInterfaces())
      .flat()
      .find((a) => a && a.family === 'IPv4' && !a.internal)?.address
    if (external) {
      // The API answers on this machine's address (by that address), the admin port does not listen there.
      expect(await status(port, `${external}:${port}`, external)).toBe(200)
      expect(await fetch(`http://${external}:${adminPort}/ready`).then((res) => res.status, () => -1)).toBe(-1)
    }
    expect((await cli.kecs(['stop', '--name', 'open'])).exitCode).toBe(0)
  })

  it('a default start listens on 127.0.0.1 and warns of nothing', async () => {
    const [port, adminPort] = [await freePort(), await freePort()]
    const r = await cli.kecs(['start', '-d', '--name', 'local', '--cluster', 'emulated', '--port', String(port), '--admin-port', String(adminPort)])
    expect(r.exitCode, `${r.stderr}${r.stdout}`).toBe(0)
    expect(String(r.stderr)).not.toContain('Warning')
    expect(JSON.parse(readFileSync(join(cli.instanceDir('local'), 'instance.json'), 'utf8'))).toMatchObject({ host: '127.0.0.1', adminHost: '127.0.0.1' })
    expect(await status(port, `evil.example:${port}`)).toBe(403)
    expect((await cli.kecs(['stop', '--name', 'local'])).exitCode).toBe(0)
  })

  it('refuses an --allow-host value that is not a host name, in one line', async () => {
    const r = await cli.kecs(['start', '-d', '--name', 'bad', '--cluster', 'emulated', '--allow-host', 'http://x/'])
    expect(r.exitCode).not.toBe(0)
    expect(String(r.stderr)).toContain('--allow-host: "http://x/" is not a host name')
  })
})
