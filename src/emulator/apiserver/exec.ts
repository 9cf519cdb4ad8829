import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { WebSocketServer, type RawData, type WebSocket } from 'ws'
import { execContext } from '../kubelet/exec-context.js'
import { isBareShell, runCommand, runScript, type ShellContext, type ShellResult } from '../kubelet/shell.js'
import type { KubeObject, ObjectStore } from '../types.js'
import { reject, toBuffer, type UpgradeHandler } from './portforward.js'
import { failure } from './status.js'
import { channelFrame, parseChannelFrame, pickProtocol } from './ws-channels.js'

/**
 * pods/exec over WebSocket as kubectl and client-node's Exec speak it (`v5.channel.k8s.io` or
 * `v4.channel.k8s.io`): stdin on channel 0, stdout 1, stderr 2, the final Status on 3 (JSON, exit
 * code in its causes), resize 4 (ignored); v5 adds 255 [255, 0] for "stdin closed". The command runs
 * in the simulated shell (kubelet/shell.ts) with the container's env and files.
 */
const PATH = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/exec\/?$/
export const EXEC_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'] as const

const STDIN = 0
const STDOUT = 1
const STDERR = 2
const STATUS = 3
const CLOSE = 255

interface ExecRequest {
  command: string[]
  container: string
  stdin: boolean
  stdout: boolean
  stderr: boolean
  tty: boolean
}

export function execUpgrades(objects: ObjectStore): UpgradeHandler {
  const chosen = new WeakMap<IncomingMessage, string>()
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, handleProtocols: (_o, req) => chosen.get(req) || false })
  /** Open sessions with the pod and container they run in, ended when the container stops or the pod goes. */
  const sessions = new Map<WebSocket, { namespace: string; pod: string; uid: string; container: string; kill: () => void }>()

  const handle = (req: IncomingMessage, socket: Duplex, head: Buffer): boolean => {
    const url = new URL(req.url ?? '/', 'http://emulator')
    const m = PATH.exec(url.pathname)
    if (!m) return false
    const name = decodeURIComponent(m[2]!)
    const pod = objects.get('pods', decodeURIComponent(m[1]!), name)
    if (!pod) {
      reject(socket, failure(404, `pods "${name}" not found`, { name, kind: 'pods' }))
      return true
    }
    const parsed = parseExec(url.searchParams, pod)
    if (typeof parsed === 'string') {
      reject(socket, failure(400, parsed))
      return true
    }
    if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket') {
      reject(socket, failure(400, 'the KECS emulator serves pods/exec over WebSocket (v5.channel.k8s.io, v4.channel.k8s.io) only, not SPDY'))
      return true
    }
    const offered = (req.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean)
    const protocol = pickProtocol(offered, EXEC_PROTOCOLS)
    if (protocol === undefined) {
      reject(socket, failure(400, `requested protocol(s) are not supported: [${offered.join(' ')}]; supports [${EXEC_PROTOCOLS.join(' ')}] (KECS emulator)`))
      return true
    }
    chosen.set(req, protocol)
    wss.handleUpgrade(req, socket, head, (ws) => {
      const kill = serve(ws, parsed, execContext(pod, parsed.container, objects))
      sessions.set(ws, { namespace: pod.metadata.namespace!, pod: name, uid: pod.metadata.uid ?? '', container: parsed.container, kill })
      ws.on('close', () => sessions.delete(ws))
    })
    return true
  }

  const unsubscribe = objects.onChange((resource, e) => {
    if (resource !== 'pods' || sessions.size === 0) return
    const pod = e.object
    for (const s of sessions.values()) {
      if (s.namespace !== pod.metadata.namespace || s.pod !== pod.metadata.name) continue
      const statuses = (pod.status as { containerStatuses?: { name: string; state?: { running?: unknown } }[] } | undefined)?.containerStatuses ?? []
      const running = e.type !== 'DELETED' && pod.metadata.uid === s.uid && !!statuses.find((c) => c.name === s.container)?.state?.running
      if (!running) s.kill()
    }
  })

  return {
    handle,
    close() {
      unsubscribe()
      for (const ws of sessions.keys()) ws.terminate()
      sessions.clear()
      wss.close()
    },
  }
}

