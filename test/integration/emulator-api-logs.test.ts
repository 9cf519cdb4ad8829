import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import { CoreV1Api, KubeConfig, Log } from '@kubernetes/client-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startApiServer, type ApiServer } from '../../src/emulator/apiserver/server.js'
import { writeKubeconfig } from '../../src/emulator/kubeconfig.js'
import { openObjectStore, type KubeObjectStore } from '../../src/emulator/store/object-store.js'
import type { LogSource } from '../../src/emulator/types.js'
import { Store } from '../../src/store/store.js'

/**
 * pods/log against a scripted LogSource (the simulated kubelet's is tested with the controllers):
 * container choice, options passed through, follow streaming and the client going away.
 */
let dir: string
let store: Store
let objects: KubeObjectStore
let api: ApiServer
let kc: KubeConfig
const calls: { pod: string; container?: string; opts: Record<string, unknown> }[] = []
let aborted = 0
/** Lines pushed to followers; resolves the follower's wait. */
let push: ((line: string) => void) | undefined

const logs: LogSource = {
  async *read(_ns, pod, container, opts, signal) {
    calls.push({ pod, container, opts })
    if (pod === 'broken') throw new Error('log source failed')
    yield `first line of ${container}\n`
    yield 'second line\n'
    if (!opts.follow) return
    signal.addEventListener('abort', () => aborted++)
    for (;;) {
      const line = await new Promise<string | undefined>((resolve) => {
        push = resolve
        signal.addEventListener('abort', () => resolve(undefined), { once: true })
      })
      if (line === undefined || line === 'EOF') return
      yield line
    }
  },
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kecs-emu-logs-'))
  store = await Store.open(join(dir, 'kecs.duckdb'))
  objects = await openObjectStore(store)
  api = await startApiServer({ objects, logs, port: 0 })
  writeKubeconfig(join(dir, 'kubeconfig'), api.url)
  kc = new KubeConfig()
  kc.loadFromFile(join(dir, 'kubeconfig'))
  const core = kc.makeApiClient(CoreV1Api)
  await core.createNamespacedPod({ namespace: 'default', body: { metadata: { name: 'one' }, spec: { containers: [{ name: 'main', image: 'busybox' }] } } })
  await core.createNamespacedPod({
    namespace: 'default',
    body: {
      metadata: { name: 'two' },
      spec: { initContainers: [{ name: 'init', image: 'busybox' }], containers: [{ name: 'a', image: 'busybox' }, { name: 'b', image: 'busybox' }] },
    },
  })
  await core.createNamespacedPod({ namespace: 'default', body: { metadata: { name: 'broken' }, spec: { containers: [{ name: 'main', image: 'busybox' }] } } })
})
afterAll(async () => {
  await api?.close()
  await store?.close()
  rmSync(dir, { recursive: true, force: true })
})

const get = (path: string) => fetch(api.url + path)

describe('pods/log', () => {
  it('returns text/plain for the only container, passing the options through', async () => {
    const res = await get('/api/v1/namespaces/default/pods/one/log?tailLines=5&timestamps=true&sinceSeconds=60')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/plain')
    expect(await res.text()).toBe('first line of main\nsecond line\n')
    expect(calls.at(-1)).toEqual({ pod: 'one', container: 'main', opts: { follow: false, tailLines: 5, sinceSeconds: 60, timestamps: true, previous: false } })
  })

  it('needs a container name when the pod has several (400), and a valid one', async () => {
    let res = await get('/api/v1/namespaces/default/pods/two/log')
    expect(res.status).toBe(400)
    const body: any = await res.json()
    expect(body).toMatchObject({ kind: 'Status', reason: 'BadRequest', code: 400 })
    expect(body.message).toBe('a container name must be specified for pod two, choose one of: [a b] or one of the init containers: [init]')
    res = await get('/api/v1/namespaces/default/pods/two/log?container=nope')
    expect(res.status).toBe(400)
    expect(((await res.json()) as any).message).toBe('container nope is not valid for pod two')
    res = await get('/api/v1/namespaces/default/pods/two/log?container=b')
    expect(await res.text()).toBe('first line of b\nsecond line\n')
    res = await get('/api/v1/namespaces/default/pods/missing/log')
    expect(res.status).toBe(404)
    expect(((await res.json()) as any).message).toBe('pods "missing" not found')
  })

  it('answers a Status when the source fails before the first chunk', async () => {
    const res = await get('/api/v1/namespaces/default/pods/broken/log')
    expect(res.status).toBe(500)
    expect(res.headers.get('content-type')).toContain('json')
  })

  it('streams with follow through client-node Log until the source ends', async () => {
    const out = new PassThrough()
    let text = ''
    out.on('data', (c) => (text += c.toString()))
    const ended = new Promise<void>((r) => out.on('finish', () => r()))
    await new Log(kc).log('default', 'one', 'main', out, { follow: true, tailLines: 10 })
    while (!text.includes('second line')) await new Promise((r) => setTimeout(r, 10))
    expect(calls.at(-1)!.opts).toMatchObject({ follow: true, tailLines: 10 })
    push!('third line\n')
    while (!text.includes('third line')) await new Promise((r) => setTimeout(r, 10))
    push!('EOF')
    await ended
    expect(text).toBe('first line of main\nsecond line\nthird line\n')
  })

  it('aborts the source when a follower goes away', async () => {
    const before = aborted
    const ac = new AbortController()
    const res = await fetch(api.url + '/api/v1/namespaces/default/pods/one/log?follow=true', { signal: ac.signal })
    expect(res.status).toBe(200)
    const reader = res.body!.getReader()
    let got = ''
    while (!got.includes('second line')) got += new TextDecoder().decode((await reader.read()).value)
    ac.abort()
    while (aborted === before) await new Promise((r) => setTimeout(r, 10))
    expect(aborted).toBe(before + 1)
  })
})
