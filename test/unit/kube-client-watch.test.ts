import { KubeConfig, type V1Pod } from '@kubernetes/client-node'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { KubeClient, type WatchEventType } from '../../src/kube/client.js'

/**
 * PodWatch against a scripted API server: list, watch from the list's resourceVersion, resume from the
 * last version seen when the stream ends, relist on 410 Gone (HTTP status or ERROR event).
 */
type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => void

let server: Server | undefined
afterEach(async () => {
  server?.closeAllConnections()
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()))
  server = undefined
})

async function serve(handler: Handler): Promise<KubeClient> {
  server = createServer((req, res) => handler(req, res, new URL(req.url!, 'http://x')))
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r))
  const port = (server.address() as { port: number }).port
  const kc = new KubeConfig()
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
    users: [{ name: 'u', token: 't' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  })
  return new KubeClient(kc)
}

const pod = (name: string, rv: string): V1Pod => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'kecs-c', resourceVersion: rv } })
const json = (res: ServerResponse, code: number, body: unknown) => {
  res.writeHead(code, { 'Content-Type': 'application/json' })
  res.end(JSON.stringify(body))
}
const line = (res: ServerResponse, type: string, object: unknown) => res.write(JSON.stringify({ type, object }) + '\n')

function recorder() {
  const log: string[] = []
  let notify: () => void = () => {}
  const opts = {
    labelSelector: 'kecs.dev/managed-by=kecs',
    onSync: (pods: V1Pod[]) => {
      log.push(`sync ${pods.map((p) => p.metadata!.name).join(',')}`)
      notify()
    },
    onEvent: (type: WatchEventType, p: V1Pod) => {
      log.push(`${type} ${p.metadata!.name}@${p.metadata!.resourceVersion}`)
      notify()
    },
    maxBackoffMs: 20,
  }
  const until = (n: number) =>
    new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`got only: ${log.join(' | ')}`)), 5_000)
      const check = () => {
        if (log.length >= n) {
          clearTimeout(t)
          resolve()
        }
      }
      notify = check
      check()
    })
  return { log, opts, until }
}

describe('PodWatch', () => {
  it('resumes from the last resourceVersion when the stream ends, and relists on HTTP 410', async () => {
    const watches: string[] = []
    let lists = 0
    const client = await serve((req, res, url) => {
      expect(url.searchParams.get('labelSelector')).toBe('kecs.dev/managed-by=kecs')
      if (url.searchParams.get('watch') !== 'true') {
        lists++
        return json(res, 200, { kind: 'PodList', metadata: { resourceVersion: lists === 1 ? '10' : '20' }, items: lists === 1 ? [pod('a', '9')] : [pod('b', '19')] })
      }
      const rv = url.searchParams.get('resourceVersion') ?? ''
      watches.push(rv)
      if (rv === '10') {
        res.writeHead(200, { 'Content-Type': 'application/json' })
        line(res, 'MODIFIED', pod('a', '11'))
        return res.end() // the server ends the watch: resume from 11
      }
      if (rv === '11') return json(res, 410, { kind: 'Status', code: 410, reason: 'Expired' })
      res.writeHead(200, { 'Content-Type': 'application/json' }) // from 20: stay open
      line(res, 'ADDED', pod('c', '21'))
    })
    const r = recorder()
    const w = client.watchPods(r.opts)
    await w.start()
    await r.until(4)
    w.stop()
    expect(r.log).toEqual(['sync a', 'MODIFIED a@11', 'sync b', 'ADDED c@21'])
    expect(watches).toEqual(['10', '11', '20'])
    expect(w.resourceVersion).toBe('21')
  })

  it('relists on an ERROR event with a 410 Status, and skips bookmarks', async () => {
    const watches: string[] = []
    let lists = 0
    const client = await serve((req, res, url) => {
      if (url.searchParams.get('watch') !== 'true') {
        lists++
        return json(res, 200, { kind: 'PodList', metadata: { resourceVersion: String(lists * 100) }, items: [pod(`p${lists}`, '1')] })
      }
      const rv = url.searchParams.get('resourceVersion') ?? ''
      watches.push(rv)
      res.writeHead(200, { 'Content-Type': 'application/json' })
      if (rv === '100') {
        line(res, 'BOOKMARK', { kind: 'Pod', metadata: { resourceVersion: '150' } })
        line(res, 'ERROR', { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version' })
      }
    })
    const r = recorder()
    const w = client.watchPods(r.opts)
    await w.start()
    await r.until(2)
    await new Promise((res) => setTimeout(res, 50))
    w.stop()
    expect(r.log).toEqual(['sync p1', 'sync p2'])
    expect(watches.slice(0, 2)).toEqual(['100', '200'])
  })
})