/** The request's options, or the API server's / kubelet's message refusing it. */
export function parseExec(q: URLSearchParams, pod: KubeObject): ExecRequest | string {
  const command = q.getAll('command')
  if (command.length === 0) return 'you must specify at least one command for the container'
  const flag = (k: string) => q.get(k) === 'true' || q.get(k) === '1'
  const spec = (pod.spec ?? {}) as { containers?: { name: string }[] }
  const names = (spec.containers ?? []).map((c) => c.name)
  const name = pod.metadata.name
  let container = q.get('container') ?? ''
  if (!container) {
    if (names.length !== 1) return `a container name must be specified for pod ${name}, choose one of: [${names.join(' ')}]`
    container = names[0]!
  }
  if (!names.includes(container)) return `container ${container} is not valid for pod ${name}`
  const phase = (pod.status as { phase?: string } | undefined)?.phase
  if (phase === 'Succeeded' || phase === 'Failed') return `cannot exec into a container in a completed pod; current phase is ${phase}`
  const statuses = ((pod.status as { containerStatuses?: { name: string; state?: { running?: unknown } }[] } | undefined)?.containerStatuses ?? [])
  if (!statuses.find((s) => s.name === container)?.state?.running) return `unable to upgrade connection: container not found ("${container}")`
  const out: ExecRequest = { command, container, stdin: flag('stdin'), stdout: flag('stdout'), stderr: flag('stderr'), tty: flag('tty') }
  if (!out.stdin && !out.stdout && !out.stderr) return 'you must specify at least one of stdin, stdout, stderr'
  return out
}

/** The Status the kubelet sends on the status channel when the command ends. */
export function exitStatus(code: number): object {
  if (code === 0) return { metadata: {}, status: 'Success' }
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: exit status ${code}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
  }
}

/** Runs the session; returns what ends it when its container stops (the process dies with SIGKILL: 137). */
function serve(ws: WebSocket, r: ExecRequest, ctx: ShellContext): () => void {
  let finished = false
  const send = (channel: number, text: string) => {
    if (!text || ws.readyState !== ws.OPEN) return
    // A terminal has one output stream and turns "\n" into "\r\n".
    if (r.tty) return ws.send(channelFrame(STDOUT, text.replace(/\r?\n/g, '\r\n')))
    if ((channel === STDOUT && r.stdout) || (channel === STDERR && r.stderr)) ws.send(channelFrame(channel, text))
  }
  const output = (res: ShellResult) => {
    send(STDOUT, res.stdout)
    send(STDERR, res.stderr)
  }
  const finish = (code: number) => {
    if (finished) return
    finished = true
    if (ws.readyState !== ws.OPEN) return
    ws.send(channelFrame(STATUS, JSON.stringify(exitStatus(code))))
    ws.close(1000)
  }
  ws.on('error', () => {})

  const kill = () => finish(137)
  if (!r.stdin) {
    const res = runCommand(r.command, ctx)
    output(res)
    finish(res.exitCode)
    return kill
  }

  // With stdin, a bare shell is a session: each line runs as it arrives until `exit` or end of input.
  const session = isBareShell(r.command)
  const prompt = () => r.tty && send(STDOUT, '# ')
  let pending = ''
  let status = 0
  if (session) prompt()
  const onInput = (text: string) => {
    if (!session) {
      pending += text
      return
    }
    if (r.tty) send(STDOUT, text.replace(/\r/g, '\n'))
    pending += text.replace(/\r\n?/g, '\n')
    let nl: number
    while (!finished && (nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl)
      pending = pending.slice(nl + 1)
      const res = runScript(line, ctx)
      output(res)
      status = res.exitCode
      if (res.exited) return finish(status)
      prompt()
    }
  }
  const endOfInput = () => {
    if (finished) return
    if (!session) {
      const res = runCommand(r.command, ctx, pending)
      output(res)
      return finish(res.exitCode)
    }
    if (pending) {
      const res = runScript(pending, ctx)
      output(res)
      status = res.exitCode
    }
    finish(status)
  }
  ws.on('message', (data: RawData, isBinary: boolean) => {
    const frame = isBinary ? parseChannelFrame(toBuffer(data)) : textFrame(String(data))
    if (!frame) return
    if (frame.channel === STDIN) onInput(frame.payload.toString('utf8'))
    else if (frame.channel === CLOSE && frame.payload[0] === STDIN) endOfInput()
  })
  return kill
}

function textFrame(s: string): { channel: number; payload: Buffer } | undefined {
  if (!s.length) return undefined
  return { channel: s.charCodeAt(0), payload: Buffer.from(s.slice(1), 'utf8') }
}
