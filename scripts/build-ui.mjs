// Bundles the web UI (src/ui) into dist/ui: index.html plus content-hashed assets, no CDN.
import { build } from 'esbuild'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const out = join(root, 'dist', 'ui')
rmSync(out, { recursive: true, force: true })
mkdirSync(join(out, 'assets'), { recursive: true })

const result = await build({
  entryPoints: [join(root, 'src', 'ui', 'main.tsx')],
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['es2022'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  outdir: join(out, 'assets'),
  entryNames: '[name]-[hash]',
  assetNames: '[name]-[hash]',
  metafile: true,
  legalComments: 'none',
  logLevel: 'warning',
})

const files = Object.keys(result.metafile.outputs).map((f) => basename(f))
const js = files.find((f) => f.endsWith('.js'))
const css = files.find((f) => f.endsWith('.css'))
const shell = readFileSync(join(root, 'src', 'ui', 'index.html'), 'utf8')
  .replace('<!--css-->', css ? `<link rel="stylesheet" href="/ui/assets/${css}">` : '')
  .replace('<!--js-->', `<script type="module" src="/ui/assets/${js}"></script>`)
writeFileSync(join(out, 'index.html'), shell)
writeFileSync(join(out, 'manifest.json'), JSON.stringify({ js, css }, null, 2) + '\n')
