import { AppsV1Api, CoreV1Api, type V1Deployment } from '@kubernetes/client-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eventually, startTestEmulator, type TestEmulator } from '../helpers/emulator.js'

/**
 * Deletion propagation end to end: the API server's part (deletionTimestamp, finalizers, orphaning)
 * with the controllers' garbage collector and simulated kubelet doing theirs.
 */
let t: TestEmulator
let core: CoreV1Api
let apps: AppsV1Api

beforeAll(async () => {
  t = await startTestEmulator({ speed: 50 })
  core = t.kc.makeApiClient(CoreV1Api)
  apps = t.kc.makeApiClient(AppsV1Api)
})
afterAll(async () => {
  await t?.stop()
})

const deployment = (name: string, replicas = 2): V1Deployment => ({
  metadata: { name },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] } },
  },
})

async function rolledOut(ns: string, name: string, replicas: number) {
  await apps.createNamespacedDeployment({ namespace: ns, body: deployment(name, replicas) })
  await eventually(async () => {
    const pods = await core.listNamespacedPod({ namespace: ns, labelSelector: `app=${name}` })
    return pods.items.filter((p) => p.status?.phase === 'Running').length === replicas
  }, `${replicas} running pods of ${name}`)
}

const count = async (ns: string, name: string) => ({
  rs: (await apps.listNamespacedReplicaSet({ namespace: ns, labelSelector: `app=${name}` })).items.length,
  pods: (await core.listNamespacedPod({ namespace: ns, labelSelector: `app=${name}` })).items.length,
})

describe('garbage collection through the API', () => {
  it('Background: the deployment goes at once, its replica sets and pods after', async () => {
    await rolledOut('default', 'bg', 2)
    const status = await apps.deleteNamespacedDeployment({ name: 'bg', namespace: 'default', propagationPolicy: 'Background' })
    expect(status.status).toBe('Success')
    expect((await apps.listNamespacedDeployment({ namespace: 'default', fieldSelector: 'metadata.name=bg' })).items).toEqual([])
    await eventually(async () => {
      const c = await count('default', 'bg')
      return c.rs === 0 && c.pods === 0
    }, 'replica sets and pods of bg to go')
  })

  it('Foreground: the deployment waits, with the foregroundDeletion finalizer, until its dependents are gone', async () => {
    await rolledOut('default', 'fg', 2)
    const pending = await t.emulator.objects.delete('deployments', 'default', 'fg', { propagationPolicy: 'Foreground' })
    expect(pending?.metadata.finalizers).toContain('foregroundDeletion')
    expect(pending?.metadata.deletionTimestamp).toBeTruthy()
    await eventually(async () => {
      const gone = (await apps.listNamespacedDeployment({ namespace: 'default', fieldSelector: 'metadata.name=fg' })).items.length === 0
      return gone
    }, 'the foreground-deleted deployment to go')
    const c = await count('default', 'fg')
    expect(c).toEqual({ rs: 0, pods: 0 })
  })

  it('Orphan: the replica set stays, without its owner reference', async () => {
    await rolledOut('default', 'orph', 1)
    await apps.deleteNamespacedDeployment({ name: 'orph', namespace: 'default', propagationPolicy: 'Orphan' })
    const rs = (await apps.listNamespacedReplicaSet({ namespace: 'default', labelSelector: 'app=orph' })).items
    expect(rs).toHaveLength(1)
    expect(rs[0]!.metadata?.ownerReferences ?? []).toEqual([])
    const pods = (await core.listNamespacedPod({ namespace: 'default', labelSelector: 'app=orph' })).items
    expect(pods).toHaveLength(1)
    // Clean up what was orphaned.
    await apps.deleteNamespacedReplicaSet({ name: rs[0]!.metadata!.name!, namespace: 'default' })
    await eventually(async () => (await count('default', 'orph')).pods === 0, 'the orphaned pods to go')
  })

  it('deletes a namespace with running pods: Terminating until the kubelet has stopped them', async () => {
    await core.createNamespace({ body: { metadata: { name: 'teardown' } } })
    await rolledOut('teardown', 'web', 2)
    // Typed as V1Status by client-node; namespaces answer the Namespace itself, as in Kubernetes.
    const ns: any = await core.deleteNamespace({ name: 'teardown' })
    expect(ns.status?.phase).toBe('Terminating')
    await eventually(async () => {
      try {
        await core.readNamespace({ name: 'teardown' })
        return false
      } catch (e: any) {
        return e.code === 404
      }
    }, 'the namespace to go')
    expect((await core.listPodForAllNamespaces({ fieldSelector: 'metadata.namespace=teardown' })).items).toEqual([])
  })
})
