import type { EcsEvent } from './bus.js'
import type { EventFilters } from './filter.js'

/**
 * The `/ws` live feed protocol: JSON text frames, shared by the hub, the CLI and the web UI.
 *
 * Connect: `GET /ws?cluster=&service=&task=&detail-type=&since=<ISO>&after=<event id>&instance=<id>&heartbeatMs=`.
 * The server answers `subscribed` (how many replayed events follow), then the replay, then live
 * events, with no gap and no duplicate between the two. Later, the client may send
 * `{"action":"subscribe","filters":{...},"since"?,"after"?}` to change its filters (and replay again).
 */
export type FeedFrame = EventFrame | SubscribedFrame | HeartbeatFrame | NoticeFrame | ErrorFrame

/** One event, in EventBridge shape exactly as the bus has it. */
export interface EventFrame {
  type: 'event'
  event: EcsEvent
}

export interface SubscribedFrame {
  type: 'subscribed'
  filters: EventFilters
  /** Number of replayed events that follow this frame (before live ones). */
  replay: number
  /** Server time of the subscription (ISO, ms). */
  time: string
  /** This instance's feed id: changes when KECS restarts (send it back as `instance` when resuming). */
  instance: string
  /** Heartbeat interval in ms (0: none): a client may treat a silence of a few intervals as a dead link. */
  heartbeatMs: number
}

export interface HeartbeatFrame {
  type: 'heartbeat'
  time: string
}

/**
 * Something the subscriber should know: `dropped` (this client read too slowly; `dropped` events
 * after event `after` were not sent), `replay-gap` (the `after` event is no longer kept, so some
 * events may be missing), `instance-changed` (KECS restarted since the client's last connection: all
 * its events are replayed).
 */
export interface NoticeFrame {
  type: 'notice'
  code: 'dropped' | 'replay-gap' | 'instance-changed'
  message: string
  dropped?: number
  after?: string
}

/** A bad request (bad filters, bad JSON). On connect it is followed by close code 1008. */
export interface ErrorFrame {
  type: 'error'
  message: string
}

export interface SubscribeMessage {
  action: 'subscribe'
  filters?: EventFilters
  since?: string
  after?: string
}

/** Close code for a request the server will not serve (policy violation: bad parameters). */
export const CLOSE_BAD_REQUEST = 1008
/** Close code when the instance shuts down (going away): clients reconnect. */
export const CLOSE_GOING_AWAY = 1001
