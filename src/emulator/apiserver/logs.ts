import type { IncomingMessage, ServerResponse } from 'node:http'
import { KubeStatusError, type KubeObject, type LogSource } from '../types.js'
import { statusFromError } from './status.js'

export interface LogRequest {
  pod: KubeObject
  container?: string
  follow: boolean
  tailLines?: number
  sinceSeconds?: number
  timestamps: boolean
  previous: boolean
  limitBytes?: number
}

/** Picks the container a log request is for, with the API server's 400 messages. */
export function chooseContainer(pod: KubeObject, requested: string | undefined): string {
  const name = pod.metadata.name
  const containers: string[] = (pod.spec?.containers ?? []).map((c: any) => c.name)
  const inits: string[] = (pod.spec?.initContainers ?? []).map((c: any) => c.name)
  if (requested) {
    if (containers.includes(requested) || inits.includes(requested)) return requested
    throw new KubeStatusError(400, 'BadRequest', `container ${requested} is not valid for pod ${name}`)
  }
  if (containers.length === 1) return containers[0]!
  let msg = `a container name must be specified for pod ${name}, choose one of: [${containers.join(' ')}]`
  if (inits.length) msg += ` or one of the init containers: [${inits.join(' ')}]`
  throw new KubeStatusError(400, 'BadRequest', msg)
}

/**
 * pods/log: `200 text/plain`, raw bytes. With follow, headers go out at once and chunks as they come;
 * without, headers wait for the first chunk so an error before it still gets a Status. The stream
 * ends when the LogSource's iterator ends or the client goes away (which aborts the iterator).
 */
export async function serveLogs(req: IncomingMessage, res: ServerResponse, logs: LogSource, r: LogRequest, streams: Set<ServerResponse>) {
  const container = chooseContainer(r.pod, r.container)
  const ac = new AbortController()
  const onClose = () => ac.abort()
  res.on('close', onClose)
  let started = false
  const start = () => {
    if (started) return
    started = true
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' })
    res.flushHeaders()
    req.socket.setNoDelay(true)
  }
  streams.add(res)
  if (r.follow) start()
  let written = 0
  try {
    const iterable = logs.read(
      r.pod.metadata.namespace!,
      r.pod.metadata.name!,
      container,
      { follow: r.follow, tailLines: r.tailLines, sinceSeconds: r.sinceSeconds, timestamps: r.timestamps, previous: r.previous },
      ac.signal,
    )
    // Iterate by hand so a client that goes away ends the request even while the source waits.
    const it = iterable[Symbol.asyncIterator]()
    const aborted = new Promise<'aborted'>((resolve) => {
      if (ac.signal.aborted) resolve('aborted')
      else ac.signal.addEventListener('abort', () => resolve('aborted'), { once: true })
    })
    for (;;) {
      const next = await Promise.race([it.next(), aborted])
      if (next === 'aborted' || res.writableEnded) {
        void it.return?.()?.catch(() => {})
        break
      }
      if (next.done) break
      const chunk = next.value
      start()
      let out = chunk
      if (r.limitBytes !== undefined) {
        const left = r.limitBytes - written
        if (left <= 0) break
        out = Buffer.from(chunk).subarray(0, left).toString()
      }
      written += Buffer.byteLength(out)
      res.write(out)
    }
    start()
  } catch (err) {
    if (!started && !ac.signal.aborted) {
      const body = statusFromError(err)
      res.writeHead(body.code, { 'Content-Type': 'application/json' })
      res.end(JSON.stringify(body))
      return
    }
  } finally {
    streams.delete(res)
    res.off('close', onClose)
    if (!res.writableEnded) res.end()
  }
}
