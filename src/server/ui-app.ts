import type { Context, Hono } from 'hono'
import { existsSync, readFileSync } from 'node:fs'
import { extname, join, normalize } from 'node:path'
import { fileURLToPath } from 'node:url'
import { packageRoot } from '../lib/package-root.js'

/**
 * The web UI on the API port: `/ui` and every path under it answer the app shell (deep links survive
 * a reload), `/ui/assets/*` the content-hashed bundle (cached for a year), `/status` the instance's
 * read-only status (the same as the admin port's), and a browser's `GET /` is sent to `/ui`.
 * The UI itself reads only the public API: ECS JSON 1.1, `/ws`, `/kecs/v1/logs`, `/status`.
 */
export interface UiOptions {
  /** The admin app: `/status` on the API port answers what its `/status` does. */
  admin: Hono
  /** Folder holding the built UI (`index.html`, `assets/`); default: the build's `dist/ui`. */
  dir?: string
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.map': 'application/json; charset=utf-8',
}

/**
 * dist/server/ui-app.js → dist/ui; src/server/ui-app.ts (tests, tsx) → the built dist/ui too. The
 * build's manifest.json marks a built folder (src/ui holds the shell's template, not the app).
 */
export function defaultUiDir(): string {
  const here = fileURLToPath(new URL('.', import.meta.url))
  const root = packageRoot(import.meta.url)
  const candidates = [join(here, '..', 'ui'), join(here, '..', '..', 'dist', 'ui'), ...(root ? [join(root, 'dist', 'ui')] : [])]
  return candidates.find((d) => existsSync(join(d, 'manifest.json'))) ?? candidates[candidates.length - 1]!
}

export function mountUi(app: Hono, opts: UiOptions): void {
  const dir = opts.dir ?? defaultUiDir()
  let shell: string | undefined
  // Hashed assets never change under their name: read each once.
  const assets = new Map<string, Buffer>()
  const readShell = () => (shell ??= existsSync(join(dir, 'index.html')) ? readFileSync(join(dir, 'index.html'), 'utf8') : undefined)

  app.get('/status', () => opts.admin.fetch(new Request('http://admin/status')))

  app.get('/', (c, next) => ((c.req.header('accept') ?? '').includes('text/html') ? c.redirect('/ui', 302) : next()))

  app.get('/ui/assets/:file', (c) => {
    const file = normalize(c.req.param('file'))
    const type = TYPES[extname(file)]
    const path = join(dir, 'assets', file)
    if (!type || file.includes('/') || file.includes('..')) return notFound(c)
    let bytes = assets.get(file)
    if (!bytes) {
      if (!existsSync(path)) return notFound(c)
      assets.set(file, (bytes = readFileSync(path)))
    }
    return c.body(new Uint8Array(bytes), 200, {
      'Content-Type': type,
      'Cache-Control': 'public, max-age=31536000, immutable',
      'X-Content-Type-Options': 'nosniff',
    })
  })

  const page = (c: Context) => {
    const html = readShell()
    if (!html) return c.text('The web UI is not built: run `npm run build`.', 503)
    return c.html(html, 200, {
      'Cache-Control': 'no-cache',
      'X-Content-Type-Options': 'nosniff',
      // The shell loads only its own assets and talks only to this server.
      'Content-Security-Policy':
        "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; style-src 'self'; script-src 'self'; base-uri 'none'; frame-ancestors 'none'",
    })
  }
  app.get('/ui', page)
  app.get('/ui/*', page)
}

function notFound(c: Context) {
  return c.json({ __type: 'ResourceNotFoundException', message: `No UI asset ${new URL(c.req.url).pathname}` }, 404)
}
