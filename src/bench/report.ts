import type { MeasureResult } from './measure.js'
import type { SuiteReport } from './types.js'

const int = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 })

export const fmtInt = (v: number) => (Number.isFinite(v) ? int.format(v) : '-')
/** Milliseconds: 2 decimals under 10 ms, 1 under 1 s, none above. */
export function fmtMs(v: number): string {
  if (!Number.isFinite(v)) return '-'
  if (v < 10) return v.toFixed(2)
  if (v < 1000) return v.toFixed(1)
  return int.format(v)
}
export const fmtRps = (v: number) => (v > 0 ? (v < 10 ? v.toFixed(1) : int.format(v)) : '-')

/** Plain-text table: first column left-aligned, the others right-aligned. */
export function renderTable(header: string[], rows: string[][], groups?: { title: string; span: number }[]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)))
  const line = (cells: string[]) =>
    cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ').trimEnd()
  const out: string[] = []
  if (groups) {
    // Group titles centred over their columns (the first group usually spans the workload columns, untitled).
    let col = 0
    const parts: string[] = []
    for (const g of groups) {
      const w = widths.slice(col, col + g.span).reduce((a, b) => a + b, 0) + 2 * (g.span - 1)
      const t = g.title ? ` ${g.title} ` : ''
      const left = Math.floor((w - t.length) / 2)
      parts.push(g.title ? (('─'.repeat(Math.max(0, left)) + t).padEnd(w, '─')) : ' '.repeat(w))
      col += g.span
    }
    out.push(parts.join('  ').trimEnd())
  }
  out.push(line(header))
  for (const r of rows) out.push(line(r))
  return out.join('\n')
}

const PER_TARGET = ['req/s', 'p50 ms', 'p99 ms', 'errors']
const targetCells = (r: MeasureResult | undefined) =>
  r ? [fmtRps(r.rps), fmtMs(r.latency.p50Ms), fmtMs(r.latency.p99Ms), fmtInt(r.errors)] : ['', '', '', '']

/** One suite's results: one row per measure label, the targets side by side. */
export function renderSuite(s: SuiteReport): string {
  const out: string[] = [`== ${s.name}: ${s.description}  (${(s.durationMs / 1000).toFixed(1)} s)`]
  const labels = [...new Set(s.results.map((r) => r.label))]
  if (labels.length) {
    const byKey = new Map(s.results.map((r) => [`${r.target}\u0000${r.label}`, r]))
    const header = ['workload', 'calls', 'conc', ...s.targets.flatMap(() => PER_TARGET)]
    const rows = labels.map((label) => {
      const first = s.results.find((r) => r.label === label)!
      return [label, fmtInt(first.n), String(first.concurrency), ...s.targets.flatMap((t) => targetCells(byKey.get(`${t}\u0000${label}`)))]
    })
    const groups = [{ title: '', span: 3 }, ...s.targets.map((t) => ({ title: t, span: PER_TARGET.length }))]
    out.push(renderTable(header, rows, groups))
  } else {
    out.push('(no measurements)')
  }
  const footnotes: string[] = []
  for (const r of s.results) {
    if (r.errors > 0) {
      const types = Object.entries(r.errorTypes).map(([t, c]) => `${t} ×${fmtInt(c)}`).join(', ')
      footnotes.push(`${r.target} · ${r.label}: ${fmtInt(r.errors)}/${fmtInt(r.completed)} calls failed (${types}); first: ${r.firstError}`)
    }
    if (r.stoppedEarly) footnotes.push(`${r.target} · ${r.label}: time limit reached after ${fmtInt(r.completed)} of ${fmtInt(r.n)} calls`)
  }
  for (const n of s.notes) footnotes.push(`${n.target} · ${n.text}`)
  if (s.compareSkipped) footnotes.push(s.compareSkipped)
  if (s.error) footnotes.push(`SUITE FAILED: ${s.error}`)
  for (const f of footnotes) out.push(`  ${f}`)
  return out.join('\n')
}
