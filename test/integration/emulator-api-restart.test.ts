import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CoreV1Api, Watch } from '@kubernetes/client-node'
import { afterEach, describe, expect, it } from 'vitest'
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js'

/** Objects and the resourceVersion sequence survive a restart on the same directory. */
const started: TestEmulator[] = []
const dirs: string[] = []
afterEach(async () => {
  for (const t of started.splice(0)) await t.stop({ keepDir: true })
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

async function start(dir: string) {
  const t = await startTestEmulator({ dir })
  started.push(t)
  return t
}

function watchOnce(t: TestEmulator, path: string, resourceVersion: string) {
  const events: { type: string; obj: any }[] = []
  let resolveFirst: () => void = () => {}
  const first = new Promise<void>((r) => (resolveFirst = r))
  let resolveDone: (err: unknown) => void = () => {}
  const done = new Promise<unknown>((r) => (resolveDone = r))
  const ready = new Watch(t.kc).watch(
    path,
    { resourceVersion },
    (type, obj) => {
      events.push({ type, obj })
      resolveFirst()
    },
    (err) => resolveDone(err),
  )
  // The watch promise resolves once the response headers are in: the stream is open.
  return { events, first, done, ready, abort: async () => (await ready).abort() }
}

describe('emulator restart', () => {
  it('keeps objects, continues resourceVersions, resumes a watch at the current version and 410s older ones', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kecs-emu-restart-'))
    dirs.push(dir)
    const a = await start(dir)
    const coreA = a.kc.makeApiClient(CoreV1Api)
    await coreA.createNamespace({ body: { metadata: { name: 'keep' } } })
    const cm = await coreA.createNamespacedConfigMap({ namespace: 'keep', body: { metadata: { name: 'c1' }, data: { k: 'v' } } })
    const listed = await coreA.listNamespacedConfigMap({ namespace: 'keep' })
    const kubeconfig = readFileSync(a.kubeconfigPath, 'utf8')
    expect(kubeconfig).toContain('insecure-skip-tls-verify: true')
    expect(kubeconfig).toContain(`server: ${a.url}`)
    await a.stop({ keepDir: true })
    started.splice(started.indexOf(a), 1)
    // The kubelet and controllers may have written after the list: the last version is the one at stop.
    const rv = String(a.emulator.objects.resourceVersion)
    expect(Number(rv)).toBeGreaterThanOrEqual(Number(listed.metadata!.resourceVersion))

    const b = await start(dir)
    const coreB = b.kc.makeApiClient(CoreV1Api)
    const again = await coreB.readNamespacedConfigMap({ name: 'c1', namespace: 'keep' })
    expect(again.metadata?.uid).toBe(cm.metadata?.uid)
    expect(again.data).toEqual({ k: 'v' })
    expect(Number((await coreB.listNamespacedConfigMap({ namespace: 'keep' })).metadata?.resourceVersion)).toBeGreaterThanOrEqual(Number(rv))

    // An informer resuming at the list version gets later events, no 410.
    const w = watchOnce(b, '/api/v1/namespaces/keep/configmaps', rv)
    await w.ready
    const c2 = await coreB.createNamespacedConfigMap({ namespace: 'keep', body: { metadata: { name: 'c2' } } })
    await w.first
    await w.abort()
    expect(w.events[0]).toMatchObject({ type: 'ADDED', obj: { metadata: { name: 'c2' } } })
    expect(Number(c2.metadata?.resourceVersion)).toBeGreaterThan(Number(rv))

    // History from before the restart is gone: an older version is expired.
    const old = watchOnce(b, '/api/v1/namespaces/keep/configmaps', String(Number(rv) - 1))
    await old.first
    expect(old.events[0]).toMatchObject({ type: 'ERROR', obj: { code: 410 } })
    expect(await old.done).toBeNull()
  })
})
