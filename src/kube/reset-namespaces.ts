import type { KubeClient } from './client.js'
import { LABELS, MANAGED_BY_VALUE } from './convert/labels.js'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/**
 * `kecs reset`: deletes every namespace KECS made for a cluster (label `kecs.dev/managed-by=kecs`;
 * user namespaces carry no such label and stay) and waits until they are gone, so no pod of the old
 * state is left for the fresh informers to adopt. Returns how many went.
 */
export async function deleteKecsNamespaces(client: KubeClient, waitMs = 120_000): Promise<number> {
  const selector = `${LABELS.managedBy}=${MANAGED_BY_VALUE}`
  const names = await client.listNamespaceNames(selector)
  // Terminating first (no new pod may start in them), then their pods go at once, without the
  // grace period a stop gives: nothing of the old state is to be kept, and the reset is not held up.
  await Promise.all(names.map((n) => client.deleteNamespace(n)))
  await Promise.all(
    names.map(async (n) => {
      const pods = (await client.listPods({ namespace: n })).items
      await Promise.all(pods.map((p) => client.deletePod(n, p.metadata!.name!, 0).catch(() => false)))
    }),
  )
  const deadline = Date.now() + waitMs
  let left = names
  while (left.length > 0) {
    const still = await Promise.all(left.map(async (n) => ((await client.readNamespace(n)) ? n : undefined)))
    left = still.filter((n): n is string => n !== undefined)
    if (left.length === 0) break
    if (Date.now() > deadline) throw new Error(`namespaces still terminating after ${Math.round(waitMs / 1000)}s: ${left.join(', ')}`)
    await sleep(50)
  }
  return names.length
}
