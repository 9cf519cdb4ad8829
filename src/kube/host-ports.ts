import { createServer, type Server, type Socket } from 'node:net'
import { PassThrough, Writable } from 'node:stream'
import { PortForward, type V1Pod } from '@kubernetes/client-node'
import type WebSocket from 'ws'
import type { KubeClient } from './client.js'
import { objectKey, type SharedInformer } from './informer.js'
import { WorkQueue } from '../lib/work-queue.js'
import type { Timers } from '../lib/timers.js'
import { parseArn, taskArn as buildTaskArn } from '../ecs/arns.js'
import { taskIdOfPodUid } from '../ecs/tasks/container-ids.js'
import { ANNOTATIONS, LABELS } from './convert/labels.js'

/**
 * Host ports: a static hostPort of a ready pod is served on the KECS host and forwarded through
 * pods/portforward, round-robin across the pods of the task group that holds it.
 * docs/ecs-on-kubernetes.md#host-ports
 */
export interface HostPortsOptions {
  client: KubeClient
  /** The shared informer of the pods KECS manages. */
  pods: SharedInformer<V1Pod>
  timers: Timers
  /** The address host ports listen on (the instance's --host); default 127.0.0.1. */
  host?: string
  log?: (line: string) => void
  /** A host port that cannot be served for a pod (port taken, permission denied, held by another group). */
  onUnavailable?: (problem: HostPortProblem) => void
  /** For tests: how a connection reaches a pod (default: client-node PortForward). */
  connect?: PodConnector
}

export interface HostPortProblem {
  hostPort: number
  host: string
  /** The pod that wanted the port, and what it belongs to (from its annotations). */
  namespace: string
  pod: string
  clusterName?: string
  group?: string
  serviceName?: string
  taskArn?: string
  message: string
}

/** Opens one connection to `port` inside a pod; resolves once connected, with a way to close it. */
export type PodConnector = (
  target: { namespace: string; pod: string; port: number },
  io: { output: Writable; errors: Writable; input: PassThrough },
) => Promise<PodLink>

/** An open connection to a pod's port. */
export interface PodLink {
  /** Ends it politely (WebSocket close handshake). */
  close(): void
  /** Cuts it at once (KECS stopping). */
  destroy(): void
  /** Called once when the pod side is done (at once when it already is). */
  onClose(cb: () => void): void
  /** Stops/restarts reading from the pod side (backpressure from a slow client). */
  pause(): void
  resume(): void
}

/** A static TCP host port one container of a pod offers. */
export interface Offer {
  podKey: string
  namespace: string
  pod: string
  container: string
  containerPort: number
  hostPort: number
  /** cluster namespace + task group: who may hold the port. */
  owner: string
  annotations: Record<string, string>
  /** The ECS task the pod is (annotation for RunTask pods; cluster + pod UID for service pods). */
  taskArn?: string
}

interface PortState {
  port: number
  owner: string
  server?: Server
  status: 'starting' | 'listening' | 'unavailable'
  sockets: Set<Socket>
  next: number
  /** Owners (and pods, for listen failures) already told about, so each problem is reported once. */
  reported: Set<string>
}

export class HostPorts {
  private readonly host: string
  /** Offers of each ready pod, by pod key. */
  private readonly byPod = new Map<string, Offer[]>()
  /** Offers by host port, in the order the pods became ready. */
  private readonly byPort = new Map<number, Map<string, Offer>>()
  private readonly ports = new Map<number, PortState>()
  private stopped = false
  private readonly connect: PodConnector
  private readonly queue: WorkQueue

  constructor(private readonly opts: HostPortsOptions) {
    this.host = opts.host ?? '127.0.0.1'
    this.connect = opts.connect ?? portForwardConnector(opts.client)
    this.queue = new WorkQueue('host ports', async (key) => this.sync(key), opts.timers, (where, err) =>
      this.log(`${where}: ${(err as Error)?.message ?? err}`),
    )
    opts.pods.addHandler((_type, pod) => this.queue.add(objectKey(pod)))
  }

