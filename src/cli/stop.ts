import { getProvider } from '../cluster/providers.js'
import { CliError } from '../lib/errors.js'
import { instanceDir, instanceState, isPidAlive, kecsHome, removeInstance, type InstanceRecord } from './registry.js'

export interface StopOptions {
  deleteCluster?: boolean
  /** How long SIGTERM gets before SIGKILL. */
  graceMs?: number
  home?: string
  log: (line: string) => void
}

export type StopOutcome = 'stopped' | 'killed' | 'stale' | 'not-running'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function waitGone(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    if (!isPidAlive(pid)) return true
    await sleep(50)
  }
  return !isPidAlive(pid)
}

/**
 * `kecs stop`: SIGTERM the instance's process (it finishes in-flight requests, closes the store and
 * removes instance.json), SIGKILL it if it is still there after the grace period; clean up after a
 * process that is already gone.
 */
export async function stopInstance(name: string, o: StopOptions): Promise<StopOutcome> {
  const dir = instanceDir(name, o.home ?? kecsHome())
  const st = instanceState(dir)
  let outcome: StopOutcome
  let record: InstanceRecord | undefined
  if (st.state === 'absent') {
    o.log(`KECS "${name}" is not running: nothing to stop.`)
    outcome = 'not-running'
  } else if (st.state === 'stale') {
    removeInstance(dir)
    record = st.record
    o.log(`KECS "${name}" was not running (${st.reason}); removed its stale instance.json.`)
    outcome = 'stale'
  } else {
    record = st.record
    const { pid } = record
    try {
      process.kill(pid, 'SIGTERM')
    } catch {
      /* gone between the check and the signal */
    }
    const grace = o.graceMs ?? 15_000
    outcome = 'stopped'
    if (!(await waitGone(pid, grace))) {
      o.log(`KECS "${name}" (pid ${pid}) did not stop within ${Math.round(grace / 1000)}s; killing it.`)
      try {
        process.kill(pid, 'SIGKILL')
      } catch {
        /* already gone */
      }
      if (!(await waitGone(pid, 5000))) throw new CliError(`could not stop pid ${pid}`, 'Check its owner and kill it by hand.')
      outcome = 'killed'
    }
    removeInstance(dir, pid)
    if (outcome === 'stopped') o.log(`Stopped KECS "${name}" (pid ${pid}).`)
  }
  if (o.deleteCluster) await deleteCluster(name, dir, record, o.log)
  return outcome
}

async function deleteCluster(name: string, dir: string, record: InstanceRecord | undefined, log: (l: string) => void) {
  if (!record) {
    // A clean stop removes instance.json: ask the one provider that leaves a cluster behind (Kind).
    const kind = getProvider('kind')
    if (kind?.deleteCluster && !(await kind.unavailable?.())) {
      await kind.deleteCluster({ instanceDir: dir, name, log })
    } else {
      log('--delete-cluster: no instance record and no usable Kind; nothing to delete.')
    }
    return
  }
  const provider = getProvider(record.clusterProvider)
  if (record.clusterProvider === 'none') {
    log('--delete-cluster: the instance ran without a cluster; nothing to delete.')
  } else if (!provider) {
    throw new CliError(
      `cannot delete the cluster: the "${record.clusterProvider}" cluster provider is not available in this version of KECS`,
    )
  } else if (!provider.deleteCluster) {
    log(`--delete-cluster: the ${provider.name} provider owns no cluster to delete.`)
  } else {
    // The provider reports what it deleted (or that there was nothing).
    await provider.deleteCluster({ instanceDir: dir, name, kubeconfig: record.kubeconfig ?? undefined, log })
  }
}
