/**
 * Plain text tables for people (`kecs clusters`, `services`, `tasks`, `task-definitions`): an upper
 * case header, columns padded to their widest cell and separated by three spaces, no colours or
 * borders, so `grep` and `awk` still work on them. Scripts use `--json`.
 */
export interface Column<T> {
  header: string
  value: (row: T) => string | number | undefined
  /** Numbers read better right-aligned. */
  align?: 'left' | 'right'
}

const GAP = '   '

/** Cells never break a row: newlines and tabs become spaces; empty cells show `-`. */
function cell(v: string | number | undefined): string {
  if (v === undefined || v === '') return '-'
  return String(v).replace(/[\r\n\t]+/g, ' ')
}

export function table<T>(rows: readonly T[], columns: readonly Column<T>[]): string[] {
  const cells = rows.map((r) => columns.map((c) => cell(c.value(r))))
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((row) => row[i]!.length)))
  const line = (values: string[]) =>
    values
      .map((v, i) => {
        const last = i === values.length - 1
        if (columns[i]!.align === 'right') return v.padStart(widths[i]!)
        return last ? v : v.padEnd(widths[i]!)
      })
      .join(GAP)
      .trimEnd()
  return [line(columns.map((c) => c.header.toUpperCase())), ...cells.map(line)]
}

/** How long ago, kubectl style: `42s`, `5m`, `3h`, `12d`; `-` when unknown. */
export function age(since: Date | string | number | undefined, now = Date.now()): string {
  if (since === undefined) return '-'
  const t = since instanceof Date ? since.getTime() : typeof since === 'number' ? since : Date.parse(since)
  if (!Number.isFinite(t)) return '-'
  const s = Math.max(0, Math.floor((now - t) / 1000))
  if (s < 60) return `${s}s`
  if (s < 3600) return `${Math.floor(s / 60)}m`
  if (s < 86_400) return `${Math.floor(s / 3600)}h`
  return `${Math.floor(s / 86_400)}d`
}

/** `web:3` from `arn:aws:ecs:...:task-definition/web:3` (a bare family:revision stays as it is). */
export function taskDefinitionName(arn: string | undefined): string | undefined {
  if (!arn) return undefined
  return arn.slice(arn.lastIndexOf('/') + 1)
}

/** The last path segment of an ARN: a task id, a service or cluster name. */
export const arnName = (arn: string | undefined): string | undefined => (arn ? arn.slice(arn.lastIndexOf('/') + 1) : undefined)

/**
 * A task id as tables and log prefixes show it: the first 8 characters of an ECS task id (32 hex
 * digits, like short git hashes), any other id as it is.
 */
export const displayTaskId = (id: string): string => (/^[0-9a-f]{32}$/.test(id) ? id.slice(0, 8) : id)
