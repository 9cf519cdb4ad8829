import WebSocket from 'ws'
import type { FeedFrame } from '../../events/feed-protocol.js'
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

interface Receivers {
  /** Resolves when every client got event `seq`. */
  allGot(seq: number): Promise<void>
  /** publish → receive, per delivery (ms), for measured events. */
  deliveries: number[]
  dropped(): number
  close(): void
}

async function connectClients(ctx: BenchContext, sentAt: Map<number, number>, measured: (seq: number) => boolean): Promise<Receivers> {
  const url = `${ctx.endpoint.replace(/^http/, 'ws')}/ws?cluster=bench`
  const pending = new Map<number, { left: number; resolve: () => void }>()
  const deliveries: number[] = []
  let dropped = 0
  const sockets: WebSocket[] = []
  const got = (seq: number) => {
    const p = pending.get(seq)
    if (p && --p.left === 0) {
      pending.delete(seq)
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
              const seq = (f.event.detail as { benchSeq: number }).benchSeq
              const t0 = sentAt.get(seq)
              if (t0 !== undefined && measured(seq)) deliveries.push(now - t0)
              got(seq)
            }
          })
        }),
    ),
  )
  return {
    allGot: (seq) =>
      new Promise<void>((resolve, reject) => {
        // A client that was sent a drop notice instead never gets it: fail the call, do not hang.
        const timer = setTimeout(() => {
          pending.delete(seq)
          reject(new Error(`event ${seq} did not reach every client within 10 s`))
        }, 10_000)
        pending.set(seq, {
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
 * Event latency through the live feed: bus publish → every one of 100 WebSocket clients has parsed
 * the event. Clients run in the bench process, so the numbers include their JSON parsing, as a real
 * CLI's would. (Later: pod status change → client, once the reconciler publishes.)
 */
export default {
  name: 'ws-latency',
  description: `Live events: bus publish → /ws clients receive, ${CLIENTS} connected clients`,
  async run(ctx) {
    const n = ctx.n(2_000)
    const sentAt = new Map<number, number>()
    let measuredFrom = 0
    let measuredTo = 0
    const inPhase = (seq: number) => seq >= measuredFrom && seq < measuredTo
    const rx = await connectClients(ctx, sentAt, inPhase)
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
      }
      await phase(`publish → all ${CLIENTS} clients got it (one event at a time)`, 1)
      await phase(`publish → all ${CLIENTS} clients got it (8 publishers at once)`, 8)
      if (rx.dropped() > 0) ctx.note(`clients were told ${rx.dropped()} events were dropped (slow consumer)`)
    } finally {
      rx.close()
    }
  },
} satisfies BenchSuite
