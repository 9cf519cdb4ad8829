import { parseArgs } from 'node:util'
import type { BenchSuite } from './types.js'

export interface BenchArgs {
  only: string[]
  json?: string
  compare: boolean
  scale: number
  list: boolean
  all: boolean
  strict: boolean
  help: boolean
}

export const USAGE = `usage: npm run bench -- [options]
  --only NAME[,NAME]  run only these suites (repeatable; see --list)
  --all               also run the extra suites (marked "extra" in --list; the default run has the
                      issue-14 figures and takes about 10 minutes)
  --json [FILE]       also write machine-readable results to FILE; --json alone (or --json -) prints
                      them on stdout, and the tables go to stderr
  --no-compare        KECS only: do not start moto_server for a side-by-side comparison
  --scale X           multiply every call count and stored-resource count by X (default 1: 10,000 stored
                      tasks; --scale 0.1 for a quick run of about a minute)
  --strict            exit 1 when any measured call failed (default: only when a suite crashed)
  --list              list the suites and exit
  -h, --help          this text`

/** Parses the bench's command line; throws an Error with a one-line reason on bad input. */
export function parseBenchArgs(argv: string[]): BenchArgs {
  // `--json` with no file (last, or followed by another option) means stdout.
  const args = argv.map((a, i) => (a === '--json' && (i === argv.length - 1 || argv[i + 1]!.startsWith('--')) ? '--json=-' : a))
  const { values } = parseArgs({
    args,
    allowPositionals: false,
    options: {
      only: { type: 'string', multiple: true },
      json: { type: 'string' },
      'no-compare': { type: 'boolean' },
      scale: { type: 'string' },
      list: { type: 'boolean' },
      all: { type: 'boolean' },
      strict: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  })
  const scale = values.scale === undefined ? 1 : Number(values.scale)
  if (!Number.isFinite(scale) || scale <= 0 || scale > 100) throw new Error(`--scale must be a number in (0, 100], got ${values.scale}`)
  return {
    only: (values.only ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean),
    json: values.json,
    compare: !values['no-compare'],
    scale,
    list: values.list ?? false,
    all: values.all ?? false,
    strict: values.strict ?? false,
    help: values.help ?? false,
  }
}

/** The suites --only names (case-insensitive), in registry order; when none is named, all but the extra ones (unless includeExtra). */
export function selectSuites(all: readonly BenchSuite[], only: readonly string[], includeExtra = false): BenchSuite[] {
  if (only.length === 0) return all.filter((s) => includeExtra || !s.extra)
  const wanted = new Set(only.map((n) => n.toLowerCase()))
  const unknown = [...wanted].filter((n) => !all.some((s) => s.name.toLowerCase() === n))
  if (unknown.length) throw new Error(`unknown suite ${unknown.join(', ')}; suites: ${all.map((s) => s.name).join(', ')}`)
  return all.filter((s) => wanted.has(s.name.toLowerCase()))
}
