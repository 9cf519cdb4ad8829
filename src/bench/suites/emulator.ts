import { CoreV1Api, KubeConfig, Watch, type V1Pod } from '@kubernetes/client-node'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startEmulator } from '../../emulator/index.js'
import { Store } from '../../store/store.js'
import { fmtMs } from '../report.js'
import { summarize } from '../stats.js'
import type { BenchContext, BenchSuite } from '../types.js'

const PODS = 1_000
const WRITES = 1_000

/** A client-node Watch on `path` from `resourceVersion`; calls `onEvent` for each event. */
async function watch(kc: KubeConfig, path: string, resourceVersion: string, onEvent: (type: string, obj: any) => void) {
  let failure: unknown
  const controller = await new Watch(kc).watch(path, { resourceVersion }, onEvent, (err) => {
    if (err && (err as { name?: string }).name !== 'AbortError') failure = err
  })
  return { stop: () => controller.abort(), failed: () => failure }
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`

/**
 * The emulated cluster on its own (KECS only: nothing to compare), at its default speed, reached only
 * through @kubernetes/client-node as KECS reaches it:
 *   - 1,000 pods created through the API, each reaching Running (seen by a client-node Watch): the
 *     create calls, the total time from the first create to the last Running, pods/s, create → Running
 *     latency, and the process memory before and after.
 *   - Watch event latency: time from a write (create ConfigMap) to its ADDED event at a client-node Watch.
 */
export default {
  name: 'emulator',
  extra: true,
  description: '1,000 pods created through the emulated cluster API reaching Running; watch event latency (client-node)',
  async run(ctx) {
    const dir = mkdtempSync(join(tmpdir(), 'kecs-bench-emulator-'))
    const store = await Store.open(join(dir, 'kecs.duckdb'))
    const emu = await startEmulator({ store, dir, port: 0 })
    try {
      const kc = new KubeConfig()
      kc.loadFromFile(emu.kubeconfigPath!)
      const core = kc.makeApiClient(CoreV1Api)
      await podsToRunning(ctx, kc, core)
      await watchLatency(ctx, kc, core)
    } finally {
      await emu.close()
      await store.close()
      rmSync(dir, { recursive: true, force: true })
    }
  },
} satisfies BenchSuite

async function podsToRunning(ctx: BenchContext, kc: KubeConfig, core: CoreV1Api) {
  const n = ctx.n(PODS)
  const ns = 'bench-pods'
  await core.createNamespace({ body: { metadata: { name: ns } } })
  const list = await core.listNamespacedPod({ namespace: ns })

  const createdAt = new Map<string, number>()
  const toRunning: number[] = []
  let lastRunning = 0
  let allRunning!: () => void
  const done = new Promise<void>((r) => (allRunning = r))
  const running = new Set<string>()
  const w = await watch(kc, `/api/v1/namespaces/${ns}/pods`, list.metadata!.resourceVersion!, (_type, pod: V1Pod) => {
    const name = pod.metadata?.name ?? ''
    if (pod.status?.phase !== 'Running' || running.has(name)) return
    running.add(name)
    lastRunning = performance.now()
    const t0 = createdAt.get(name)
    if (t0 !== undefined) toRunning.push(lastRunning - t0)
    if (running.size === n) allRunning()
  })

  const before = process.memoryUsage()
  const first = performance.now()
  try {
    const create = await ctx.measure(
      `create pod (client-node createNamespacedPod) ×${n.toLocaleString('en-US')}`,
      n,
      16,
      async (i) => {
        const name = `pod-${i}`
        createdAt.set(name, performance.now())
        await core.createNamespacedPod({
          namespace: ns,
          body: {
            metadata: { name, labels: { app: 'bench', shard: String(i % 10) } },
            spec: { containers: [{ name: 'app', image: 'busybox:1.36', command: ['sleep', '3600'] }] },
          },
        })
      },
      { maxMs: 120_000 },
    )
    if (create.ok < n) {
      ctx.note(`only ${create.ok} of ${n} pods were created: not waiting for Running`)
      return
    }
    const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 120_000).unref())
    if ((await Promise.race([done, timeout])) === 'timeout') {
      ctx.note(`${running.size} of ${n} pods reached Running within 120 s${w.failed() ? `; the watch failed: ${String(w.failed())}` : ''}`)
      return
    }
    const after = process.memoryUsage()
    const totalS = (lastRunning - first) / 1000
    const lat = summarize(toRunning)
    ctx.note(
      `${n.toLocaleString('en-US')} pods Running ${totalS.toFixed(2)} s after the first create: ${(n / totalS).toFixed(0)} pods/s; ` +
        `create → Running p50 ${fmtMs(lat.p50Ms)} ms, p99 ${fmtMs(lat.p99Ms)} ms`,
    )
    ctx.note(
      `process memory before → after: rss ${mb(before.rss)} → ${mb(after.rss)}, heap used ${mb(before.heapUsed)} → ${mb(after.heapUsed)}`,
    )
  } finally {
    w.stop()
  }
  await ctx.measure('list pods (client-node, all in the namespace)', ctx.n(100), 4, () => core.listNamespacedPod({ namespace: ns }))
}

async function watchLatency(ctx: BenchContext, kc: KubeConfig, core: CoreV1Api) {
  const ns = 'bench-watch'
  await core.createNamespace({ body: { metadata: { name: ns } } })
  const list = await core.listNamespacedConfigMap({ namespace: ns })
  const waiting = new Map<string, (at: number) => void>()
  const w = await watch(kc, `/api/v1/namespaces/${ns}/configmaps`, list.metadata!.resourceVersion!, (type, obj) => {
    const at = performance.now()
    if (type === 'ADDED') waiting.get(obj?.metadata?.name)?.(at)
  })
  let seq = 0
  try {
    const phase = async (writers: number) => {
      const latencies: number[] = []
      const n = ctx.n(WRITES)
      await ctx.measure(
        `write → watch event (create ConfigMap, ${writers} writer${writers === 1 ? '' : 's'})`,
        n,
        writers,
        async (i) => {
          const name = `cm-${seq++}`
          let timer: NodeJS.Timeout | undefined
          const event = new Promise<number>((resolve, reject) => {
            waiting.set(name, resolve)
            timer = setTimeout(() => reject(new Error(`no ADDED event for ${name} within 10 s`)), 10_000)
          })
          const t0 = performance.now()
          try {
            await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name }, data: { seq: String(seq) } } })
            const at = await event
            if (i < n) latencies.push(at - t0) // indices from n on are warm-up calls
          } finally {
            clearTimeout(timer)
            waiting.delete(name)
          }
        },
        { warmup: 20, maxMs: 60_000 },
      )
      const s = summarize(latencies)
      ctx.note(
        `watch event latency, ${writers} writer${writers === 1 ? '' : 's'} (write sent → event parsed by the Watch): ` +
          `p50 ${fmtMs(s.p50Ms)} ms, p99 ${fmtMs(s.p99Ms)} ms over ${s.count.toLocaleString('en-US')} writes`,
      )
    }
    await phase(1)
    await phase(8)
    if (w.failed()) ctx.note(`the watch failed: ${String(w.failed())}`)
  } finally {
    w.stop()
  }
}
