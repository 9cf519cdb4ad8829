import { CliError } from './errors.js'

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }

/**
 * Parses a duration flag: `180s`, `3m`, `1m30s`, `500ms`, `2h`; a bare number means seconds.
 * Returns milliseconds.
 */
export function parseDuration(text: string): number {
  const s = text.trim().toLowerCase()
  if (/^\d+(\.\d+)?$/.test(s)) return Math.round(Number(s) * 1000)
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/y
  let total = 0
  let pos = 0
  while (pos < s.length) {
    re.lastIndex = pos
    const m = re.exec(s)
    if (!m) break
    total += Number(m[1]) * UNITS[m[2]!]!
    pos = re.lastIndex
  }
  if (s.length === 0 || pos !== s.length) {
    throw new CliError(`invalid duration "${text}"`, 'Use a number with a unit, e.g. 180s, 3m, 1m30s or 500ms.')
  }
  return Math.round(total)
}

/** A short human form of a duration in milliseconds: `45s`, `3m 12s`, `2h 5m`, `1d 3h`. */
export function formatDuration(ms: number): string {
  const sec = Math.max(0, Math.floor(ms / 1000))
  const d = Math.floor(sec / 86_400)
  const h = Math.floor((sec % 86_400) / 3600)
  const m = Math.floor((sec % 3600) / 60)
  const s = sec % 60
  if (d > 0) return `${d}d ${h}h`
  if (h > 0) return `${h}h ${m}m`
  if (m > 0) return `${m}m ${s}s`
  return `${s}s`
}

/** A timeout for messages: `500ms`, `45s`, `3m 0s`. */
export const humanMs = (ms: number): string => (ms < 1000 ? `${ms}ms` : formatDuration(ms))
