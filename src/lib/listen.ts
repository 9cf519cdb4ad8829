import { serve, type ServerType, type WebSocketServerLike } from '@hono/node-server'
import type { AddressInfo } from 'node:net'
import type { Hono } from 'hono'

/** Raised when a port is taken; the CLI turns it into a one-line error naming the flag. */
export class PortInUseError extends Error {
  constructor(
    readonly host: string,
    readonly port: number,
  ) {
    super(`port ${port} on ${host} is already in use`)
  }
}

export interface Listening {
  server: ServerType
  port: number
  close(): Promise<void>
}

/**
 * Starts a Hono app on host:port (0 = a free port); resolves once listening. With `websocket`, routes
 * using `upgradeWebSocket` (the `/ws` feed) can upgrade; whoever owns those sockets closes them.
 */
export function listen(app: Pick<Hono, 'fetch'>, host: string, port: number, opts: { websocket?: WebSocketServerLike } = {}): Promise<Listening> {
  return new Promise((resolve, reject) => {
    const websocket = opts.websocket ? { server: opts.websocket } : undefined
    let closing = false
    const server = serve({ fetch: app.fetch, hostname: host, port, websocket }, (info: AddressInfo) => {
      server.off('error', onError)
      resolve({
        server,
        port: info.port,
        close: () =>
          new Promise<void>((res) => {
            closing = true
            server.close(() => res())
            // Idle keep-alive sockets would hold close() open; in-flight requests still finish.
            closeIdle()
          }),
      })
    })
    const closeIdle = () => (server as unknown as { closeIdleConnections?: () => void }).closeIdleConnections?.()
    // A request in flight at close() leaves a keep-alive socket behind once answered, which would hold
    // close() open for the keep-alive timeout: close it as soon as its answer is out.
    server.on('request', (_req: unknown, res: { once(e: 'finish', fn: () => void): void }) => {
      res.once('finish', () => {
        if (closing) setImmediate(closeIdle)
      })
    })
    const onError = (e: NodeJS.ErrnoException) => {
      reject(e.code === 'EADDRINUSE' ? new PortInUseError(host, port) : e)
    }
    server.once('error', onError)
  })
}
