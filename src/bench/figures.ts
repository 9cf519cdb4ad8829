/**
 * The headline figures of the bench (issue 14): each one KECS's value, the peer's (moto) beside it,
 * the ratio and a target; the bench prints them all in one summary table at the end.
 */
import { fmtMs, fmtRps, renderTable } from './report.js'

export type FigureUnit = 'req/s' | 'ms' | 'MB'

/**
 * What "met" means for a figure. `ratioAtLeast`: KECS at least this many times better than the peer
 * (throughput: KECS/peer; times: peer/KECS). `below` / `atLeast`: KECS's own value. `fasterThanPeer`:
 * KECS better than the peer at all. Every condition given must hold.
 */
export interface FigureTarget {
  ratioAtLeast?: number
  below?: number
  fasterThanPeer?: boolean
}

export interface Figure {
  /** e.g. `RunTask (FARGATE, count 1) throughput, 8 clients`. */
  figure: string
  unit: FigureUnit
  /** Higher is better (throughput) or lower (latency, time, memory). */
  better: 'higher' | 'lower'
  /** A number, or why there is none (`n/a (no /reset)`). */
  kecs: number | string
  /** The peer's value; undefined when there is no peer (not installed, or it does not do this). */
  peer?: number | string
  target?: FigureTarget
}

const num = (v: number | string | undefined): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined)

/** KECS's factor over the peer in the "better" direction (2 = twice as good); undefined without both numbers. */
export function ratioOf(f: Figure): number | undefined {
  const k = num(f.kecs)
  const p = num(f.peer)
  if (k === undefined || p === undefined || k <= 0 || p <= 0) return undefined
  return f.better === 'higher' ? k / p : p / k
}

/** true / false, or undefined when it cannot be told (no KECS number, or a peer condition without a peer). */
export function metOf(f: Figure): boolean | undefined {
  const t = f.target
  if (!t) return undefined
  const k = num(f.kecs)
  if (k === undefined) return undefined
  const checks: (boolean | undefined)[] = []
  if (t.below !== undefined) checks.push(k < t.below)
  const r = ratioOf(f)
  if (t.ratioAtLeast !== undefined) checks.push(r === undefined ? undefined : r >= t.ratioAtLeast)
  if (t.fasterThanPeer) checks.push(r === undefined ? undefined : r > 1)
  if (checks.includes(false)) return false
  return checks.includes(undefined) ? undefined : true
}

export function targetText(f: Figure, peerName = 'moto'): string {
  const t = f.target
  if (!t) return ''
  const parts: string[] = []
  const u = f.unit === 'req/s' ? '' : ` ${f.unit}`
  if (t.below !== undefined) parts.push(`< ${t.below.toLocaleString('en-US')}${u}`)
  if (t.ratioAtLeast !== undefined) parts.push(`≥ ${t.ratioAtLeast}× ${peerName}`)
  if (t.fasterThanPeer) parts.push(`faster than ${peerName}`)
  return parts.join(', ')
}

export function fmtValue(v: number | string | undefined, unit: FigureUnit): string {
  if (v === undefined) return '-'
  if (typeof v === 'string') return v
  if (!Number.isFinite(v)) return '-'
  if (unit === 'req/s') return `${fmtRps(v)} req/s`
  if (unit === 'MB') return `${v.toFixed(0)} MB`
  return `${fmtMs(v)} ms`
}

/** The summary: figure | KECS | moto | ratio | target | met?. */
export function renderFigures(figures: Figure[], peerName = 'moto'): string {
  const rows = figures.map((f) => {
    const r = ratioOf(f)
    const met = metOf(f)
    return [
      f.figure,
      fmtValue(f.kecs, f.unit),
      fmtValue(f.peer, f.unit),
      r === undefined ? '-' : `${r >= 10 ? r.toFixed(0) : r.toFixed(1)}×`,
      targetText(f, peerName),
      met === undefined ? (f.target ? '?' : '') : met ? 'yes' : 'NO',
    ]
  })
  const met = figures.filter((f) => metOf(f) === true).length
  const missed = figures.filter((f) => metOf(f) === false).length
  const header = ['figure', 'KECS', peerName, `ratio (KECS better by)`, 'target', 'met?']
  return [
    `== summary: ${figures.length} figures, ${met} targets met, ${missed} missed, ${figures.filter((f) => f.target && metOf(f) === undefined).length} unknown`,
    renderTable(header, rows),
  ].join('\n')
}
