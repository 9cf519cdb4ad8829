import type { KubeConfig } from '@kubernetes/client-node'
import http from 'node:http'
import https from 'node:https'
import { PodLogError, type PodLogRequest, type PodLogSource } from '../ecs/tasks/log-source.js'

/**
 * Reading a container's log from the cluster: `GET /api/v1/namespaces/<ns>/pods/<pod>/log` (the
 * kubelet's log through the API server; the same call for Kind, an existing cluster and the emulator).
 * client-node's Log class drops the API's error message and cannot tell a stream that ended from one
 * that was cut, so this is a small request of its own, authenticated from the kubeconfig.
 */

export function kubeLogSource(kc: KubeConfig): PodLogSource {
  return {
    async open(req, signal) {
      const server = kc.getCurrentCluster()?.server
      if (!server) throw new PodLogError(500, 'the kubeconfig has no current cluster')
      const url = new URL(
        `${server.replace(/\/+$/, '')}/api/v1/namespaces/${encodeURIComponent(req.namespace)}/pods/${encodeURIComponent(req.pod)}/log`,
      )
      url.searchParams.set('container', req.container)
      if (req.follow) url.searchParams.set('follow', 'true')
      if (req.tailLines !== undefined) url.searchParams.set('tailLines', String(req.tailLines))
      if (req.sinceSeconds !== undefined) url.searchParams.set('sinceSeconds', String(Math.max(1, Math.ceil(req.sinceSeconds))))
      if (req.timestamps) url.searchParams.set('timestamps', 'true')
      const opts: https.RequestOptions = {}
      await kc.applyToHTTPSOptions(opts)
      const mod = url.protocol === 'https:' ? https : http
      return new Promise<AsyncIterable<string>>((resolve, reject) => {
        const r = mod.request(url, { ...opts, method: 'GET', signal })
        r.on('error', (err) => reject(signal?.aborted ? new PodLogError(499, 'aborted') : err))
        r.on('response', (res) => {
          res.setEncoding('utf8')
          if (res.statusCode === 200) {
            // A cut connection (abort, server gone) ends the iteration instead of throwing.
            res.on('error', () => {})
            resolve(chunks(res))
            return
          }
          let body = ''
          res.on('data', (d: string) => (body += d))
          res.on('end', () => {
            let message = body.trim() || `HTTP ${res.statusCode}`
            let reason: string | undefined
            try {
              const status = JSON.parse(body) as { message?: string; reason?: string }
              message = status.message ?? message
              reason = status.reason
            } catch {
              /* not a Status */
            }
            reject(new PodLogError(res.statusCode ?? 500, message, reason))
          })
          res.on('error', (err) => reject(err))
        })
        r.end()
      })
    },
  }
}

async function* chunks(res: http.IncomingMessage): AsyncGenerator<string> {
  try {
    for await (const chunk of res) yield chunk as string
  } catch {
    /* the stream was cut: what came is what there is */
  }
}