  /** Stops listening and drops every forwarded connection. */
  async stop(): Promise<void> {
    this.stopped = true
    await this.queue.stop()
    await Promise.all([...this.ports.values()].map((s) => this.close(s)))
    this.ports.clear()
    this.byPod.clear()
    this.byPort.clear()
  }

  /** What is forwarded now: host port → the pods behind it (for status output and tests). */
  forwarded(): { hostPort: number; host: string; owner: string; pods: string[] }[] {
    return [...this.ports.values()]
      .filter((s) => s.status === 'listening')
      .map((s) => ({ hostPort: s.port, host: this.host, owner: s.owner, pods: this.targets(s).map((o) => `${o.namespace}/${o.pod}`) }))
  }

  /** Level-triggered: the offers of the pod as the informer has it now (none once it is gone). */
  private sync(key: string): void {
    if (this.stopped) return
    const pod = this.opts.pods.get(key)
    this.setOffers(key, pod ? readyOffers(pod) : [])
  }

  private setOffers(key: string, offers: Offer[]): void {
    const before = this.byPod.get(key) ?? []
    if (JSON.stringify(before) === JSON.stringify(offers)) return
    const touched = new Set<number>()
    for (const o of before) {
      this.byPort.get(o.hostPort)?.delete(key)
      touched.add(o.hostPort)
    }
    const added = new Set<number>()
    for (const o of offers) {
      let m = this.byPort.get(o.hostPort)
      if (!m) this.byPort.set(o.hostPort, (m = new Map()))
      if (!m.has(key)) added.add(o.hostPort)
      m.set(key, o) // one offer per pod and port: the first container declaring it
      touched.add(o.hostPort)
    }
    if (offers.length) this.byPod.set(key, offers)
    else this.byPod.delete(key)
    for (const port of touched) this.reconcile(port, added.has(port))
  }

  /** Brings one host port in line with the pods offering it; `fresh`: a pod just started offering it. */
  private reconcile(port: number, fresh: boolean): void {
    const offers = [...(this.byPort.get(port)?.values() ?? [])]
    let state = this.ports.get(port)
    if (offers.length === 0) {
      this.byPort.delete(port)
      if (state) {
        this.ports.delete(port)
        void this.close(state)
        if (state.status === 'listening') this.log(`host port ${this.host}:${port}: no ready task offers it any more, stopped listening`)
      }
      return
    }
    if (state && !offers.some((o) => o.owner === state!.owner)) {
      // The holder is gone; the next group in line takes the port over (same listener).
      state.owner = offers[0]!.owner
      state.reported.clear()
      if (state.status === 'listening') this.log(`host port ${this.host}:${port} now forwards to ${describeOwner(offers[0]!)}`)
    }
    if (!state) {
      state = { port, owner: offers[0]!.owner, status: 'starting', sockets: new Set(), next: 0, reported: new Set() }
      this.ports.set(port, state)
      this.listen(state)
    } else if (state.status === 'unavailable' && fresh) {
      // A new task wants the port: try the host again (it may have been freed meanwhile).
      state.status = 'starting'
      this.listen(state)
    }
    for (const o of offers) {
      if (o.owner === state.owner || state.reported.has(o.owner)) continue
      state.reported.add(o.owner)
      this.problem(o, `host port ${port} is already forwarded to ${describeOwner(this.targets(state)[0] ?? o)}; not forwarded to ${describeOwner(o)}`)
    }
  }

