import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { Duplex } from 'node:stream'
import type { KubeObject } from '../types.js'

/**
 * What a simulated container "listens" on: its declared TCP containerPorts, while it runs and is ready.
 * Emulated pods run nothing, so a connection to such a port (pods/portforward) reaches a tiny in-process
 * HTTP responder that answers every request 200 with a line naming the pod, container and port, so
 * `curl` through a forwarded port gets a real HTTP answer. Anything else is refused, like a closed port.
 */

export interface ContainerPort {
  namespace: string
  pod: string
  uid: string
  container: string
  port: number
}

/** The container of `pod` answering on TCP `port` right now, or why the connection is refused. */
export function containerForPort(pod: KubeObject, port: number): { target: ContainerPort } | { refused: string } {
  const spec = pod.spec ?? {}
  // Sidecars (init containers that keep running) listen too.
  const declared = [...(spec.containers ?? []), ...(spec.initContainers ?? []).filter((c: any) => c.restartPolicy === 'Always')]
  const owner = declared.find((c: any) =>
    (c.ports ?? []).some((p: any) => p.containerPort === port && (p.protocol ?? 'TCP').toUpperCase() === 'TCP'),
  )
  if (!owner) return { refused: `no container of the pod declares TCP containerPort ${port}` }
  const statuses: any[] = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])]
  const st = statuses.find((s) => s.name === owner.name)
  if (!st?.state?.running) return { refused: `container ${owner.name} is not running` }
  if (st.ready !== true) return { refused: `container ${owner.name} is not ready` }
  return {
    target: { namespace: pod.metadata.namespace!, pod: pod.metadata.name!, uid: pod.metadata.uid ?? '', container: owner.name, port },
  }
}

/** The kubelet's message for a port it cannot reach (what client-node hands to its error stream). */
export function refusedMessage(pod: KubeObject, port: number, why: string): string {
  const m = pod.metadata
  return (
    `error forwarding port ${port} to pod ${m.name}_${m.namespace}, uid ${m.uid ?? ''}: ` +
    `failed to connect to localhost:${port} inside the pod: connect: connection refused (KECS emulator: ${why})`
  )
}

/** The body a simulated container answers with. */
export function responseLine(t: ContainerPort, req: { method?: string; url?: string }): string {
  return `kecs emulated container ${t.container} (pod ${t.pod}) port ${t.port}: ${req.method ?? 'GET'} ${req.url ?? '/'}\n`
}

/** One HTTP responder shared by every simulated container; connections are injected, never listened for. */
export class SimulatedApps {
  private readonly server: Server
  private readonly targets = new WeakMap<object, ContainerPort>()
  private readonly open = new Set<Duplex>()

  constructor() {
    this.server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const t = this.targets.get(req.socket)
      req.resume() // the request body, if any, is read and dropped
      if (!t) {
        res.writeHead(500).end()
        return
      }
      const body = responseLine(t, req)
      res.writeHead(200, {
        'Content-Type': 'text/plain; charset=utf-8',
        'Content-Length': Buffer.byteLength(body),
        'X-Kecs-Pod': t.pod,
        'X-Kecs-Container': t.container,
      })
      res.end(body)
    })
  }

  /**
   * A new connection to the container port. Push what the client sends into the returned stream
   * (`pull` is called when it wants more after a push returned false); `send` gets what the
   * "container" answers (call `done` once it is flushed), `onEnd` is called once it closes its side.
   */
  connect(
    t: ContainerPort,
    io: { send: (chunk: Buffer, done: () => void) => void; onEnd: () => void; pull: () => void },
  ): Duplex {
    const { send, onEnd, pull } = io
    let ended = false
    const end = () => {
      if (ended) return
      ended = true
      onEnd()
    }
    const stream = new Duplex({
      read() {
        pull()
      },
      write(chunk: Buffer, _enc, cb) {
        send(chunk, () => cb())
      },
      final(cb) {
        end()
        cb()
      },
    })
    stream.on('close', () => {
      this.open.delete(stream)
      end()
    })
    stream.on('error', () => {}) // the client going away mid-write is normal
    this.targets.set(stream, t)
    this.open.add(stream)
    // What node:http documents for injecting a connection: any Duplex stream will do.
    this.server.emit('connection', stream)
    return stream
  }

  close(): void {
    for (const s of this.open) s.destroy()
    this.open.clear()
  }
}
