import { afterEach, describe, expect, it } from 'vitest'
import { startControllers, type ControllerOptions, type RunningControllers } from '../../src/emulator/controllers/index.js'
import { ManualClock } from '../../src/lib/timers.js'
import type { KubeObject } from '../../src/emulator/types.js'
import { FakeObjectStore } from '../helpers/fake-object-store.js'

/** Deployment, ReplicaSet, DaemonSet, Endpoints controllers and the garbage collector on the fake store. */
let running: RunningControllers[] = []
afterEach(async () => {
  for (const c of running) await c.stop()
  running = []
})

async function setup(opts: ControllerOptions = {}) {
  const clock = new ManualClock()
  const store = new FakeObjectStore(clock)
  const errors: string[] = []
  const controllers = startControllers(store, { clock, onError: (w, e) => errors.push(`${w}: ${String(e)}`), ...opts })
  running.push(controllers)
  await clock.settle()
  await controllers.ready
  const until = async (what: string, check: () => unknown, maxMs = 120_000, step = 50) => {
    if (!(await clock.until(() => !!check(), maxMs, step))) throw new Error(`never reached: ${what}`)
  }
  const get = (resource: string, name: string) => store.get(resource, 'default', name)
  const owned = (resource: string, owner: KubeObject | undefined) =>
    store.list(resource, { namespace: 'default' }).items.filter((o) => o.metadata.ownerReferences?.some((r) => r.uid === owner?.metadata.uid))
  const edit = (resource: string, name: string, fn: (o: KubeObject) => void) => store.mutate(resource, 'default', name, (o) => void fn(o))
  return { clock, store, controllers, errors, until, get, owned, edit }
}

function deployment(name: string, opts: { replicas?: number; image?: string; strategy?: any; annotations?: Record<string, string>; extra?: any } = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default' },
    spec: {
      replicas: opts.replicas ?? 2,
      selector: { matchLabels: { app: name } },
      ...(opts.strategy ? { strategy: opts.strategy } : {}),
      template: {
        metadata: { labels: { app: name }, ...(opts.annotations ? { annotations: opts.annotations } : {}) },
        spec: { containers: [{ name: 'web', image: opts.image ?? 'nginx:1.27', ports: [{ name: 'http', containerPort: 8080 }] }] },
      },
      ...(opts.extra ?? {}),
    },
  }
}

const cond = (o: KubeObject | undefined, type: string) => o?.status?.conditions?.find((c: any) => c.type === type)
const done = (d: KubeObject | undefined, n: number) =>
  d?.status?.observedGeneration === d?.metadata.generation &&
  d?.status?.updatedReplicas === n &&
  d?.status?.replicas === n &&
  d?.status?.availableReplicas === n

/** The largest sum of ReplicaSet spec.replicas seen over the store's history. */
function peakReplicas(store: FakeObjectStore): number {
  const current = new Map<string, number>()
  let peak = 0
  for (const { resource, event } of store.log) {
    if (resource !== 'replicasets') continue
    if (event.type === 'DELETED') current.delete(event.object.metadata.name!)
    else current.set(event.object.metadata.name!, Number(event.object.spec?.replicas ?? 0))
    peak = Math.max(peak, [...current.values()].reduce((a, b) => a + b, 0))
  }
  return peak
}

