import WebSocket from 'ws'
import { taskKeyOfArn } from '../../ecs/tasks/task-keys.js'
import { kubeTime } from '../../emulator/store/object-store.js'
import type { KubeObject } from '../../emulator/types.js'
import type { EcsEvent } from '../../events/bus.js'
import type { FeedFrame } from '../../events/feed-protocol.js'
import { withEmulatedCluster, type Emulator } from '../emulated.js'
import { runTaskLoad } from '../load.js'
import { fmtMs } from '../report.js'
import { summarize } from '../stats.js'
import type { BenchContext, BenchSuite } from '../types.js'

const CLIENTS = 100
const ACCOUNT = '000000000000'
const REGION = 'us-east-1'

/** A task state change as the bus carries it (about 1.5 KB of JSON), tagged with its sequence number. */
function taskChange(seq: number) {
  const arn = (r: string) => `arn:aws:ecs:${REGION}:${ACCOUNT}:${r}`
  const id = seq.toString(16).padStart(32, '0')
  const taskArn = arn(`task/bench/${id}`)
  const now = new Date().toISOString()
  return {
    detailType: 'ECS Task State Change',
    account: ACCOUNT,
    region: REGION,
    resources: [taskArn],
    detail: {
      benchSeq: seq,
      clusterArn: arn('cluster/bench'),
      taskArn,
      taskDefinitionArn: arn('task-definition/web:1'),
      group: 'service:web',
      startedBy: 'ecs-svc/1234567890123456789',
      launchType: 'FARGATE',
      platformVersion: '1.4.0',
      availabilityZone: 'us-east-1a',
      connectivity: 'CONNECTED',
      cpu: '256',
      memory: '512',
      lastStatus: 'RUNNING',
      desiredStatus: 'RUNNING',
      containers: [
        {
          containerArn: arn(`container/bench/${id}/5b6c7d8e-0000-4000-8000-000000000001`),
          taskArn,
          name: 'app',
          image: 'public.ecr.aws/nginx/nginx:1.27',
          lastStatus: 'RUNNING',
          networkInterfaces: [{ attachmentId: '5b6c7d8e-0000-4000-8000-000000000002', privateIpv4Address: '10.0.1.23' }],
          cpu: '256',
          memory: '512',
        },
      ],
      attachments: [
        {
          id: '5b6c7d8e-0000-4000-8000-000000000002',
          type: 'eni',
          status: 'ATTACHED',
          details: [
            { name: 'subnetId', value: 'subnet-0123456789abcdef0' },
            { name: 'networkInterfaceId', value: 'eni-0123456789abcdef0' },
            { name: 'privateIPv4Address', value: '10.0.1.23' },
          ],
        },
      ],
      createdAt: now,
      startedAt: now,
      updatedAt: now,
      version: 3,
    },
  }
}

interface Receivers<K> {
  /** Resolves when every client got the event keyed `key`. */
  allGot(key: K): Promise<void>
  /** send → receive, per delivery (ms), for measured events. */
  deliveries: number[]
  dropped(): number
  close(): void
}

/**
 * Connects CLIENTS feed clients with `query` (e.g. `cluster=bench`). `keyOf` names the events a
 * measurement waits for (undefined: not one of them); `sentAt` holds when each key's cause happened.
 */
async function connectClients<K>(
  ctx: BenchContext,
  query: string,
  keyOf: (e: EcsEvent) => K | undefined,
  sentAt: Map<K, number>,
  measured: (key: K) => boolean,
): Promise<Receivers<K>> {
  const url = `${ctx.endpoint.replace(/^http/, 'ws')}/ws?${query}`
  const pending = new Map<K, { left: number; resolve: () => void }>()
  const deliveries: number[] = []
  let dropped = 0
  const sockets: WebSocket[] = []
  const got = (key: K) => {
    const p = pending.get(key)
    if (p && --p.left === 0) {
      pending.delete(key)
      p.resolve()
    }
  }
  await Promise.all(
    Array.from(
      { length: CLIENTS },
      () =>
        new Promise<void>((resolve, reject) => {
          const ws = new WebSocket(url)
          sockets.push(ws)
          ws.once('error', reject)
          ws.on('message', (data) => {
            const now = performance.now()
            const f = JSON.parse(String(data)) as FeedFrame
            if (f.type === 'subscribed') resolve()
            else if (f.type === 'notice' && f.code === 'dropped') dropped += f.dropped ?? 0
            else if (f.type === 'event') {
              const key = keyOf(f.event)
              if (key === undefined) return
              const t0 = sentAt.get(key)
              if (t0 !== undefined && measured(key)) deliveries.push(now - t0)
              got(key)
            }
          })
        }),
    ),
  )
  return {
    allGot: (key) =>
      new Promise<void>((resolve, reject) => {
        // A client that was sent a drop notice instead never gets it: fail the call, do not hang.
        const timer = setTimeout(() => {
          pending.delete(key)
          reject(new Error(`event ${String(key)} did not reach every client within 10 s`))
        }, 10_000)
        pending.set(key, {
          left: CLIENTS,
          resolve: () => {
            clearTimeout(timer)
            resolve()
          },
        })
      }),
    deliveries,
    dropped: () => dropped,
    close: () => sockets.forEach((ws) => ws.terminate()),
  }
}

