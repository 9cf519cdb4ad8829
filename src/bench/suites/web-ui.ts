import { CreateClusterCommand } from '@aws-sdk/client-ecs'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { defaultUiDir } from '../../server/ui-app.js'
import type { BenchSuite } from '../types.js'

const CHROMIUM = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser']
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`

/**
 * The web UI: its bundle size gzipped (the budget is 150 KB), the shell and assets over HTTP, and,
 * where Debian's chromium and playwright-core are installed, the time from navigation to a usable
 * overview (the cluster table rendered from the API) in a fresh browser context each time.
 */
export default {
  name: 'web-ui',
  extra: true,
  description: 'web UI: bundle size gzipped, GET /ui and assets, time to a usable overview in headless Chromium',
  async run(ctx) {
    const dir = defaultUiDir()
    if (!existsSync(join(dir, 'manifest.json'))) {
      ctx.note('the UI is not built (npm run build): skipped')
      return
    }
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { js: string; css?: string }
    const files = ['index.html', `assets/${manifest.js}`, ...(manifest.css ? [`assets/${manifest.css}`] : [])]
    const sizes = files.map((f) => ({ f, raw: readFileSync(join(dir, f)).length, gz: gzipSync(readFileSync(join(dir, f)), { level: 9 }).length }))
    const total = sizes.reduce((a, s) => a + s.gz, 0)
    ctx.note(`UI bundle ${kb(total)} gzipped (budget 150 KB): ${sizes.map((s) => `${s.f.replace(/^assets\//, '')} ${kb(s.gz)}`).join(', ')}`)

    for (let i = 0; i < 3; i++) await ctx.ecs.send(new CreateClusterCommand({ clusterName: `ui-bench-${i}` }))
    const urls = files.map((f) => `${ctx.endpoint}/ui${f === 'index.html' ? '' : `/${f}`}`)
    await ctx.measure('GET /ui shell + assets', ctx.n(200), 4, async () => {
      for (const u of urls) {
        const r = await fetch(u)
        if (!r.ok) throw new Error(`${u}: HTTP ${r.status}`)
        await r.arrayBuffer()
      }
    }, { warmup: 5 })

    const executablePath = CHROMIUM.find((p): p is string => !!p && existsSync(p))
    let pw: typeof import('playwright-core') | undefined
    try {
      pw = await import('playwright-core')
    } catch {
      pw = undefined
    }
    if (!executablePath || !pw) {
      ctx.note(`time to a usable overview: skipped (${!executablePath ? 'chromium is not installed' : 'playwright-core is not installed'})`)
      return
    }
    const browser = await pw.chromium.launch({ executablePath, args: ['--no-sandbox'] })
    try {
      // Fresh contexts made up front: the figure is navigation to a usable page, not browser set-up.
      const n = ctx.n(10)
      const contexts = await Promise.all(Array.from({ length: n + 1 }, () => browser.newContext()))
      const pages = await Promise.all(contexts.map((c) => c.newPage()))
      try {
        await ctx.measure('overview usable, cold cache', n, 1, async (i) => {
          const page = pages[i]!
          await page.goto(`${ctx.endpoint}/ui`)
          await page.locator('tr[data-cluster="ui-bench-0"]').waitFor({ timeout: 10_000 })
        }, { warmup: 1 })
      } finally {
        await Promise.all(contexts.map((c) => c.close()))
      }
      ctx.note('overview usable: from navigation (a new browser context, empty cache) to the cluster table rendered from ListClusters + DescribeClusters')
    } finally {
      await browser.close()
    }
  },
} satisfies BenchSuite