  private listen(state: PortState): void {
    const server = createServer({ allowHalfOpen: true, pauseOnConnect: true }, (socket) => this.accept(state, socket))
    state.server = server
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (state.server !== server) return
      state.server = undefined
      state.status = 'unavailable'
      const why =
        err.code === 'EADDRINUSE'
          ? `is already in use on the host`
          : err.code === 'EACCES'
            ? `needs privileges on the host (ports below 1024 usually do)`
            : `cannot be listened on: ${err.message}`
      for (const o of this.targets(state)) {
        if (state.reported.has(`listen:${o.podKey}`)) continue
        state.reported.add(`listen:${o.podKey}`)
        const task = o.taskArn ? o.taskArn.slice(o.taskArn.lastIndexOf('/') + 1) : o.pod
        this.problem(o, `host port ${this.host}:${state.port} ${why}; task ${task} of ${describeOwner(o)} is not reachable on it`)
      }
    })
    server.on('error', () => {}) // after listening: nothing to do, the port stays as it is
    server.listen({ port: state.port, host: this.host, exclusive: true }, () => {
      if (state.server !== server || this.ports.get(state.port) !== state) return void server.close()
      state.status = 'listening'
      const t = this.targets(state)
      this.log(`host port ${this.host}:${state.port} forwards to ${describeOwner(t[0]!)} (${t.length} ready task${t.length === 1 ? '' : 's'})`)
    })
  }

  private close(state: PortState): Promise<void> {
    const server = state.server
    state.server = undefined
    for (const s of state.sockets) s.destroy()
    state.sockets.clear()
    if (!server) return Promise.resolve()
    return new Promise((resolve) => server.close(() => resolve()))
  }

  /** The owner's ready pods behind a port, in the order they became ready. */
  private targets(state: PortState): Offer[] {
    return [...(this.byPort.get(state.port)?.values() ?? [])].filter((o) => o.owner === state.owner)
  }

  /** One accepted connection: forwarded to the owner's pods round-robin; a pod that fails, the next one. */
  private accept(state: PortState, socket: Socket): void {
    state.sockets.add(socket)
    socket.setNoDelay(true)
    const input = new PassThrough()
    // No end: a client's half-close cannot travel over the v4 channel protocol, and ending the input
    // would make client-node close the whole WebSocket before the answer comes back.
    socket.pipe(input, { end: false })
    socket.resume()
    let link: PodLink | undefined
    let closed = false
    socket.on('error', () => {})
    socket.on('close', () => {
      closed = true
      state.sockets.delete(socket)
      input.destroy()
      if (this.stopped) link?.destroy()
      else link?.close()
    })
    let paused = false
    const output = new Writable({
      write: (chunk: Buffer, _enc, cb) => {
        if (socket.destroyed) return cb()
        // A slow client holds the pod side back instead of KECS buffering without bound.
        if (!socket.write(chunk) && !paused && link) {
          paused = true
          link.pause()
          socket.once('drain', () => {
            paused = false
            link?.resume()
          })
        }
        cb()
      },
    })
    let errorText = ''
    const errors = new Writable({
      write: (chunk: Buffer, _enc, cb) => {
        errorText += chunk.toString('utf8')
        cb()
      },
    })
    const candidates = this.targets(state)
    const start = state.next++ % Math.max(1, candidates.length)
    const order = candidates.slice(start).concat(candidates.slice(0, start))
    const tryNext = async (i: number): Promise<void> => {
      if (closed) return
      const target = order[i]
      if (!target) {
        this.log(`host port ${this.host}:${state.port}: no ready task could take the connection`)
        return void socket.destroy()
      }
      try {
        link = await this.connect({ namespace: target.namespace, pod: target.pod, port: target.containerPort }, { output, errors, input })
      } catch (err) {
        this.log(`host port ${this.host}:${state.port}: cannot reach ${target.namespace}/${target.pod}:${target.containerPort}: ${(err as Error)?.message ?? err}`)
        return tryNext(i + 1)
      }
      if (closed) return link.close()
      link.onClose(() => {
        if (errorText) this.log(`host port ${this.host}:${state.port} → ${target.namespace}/${target.pod}:${target.containerPort}: ${errorText.trim()}`)
        // The pod side is done: flush what came back, then close (an error: reset at once).
        if (errorText) socket.destroy()
        else socket.end()
      })
    }
    void tryNext(0)
  }

  private problem(o: Offer, message: string): void {
    this.log(`warning: ${message}`)
    const a = o.annotations
    try {
      this.opts.onUnavailable?.({
        hostPort: o.hostPort,
        host: this.host,
        namespace: o.namespace,
        pod: o.pod,
        clusterName: a[ANNOTATIONS.clusterName],
        group: a[ANNOTATIONS.group],
        serviceName: a[ANNOTATIONS.serviceName],
        taskArn: o.taskArn,
        message,
      })
    } catch (err) {
      this.log(`host ports: onUnavailable failed: ${(err as Error).message}`)
    }
  }

  private log(line: string): void {
    this.opts.log?.(line)
  }
}


