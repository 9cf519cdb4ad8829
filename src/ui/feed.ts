import { signal } from '@preact/signals'
import { summary, type EcsEvent } from './event-refs.js'

export { refsOf, summary, type EcsEvent } from './event-refs.js'

const KEEP = 500
/** Newest first; every page reads this one connection. */
export const events = signal<EcsEvent[]>([])
export const connected = signal(false)
const listeners = new Set<(e: EcsEvent) => void>()

/** Called for each live event (not the replay): pages reload what the event touches. */
export function onEvent(fn: (e: EcsEvent) => void): () => void {
  listeners.add(fn)
  return () => listeners.delete(fn)
}

/** A resource's last line: an event that would show the same again (only an unshown field changed) is not listed. */
const lastLine = new Map<string, string>()
function repeats(e: EcsEvent): boolean {
  const key = e.resources?.length ? e.resources.join(' ') : e.id
  const line = `${e['detail-type']} ${summary(e)}`
  if (lastLine.get(key) === line) return true
  lastLine.set(key, line)
  return false
}

let lastId: string | undefined
let instance: string | undefined
let retryMs = 500

/** Opens `/ws`, replaying the last hour first; reconnects after `after=<last id>` so nothing is missed or doubled. */
export function connectFeed(): void {
  const q = new URLSearchParams({ heartbeatMs: '15000' })
  if (lastId) q.set('after', lastId)
  else q.set('since', new Date(Date.now() - 3_600_000).toISOString())
  if (instance) q.set('instance', instance)
  const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws?${q}`)
  let replaying = 0
  let batch: EcsEvent[] = []
  ws.onopen = () => {
    connected.value = true
    retryMs = 500
  }
  ws.onmessage = (m) => {
    const f = JSON.parse(String(m.data))
    if (f.type === 'subscribed') {
      instance = f.instance
      replaying = f.replay
      if (replaying === 0) return
    } else if (f.type === 'event') {
      lastId = f.event.id
      if (replaying > 0) {
        if (!repeats(f.event)) batch.unshift(f.event)
        if (--replaying === 0) {
          events.value = [...batch, ...events.value].slice(0, KEEP)
          batch = []
        }
        return
      }
      if (!repeats(f.event)) events.value = [f.event, ...events.value].slice(0, KEEP)
      for (const fn of listeners) fn(f.event)
    }
  }
  ws.onclose = () => {
    connected.value = false
    setTimeout(connectFeed, retryMs)
    retryMs = Math.min(retryMs * 2, 5000)
  }
}