describe('Deployment controller', () => {
  it('creates one ReplicaSet per template and reaches availableReplicas 2 with complete status', async () => {
    const { store, until, get, owned, errors } = await setup()
    await store.create('deployments', deployment('web'))
    await until('available', () => done(get('deployments', 'web'), 2))
    const d = get('deployments', 'web')!
    const [rs, ...more] = owned('replicasets', d)
    expect(more).toHaveLength(0)
    const hash = rs!.metadata.labels!['pod-template-hash']
    expect(rs!.metadata.name).toBe(`web-${hash}`)
    expect(rs!.metadata.ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: d.metadata.uid, controller: true, blockOwnerDeletion: true }])
    expect(rs!.metadata.annotations).toMatchObject({ 'deployment.kubernetes.io/revision': '1', 'deployment.kubernetes.io/desired-replicas': '2', 'deployment.kubernetes.io/max-replicas': '3' })
    expect(rs!.spec.selector.matchLabels).toEqual({ app: 'web', 'pod-template-hash': hash })
    expect(d.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('1')
    expect(d.status).toMatchObject({ replicas: 2, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 2, unavailableReplicas: 0, observedGeneration: 1 })
    expect(cond(d, 'Available')).toMatchObject({ status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' })
    expect(cond(d, 'Progressing')).toMatchObject({ status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${rs!.metadata.name}" has successfully progressed.` })
    const pods = owned('pods', rs)
    expect(pods).toHaveLength(2)
    for (const p of pods) {
      expect(p.metadata.name).toMatch(new RegExp(`^${rs!.metadata.name}-[bcdfghjklmnpqrstvwxz2456789]{5}$`))
      expect(p.metadata.labels).toEqual({ app: 'web', 'pod-template-hash': hash })
      expect(p.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'ReplicaSet', name: rs!.metadata.name, controller: true })
    }
    expect(rs!.status).toMatchObject({ replicas: 2, readyReplicas: 2, availableReplicas: 2, fullyLabeledReplicas: 2, observedGeneration: 1 })
    expect(store.eventsFor('web').map((e) => e.message)).toContain(`Scaled up replica set ${rs!.metadata.name} from 0 to 2`)
    expect(store.eventsFor(rs!.metadata.name!).filter((e) => e.reason === 'SuccessfulCreate')).toHaveLength(2)
    expect(errors).toEqual([])
  })

  it('rolls out an image change within maxSurge, scaling the old ReplicaSet to 0', async () => {
    const { store, until, get, owned, edit } = await setup()
    await store.create('deployments', deployment('web', { replicas: 3 }))
    await until('first', () => done(get('deployments', 'web'), 3))
    const oldRS = owned('replicasets', get('deployments', 'web'))[0]!
    const before = store.log.length
    await edit('deployments', 'web', (d) => void (d.spec.template.spec.containers[0].image = 'nginx:1.28'))
    expect(get('deployments', 'web')!.metadata.generation).toBe(2)
    await until('rolled out', () => done(get('deployments', 'web'), 3))
    const d = get('deployments', 'web')!
    const rss = owned('replicasets', d)
    const newRS = rss.find((r) => r.metadata.uid !== oldRS.metadata.uid)!
    expect(newRS.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('2')
    expect(d.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('2')
    expect(get('replicasets', oldRS.metadata.name!)!.spec.replicas).toBe(0)
    expect(owned('pods', oldRS).filter((p) => !p.metadata.deletionTimestamp)).toHaveLength(0)
    expect(owned('pods', newRS).every((p) => p.spec.containers[0].image === 'nginx:1.28')).toBe(true)
    // default 25%: surge 1 → never more than 4 replicas wanted at once
    expect(peakReplicas(store)).toBeLessThanOrEqual(4)
    const seen = store.log.slice(before).filter((x) => x.resource === 'deployments').map((x) => cond(x.event.object, 'Progressing')?.reason)
    expect(seen).toContain('ReplicaSetUpdated')
    expect(cond(d, 'Progressing')?.reason).toBe('NewReplicaSetAvailable')
    // availability never dropped: maxUnavailable 25% of 3 = 0
    const statuses = store.log.slice(before).filter((x) => x.resource === 'deployments').map((x) => x.event.object.status?.availableReplicas ?? 0)
    expect(Math.min(...statuses)).toBeGreaterThanOrEqual(3)
  })

  it('scales 2 → 3 → 1', async () => {
    const { store, until, get, owned, edit } = await setup()
    await store.create('deployments', deployment('web'))
    await until('2', () => done(get('deployments', 'web'), 2))
    await edit('deployments', 'web', (d) => void (d.spec.replicas = 3))
    await until('3', () => done(get('deployments', 'web'), 3))
    expect(owned('replicasets', get('deployments', 'web'))).toHaveLength(1)
    await edit('deployments', 'web', (d) => void (d.spec.replicas = 1))
    await until('1', () => done(get('deployments', 'web'), 1))
    const rs = owned('replicasets', get('deployments', 'web'))[0]!
    await until('pods gone', () => owned('pods', rs).length === 1)
    expect(store.eventsFor(rs.metadata.name!).filter((e) => e.reason === 'SuccessfulDelete')).toHaveLength(2)
  })

  it('Recreate: the old pods are gone before the new ReplicaSet appears', async () => {
    const { store, until, get, owned, edit } = await setup()
    await store.create('deployments', deployment('db', { strategy: { type: 'Recreate' } }))
    await until('first', () => done(get('deployments', 'db'), 2))
    const oldRS = owned('replicasets', get('deployments', 'db'))[0]!
    await edit('deployments', 'db', (d) => void (d.spec.template.spec.containers[0].image = 'postgres:17'))
    await until('recreated', () => done(get('deployments', 'db'), 2))
    const lastOldPodGone = store.log.findLastIndex(
      (x) => x.resource === 'pods' && x.event.type === 'DELETED' && x.event.object.metadata.ownerReferences?.[0]?.uid === oldRS.metadata.uid,
    )
    const newRSCreated = store.log.findIndex((x) => x.resource === 'replicasets' && x.event.type === 'ADDED' && x.event.object.metadata.uid !== oldRS.metadata.uid)
    expect(lastOldPodGone).toBeGreaterThan(0)
    expect(newRSCreated).toBeGreaterThan(lastOldPodGone)
  })

  it('keeps revisionHistoryLimit old ReplicaSets, and reuses an old one on rollback with a new revision', async () => {
    const { store, until, get, owned, edit } = await setup()
    await store.create('deployments', deployment('web', { replicas: 1, extra: { revisionHistoryLimit: 1 } }))
    for (const image of ['nginx:2', 'nginx:3']) {
      await until('done', () => done(get('deployments', 'web'), 1))
      await edit('deployments', 'web', (d) => void (d.spec.template.spec.containers[0].image = image))
    }
    await until('done', () => done(get('deployments', 'web'), 1) && owned('replicasets', get('deployments', 'web')).length === 2)
    const revs = owned('replicasets', get('deployments', 'web')).map((r) => r.metadata.annotations!['deployment.kubernetes.io/revision']).sort()
    expect(revs).toEqual(['2', '3'])
    const rev2 = owned('replicasets', get('deployments', 'web')).find((r) => r.metadata.annotations!['deployment.kubernetes.io/revision'] === '2')!
    await edit('deployments', 'web', (d) => void (d.spec.template.spec.containers[0].image = 'nginx:2'))
    await until('rolled back', () => done(get('deployments', 'web'), 1) && get('deployments', 'web')!.metadata.annotations!['deployment.kubernetes.io/revision'] === '4')
    expect(get('replicasets', rev2.metadata.name!)!.metadata.annotations!['deployment.kubernetes.io/revision']).toBe('4')
  })

  it('reports ProgressDeadlineExceeded when new pods never become available', async () => {
    const { store, until, get } = await setup({ speed: 10 })
    await store.create(
      'deployments',
      deployment('stuck', { replicas: 1, annotations: { 'kecs.simulate.image-pull-error': 'true' }, extra: { progressDeadlineSeconds: 30 } }),
    )
    await until('timed out', () => cond(get('deployments', 'stuck'), 'Progressing')?.reason === 'ProgressDeadlineExceeded')
    const d = get('deployments', 'stuck')!
    expect(cond(d, 'Progressing')).toMatchObject({ status: 'False' })
    expect(cond(d, 'Available')).toMatchObject({ status: 'False', reason: 'MinimumReplicasUnavailable' })
    expect(d.status.unavailableReplicas).toBe(1)
  })

  it('does not roll out a paused deployment', async () => {
    const { store, until, get, owned, edit } = await setup()
    await store.create('deployments', deployment('web', { replicas: 1 }))
    await until('done', () => done(get('deployments', 'web'), 1))
    await edit('deployments', 'web', (d) => {
      d.spec.paused = true
      d.spec.template.spec.containers[0].image = 'nginx:9'
    })
    await until('paused', () => cond(get('deployments', 'web'), 'Progressing')?.reason === 'DeploymentPaused')
    expect(owned('replicasets', get('deployments', 'web'))).toHaveLength(1)
  })
})

describe('ReplicaSet controller', () => {
  const rsObj = (name: string, replicas: number, extra: { annotations?: any; spec?: any; minReadySeconds?: number } = {}): KubeObject => ({
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, namespace: 'default' },
    spec: {
      replicas,
      ...(extra.minReadySeconds ? { minReadySeconds: extra.minReadySeconds } : {}),
      selector: { matchLabels: { rs: name } },
      template: { metadata: { labels: { rs: name }, ...(extra.annotations ? { annotations: extra.annotations } : {}) }, spec: { containers: [{ name: 'c', image: 'busybox:1' }], ...(extra.spec ?? {}) } },
    },
  })

  it('replaces pods that end Failed', async () => {
    const { store, until, get, owned } = await setup()
    await store.create('replicasets', rsObj('jobs', 1, { annotations: { 'kecs.simulate.exit-code': '1' }, spec: { restartPolicy: 'Never' } }))
    await until('replaced', () => owned('pods', get('replicasets', 'jobs')).filter((p) => p.status?.phase === 'Failed').length >= 2)
    const active = owned('pods', get('replicasets', 'jobs')).filter((p) => !['Failed', 'Succeeded'].includes(p.status?.phase))
    expect(active.length).toBeLessThanOrEqual(1)
  })

  it('adopts orphan pods matching its selector', async () => {
    const { store, until, get, owned } = await setup()
    await store.create('pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'stray', namespace: 'default', labels: { rs: 'adopt' } }, spec: { containers: [{ name: 'c', image: 'busybox:1' }] } })
    await store.create('replicasets', rsObj('adopt', 2))
    await until('2 ready', () => get('replicasets', 'adopt')?.status?.readyReplicas === 2)
    const pods = owned('pods', get('replicasets', 'adopt'))
    expect(pods.map((p) => p.metadata.name)).toContain('stray')
    expect(pods).toHaveLength(2)
  })

  it('counts a pod available only after minReadySeconds', async () => {
    const { store, until, get } = await setup()
    await store.create('replicasets', rsObj('slow', 1, { minReadySeconds: 10 }))
    await until('available', () => get('replicasets', 'slow')?.status?.availableReplicas === 1)
    const seen = store.history('replicasets', 'slow').map((r) => r.status)
    expect(seen.some((s) => s?.readyReplicas === 1 && s?.availableReplicas === 0)).toBe(true)
  })
})

describe('DaemonSet controller', () => {
  it('runs one pod per eligible node and rolls template changes', async () => {
    const { store, until, get, owned, edit } = await setup()
    await store.create('daemonsets', {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'agent', namespace: 'default' },
      spec: {
        selector: { matchLabels: { app: 'agent' } },
        template: { metadata: { labels: { app: 'agent' } }, spec: { nodeSelector: { 'kubernetes.io/os': 'linux' }, containers: [{ name: 'a', image: 'agent:1' }] } },
      },
    })
    await until('1 ready', () => get('daemonsets', 'agent')?.status?.numberReady === 1)
    const node = store.get('nodes', undefined, 'kecs-node')!
    await store.create('nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n2', labels: { 'kubernetes.io/os': 'linux' } }, status: node.status })
    await store.create('nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'win', labels: { 'kubernetes.io/os': 'windows' } }, status: node.status })
    await until('2 ready', () => get('daemonsets', 'agent')?.status?.numberAvailable === 2)
    const ds = get('daemonsets', 'agent')!
    expect(ds.status).toMatchObject({ desiredNumberScheduled: 2, currentNumberScheduled: 2, numberMisscheduled: 0, updatedNumberScheduled: 2, numberUnavailable: 0, observedGeneration: 1 })
    expect(owned('pods', ds).map((p) => p.spec.nodeName).sort()).toEqual(['kecs-node', 'n2'])
    await edit('daemonsets', 'agent', (d) => void (d.spec.template.spec.containers[0].image = 'agent:2'))
    await until('updated', () => {
      const s = get('daemonsets', 'agent')?.status
      return s?.observedGeneration === 2 && s.updatedNumberScheduled === 2 && s.numberAvailable === 2
    })
    expect(owned('pods', get('daemonsets', 'agent')).filter((p) => !p.metadata.deletionTimestamp).every((p) => p.spec.containers[0].image === 'agent:2')).toBe(true)
  })
})

describe('Endpoints controller', () => {
  it('keeps an Endpoints per selector Service in step with ready pods, and deletes it with the service', async () => {
    const { store, until, get, edit } = await setup()
    await store.create('services', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'default', labels: { team: 'a' } },
      spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }] },
    })
    await store.create('services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'external', namespace: 'default' }, spec: { ports: [{ port: 80 }] } })
    await store.create('deployments', deployment('web'))
    await until('2 addresses', () => get('endpoints', 'web')?.subsets?.[0]?.addresses?.length === 2)
    const ep = get('endpoints', 'web')!
    expect(ep.metadata.labels).toEqual({ team: 'a' })
    expect(ep.subsets[0].ports).toEqual([{ name: 'http', port: 8080, protocol: 'TCP' }])
    expect(ep.subsets[0].addresses[0].targetRef.kind).toBe('Pod')
    expect(get('endpoints', 'external')).toBeUndefined()

    await edit('deployments', 'web', (d) => void (d.spec.replicas = 1))
    await until('1 address', () => get('endpoints', 'web')?.subsets?.[0]?.addresses?.length === 1 && !get('endpoints', 'web')?.subsets?.[0]?.notReadyAddresses)
    await store.delete('services', 'default', 'web')
    await until('endpoints gone', () => !get('endpoints', 'web'))
  })
})

