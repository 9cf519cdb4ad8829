import { afterEach, describe, expect, it } from 'vitest'
import type { ClusterProvider } from '../../src/cluster/providers.js'
import { startTestInstance, type TestInstance } from '../helpers/instance.js'

/**
 * The instance asks its cluster to route 169.254.170.2 (task credentials) once the API listens, with
 * the API's address as pods reach it; a cluster that cannot is a warning, not a failed start.
 */
let t: TestInstance | undefined
afterEach(async () => {
  await t?.stop()
  t = undefined
})

const provider = (route: (endpoint: string) => Promise<string>): ClusterProvider => ({
  name: 'fake-route',
  async start() {
    return {
      describe: 'a cluster that only routes',
      async stop() {},
      endpointForPods: (e) => e.replace('127.0.0.1', '10.1.2.3'),
      routeLinkLocal: route,
    }
  },
})

describe('routing 169.254.170.2 at start', () => {
  it("is asked once the API listens, with its port as pods reach it; the cluster's line is logged", async () => {
    const seen: string[] = []
    const log: string[] = []
    t = await startTestInstance({
      cluster: { provider: provider(async (e) => (seen.push(e), `routed to ${e}`)) },
      log: (l) => log.push(l),
    })
    const port = new URL(t.endpoint).port
    expect(seen).toEqual([`http://10.1.2.3:${port}`])
    expect(log).toContain(`routed to http://10.1.2.3:${port}`)
  })

  it('a route that fails is a warning; the instance starts', async () => {
    const log: string[] = []
    t = await startTestInstance({
      cluster: { provider: provider(async () => Promise.reject(new Error('iptables on node failed: permission denied'))) },
      log: (l) => log.push(l),
    })
    expect(log.some((l) => l.startsWith('Warning: 169.254.170.2') && l.includes('permission denied'))).toBe(true)
    expect((await fetch(`${t.endpoint}/v2/credentials/nope`)).status).toBe(400)
  })
})
