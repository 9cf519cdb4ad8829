import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { WebSocketServer, type RawData, type WebSocket } from 'ws'
import type { KubeObject, ObjectStore } from '../types.js'
import { containerForPort, refusedMessage, SimulatedApps } from './container-ports.js'
import { failure, type StatusBody } from './status.js'
import { channelFrame, dataChannel, errorChannel, parseChannelFrame, parsePorts, pickProtocol, portPreamble } from './ws-channels.js'

/**
 * pods/portforward over WebSocket (`v4.channel.k8s.io`), as client-node's PortForward speaks it: each
 * requested port is one connection into the pod, answered by the simulated containers. kubectl's SPDY
 * port-forward gets a 400. docs/architecture.md#the-emulator
 */
export interface UpgradeHandler {
  /** Takes the upgrade request when its path is this handler's; false leaves it to another. */
  handle(req: IncomingMessage, socket: Duplex, head: Buffer): boolean
  /** Ends every open session (the HTTP server's close() does not reach upgraded sockets). */
  close(): void
}

const PATH = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/portforward\/?$/

interface Forward {
  ws: WebSocket
  namespace: string
  pod: string
  uid: string
  /** Open connections by port index. */
  streams: Map<number, { stream: Duplex; container: string; port: number; end(): void }>
}

export function portForwardUpgrades(objects: ObjectStore): UpgradeHandler {
  const apps = new SimulatedApps()
  const chosen = new WeakMap<IncomingMessage, string>()
  const wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    handleProtocols: (_offered, req) => chosen.get(req) || false,
  })
  const forwards = new Set<Forward>()

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): boolean => {
    const url = new URL(req.url ?? '/', 'http://emulator')
    const m = PATH.exec(url.pathname)
    if (!m) return false
    upgrade(req, socket, head, url, m)
    return true
  }

  const upgrade = (req: IncomingMessage, socket: Duplex, head: Buffer, url: URL, m: RegExpExecArray) => {
    const namespace = decodeURIComponent(m[1]!)
    const name = decodeURIComponent(m[2]!)
    if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket') {
      return reject(
        socket,
        failure(400, 'the KECS emulator serves pods/portforward over WebSocket (subprotocol v4.channel.k8s.io) only, not SPDY'),
      )
    }
    const pod = objects.get('pods', namespace, name)
    if (!pod) return reject(socket, failure(404, `pods "${name}" not found`, { name, kind: 'pods' }))
    if (!pod.spec?.nodeName) return reject(socket, failure(400, `pod ${name} does not have a host assigned`))
    let ports: number[]
    try {
      ports = parsePorts(url.searchParams)
    } catch (e) {
      return reject(socket, failure(400, (e as Error).message))
    }
    const offered = (req.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean)
    const protocol = pickProtocol(offered)
    if (protocol === undefined) {
      return reject(
        socket,
        failure(400, `requested protocol(s) are not supported: [${offered.join(' ')}]; supports [v4.channel.k8s.io] (KECS emulator)`),
      )
    }
    chosen.set(req, protocol)
    wss.handleUpgrade(req, socket, head, (ws) => serve(ws, pod, ports))
  }

  const serve = (ws: WebSocket, pod: KubeObject, ports: number[]) => {
    const f: Forward = { ws, namespace: pod.metadata.namespace!, pod: pod.metadata.name!, uid: pod.metadata.uid ?? '', streams: new Map() }
    forwards.add(f)
    let finished = 0
    const finish = () => {
      if (++finished === ports.length && ws.readyState === ws.OPEN) ws.close(1000)
    }
    ports.forEach((port, i) => {
      ws.send(portPreamble(dataChannel(i), port))
      ws.send(portPreamble(errorChannel(i), port))
    })
    ports.forEach((port, i) => {
      const found = containerForPort(pod, port)
      if ('refused' in found) {
        ws.send(channelFrame(errorChannel(i), refusedMessage(pod, port, found.refused)))
        return finish()
      }
      let done = false
      const end = () => {
        if (done) return
        done = true
        f.streams.delete(i)
        stream.destroy()
        finish()
      }
      const stream = apps.connect(found.target, {
        send: (chunk, sent) => {
          if (ws.readyState !== ws.OPEN) return sent()
          ws.send(channelFrame(dataChannel(i), chunk), () => sent())
        },
        onEnd: end,
        pull: () => ws.resume(),
      })
      f.streams.set(i, { stream, container: found.target.container, port, end })
    })

    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (!isBinary) return
      const frame = parseChannelFrame(toBuffer(data))
      if (!frame || frame.channel % 2 === 1 || frame.payload.length === 0) return
      const s = f.streams.get(frame.channel / 2)
      if (s && !s.stream.push(Buffer.from(frame.payload))) ws.pause()
    })
    ws.on('error', () => {})
    ws.on('close', () => {
      forwards.delete(f)
      for (const s of [...f.streams.values()]) {
        s.stream.push(null)
        s.end()
      }
    })
  }

  // A container that stops (or a pod that goes) drops its connections, as a real one would.
  const unsubscribe = objects.onChange((resource, e) => {
    if (resource !== 'pods' || forwards.size === 0) return
    const pod = e.object
    for (const f of forwards) {
      if (f.namespace !== pod.metadata.namespace || f.pod !== pod.metadata.name) continue
      for (const s of [...f.streams.values()]) {
        const still = e.type !== 'DELETED' && pod.metadata.uid === f.uid && 'target' in containerForPort(pod, s.port)
        if (!still) s.end()
      }
    }
  })

  return {
    handle: onUpgrade,
    close() {
      unsubscribe()
      for (const f of forwards) f.ws.terminate()
      forwards.clear()
      apps.close()
      wss.close()
    },
  }
}

/** Answers an upgrade request with a Status and closes the socket. */
export function reject(socket: Duplex, status: StatusBody): void {
  const body = JSON.stringify(status)
  const reason = { 400: 'Bad Request', 403: 'Forbidden', 404: 'Not Found' }[status.code] ?? 'Error'
  socket.end(
    `HTTP/1.1 ${status.code} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `Cache-Control: no-cache, private\r\nConnection: close\r\n\r\n${body}`,
  )
}

export function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data
  if (Array.isArray(data)) return Buffer.concat(data)
  return Buffer.from(data)
}
