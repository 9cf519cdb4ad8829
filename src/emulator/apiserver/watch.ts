import type { IncomingMessage, ServerResponse } from 'node:http'
import { groupVersion } from '../store/resource-types.js'
import { KubeStatusError, type ObjectStore, type ResourceType, type WatchEvent } from '../types.js'
import { statusFromError } from './status.js'
import { toTable, type IncludeObject } from './tables.js'

export interface WatchRequest {
  objects: ObjectStore
  type: ResourceType
  namespace?: string
  labelSelector?: string
  fieldSelector?: string
  resourceVersion?: string
  timeoutSeconds?: number
  allowBookmarks: boolean
  sendInitialEvents: boolean
  /** Send each object as a one-row Table (the request asked for `as=Table`). */
  table?: { includeObject: IncludeObject }
  now: () => number
  /** How often to send a BOOKMARK when bookmarks are allowed. */
  bookmarkIntervalMs?: number
}

/**
 * A watch stream: 200, chunked, one JSON event per line, headers flushed at once (docs/architecture.md#what-kubectl-and-client-node-need).
 * An expired resourceVersion is answered, like the API server does, with an ERROR event holding a
 * 410 Status, then the end of the stream. The stream ends at timeoutSeconds or when the client goes.
 * Other errors (bad selectors) are thrown before anything is written, for a normal Status response.
 */
export function serveWatch(req: IncomingMessage, res: ServerResponse, w: WatchRequest, streams: Set<ServerResponse>): void {
  let pending: WatchEvent[] | undefined = []
  let deliver: (e: WatchEvent) => void = (e) => pending!.push(e)
  let unsubscribe: (() => void) | undefined
  let expired: KubeStatusError | undefined
  try {
    unsubscribe = w.objects.watch(
      w.type.resource,
      {
        namespace: w.namespace,
        labelSelector: w.labelSelector,
        fieldSelector: w.fieldSelector,
        resourceVersion: w.sendInitialEvents ? '0' : w.resourceVersion,
      },
      (e) => deliver(e),
    )
  } catch (err) {
    if (!(err instanceof KubeStatusError && err.code === 410)) throw err
    expired = err
  }

  res.writeHead(200, {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-cache, private',
    'Transfer-Encoding': 'chunked',
  })
  res.flushHeaders()
  req.socket.setNoDelay(true)
  const writeLine = (o: unknown) => {
    if (!res.writableEnded) res.write(JSON.stringify(o) + '\n')
  }
  if (expired) {
    writeLine({ type: 'ERROR', object: statusFromError(expired) })
    res.end()
    return
  }

  let first = true
  const writeEvent = (e: WatchEvent) => {
    let object: unknown = e.object
    if (w.table && (e.type === 'ADDED' || e.type === 'MODIFIED' || e.type === 'DELETED')) {
      // Like the API server, only the first Table of a watch carries the column definitions.
      object = toTable(w.type.kind, [e.object], {
        now: w.now(),
        resourceVersion: e.object.metadata.resourceVersion,
        includeObject: w.table.includeObject,
        noHeaders: !first,
      })
      first = false
    }
    writeLine({ type: e.type, object })
  }
  const bookmark = (annotations?: Record<string, string>) => {
    const metadata: Record<string, unknown> = { resourceVersion: String(w.objects.resourceVersion) }
    if (annotations) metadata.annotations = annotations
    writeLine({ type: 'BOOKMARK', object: { kind: w.type.kind, apiVersion: groupVersion(w.type), metadata } })
  }

  streams.add(res)
  for (const e of pending) writeEvent(e)
  pending = undefined
  deliver = writeEvent
  if (w.sendInitialEvents && w.allowBookmarks) bookmark({ 'k8s.io/initial-events-end': 'true' })

  const timers: NodeJS.Timeout[] = []
  let done = false
  const finish = () => {
    if (done) return
    done = true
    unsubscribe?.()
    for (const t of timers) clearTimeout(t)
    streams.delete(res)
    if (!res.writableEnded) res.end()
  }
  // Unref'd: an open watch must not keep a process alive on its own.
  if (w.timeoutSeconds && w.timeoutSeconds > 0) timers.push(setTimeout(finish, w.timeoutSeconds * 1000).unref())
  if (w.allowBookmarks) timers.push(setInterval(() => bookmark(), w.bookmarkIntervalMs ?? 60_000).unref())
  res.on('close', finish)
  req.on('close', () => {
    if (req.destroyed || res.destroyed) finish()
  })
}
