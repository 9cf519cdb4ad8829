// Issue 14: KECS's memory with many tasks on the emulated cluster. Forks an instance (scripts/memory-child.mjs,
// from dist/: run `npm run build` first), runs tasks in RunTask batches of 10 up to each checkpoint, waits
// until they are RUNNING, then reads the instance's RSS after a GC. Prints one JSON line per checkpoint.
//   node scripts/memory-profile.mjs [--at 1000,5000,10000] [--snapshot-at 5000] [--out DIR]
import { fork } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 ? process.argv[i + 1] : dflt
}
const checkpoints = arg('at', '1000,5000,10000').split(',').map(Number)
const snapshotAt = Number(arg('snapshot-at', '0'))
const out = arg('out', tmpdir())
const dir = mkdtempSync(join(tmpdir(), 'kecs-mem-'))
const child = fork(new URL('./memory-child.mjs', import.meta.url), [dir], { execArgv: ['--expose-gc'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] })
let seq = 0
const pending = new Map()
let ready
const started = new Promise((r) => (ready = r))
child.on('message', (m) => {
  if (m.type === 'ready') return ready(m)
  pending.get(m.id)?.(m)
  pending.delete(m.id)
})
child.on('exit', (code) => {
  if (pending.size) {
    console.error(`instance exited (${code})`)
    process.exit(1)
  }
})
const ask = (m) => new Promise((r) => { const id = ++seq; pending.set(id, r); child.send({ ...m, id }) })
const { endpoint } = await started
const call = async (op, body) => {
  const res = await fetch(endpoint + '/', {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': `AmazonEC2ContainerServiceV20141113.${op}` },
    body: JSON.stringify(body),
  })
  const j = await res.json()
  if (res.status !== 200) throw new Error(`${op}: ${JSON.stringify(j)}`)
  return j
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
const MB = (b) => +(b / 1048576).toFixed(1)
const report = (label, s, extra = {}) =>
  console.log(JSON.stringify({ label, running: s.running, stopped: s.stopped, rssMB: MB(s.rss), hwmMB: MB(s.hwm), heapUsedMB: MB(s.heapUsed), heapTotalMB: MB(s.heapTotal), externalMB: MB(s.external), duckMB: s.duck && !s.duck.error ? Object.fromEntries(Object.entries(s.duck).map(([k, v]) => [k, MB(v)])) : s.duck, ...extra }))

try {
  await sleep(3000)
  report('idle', await ask({ type: 'stats' }))
  await call('CreateCluster', { clusterName: 'mem' })
  await call('RegisterTaskDefinition', {
    family: 'mem-sleep',
    containerDefinitions: [{ name: 'app', image: 'busybox:1.36', memory: 64, command: ['sleep', '3600'] }],
  })
  let launched = 0
  const t0 = Date.now()
  for (const target of checkpoints) {
    const worker = async () => {
      while (launched < target) {
        launched += 10
        const r = await call('RunTask', { cluster: 'mem', taskDefinition: 'mem-sleep', count: 10 })
        if (r.failures?.length) throw new Error(`RunTask failures: ${JSON.stringify(r.failures)}`)
      }
    }
    await Promise.all([worker(), worker(), worker(), worker()])
    let s
    for (;;) {
      s = await ask({ type: 'stats' })
      if (s.running + s.stopped >= launched) break
      await sleep(2000)
    }
    await sleep(3000)
    s = await ask({ type: 'stats' })
    report(`${target}`, s, { launched, seconds: Math.round((Date.now() - t0) / 1000) })
    console.log(JSON.stringify({ census: target, ...(await ask({ type: 'census' })).census }))
    if (target === snapshotAt) {
      const r = await ask({ type: 'snapshot', path: join(out, `kecs-${target}.heapsnapshot`) })
      console.log(JSON.stringify({ snapshot: r.path }))
    }
  }
} finally {
  await ask({ type: 'close' }).catch(() => {})
  rmSync(dir, { recursive: true, force: true })
}
