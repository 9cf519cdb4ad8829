import { request } from 'node:http'
import { fmtMs } from '../report.js'
import { KECS_TARGET } from '../runner.js'
import { median } from '../stats.js'
import type { BenchContext, BenchSuite, TargetContext } from '../types.js'

const RESOURCES = 1_000
const ROUNDS = 5
const CLUSTERS = 100

/** POST with an empty body; resolves with the status code once the answer has been read. */
function post(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'Content-Length': 0 } }, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode ?? 0))
      res.on('error', reject)
    })
    req.setTimeout(30_000, () => req.destroy(new Error('no answer within 30 s')))
    req.on('error', reject)
    req.end()
  })
}


/**
 * Wiping the state with 1,000 resources stored (100 clusters, 900 task definitions, made through the
 * API): KECS's admin `POST /reset` (what `kecs reset` sends) beside moto's `POST /moto-api/reset`.
 * Median of 5 rounds, each re-seeded. An instance without the admin endpoint (404) reports
 * "n/a (no /reset)".
 */
export default {
  name: 'reset',
  description: 'Reset with 1,000 stored resources: KECS admin POST /reset vs moto POST /moto-api/reset (median of 5)',
  async run(ctx) {
    const times = new Map<string, number | string>()
    await ctx.compare(async (t) => {
      times.set(t.target, await resetRounds(ctx, t))
    })
    ctx.figure({
      figure: `reset with ${ctx.n(RESOURCES).toLocaleString('en-US')} resources (median of ${ROUNDS})`,
      unit: 'ms',
      better: 'lower',
      kecs: times.get(KECS_TARGET) ?? 'not run',
      peer: [...times.entries()].find(([k]) => k !== KECS_TARGET)?.[1],
      target: { below: 300 },
    })
  },
} satisfies BenchSuite

async function resetRounds(ctx: BenchContext, t: TargetContext): Promise<number | string> {
  const url = t.target === KECS_TARGET ? `http://127.0.0.1:${ctx.instance.admin.port}/reset` : `${t.endpoint}/moto-api/reset`
  const total = ctx.n(RESOURCES)
  const clusters = Math.min(CLUSTERS, Math.ceil(total / 10))
  const times: number[] = []
  for (let round = 0; round < ROUNDS; round++) {
    const seed = await t.measure(
      `seed: ${clusters} CreateCluster + ${total - clusters} RegisterTaskDefinition (round ${round + 1})`,
      total,
      16,
      (i) =>
        i < clusters
          ? t.call('CreateCluster', { clusterName: `reset-${i}` })
          : t.call('RegisterTaskDefinition', { family: `reset-${i % 50}`, containerDefinitions: [{ name: 'app', image: 'busybox', memory: 64 }] }),
      { maxMs: 120_000 },
    )
    if (seed.errors) t.note(`round ${round + 1}: ${seed.errors} seeding calls failed (first: ${seed.firstError})`)
    const t0 = performance.now()
    const status = await post(url)
    const ms = performance.now() - t0
    if (status === 404 && t.target === KECS_TARGET) {
      t.note(`POST ${url.replace(/:\d+/, ':<admin>')} answered 404: this build has no admin /reset`)
      return 'n/a (no /reset)'
    }
    if (status !== 200 && status !== 204) throw new Error(`${t.target}: POST reset answered HTTP ${status}`)
    const left = await t.call<{ clusterArns?: string[] }>('ListClusters', {})
    if (left.clusterArns?.some((a) => a.includes('/reset-'))) t.note(`round ${round + 1}: clusters still listed after the reset`)
    times.push(ms)
  }
  t.note(`reset times: ${times.map(fmtMs).join(', ')} ms (median ${fmtMs(median(times))}, min ${fmtMs(Math.min(...times))}, max ${fmtMs(Math.max(...times))})`)
  return median(times)
}