/** The static TCP host ports of a pod's running, ready containers (none while it terminates). */
export function readyOffers(pod: V1Pod): Offer[] {
  const a = pod.metadata?.annotations ?? {}
  const raw = a[ANNOTATIONS.hostPorts]
  if (!raw || pod.metadata?.deletionTimestamp || pod.status?.phase !== 'Running') return []
  let entries: { container?: unknown; containerPort?: unknown; hostPort?: unknown; protocol?: unknown }[]
  try {
    const v = JSON.parse(raw)
    entries = Array.isArray(v) ? v : []
  } catch {
    return []
  }
  const statuses = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])]
  const ready = new Set(statuses.filter((s) => s.ready && s.state?.running).map((s) => s.name))
  const namespace = pod.metadata?.namespace ?? ''
  const name = pod.metadata?.name ?? ''
  const group = a[ANNOTATIONS.group] ?? (pod.metadata?.labels?.[LABELS.service] ? `service:${pod.metadata.labels[LABELS.service]}` : `pod:${name}`)
  const taskArn = a[ANNOTATIONS.taskArn] ?? serviceTaskArn(a[ANNOTATIONS.clusterArn], pod.metadata?.uid)
  const out: Offer[] = []
  for (const e of entries) {
    const hostPort = Number(e.hostPort)
    const containerPort = Number(e.containerPort)
    if (!Number.isInteger(hostPort) || hostPort < 1 || hostPort > 65535) continue // 0: dynamic, not forwarded
    if (!Number.isInteger(containerPort) || containerPort < 1 || containerPort > 65535) continue
    if (String(e.protocol ?? 'tcp').toLowerCase() !== 'tcp') continue
    if (typeof e.container !== 'string' || !ready.has(e.container)) continue
    if (out.some((o) => o.hostPort === hostPort)) continue
    out.push({ podKey: `${namespace}/${name}`, namespace, pod: name, container: e.container, containerPort, hostPort, owner: `${namespace}/${group}`, annotations: a, taskArn })
  }
  return out
}

/** A service pod's task: its cluster's, with the pod UID without dashes as id (as the reconciler adopts it). */
function serviceTaskArn(clusterArn: string | undefined, uid: string | undefined): string | undefined {
  const c = clusterArn ? parseArn(clusterArn) : undefined
  if (!c || c.resourceType !== 'cluster' || !uid) return undefined
  return buildTaskArn({ region: c.region, account: c.account }, c.resource, taskIdOfPodUid(uid))
}

function describeOwner(o: Offer): string {
  const a = o.annotations
  const cluster = a[ANNOTATIONS.clusterName] ?? o.namespace
  const group = a[ANNOTATIONS.group] ?? ''
  if (group.startsWith('service:')) return `service ${group.slice('service:'.length)} (cluster ${cluster})`
  return `task group ${group || o.pod} (cluster ${cluster})`
}

/**
 * Connections through client-node's PortForward (pods/portforward over WebSocket, v4.channel.k8s.io).
 * Its handler writes the data channel to `output` and the error channel to `errors`; it never ends
 * them, so the WebSocket's close is the end of the connection.
 */
export function portForwardConnector(client: KubeClient): PodConnector {
  return async (target, io) => {
    const pf = new PortForward(client.kc)
    const ws = (await pf.portForward(target.namespace, target.pod, [target.port], io.output, io.errors, io.input)) as WebSocket
    let closed = ws.readyState === ws.CLOSED
    const listeners: (() => void)[] = []
    ws.on('close', () => {
      closed = true
      for (const l of listeners.splice(0)) l()
    })
    ws.on('error', () => ws.terminate())
    return {
      close: () => {
        if (ws.readyState === ws.OPEN) ws.close()
        else if (ws.readyState === ws.CONNECTING) ws.terminate()
      },
      destroy: () => ws.terminate(),
      onClose: (cb) => {
        if (closed) cb()
        else listeners.push(cb)
      },
      pause: () => ws.pause(),
      resume: () => ws.resume(),
    }
  }
}
