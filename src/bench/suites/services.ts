import { withEmulatedCluster } from '../emulated.js'
import type { BenchContext, BenchSuite } from '../types.js'

const SERVICES = 10
const TASKS = 10

/**
 * Services on the emulated cluster (KECS only: the peers run no tasks), attached as `kecs start
 * --cluster emulated` does. Time from CreateService to steady state (the service's
 * `SERVICE_STEADY_STATE` event: every task RUNNING, its deployment COMPLETED) for 10 services of 10
 * tasks created at once, then one at a time; then an UpdateService to a new revision → steady state
 * (the rollout replaces the 10 tasks).
 */
export default {
  name: 'services',
  extra: true,
  cluster: 'emulated',
  description: 'CreateService → steady state for 10 services × 10 tasks on the emulated cluster; a rolling update → steady state',
  async run(ctx) {
    await withEmulatedCluster(ctx, () => servicesToSteadyState(ctx))
  },
} satisfies BenchSuite

async function servicesToSteadyState(ctx: BenchContext) {
  const cluster = 'bench-services'
  await ctx.call('CreateCluster', { clusterName: cluster })
  for (const image of ['busybox:1.36', 'busybox:1.37']) {
    await ctx.call('RegisterTaskDefinition', {
      family: 'bench-svc',
      containerDefinitions: [{ name: 'app', image, memory: 64, command: ['sleep', '3600'] }],
    })
  }

  // Each service's next SERVICE_STEADY_STATE, whenever it comes relative to the call that caused it.
  const waiting = new Map<string, () => void>()
  const unsubscribe = ctx.instance.bus.subscribe((e) => {
    if (e['detail-type'] !== 'ECS Service Action' || e.detail.eventName !== 'SERVICE_STEADY_STATE') return
    const arn = e.resources[0]!
    waiting.get(arn)?.()
    waiting.delete(arn)
  })
  const steady = (arn: string) => new Promise<void>((resolve) => waiting.set(arn, resolve))
  const arnOf = (name: string) => `arn:aws:ecs:us-east-1:000000000000:service/${cluster}/${name}`
  const create = async (name: string) => {
    const reached = steady(arnOf(name))
    await ctx.call('CreateService', { cluster, serviceName: name, taskDefinition: 'bench-svc:1', desiredCount: TASKS })
    await reached
  }
  try {
    const n = ctx.n(SERVICES)
    await ctx.measure(`CreateService → steady state (${TASKS} tasks), ${n} at once`, n, n, (i) => create(`together-${i}`), { maxMs: 300_000 })
    await ctx.measure(`CreateService → steady state (${TASKS} tasks), one at a time`, n, 1, (i) => create(`alone-${i}`), { maxMs: 300_000 })
    await ctx.measure(`UpdateService new revision → steady state (${TASKS} tasks replaced)`, n, 1, async (i) => {
      const reached = steady(arnOf(`alone-${i}`))
      await ctx.call('UpdateService', { cluster, service: `alone-${i}`, taskDefinition: 'bench-svc:2' })
      await reached
    }, { maxMs: 300_000 })
  } finally {
    unsubscribe()
  }
  ctx.note(`${ctx.n(SERVICES) * 2} services of ${TASKS} tasks each (${ctx.n(SERVICES) * 2 * TASKS} pods) on one emulated cluster`)
}
