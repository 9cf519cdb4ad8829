import { PassThrough } from 'node:stream'
import { AppsV1Api, CoreV1Api, Log, PatchStrategy, setHeaderOptions, type V1Deployment, type V1Pod } from '@kubernetes/client-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { KubeObject, WatchEvent } from '../../src/emulator/types.js'
import { eventually, startTestEmulator, type TestEmulator } from '../helpers/emulator.js'

/**
 * The controllers and simulated kubelet inside the real emulator (DuckDB-backed object store,
 * HTTP API), driven through @kubernetes/client-node as KECS drives it. Speeded up 20×.
 */
const SPEED = 20
let t: TestEmulator
let core: CoreV1Api
let apps: AppsV1Api

beforeAll(async () => {
  t = await startTestEmulator({ speed: SPEED })
  core = t.kc.makeApiClient(CoreV1Api)
  apps = t.kc.makeApiClient(AppsV1Api)
})
afterAll(async () => {
  await t?.stop()
})

const ns = 'default'
const objects = () => t.emulator.objects
const getPod = (name: string) => objects().get('pods', ns, name)
const cs = (p: KubeObject | undefined) => p?.status?.containerStatuses?.[0]

function deployment(name: string, replicas = 2, image = 'nginx:1.27'): V1Deployment {
  return {
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'web', image, ports: [{ name: 'http', containerPort: 8080 }], env: [{ name: 'TOKEN', value: 'hidden-value' }] }] },
      },
    },
  }
}

function pod(name: string, annotations: Record<string, string> = {}, spec: Partial<V1Pod['spec']> = {}): V1Pod {
  return {
    metadata: { name, annotations },
    spec: { containers: [{ name: 'main', image: 'busybox:1.36', command: ['sh', '-c', 'do-work'] }], ...spec },
  }
}

const rolledOut = async (name: string, n: number) => {
  const d = await apps.readNamespacedDeployment({ name, namespace: ns })
  const s = d.status
  return s?.observedGeneration === d.metadata?.generation && s?.updatedReplicas === n && s?.replicas === n && s?.availableReplicas === n ? d : undefined
}

const replicaSetsOf = async (name: string) => {
  const d = await apps.readNamespacedDeployment({ name, namespace: ns })
  const list = await apps.listNamespacedReplicaSet({ namespace: ns })
  return list.items.filter((rs) => rs.metadata?.ownerReferences?.some((r) => r.uid === d.metadata?.uid))
}

