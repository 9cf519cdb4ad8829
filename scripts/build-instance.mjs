// Bundles what `kecs start` runs (src/cli/foreground.ts and everything it loads: the store, the emulator,
// the Kubernetes client, the servers) into one file, dist/bundle/cli/foreground.js. Node's ESM loader
// spends most of a start resolving and reading ~1,600 separate modules; one file loads in far less.
// The native DuckDB binding stays outside. Runs after tsc: it bundles dist/, not src/.
import { build } from 'esbuild'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')

await build({
  entryPoints: [join(root, 'dist', 'cli', 'foreground.js')],
  // Three folders deep like dist/ecs/model: paths found relative to a module still resolve.
  outfile: join(root, 'dist', 'bundle', 'cli', 'foreground.js'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: ['node20'],
  external: ['@duckdb/*', 'bufferutil', 'utf-8-validate'],
  // CommonJS dependencies inside an ES module need require, __filename and __dirname.
  banner: {
    js: [
      "import { createRequire as __kecsRequire } from 'node:module'",
      "import { fileURLToPath as __kecsPath } from 'node:url'",
      "import { dirname as __kecsDir } from 'node:path'",
      'const require = __kecsRequire(import.meta.url)',
      'const __filename = __kecsPath(import.meta.url)',
      'const __dirname = __kecsDir(__filename)',
    ].join('\n'),
  },
  legalComments: 'none',
  logLevel: 'warning',
})