describe('garbage collector', () => {
  it('Background: deleting a Deployment removes its ReplicaSets and pods', async () => {
    const { store, until, get } = await setup()
    await store.create('deployments', deployment('web'))
    await until('up', () => done(get('deployments', 'web'), 2))
    await store.delete('deployments', 'default', 'web', { propagationPolicy: 'Background' })
    await until('all gone', () => store.list('replicasets').items.length === 0 && store.list('pods').items.length === 0)
  })

  it('Foreground: the owner stays until its dependents are gone', async () => {
    const { store, until, get } = await setup()
    await store.create('deployments', deployment('web'))
    await until('up', () => done(get('deployments', 'web'), 2))
    const uid = get('deployments', 'web')!.metadata.uid
    await store.delete('deployments', 'default', 'web', { propagationPolicy: 'Foreground' })
    expect(get('deployments', 'web')!.metadata.finalizers).toContain('foregroundDeletion')
    await until('deployment gone', () => !get('deployments', 'web'))
    const ownerGone = store.log.findIndex((x) => x.event.type === 'DELETED' && x.event.object.metadata.uid === uid)
    const lastPodGone = store.log.findLastIndex((x) => x.resource === 'pods' && x.event.type === 'DELETED')
    const rsGone = store.log.findLastIndex((x) => x.resource === 'replicasets' && x.event.type === 'DELETED')
    expect(lastPodGone).toBeLessThan(rsGone)
    expect(rsGone).toBeLessThan(ownerGone)
    expect(store.list('pods').items).toHaveLength(0)
  })

  it('drops missing owners from a dependent that still has another, and deletes dangling dependents', async () => {
    const { store, until, get } = await setup()
    const cm = await store.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'owner', namespace: 'default' } })
    await store.create('secrets', {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: 'two-owners',
        namespace: 'default',
        ownerReferences: [
          { apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: cm.metadata.uid! },
          { apiVersion: 'v1', kind: 'ConfigMap', name: 'ghost', uid: 'no-such-uid' },
        ],
      },
    })
    await store.create('secrets', {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'dangling', namespace: 'default', ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'ghost', uid: 'no-such-uid' }] },
    })
    await store.create('secrets', {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'foreign', namespace: 'default', ownerReferences: [{ apiVersion: 'example.com/v1', kind: 'Widget', name: 'w', uid: 'u' }] },
    })
    await until('dangling gone', () => !get('secrets', 'dangling'))
    await until('ref dropped', () => get('secrets', 'two-owners')?.metadata.ownerReferences?.length === 1)
    expect(get('secrets', 'two-owners')!.metadata.ownerReferences![0]!.uid).toBe(cm.metadata.uid)
    expect(get('secrets', 'foreign')).toBeDefined()
    await store.delete('configmaps', 'default', 'owner')
    await until('dependent gone', () => !get('secrets', 'two-owners'))
  })
})
