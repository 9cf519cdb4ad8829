import { badToken } from './errors.js'
import type { Cut } from './events-table.js'

/**
 * GetLogEvents tokens look like AWS's: `f/` or `b/` and 56 digits (here the cut's timestamp in 20
 * digits, then its seq in 36). `f/<cut>` reads the events after the cut, `b/<cut>` those at or
 * before it. At either end AWS hands back the token it was given; so do we.
 */
export const forwardToken = (c: Cut) => `f/${digits(c)}`
export const backwardToken = (c: Cut) => `b/${digits(c)}`

const digits = (c: Cut) => `${String(c.timestamp).padStart(20, '0')}${String(c.seq).padStart(36, '0')}`

export function parseEventsToken(token: string): { direction: 'f' | 'b'; cut: Cut } {
  const m = /^([fb])\/(\d{20})(\d{36})$/.exec(token)
  if (!m) throw badToken()
  const timestamp = Number(m[2])
  const seq = Number(m[3])
  if (!Number.isSafeInteger(timestamp) || !Number.isSafeInteger(seq)) throw badToken()
  return { direction: m[1] as 'f' | 'b', cut: { timestamp, seq } }
}

/** The cut just before an event (so `b/` of it reads what precedes the event). */
export const cutBefore = (e: Cut): Cut => ({ timestamp: e.timestamp, seq: e.seq - 1 })
export const cutAt = (e: Cut): Cut => ({ timestamp: e.timestamp, seq: e.seq })