/**
 * Event latency through the live feed, to 100 WebSocket clients that have each parsed the event.
 * Clients run in the bench process, so the numbers include their JSON parsing, as a real CLI's would.
 *   - bus publish → clients (the feed alone), one event at a time and 8 publishers at once.
 *   - pod status change → clients (the whole path): the instance attached to an emulated cluster, as
 *     `kecs start --cluster emulated` wires it; each running task's pod gets its container terminated
 *     (phase Succeeded) through the emulator's object store, and the clock runs until every client has
 *     the task's `ECS Task State Change` with lastStatus STOPPED (emulator watch → client-node →
 *     reconciler → bus → hub → clients).
 */
export default {
  name: 'ws-latency',
  cluster: 'emulated',
  description: `Live events: bus publish → /ws clients, and pod status change → /ws clients, ${CLIENTS} connected clients`,
  async run(ctx) {
    await publishLatency(ctx)
    await podChangeLatency(ctx)
  },
} satisfies BenchSuite

async function publishLatency(ctx: BenchContext) {
  const n = ctx.n(2_000)
  const sentAt = new Map<number, number>()
  let measuredFrom = 0
  let measuredTo = 0
  const inPhase = (seq: number) => seq >= measuredFrom && seq < measuredTo
  const rx = await connectClients(ctx, 'cluster=bench', (e) => (e.detail as { benchSeq?: number }).benchSeq, sentAt, inPhase)
  let seq = 0
  try {
    const phase = async (label: string, concurrency: number) => {
      const base = seq
      seq += n + 64
      measuredFrom = base
      measuredTo = base + n
      rx.deliveries.length = 0
      const r = await ctx.measure(
        label,
        n,
        concurrency,
        async (i) => {
          const s = base + i
          const done = rx.allGot(s)
          sentAt.set(s, performance.now())
          ctx.instance.bus.publish(taskChange(s))
          await done
          sentAt.delete(s)
        },
        { warmup: 64, maxMs: 60_000 },
      )
      const d = summarize(rx.deliveries)
      ctx.note(
        `${label}: per delivery (publish → one client) p50 ${fmtMs(d.p50Ms)} ms, p99 ${fmtMs(d.p99Ms)} ms over ${d.count.toLocaleString('en-US')} deliveries; ${r.ok} events × ${CLIENTS} clients`,
      )
      return d
    }
    await phase(`publish → all ${CLIENTS} clients got it (one event at a time)`, 1)
    await phase(`publish → all ${CLIENTS} clients got it (8 publishers at once)`, 8)

    // The same, while 8 clients run RunTask at full speed in cluster `bench`: the feed's clients get
    // those tasks' real state changes too (and parse them), as a dashboard watching the cluster would.
    await ctx.call('CreateCluster', { clusterName: 'bench' })
    await ctx.call('RegisterTaskDefinition', {
      family: 'bench-ws-load',
      containerDefinitions: [{ name: 'app', image: 'busybox:1.36', memory: 64, command: ['sleep', '3600'] }],
    })
    const load = runTaskLoad(ctx, 'bench', 'bench-ws-load', 8)
    let loaded
    try {
      loaded = await phase(`publish → all ${CLIENTS} clients got it (one event at a time), while 8 clients run RunTask`, 1)
    } finally {
      const bg = await load.stop()
      ctx.note(`background load: 8 clients ran ${bg.runTasks.toLocaleString('en-US')} RunTask (${bg.rps.toFixed(0)}/s) in cluster bench${bg.errors ? `; ${bg.errors} failed` : ''}`)
    }
    ctx.figure({
      figure: `event feed (/ws) latency, ${CLIENTS} clients, while RunTask runs at full speed: p99 per delivery`,
      unit: 'ms',
      better: 'lower',
      kecs: loaded.count ? loaded.p99Ms : 'no deliveries',
      target: { below: 20 },
    })
    if (rx.dropped() > 0) ctx.note(`clients were told ${rx.dropped()} events were dropped (slow consumer)`)
  } finally {
    rx.close()
  }
}

const POD_TASKS = 50
const POD_WARMUP = 5
const POD_CLUSTER = 'bench-ws'

/** The pod as a kubelet reports it once its (only, essential) container exited 0. */
function containersExited(pod: KubeObject): void {
  const now = kubeTime(Date.now())
  pod.status = {
    ...pod.status,
    phase: 'Succeeded',
    containerStatuses: (pod.status?.containerStatuses ?? []).map((c: any) => ({
      ...c,
      ready: false,
      started: false,
      state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: c.state?.running?.startedAt ?? now, finishedAt: now } },
    })),
  }
}

