import type { TargetContext } from './types.js'

export interface BackgroundLoad {
  /** Stops the clients (calls in flight finish); what they did. */
  stop(): Promise<{ runTasks: number; stopTasks: number; errors: number; rps: number }>
}

/** Tasks the load keeps alive at most: past this, each client stops its oldest task after each RunTask. */
const MAX_LIVE = 2_000

/**
 * `clients` clients calling RunTask back to back ("at full speed") on `cluster`, in the background of
 * a measurement. So that a long measurement does not pile up tens of thousands of pods, once MAX_LIVE
 * of its tasks are alive each client also stops its oldest one after each RunTask.
 */
export function runTaskLoad(t: Pick<TargetContext, 'call'>, cluster: string, taskDefinition: string, clients = 8): BackgroundLoad {
  let stopping = false
  const live: string[] = []
  let runTasks = 0
  let stopTasks = 0
  let errors = 0
  const started = performance.now()
  const client = async () => {
    while (!stopping) {
      try {
        const out = await t.call<{ tasks?: { taskArn: string }[] }>('RunTask', { cluster, taskDefinition })
        runTasks++
        for (const task of out.tasks ?? []) live.push(task.taskArn)
        if (live.length > MAX_LIVE) {
          await t.call('StopTask', { cluster, task: live.shift(), reason: 'bench load' })
          stopTasks++
        }
      } catch {
        errors++
        await new Promise((r) => setTimeout(r, 10))
      }
    }
  }
  const running = Array.from({ length: clients }, client)
  return {
    async stop() {
      stopping = true
      await Promise.all(running)
      const ms = performance.now() - started
      return { runTasks, stopTasks, errors, rps: ms > 0 ? (runTasks * 1000) / ms : 0 }
    },
  }
}
