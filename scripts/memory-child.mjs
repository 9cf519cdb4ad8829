// The instance under measurement (scripts/memory-profile.mjs forks it): KECS from dist/ on the emulated
// cluster, answering the driver's requests for memory figures and heap snapshots over IPC.
import { readFileSync } from 'node:fs'
import v8 from 'node:v8'
import { startInstance } from '../dist/instance/instance.js'
import { emulatedProvider } from '../dist/cluster/emulated.js'

const dir = process.argv[2]
const speed = Number(process.env.KECS_MEM_SPEED ?? 10)
const inst = await startInstance({ port: 0, adminPort: 0, dir, log: () => {}, cluster: { provider: emulatedProvider, emulatorSpeed: speed } })
const running = new Set()
const stopped = new Set()
inst.bus.subscribe((e) => {
  if (e['detail-type'] !== 'ECS Task State Change') return
  if (e.detail.lastStatus === 'RUNNING') running.add(e.resources[0])
  if (e.detail.lastStatus === 'STOPPED') stopped.add(e.resources[0])
})
const vm = (field) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0) * 1024
const gc = async () => {
  for (let i = 0; i < 3; i++) {
    globalThis.gc?.()
    await new Promise((r) => setTimeout(r, 50))
  }
}
process.on('message', async (m) => {
  try {
    if (m.type === 'stats') {
      await gc()
      const mu = process.memoryUsage()
      let duck
      try {
        duck = await inst.repos.store.query('SELECT tag, memory_usage_bytes::BIGINT AS bytes FROM duckdb_memory() WHERE memory_usage_bytes > 0')
        duck = Object.fromEntries(duck.map((r) => [r.tag, Number(r.bytes)]))
      } catch (e) {
        duck = { error: String(e) }
      }
      process.send({ id: m.id, running: running.size, stopped: stopped.size, rss: vm('VmRSS'), hwm: vm('VmHWM'), heapUsed: mu.heapUsed, heapTotal: mu.heapTotal, external: mu.external, arrayBuffers: mu.arrayBuffers, duck })
    } else if (m.type === 'census') {
      process.send({ id: m.id, census: census() })
    } else if (m.type === 'snapshot') {
      await gc()
      process.send({ id: m.id, path: v8.writeHeapSnapshot(m.path) })
    } else if (m.type === 'close') {
      await inst.close()
      process.send({ id: m.id })
      process.exit(0)
    }
  } catch (e) {
    process.send({ id: m.id, error: String(e?.stack ?? e) })
  }
})
// Counts and JSON sizes of the structures that grow with tasks (private fields read as plain properties).
function census() {
  const jsonMB = (xs) => { let n = 0; for (const x of xs) n += JSON.stringify(x)?.length ?? 0; return +(n / 1048576).toFixed(1) }
  const out = {}
  const os = inst.cluster?.emulator?.objects
  if (os?.objects) for (const [r, m] of os.objects) if (m.size) out[`emu.${r}`] = { n: m.size, jsonMB: jsonMB(m.values()) }
  const hist = os?.hub?.history
  if (hist) {
    const entries = hist.buf.filter(Boolean)
    out['emu.history'] = { n: entries.length, withOld: entries.filter((e) => e.event.oldObject).length, jsonMB: jsonMB(entries.map((e) => e.event.object)) }
  }
  for (const k of ['pods', 'deployments', 'daemonSets']) {
    const inf = inst.kube?.informers?.[k]
    if (inf?.cache?.size) out[`informer.${k}`] = { n: inf.cache.size, jsonMB: jsonMB(inf.cache.values()) }
  }
  for (const [k, v] of Object.entries(inst.repos)) if (v?.rows instanceof Map && v.rows.size) out[`repo.${k}`] = { n: v.rows.size, jsonMB: jsonMB(v.rows.values()) }
  if (inst.logs?.captures) out['taskLogs.captures'] = { n: inst.logs.captures.size }
  return out
}
process.send({ type: 'ready', endpoint: inst.endpoint })
