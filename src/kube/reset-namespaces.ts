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
  if (names.length === 0) return 0
  const doomed = new Set(names)
  // Terminating first (no new pod may start in them), then their pods go at once, without the
  // grace period a stop gives: nothing of the old state is to be kept, and the reset is not held up.
  await Promise.all(names.map((n) => client.deleteNamespace(n)))
  const pods = (await client.listPods({ labelSelector: selector })).items.filter((p) => doomed.has(p.metadata!.namespace!))
  await Promise.all(pods.map((p) => client.deletePod(p.metadata!.namespace!, p.metadata!.name!, 0).catch(() => false)))
  // One list per look (not a read per namespace): a reset may remove hundreds.
  const deadline = Date.now() + waitMs
  for (;;) {
    const left = (await client.listNamespaceNames(selector)).filter((n) => doomed.has(n))
    if (left.length === 0) return names.length
    if (Date.now() > deadline) throw new Error(`namespaces still terminating after ${Math.round(waitMs / 1000)}s: ${left.join(', ')}`)
    await sleep(20)
  }
}
