import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** templates/, shipped with the package: two folders up from src/cli and from dist/cli. */
export const TEMPLATES_DIR = fileURLToPath(new URL('../../templates', import.meta.url))

/** What `kecs init` writes: template file → path in the project. */
export const SCAFFOLD: { template: string; path: string; what: string }[] = [
  { template: 'github-workflow.yml', path: '.github/workflows/kecs.yml', what: 'GitHub Actions workflow: Kind, KECS, your tests, cleanup' },
  { template: 'task-definition.json', path: 'kecs/task-definition.json', what: 'sample task definition (aws ecs register-task-definition)' },
  { template: 'service.json', path: 'kecs/service.json', what: 'sample service (aws ecs create-service)' },
]

export interface ScaffoldResult {
  created: string[]
  /** Files that already existed and were left as they are. */
  skipped: string[]
}

/**
 * `kecs init`: writes the templates into a project directory. Never overwrites: a file that exists
 * is skipped (and reported), even when it was created between the check and the write.
 */
export function scaffold(dir: string, templatesDir = TEMPLATES_DIR): ScaffoldResult {
  const result: ScaffoldResult = { created: [], skipped: [] }
  for (const f of SCAFFOLD) {
    const dest = join(dir, f.path)
    const text = readFileSync(join(templatesDir, f.template), 'utf8')
    mkdirSync(dirname(dest), { recursive: true })
    try {
      writeFileSync(dest, text, { flag: 'wx' })
      result.created.push(f.path)
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e
      result.skipped.push(f.path)
    }
  }
  return result
}

export function scaffoldLines(r: ScaffoldResult): string[] {
  const what = (p: string) => SCAFFOLD.find((f) => f.path === p)?.what ?? ''
  const lines = [
    ...r.created.map((p) => `created  ${p}  (${what(p)})`),
    ...r.skipped.map((p) => `skipped  ${p}  (it already exists; left unchanged)`),
  ]
  if (r.created.length === 0) lines.push('Nothing to do: every file already exists.')
  lines.push(
    '',
    'Try it locally:',
    '  npx kecs start -d',
    '  eval "$(npx kecs env)"',
    '  aws ecs create-cluster --cluster-name default',
    '  aws ecs register-task-definition --cli-input-json file://kecs/task-definition.json',
    '  aws ecs create-service --cli-input-json file://kecs/service.json',
    '  aws ecs wait services-stable --cluster default --services web',
    '  npx kecs stop',
  )
  return lines
}
