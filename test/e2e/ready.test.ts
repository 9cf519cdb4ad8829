import { afterAll, describe, expect, it } from 'vitest'
import { BUILT, cliHome, freePort } from '../helpers/cli.js'

/**
 * `/ready` turns true only once everything is attached: a client that polls it and then calls RunTask
 * at once gets a task, never "KECS is running without a cluster". The instance runs in the
 * foreground, as `kecs start` in a terminal or a CI step's background job.
 */
const cli = cliHome('kecs-e2e-ready-')
afterAll(() => cli.cleanup())

async function call(endpoint: string, op: string, body: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': `AmazonEC2ContainerServiceV20141113.${op}` },
    body: JSON.stringify(body),
  })
  return { status: res.status, body: await res.json() }
}

describe.skipIf(!BUILT)('readiness', () => {
  it('the first RunTask after /ready turns true starts a task', async () => {
    const [port, adminPort] = [await freePort(), await freePort()]
    const { child, output, exited } = cli.spawnKecs([
      'start', '--name', 'ready', '--cluster', 'emulated', '--port', String(port), '--admin-port', String(adminPort),
    ])
    const endpoint = `http://127.0.0.1:${port}/`
    try {
      const deadline = Date.now() + 60_000
      let polls = 0
      for (;;) {
        if (Date.now() > deadline) throw new Error(`never ready:\n${output()}`)
        const ok = await fetch(`http://127.0.0.1:${adminPort}/ready`).then((r) => r.ok, () => false)
        polls++
        if (ok) break
        await new Promise((r) => setTimeout(r, 5))
      }
      expect(polls).toBeGreaterThan(1) // it was polled while starting, not found ready by chance later
      // RunTask needs a cluster and a task definition; made right after /ready, then RunTask at once.
      await call(endpoint, 'CreateCluster', {})
      await call(endpoint, 'RegisterTaskDefinition', { family: 'r', containerDefinitions: [{ name: 'app', image: 'busybox', memory: 64 }] })
      const run = await call(endpoint, 'RunTask', { taskDefinition: 'r' })
      expect(run.status, JSON.stringify(run.body)).toBe(200)
      expect(run.body.failures).toEqual([])
      expect(run.body.tasks).toHaveLength(1)
      expect(JSON.stringify(run.body)).not.toContain('without a cluster')
    } finally {
      child.kill('SIGTERM')
      await exited
    }
  }, 90_000)
})