async function podChangeLatency(ctx: BenchContext) {
  const n = ctx.n(POD_TASKS)
  const total = n + POD_WARMUP
  await withEmulatedCluster(ctx, (emu) => podChanges(ctx, emu, n, total))
}

/** The measured part of podChangeLatency, on the attached emulator. */
async function podChanges(ctx: BenchContext, emu: Emulator, n: number, total: number) {
  let rx: Receivers<string> | undefined
  try {
    const pods = await runningTasks(ctx, total)

    // Clients connect once every task runs, so they only see the events being measured.
    const sentAt = new Map<string, number>()
    const measured = new Set(pods.slice(0, n).map((p) => p.arn))
    const stoppedArn = (e: EcsEvent) =>
      e['detail-type'] === 'ECS Task State Change' && e.detail.lastStatus === 'STOPPED' ? e.resources[0] : undefined
    rx = await connectClients(ctx, `cluster=${POD_CLUSTER}`, stoppedArn, sentAt, (arn) => measured.has(arn))
    const writes: Promise<unknown>[] = []
    const label = `pod status change → all ${CLIENTS} clients got the task's STOPPED event (one pod at a time)`
    const r = await ctx.measure(
      label,
      n,
      1,
      async (i) => {
        const p = pods[i]!
        if (!emu.objects.get('pods', p.namespace, p.name)) throw new Error(`pod ${p.namespace}/${p.name} not found`)
        const done = rx!.allGot(p.arn)
        sentAt.set(p.arn, performance.now())
        // The object store applies and dispatches the change at once; its durable write is not on the path.
        writes.push(emu.objects.mutate('pods', p.namespace, p.name, containersExited))
        await done
      },
      { warmup: POD_WARMUP, maxMs: 60_000 },
    )
    await Promise.allSettled(writes)
    const d = summarize(rx.deliveries)
    ctx.note(
      `${label}: per delivery (pod status write → one client) p50 ${fmtMs(d.p50Ms)} ms, p99 ${fmtMs(d.p99Ms)} ms over ${d.count.toLocaleString('en-US')} deliveries; ${r.ok} pods × ${CLIENTS} clients`,
    )
    if (rx.dropped() > 0) ctx.note(`clients were told ${rx.dropped()} events were dropped (slow consumer)`)
  } finally {
    rx?.close()
  }
}

/** Runs `count` tasks on the emulated cluster and waits (at most 120 s) until all are RUNNING; returns their pods. */
async function runningTasks(ctx: BenchContext, count: number): Promise<{ arn: string; namespace: string; name: string }[]> {
  await ctx.call('CreateCluster', { clusterName: POD_CLUSTER })
  await ctx.call('RegisterTaskDefinition', {
    family: 'bench-ws-sleep',
    containerDefinitions: [{ name: 'app', image: 'busybox:1.36', memory: 64, command: ['sleep', '3600'] }],
  })
  const running = new Set<string>()
  let allRunning!: () => void
  const ready = new Promise<void>((r) => (allRunning = r))
  const unsubscribe = ctx.instance.bus.subscribe((e) => {
    if (e['detail-type'] !== 'ECS Task State Change' || e.detail.lastStatus !== 'RUNNING') return
    running.add(e.resources[0]!)
    if (running.size >= count) allRunning()
  })
  const arns: string[] = []
  let timer: NodeJS.Timeout | undefined
  try {
    const started = performance.now()
    while (arns.length < count) {
      const out = await ctx.call<{ tasks?: { taskArn: string }[]; failures?: unknown[] }>('RunTask', {
        cluster: POD_CLUSTER,
        taskDefinition: 'bench-ws-sleep',
        count: Math.min(10, count - arns.length),
      })
      if (!out.tasks?.length) throw new Error(`RunTask answered no task: ${JSON.stringify(out.failures)}`)
      arns.push(...out.tasks.map((t) => t.taskArn))
    }
    await Promise.race([
      ready,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`only ${running.size} of ${count} tasks RUNNING after 120 s`)), 120_000)
      }),
    ])
    ctx.note(`${count} tasks (${POD_WARMUP} of them warm-up) RUNNING on the emulated cluster ${((performance.now() - started) / 1000).toFixed(1)} s after the first RunTask`)
  } finally {
    clearTimeout(timer)
    unsubscribe()
  }
  return arns.map((arn) => {
    const doc = ctx.instance.repos.tasks.get(taskKeyOfArn(arn)!)
    if (!doc?.kecs?.namespace || !doc.kecs.podName) throw new Error(`task ${arn} has no pod`)
    return { arn, namespace: doc.kecs.namespace, name: doc.kecs.podName }
  })
}