describe('emulated cluster: node and deployments', () => {
  it('has one Ready node', async () => {
    const nodes = await eventually(async () => {
      const l = await core.listNode()
      return l.items.length ? l : undefined
    }, 'node')
    expect(nodes.items.map((n) => n.metadata?.name)).toEqual(['kecs-node'])
    const node = nodes.items[0]!
    expect(node.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True')
    expect(node.status?.nodeInfo?.kubeletVersion).toBe('v1.32.0')
  })

  it('brings a Deployment of 2 replicas to availableReplicas 2', async () => {
    await apps.createNamespacedDeployment({ namespace: ns, body: deployment('web') })
    const d = await eventually(() => rolledOut('web', 2), 'web available')
    expect(d.status?.readyReplicas).toBe(2)
    expect(d.status?.conditions?.find((c) => c.type === 'Available')?.status).toBe('True')
    expect(d.metadata?.annotations?.['deployment.kubernetes.io/revision']).toBe('1')
    const pods = await core.listNamespacedPod({ namespace: ns, labelSelector: 'app=web' })
    expect(pods.items).toHaveLength(2)
    for (const p of pods.items) {
      expect(p.status?.phase).toBe('Running')
      expect(p.status?.podIP).toMatch(/^10\.244\./)
      expect(p.status?.containerStatuses?.[0]?.ready).toBe(true)
    }
    const events = await core.listNamespacedEvent({ namespace: ns, fieldSelector: `involvedObject.name=${pods.items[0]!.metadata!.name}` })
    expect(events.items.map((e) => e.reason)).toEqual(expect.arrayContaining(['Scheduled', 'Pulled', 'Created', 'Started']))
  })

  it('rolls out an image change, scaling the old ReplicaSet to 0', async () => {
    await eventually(() => rolledOut('web', 2), 'web available')
    const [oldRS] = await replicaSetsOf('web')
    await apps.patchNamespacedDeployment(
      { name: 'web', namespace: ns, body: { spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx:1.28' }] } } } } },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    )
    const d = await eventually(() => rolledOut('web', 2), 'rolled out')
    expect(d.metadata?.annotations?.['deployment.kubernetes.io/revision']).toBe('2')
    const rss = await replicaSetsOf('web')
    expect(rss).toHaveLength(2)
    const old = rss.find((rs) => rs.metadata?.uid === oldRS!.metadata?.uid)!
    expect(old.spec?.replicas).toBe(0)
    const fresh = rss.find((rs) => rs !== old)!
    expect(fresh.spec?.template?.spec?.containers[0]!.image).toBe('nginx:1.28')
    await eventually(async () => {
      const pods = await core.listNamespacedPod({ namespace: ns, labelSelector: 'app=web' })
      return pods.items.length === 2 && pods.items.every((p) => p.spec?.containers[0]!.image === 'nginx:1.28')
    }, 'old pods gone')
  })

  it('scales 2 → 3 through the scale subresource', async () => {
    await eventually(() => rolledOut('web', 2), 'web available')
    await apps.patchNamespacedDeploymentScale(
      { name: 'web', namespace: ns, body: { spec: { replicas: 3 } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    )
    const d = await eventually(() => rolledOut('web', 3), 'three available')
    expect(d.status?.availableReplicas).toBe(3)
  })

  it('keeps Endpoints of a selector Service in step with ready pods', async () => {
    await core.createNamespacedService({
      namespace: ns,
      body: { metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' as any }] } },
    })
    const ep = await eventually(async () => {
      const e = await core.readNamespacedEndpoints({ name: 'web', namespace: ns }).catch(() => undefined)
      return e?.subsets?.[0]?.addresses?.length === 3 ? e : undefined
    }, 'endpoints')
    expect(ep.subsets?.[0]?.ports).toEqual([{ name: 'http', port: 8080, protocol: 'TCP' }])
  })
})

describe('emulated cluster: pods', () => {
  it('ends a restartPolicy Never pod Failed with the kecs.simulate.exit-code', async () => {
    await core.createNamespacedPod({ namespace: ns, body: pod('exit-7', { 'kecs.simulate.exit-code': '7' }, { restartPolicy: 'Never' }) })
    const p = await eventually(() => (getPod('exit-7')?.status?.phase === 'Failed' ? getPod('exit-7') : undefined), 'failed')
    expect(cs(p)?.state?.terminated).toMatchObject({ exitCode: 7, reason: 'Error' })
    const read = await core.readNamespacedPod({ name: 'exit-7', namespace: ns })
    expect(read.status?.containerStatuses?.[0]?.state?.terminated?.exitCode).toBe(7)
  })

  it('reports an image pull error: ErrImagePull / ImagePullBackOff, Failed events, never started', async () => {
    await core.createNamespacedPod({ namespace: ns, body: pod('bad-image', { 'kecs.simulate.image-pull-error': 'true' }) })
    await eventually(() => cs(getPod('bad-image'))?.state?.waiting?.reason === 'ImagePullBackOff', 'back-off')
    const events = await core.listNamespacedEvent({ namespace: ns, fieldSelector: 'involvedObject.name=bad-image' })
    const failed = events.items.filter((e) => e.reason === 'Failed')
    expect(failed.map((e) => e.message)).toEqual(expect.arrayContaining(['Error: ErrImagePull', 'Error: ImagePullBackOff']))
    expect(failed.every((e) => e.type === 'Warning')).toBe(true)
    expect(events.items.some((e) => e.reason === 'Started')).toBe(false)
    expect(getPod('bad-image')!.status.phase).toBe('Pending')
  })

  it('deletes gracefully: containers terminate, the final status goes out with DELETED', async () => {
    await core.createNamespacedPod({ namespace: ns, body: pod('graceful') })
    await eventually(() => cs(getPod('graceful'))?.state?.running, 'running')
    const seen: WatchEvent[] = []
    const stop = objects().watch('pods', { namespace: ns, fieldSelector: 'metadata.name=graceful' }, (e) => seen.push(e))
    try {
      const deleted = await core.deleteNamespacedPod({ name: 'graceful', namespace: ns })
      expect(deleted.metadata?.deletionTimestamp).toBeTruthy()
      await eventually(() => seen.some((e) => e.type === 'DELETED'), 'deleted')
    } finally {
      stop()
    }
    const last = seen.find((e) => e.type === 'DELETED')!.object
    expect(cs(last)?.state?.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' })
    expect(last.status.phase).toBe('Succeeded')
    const events = await core.listNamespacedEvent({ namespace: ns, fieldSelector: 'involvedObject.name=graceful' })
    expect(events.items.find((e) => e.reason === 'Killing')?.message).toBe('Stopping container main')
  })

  it('streams logs with follow until the container exits', async () => {
    await core.createNamespacedPod({ namespace: ns, body: pod('logger', { 'kecs.simulate.run-seconds': '20' }, { restartPolicy: 'Never' }) })
    await eventually(() => cs(getPod('logger'))?.state?.running, 'running')
    const out = new PassThrough()
    let text = ''
    out.on('data', (c) => (text += c.toString()))
    const finished = new Promise<void>((resolve) => out.on('finish', () => resolve()))
    await new Log(t.kc).log(ns, 'logger', 'main', out, { follow: true })
    await finished
    expect(text).toContain('exec: sh -c do-work')
    expect(text).toContain('is running (uptime')
    expect(text.endsWith('main exited with code 0\n')).toBe(true)
    expect(getPod('logger')?.status?.phase).toBe('Succeeded')
  })
})

describe('emulated cluster: restart', () => {
  it('keeps running pods running and carries on rollouts after an emulator restart', async () => {
    const first = await startTestEmulator({ speed: SPEED })
    const dir = first.dir
    try {
      const appsA = first.kc.makeApiClient(AppsV1Api)
      await appsA.createNamespacedDeployment({ namespace: ns, body: deployment('keep', 1) })
      const running = await eventually(() => {
        const p = first.emulator.objects.list('pods', { namespace: ns, labelSelector: 'app=keep' }).items[0]
        return p?.status?.containerStatuses?.[0]?.ready ? p : undefined
      }, 'keep ready')
      await first.stop({ keepDir: true })

      const second = await startTestEmulator({ speed: SPEED, dir })
      try {
        const appsB = second.kc.makeApiClient(AppsV1Api)
        const same = second.emulator.objects.get('pods', ns, running.metadata.name!)!
        expect(same.metadata.uid).toBe(running.metadata.uid)
        expect(cs(same)?.state?.running?.startedAt).toBe(cs(running)?.state?.running?.startedAt)
        // the controllers pick up where they were: a scale-up and a new pod still happen
        await appsB.patchNamespacedDeploymentScale(
          { name: 'keep', namespace: ns, body: { spec: { replicas: 2 } } },
          setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
        )
        await eventually(async () => {
          const d = await appsB.readNamespacedDeployment({ name: 'keep', namespace: ns })
          return d.status?.availableReplicas === 2 && d.status.observedGeneration === d.metadata?.generation
        }, 'scaled after restart')
        const still = second.emulator.objects.get('pods', ns, running.metadata.name!)!
        expect(still.status.phase).toBe('Running')
        expect(cs(still)?.restartCount).toBe(0)
      } finally {
        await second.stop()
      }
    } finally {
      await first.stop()
    }
  })
})
