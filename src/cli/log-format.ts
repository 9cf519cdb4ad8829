import type { ChalkInstance } from 'chalk'
import { displayTaskId } from './table.js'

/**
 * How `kecs logs` and `kecs run --follow` print container log lines: the line as the container wrote
 * it, prefixed `<task-id-short>/<container> | ` when several streams share the screen, with its
 * RFC 3339 timestamp first when asked (`--timestamps`).
 */

/** One container log line, split from the timestamp the logs endpoint prefixes when asked. */
export interface LogLine {
  taskId: string
  container: string
  /** RFC3339Nano as the cluster reported it. */
  ts?: string
  /** `ts` in epoch ms (for merging streams in time order). */
  ms?: number
  text: string
}

const TS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/

/** `2024-01-02T03:04:05.123456789Z text` → its parts; a line without a timestamp keeps all its text. */
export function splitLogTimestamp(line: string): { ts?: string; ms?: number; text: string } {
  const sp = line.indexOf(' ')
  const head = sp < 0 ? line : line.slice(0, sp)
  if (!TS.test(head)) return { text: line }
  const ms = Date.parse(head.replace(/(\.\d{3})\d+/, '$1'))
  return { ts: head, ms: Number.isNaN(ms) ? undefined : ms, text: sp < 0 ? '' : line.slice(sp + 1) }
}

export const streamKey = (taskId: string, container: string) => `${displayTaskId(taskId)}/${container}`

export interface LogPrintOptions {
  /** Prefix lines with `<task-id-short>/<container> | `. */
  prefix: boolean
  timestamps?: boolean
  /** Colours for the prefixes (none when absent). */
  chalk?: ChalkInstance
}

const PALETTE = ['cyan', 'magenta', 'yellow', 'green', 'blue', 'red'] as const

/** A stable colour per stream, so one task's lines are easy to follow. */
export function prefixColour(key: string, c: ChalkInstance): (s: string) => string {
  let h = 0
  for (const ch of key) h = (h * 31 + ch.charCodeAt(0)) >>> 0
  return c[PALETTE[h % PALETTE.length]!]
}

export function formatLogLine(l: LogLine, o: LogPrintOptions): string {
  let out = ''
  if (o.prefix) {
    const key = streamKey(l.taskId, l.container)
    out += o.chalk ? `${prefixColour(key, o.chalk)(key)} ${o.chalk.dim('|')} ` : `${key} | `
  }
  if (o.timestamps && l.ts) out += `${l.ts} `
  return out + l.text
}

/**
 * Interleaves finished streams by time (stable: lines without a time, and equal times, keep their
 * stream's order and follow the line before them).
 */
export function mergeByTime(streams: LogLine[][]): LogLine[] {
  const tagged: { l: LogLine; t: number; s: number; i: number }[] = []
  streams.forEach((lines, s) => {
    let last = -Infinity
    lines.forEach((l, i) => {
      if (l.ms !== undefined) last = l.ms
      tagged.push({ l, t: last, s, i })
    })
  })
  tagged.sort((a, b) => a.t - b.t || a.s - b.s || a.i - b.i)
  return tagged.map((x) => x.l)
}
