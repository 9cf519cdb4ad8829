import { createServer, type Server } from 'node:http'
import { createServer as createTcpServer, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'

/**
 * A minimal Kubernetes API on a free loopback port, for the cluster checks: /version, the node list,
 * and SelfSubjectAccessReview answering from a set of denied `verb resource[.group]` pairs (or 404
 * when `ssar: false`, like a cluster that does not serve authorization.k8s.io).
 */
export interface FakeKubeApiOptions {
  nodes?: { name: string; ready: boolean; reason?: string }[]
  ssar?: boolean
  denied?: string[]
}

export interface FakeKubeApi {
  url: string
  kubeconfig: string
  requests: { method: string; path: string; body?: any }[]
  close(): Promise<void>
}

export function kubeconfigFor(server: string, context = 'fake'): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: ${context}-cluster`,
    '  cluster:',
    `    server: ${server}`,
    '    insecure-skip-tls-verify: true',
    'users:',
    `- name: ${context}-user`,
    '  user:',
    '    token: fake-token',
    'contexts:',
    `- name: ${context}`,
    '  context:',
    `    cluster: ${context}-cluster`,
    `    user: ${context}-user`,
    `current-context: ${context}`,
    '',
  ].join('\n')
}

export async function startFakeKubeApi(o: FakeKubeApiOptions = {}): Promise<FakeKubeApi> {
  const requests: FakeKubeApi['requests'] = []
  const nodes = o.nodes ?? [{ name: 'kecs-default-control-plane', ready: true }]
  const denied = new Set(o.denied ?? [])
  const server: Server = createServer((req, res) => {
    let text = ''
    req.on('data', (c) => (text += c))
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0]!
      const body = text ? JSON.parse(text) : undefined
      requests.push({ method: req.method ?? 'GET', path, body })
      const send = (code: number, obj: unknown) => {
        res.writeHead(code, { 'content-type': 'application/json' })
        res.end(JSON.stringify(obj))
      }
      if (path === '/version') return send(200, { major: '1', minor: '32', gitVersion: 'v1.32.2' })
      if (path === '/api/v1/nodes') {
        return send(200, {
          kind: 'NodeList',
          apiVersion: 'v1',
          metadata: { resourceVersion: '1' },
          items: nodes.map((n) => ({
            metadata: { name: n.name },
            status: {
              conditions: [
                { type: 'Ready', status: n.ready ? 'True' : 'False', reason: n.ready ? 'KubeletReady' : (n.reason ?? 'KubeletNotReady') },
              ],
            },
          })),
        })
      }
      if (path === '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews' && req.method === 'POST' && o.ssar !== false) {
        const a = body?.spec?.resourceAttributes ?? {}
        const key = `${a.verb} ${a.group ? `${a.resource}.${a.group}` : a.resource}`
        return send(201, { ...body, status: { allowed: !denied.has(key) } })
      }
      send(404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: 'the server could not find the requested resource' })
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    url,
    kubeconfig: kubeconfigFor(url),
    requests,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections()
        server.close(() => r())
      }),
  }
}

/** A port that refuses connections: bound, read and released. */
export async function closedPort(): Promise<number> {
  const srv = createTcpServer()
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r))
  const { port } = srv.address() as AddressInfo
  await new Promise<void>((r) => srv.close(() => r()))
  return port
}

/** A server that accepts connections and never answers: an API that hangs. */
export async function silentServer(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>()
  const srv = createTcpServer((s) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r))
  return {
    url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy()
        srv.close(() => r())
      }),
  }
}
