import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { emulatedProvider } from '../../src/cluster/emulated.js'
import { planInstance } from '../../src/instance/instance.js'
import { Store } from '../../src/store/store.js'

/**
 * The composition root builds an instance step by step; the API listens before the instance is
 * ready, and a request that arrives then waits for it (it is never answered "no cluster"), and
 * /ready says 503 until the last step.
 */
const dir = mkdtempSync(join(tmpdir(), 'kecs-instance-ready-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const call = (endpoint: string, op: string, body: unknown) =>
  fetch(endpoint, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': `AmazonEC2ContainerServiceV20141113.${op}` },
    body: JSON.stringify(body),
  }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }))

describe('instance readiness', () => {
  it('holds API requests made before ready, then answers them with the cluster attached', async () => {
    const plan = planInstance({ dir, port: 0, adminPort: 0, cluster: { provider: emulatedProvider, emulatorSpeed: 10 } })
    const [store, cluster, api, admin] = plan.steps
    expect(plan.steps.map((s) => s.id)).toEqual(['store', 'cluster', 'api', 'admin'])
    try {
      await store!.run(() => {})
      await cluster!.run(() => {})
      const endpoint = await api!.run(() => {})
      let answered = false
      const early = (async () => {
        await call(`${endpoint}/`, 'CreateCluster', {})
        await call(`${endpoint}/`, 'RegisterTaskDefinition', { family: 'r', containerDefinitions: [{ name: 'app', image: 'busybox', memory: 64 }] })
        return call(`${endpoint}/`, 'RunTask', { taskDefinition: 'r' })
      })().finally(() => (answered = true))
      await new Promise((r) => setTimeout(r, 200))
      expect(answered).toBe(false)
      const adminUrl = await admin!.run(() => {})
      expect((await fetch(`${adminUrl}/ready`)).status).toBe(503)
      const instance = plan.ready()
      expect((await fetch(`${adminUrl}/ready`)).status).toBe(200)
      const run = await early
      expect(run.status, JSON.stringify(run.body)).toBe(200)
      expect(run.body.tasks).toHaveLength(1)
      expect(instance.kube).toBeDefined()
    } finally {
      await plan.abort()
    }
  }, 60_000)

  it('a failed step closes what the earlier ones opened', async () => {
    const failing = { name: 'broken', start: async () => Promise.reject(new Error('no cluster here')) }
    const d = mkdtempSync(join(tmpdir(), 'kecs-instance-fail-'))
    const plan = planInstance({ dir: d, port: 0, adminPort: 0, cluster: { provider: failing } })
    await plan.steps[0]!.run(() => {})
    await expect(plan.steps[1]!.run(() => {})).rejects.toThrow('no cluster here')
    await plan.abort()
    // the store is closed again: another instance on the same directory opens it
    const store = await Store.open(join(d, 'kecs.duckdb'))
    await store.close()
    rmSync(d, { recursive: true, force: true })
  })
})
