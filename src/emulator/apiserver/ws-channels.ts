/**
 * The Kubernetes "channel" WebSocket framing (k8s.io/apimachinery wsstream), as the kubelet speaks it
 * for pods/portforward and @kubernetes/client-node 1.4.0 reads it (web-socket-handler.js, portforward.js):
 * every binary message is one byte of channel number followed by the payload. Port forwarding uses two
 * channels per requested port i — data 2i (both ways) and error 2i+1 (server to client) — and the first
 * message the server sends on each carries the port as 2 bytes little-endian.
 */

/** The binary channel protocol the kubelet serves port-forward with; '' = a client that names none. */
export const PORT_FORWARD_PROTOCOLS = ['v4.channel.k8s.io', ''] as const

/** One message: [channel][payload]. */
export function channelFrame(channel: number, payload: Uint8Array | string = Buffer.alloc(0)): Buffer {
  if (!Number.isInteger(channel) || channel < 0 || channel > 255) throw new RangeError(`channel ${channel} is not a byte`)
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload
  const out = Buffer.allocUnsafe(body.length + 1)
  out[0] = channel
  out.set(body, 1)
  return out
}

/** Splits a message into its channel and payload; undefined for an empty message (no channel byte). */
export function parseChannelFrame(data: Uint8Array): { channel: number; payload: Buffer } | undefined {
  if (data.length < 1) return undefined
  const buf = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength)
  return { channel: buf[0]!, payload: buf.subarray(1) }
}

/** The first message on a port-forward channel: the port, 2 bytes little-endian. */
export function portPreamble(channel: number, port: number): Buffer {
  const b = Buffer.alloc(2)
  b.writeUInt16LE(port, 0)
  return channelFrame(channel, b)
}

/** The data and error channels of the i-th requested port. */
export const dataChannel = (i: number) => 2 * i
export const errorChannel = (i: number) => 2 * i + 1

/**
 * The subprotocol to answer with: the first one the client offers that we serve (wsstream's rule),
 * '' when the client offers none; undefined when it offers only others (e.g. kubectl's SPDY tunnel).
 */
export function pickProtocol(offered: readonly string[], supported: readonly string[] = PORT_FORWARD_PROTOCOLS): string | undefined {
  if (offered.length === 0) return supported.includes('') ? '' : undefined
  return offered.find((p) => p !== '' && supported.includes(p))
}

/**
 * The ports of a port-forward request. The API server takes `ports` (PodPortForwardOptions) and the
 * kubelet `port`; each may repeat and hold a comma-separated list. Throws the kubelet's messages.
 */
export function parsePorts(q: URLSearchParams): number[] {
  const raw = [...q.getAll('ports'), ...q.getAll('port')]
  if (raw.length === 0) throw new Error('query parameter "port" is required')
  const ports: number[] = []
  for (const s of raw) {
    if (s === '') throw new Error('query parameter "port" cannot be empty')
    for (const p of s.split(',')) {
      if (!/^\d+$/.test(p) || Number(p) > 65535) throw new Error(`unable to parse "${s}" as a port`)
      if (Number(p) < 1) throw new Error(`port "${s}" must be > 0`)
      ports.push(Number(p))
    }
  }
  return ports
}
