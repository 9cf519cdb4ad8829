import {
  AppsV1Api,
  CoreV1Api,
  PatchStrategy,
  setHeaderOptions,
  Watch,
  type V1Deployment,
  type V1Pod,
} from '@kubernetes/client-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js'

/** The emulator's API through @kubernetes/client-node 1.4.0, as the rest of KECS reaches it. */
let t: TestEmulator
let core: CoreV1Api
let apps: AppsV1Api

beforeAll(async () => {
  t = await startTestEmulator({ historySize: 50 })
  core = t.kc.makeApiClient(CoreV1Api)
  apps = t.kc.makeApiClient(AppsV1Api)
})
afterAll(async () => {
  await t?.stop()
})

const pod = (name: string, labels: Record<string, string> = { app: 'web' }): V1Pod => ({
  metadata: { name, labels },
  spec: { containers: [{ name: 'app', image: 'nginx:1.27', ports: [{ containerPort: 80 }] }] },
})

const deployment = (name: string, replicas = 2): V1Deployment => ({
  metadata: { name },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'nginx:1.26' }] } },
  },
})

/** client-node's ApiException carries the raw body text. */
async function apiError(p: Promise<unknown>): Promise<{ code: number; status: any }> {
  try {
    await p
  } catch (e: any) {
    expect(typeof e.code).toBe('number')
    return { code: e.code, status: typeof e.body === 'string' ? JSON.parse(e.body) : e.body }
  }
  throw new Error('expected the call to fail')
}

async function raw(path: string, init: RequestInit = {}) {
  const res = await fetch(t.url + path, init)
  const text = await res.text()
  let body: any = text
  try {
    body = JSON.parse(text)
  } catch {
    /* text */
  }
  return { status: res.status, body, contentType: res.headers.get('content-type') ?? '' }
}

describe('emulator API: CRUD through client-node', () => {
  it('lists the system namespaces', async () => {
    const list = await core.listNamespace()
    expect(list.items.map((n) => n.metadata?.name)).toEqual(expect.arrayContaining(['default', 'kube-system', 'kube-public', 'kube-node-lease']))
    expect(Number(list.metadata?.resourceVersion)).toBeGreaterThan(0)
  })

  it('creates, gets, lists by label, replaces and deletes a pod', async () => {
    const created = await core.createNamespacedPod({ namespace: 'default', body: pod('crud-1') })
    expect(created.apiVersion).toBe('v1')
    expect(created.kind).toBe('Pod')
    expect(created.metadata?.uid).toBeTruthy()
    expect(created.metadata?.creationTimestamp).toBeInstanceOf(Date)
    expect(created.spec?.containers[0]!.ports![0]!.protocol).toBe('TCP')
    expect(created.status?.phase).toBe('Pending')

    await core.createNamespacedPod({ namespace: 'default', body: pod('crud-2', { app: 'db' }) })
    const got = await core.readNamespacedPod({ name: 'crud-1', namespace: 'default' })
    expect(got.metadata?.uid).toBe(created.metadata?.uid)

    const web = await core.listNamespacedPod({ namespace: 'default', labelSelector: 'app=web' })
    expect(web.items.map((p) => p.metadata?.name)).toContain('crud-1')
    expect(web.items.map((p) => p.metadata?.name)).not.toContain('crud-2')
    const setBased = await core.listNamespacedPod({ namespace: 'default', labelSelector: 'app in (db,cache),!missing' })
    expect(setBased.items.map((p) => p.metadata?.name)).toEqual(['crud-2'])
    const byField = await core.listPodForAllNamespaces({ fieldSelector: 'metadata.name=crud-2,metadata.namespace=default' })
    expect(byField.items).toHaveLength(1)

    // The simulated kubelet writes pod status meanwhile: read-modify-write until no conflict, as clients do.
    let replaced: V1Pod | undefined
    for (let attempt = 0; !replaced; attempt++) {
      const current = await core.readNamespacedPod({ name: 'crud-1', namespace: 'default' })
      current.metadata!.labels = { app: 'web', version: 'v2' }
      try {
        replaced = await core.replaceNamespacedPod({ name: 'crud-1', namespace: 'default', body: current })
      } catch (e: any) {
        if (e.code !== 409 || attempt > 20) throw e
      }
    }
    expect(replaced.metadata?.labels?.version).toBe('v2')
    expect(Number(replaced.metadata?.resourceVersion)).toBeGreaterThan(Number(got.metadata?.resourceVersion))

    // Pod deletes answer the pod, as the API server does; grace period 0 removes it at once.
    const deleted = await core.deleteNamespacedPod({ name: 'crud-2', namespace: 'default', gracePeriodSeconds: 0 })
    expect(deleted.metadata?.name).toBe('crud-2')
    const e = await apiError(core.readNamespacedPod({ name: 'crud-2', namespace: 'default' }))
    expect(e.code).toBe(404)
  })

  it('answers errors as Status objects: 404 NotFound, 409 AlreadyExists and Conflict, 422 Invalid, 400', async () => {
    let e = await apiError(core.readNamespacedPod({ name: 'nope', namespace: 'default' }))
    expect(e.code).toBe(404)
    expect(e.status).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: 'pods "nope" not found' })
    expect(e.status.details).toMatchObject({ name: 'nope', kind: 'pods' })

    await core.createNamespacedPod({ namespace: 'default', body: pod('dup') })
    e = await apiError(core.createNamespacedPod({ namespace: 'default', body: pod('dup') }))
    expect(e.code).toBe(409)
    expect(e.status).toMatchObject({ reason: 'AlreadyExists', message: 'pods "dup" already exists' })

    // A ConfigMap: nothing else writes it, so the only conflict is ours.
    const first = await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'conflicted' } } })
    await core.replaceNamespacedConfigMap({ name: 'conflicted', namespace: 'default', body: { ...first, data: { a: '1' } } })
    e = await apiError(core.replaceNamespacedConfigMap({ name: 'conflicted', namespace: 'default', body: { ...first, data: { a: '2' } } }))
    expect(e.code).toBe(409)
    expect(e.status.reason).toBe('Conflict')
    expect(e.status.message).toBe(
      'Operation cannot be fulfilled on configmaps "conflicted": the object has been modified; please apply your changes to the latest version and try again',
    )

    e = await apiError(core.createNamespacedPod({ namespace: 'default', body: { metadata: { name: 'bad' }, spec: { containers: [{ name: 'a' } as any] } } }))
    expect(e.code).toBe(422)
    expect(e.status).toMatchObject({ reason: 'Invalid', message: 'Pod "bad" is invalid: spec.containers[0].image: Required value' })
    expect(e.status.details.causes[0]).toMatchObject({ field: 'spec.containers[0].image', reason: 'FieldValueRequired' })

    e = await apiError(core.createNamespacedPod({ namespace: 'nowhere', body: pod('x') }))
    expect(e.code).toBe(404)
    expect(e.status.message).toBe('namespaces "nowhere" not found')

    const r = await raw('/api/v1/namespaces/default/pods', { method: 'POST', body: '{nope', headers: { 'Content-Type': 'application/json' } })
    expect(r.status).toBe(400)
    expect(r.body.reason).toBe('BadRequest')
    const m = await raw('/api/v1/namespaces/default/pods/dup', { method: 'POST', body: '{}' })
    expect(m.status).toBe(405)
    expect(m.body.reason).toBe('MethodNotAllowed')
    const unknown = await raw('/api/v1/namespaces/default/widgets')
    expect(unknown.status).toBe(404)
    expect(unknown.contentType).toContain('json')
  })

  it('patches with JSON patch (client-node default), merge patch and strategic merge patch', async () => {
    await apps.createNamespacedDeployment({ namespace: 'default', body: deployment('patchme') })
    const jp = await apps.patchNamespacedDeployment({
      name: 'patchme',
      namespace: 'default',
      body: [{ op: 'replace', path: '/spec/replicas', value: 3 }],
    })
    expect(jp.spec?.replicas).toBe(3)
    expect(jp.metadata?.generation).toBe(2)

    const mp = await apps.patchNamespacedDeployment(
      { name: 'patchme', namespace: 'default', body: { metadata: { labels: { team: 'a' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    )
    expect(mp.metadata?.labels).toEqual({ team: 'a' })
    expect(mp.metadata?.generation).toBe(2)

    const smp = await apps.patchNamespacedDeployment(
      {
        name: 'patchme',
        namespace: 'default',
        body: { spec: { template: { spec: { containers: [{ name: 'app', image: 'nginx:1.27' }, { name: 'sidecar', image: 'busybox' }] } } } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    )
    expect(smp.spec?.template.spec?.containers.map((c) => `${c.name}=${c.image}`)).toEqual(['app=nginx:1.27', 'sidecar=busybox'])
    expect(smp.spec?.template.spec?.containers[0]!.terminationMessagePath).toBe('/dev/termination-log')

    // The status subresource owns status: a main-resource patch cannot change it.
    const st = await apps.patchNamespacedDeployment(
      { name: 'patchme', namespace: 'default', body: { status: { replicas: 42 } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    )
    expect(st.status?.replicas).not.toBe(42)
    const viaStatus = await apps.patchNamespacedDeploymentStatus(
      { name: 'patchme', namespace: 'default', body: { status: { replicas: 42 } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    )
    expect(viaStatus.status?.replicas).toBe(42)

    const r = await raw('/apis/apps/v1/namespaces/default/deployments/patchme', { method: 'PATCH', body: '{}', headers: { 'Content-Type': 'text/plain' } })
    expect(r.status).toBe(415)
  })

  it('scales through the scale subresource (merge patch, and PUT without Content-Type)', async () => {
    await apps.createNamespacedDeployment({ namespace: 'default', body: deployment('scaler') })
    const scale = await apps.readNamespacedDeploymentScale({ name: 'scaler', namespace: 'default' })
    expect(scale).toMatchObject({ kind: 'Scale', apiVersion: 'autoscaling/v1', spec: { replicas: 2 }, status: { selector: 'app=scaler' } })
    const patched = await apps.patchNamespacedDeploymentScale(
      { name: 'scaler', namespace: 'default', body: { spec: { replicas: 3 } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    )
    expect(patched.spec?.replicas).toBe(3)
    expect(patched.metadata?.resourceVersion).toBeTruthy()
    // The deployment controller writes the status of the scaled Deployment meanwhile (a new
    // resourceVersion): PUT with the one just read, again if that raced.
    let body = ''
    let put = { status: 0, body: {} as any }
    for (let i = 0; i < 20 && put.status !== 200; i++) {
      const current = await apps.readNamespacedDeploymentScale({ name: 'scaler', namespace: 'default' })
      body = JSON.stringify({ ...scale, spec: { replicas: 4 }, metadata: { ...scale.metadata, resourceVersion: current.metadata?.resourceVersion } })
      put = await raw('/apis/apps/v1/namespaces/default/deployments/scaler/scale', { method: 'PUT', body })
      if (put.status !== 200) expect(put.status).toBe(409)
    }
    expect(put.status).toBe(200)
    expect(put.body.spec.replicas).toBe(4)
    const stale = await raw('/apis/apps/v1/namespaces/default/deployments/scaler/scale', { method: 'PUT', body })
    expect(stale.status).toBe(409)
    const d = await apps.readNamespacedDeployment({ name: 'scaler', namespace: 'default' })
    expect(d.spec?.replicas).toBe(4)
    const bad = await raw('/apis/apps/v1/namespaces/default/deployments/scaler/scale', {
      method: 'PATCH',
      body: '{"spec":{"replicas":-1}}',
      headers: { 'Content-Type': 'application/merge-patch+json' },
    })
    expect(bad.status).toBe(422)
  })

  it('deletes with options from the query (client-node) or the body (kubectl)', async () => {
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'del-q' }, data: { a: 'b' } } })
    const s = await core.deleteNamespacedConfigMap({ name: 'del-q', namespace: 'default', propagationPolicy: 'Background', gracePeriodSeconds: 0 })
    expect(s).toMatchObject({ kind: 'Status', status: 'Success', details: { name: 'del-q', kind: 'configmaps' } })

    await apps.createNamespacedDeployment({ namespace: 'default', body: deployment('del-b') })
    const r = await raw('/apis/apps/v1/namespaces/default/deployments/del-b', {
      method: 'DELETE',
      body: '{"propagationPolicy":"Background"}',
      headers: { 'Content-Type': 'application/json' },
    })
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({ kind: 'Status', status: 'Success', details: { name: 'del-b', group: 'apps', kind: 'deployments' } })
    const bad = await raw('/api/v1/namespaces/default/pods/dup?propagationPolicy=Sideways', { method: 'DELETE' })
    expect(bad.status).toBe(400)

    for (const n of ['dc-1', 'dc-2']) await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: n, labels: { batch: 'x' } } } })
    await core.deleteCollectionNamespacedConfigMap({ namespace: 'default', labelSelector: 'batch=x' })
    expect((await core.listNamespacedConfigMap({ namespace: 'default', labelSelector: 'batch=x' })).items).toEqual([])
  })

  it('honours dryRun=All on create, patch and delete', async () => {
    const dry = await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'dry' }, data: { a: 'b' } }, dryRun: 'All' })
    expect(dry.metadata?.name).toBe('dry')
    expect((await apiError(core.readNamespacedConfigMap({ name: 'dry', namespace: 'default' }))).code).toBe(404)
    const real = await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'dry' }, data: { a: 'b' } } })
    const patched = await core.patchNamespacedConfigMap(
      { name: 'dry', namespace: 'default', body: { data: { a: 'changed' } }, dryRun: 'All' },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    )
    expect(patched.data).toEqual({ a: 'changed' })
    await core.deleteNamespacedConfigMap({ name: 'dry', namespace: 'default', dryRun: 'All' })
    const after = await core.readNamespacedConfigMap({ name: 'dry', namespace: 'default' })
    expect(after.data).toEqual({ a: 'b' })
    expect(after.metadata?.resourceVersion).toBe(real.metadata?.resourceVersion)
    expect((await raw('/api/v1/namespaces/default/configmaps?dryRun=Some', { method: 'POST', body: '{"metadata":{"name":"x"}}' })).status).toBe(400)
  })

  it('serves status subresources, metadata-only lists and refuses writes to pods/log', async () => {
    await apps.createNamespacedDeployment({ namespace: 'default', body: deployment('statused') })
    const d = await apps.readNamespacedDeploymentStatus({ name: 'statused', namespace: 'default' })
    const put = await raw('/apis/apps/v1/namespaces/default/deployments/statused/status', {
      method: 'PUT',
      body: JSON.stringify({ ...d, spec: { ...d.spec, replicas: 9 }, status: { observedGeneration: 1, replicas: 7 } }),
      headers: { 'Content-Type': 'application/json' },
    })
    expect(put.status).toBe(200)
    // A status write changes status only.
    expect(put.body.status).toEqual({ observedGeneration: 1, replicas: 7 })
    expect(put.body.spec.replicas).toBe(2)
    const partial = await raw('/apis/apps/v1/namespaces/default/deployments', {
      headers: { Accept: 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1' },
    })
    expect(partial.body.kind).toBe('PartialObjectMetadataList')
    expect(partial.body.items[0]).toEqual({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: expect.objectContaining({ name: expect.any(String) }) })
    expect((await raw('/api/v1/namespaces/default/pods/tabled/log', { method: 'PUT', body: '{}' })).status).toBe(405)
    expect((await raw('/api/v1/pods', { method: 'POST', body: JSON.stringify(pod('x')) })).status).toBe(405)
    const old = await raw('/api/v1/watch/namespaces/default/configmaps?timeoutSeconds=1')
    expect(old.status).toBe(200)
  })

  it('pages lists with limit and continue', async () => {
    await core.createNamespace({ body: { metadata: { name: 'paging' } } })
    for (let i = 0; i < 5; i++) await core.createNamespacedConfigMap({ namespace: 'paging', body: { metadata: { name: `cm-${i}` } } })
    const names: string[] = []
    let cont: string | undefined
    let pages = 0
    do {
      const page = await core.listNamespacedConfigMap({ namespace: 'paging', limit: 2, _continue: cont })
      names.push(...page.items.map((c) => c.metadata!.name!))
      cont = page.metadata?._continue
      pages++
    } while (cont)
    expect(pages).toBe(3)
    expect(names).toEqual(['cm-0', 'cm-1', 'cm-2', 'cm-3', 'cm-4'])
  })

  it('deletes a namespace with its contents', async () => {
    await core.createNamespace({ body: { metadata: { name: 'doomed' } } })
    await core.createNamespacedConfigMap({ namespace: 'doomed', body: { metadata: { name: 'c' } } })
    await core.createNamespacedPod({ namespace: 'doomed', body: pod('p') })
    await core.deleteNamespace({ name: 'doomed' })
    // The namespace goes once the kubelet has stopped its pod (unscheduled pods would go at once).
    for (;;) {
      const e = await apiError(core.readNamespace({ name: 'doomed' })).catch(() => undefined)
      if (e?.code === 404) break
      await new Promise((r) => setTimeout(r, 20))
    }
    expect((await core.listNamespacedConfigMap({ namespace: 'doomed' })).items).toEqual([])
    const e = await apiError(core.deleteNamespace({ name: 'kube-system' }))
    expect(e.code).toBe(403)
  })
})

describe('emulator API: watch', () => {
  type Ev = { type: string; obj: any }
  function startWatch(path: string, query: Record<string, string | number | boolean | undefined>) {
    const events: Ev[] = []
    let waiters: (() => void)[] = []
    let doneErr: unknown = 'open'
    const done = new Promise<unknown>((resolve) => {
      void new Watch(t.kc)
        .watch(
          path,
          query,
          (type, obj) => {
            events.push({ type, obj })
            waiters.forEach((w) => w())
          },
          (err) => {
            doneErr = err
            resolve(err)
            waiters.forEach((w) => w())
          },
        )
        .then((ac) => (controller = ac))
    })
    let controller: AbortController | undefined
    return {
      events,
      done,
      get finished() {
        return doneErr !== 'open'
      },
      async until(pred: (evs: Ev[]) => boolean) {
        while (!pred(events)) {
          if (doneErr !== 'open') throw new Error(`watch ended: ${String(doneErr)}`)
          await new Promise<void>((r) => (waiters = [...waiters, r]))
        }
      },
      abort: () => controller?.abort(),
      ready: async () => {
        while (!controller && doneErr === 'open') await new Promise((r) => setTimeout(r, 5))
      },
    }
  }

  it('streams changes after a resourceVersion, filtered by label selector', async () => {
    // ConfigMaps: no controller writes them, so the stream holds exactly our changes.
    const cm = (name: string, labels: Record<string, string>) => ({ metadata: { name, labels }, data: { k: 'v' } })
    await core.createNamespace({ body: { metadata: { name: 'watching' } } })
    await core.createNamespacedConfigMap({ namespace: 'watching', body: cm('old', { app: 'web' }) })
    const list = await core.listNamespacedConfigMap({ namespace: 'watching' })
    const w = startWatch('/api/v1/namespaces/watching/configmaps', { resourceVersion: list.metadata!.resourceVersion, labelSelector: 'app=web' })
    await w.ready()
    await core.createNamespacedConfigMap({ namespace: 'watching', body: cm('w1', { app: 'web' }) })
    await core.createNamespacedConfigMap({ namespace: 'watching', body: cm('other', { app: 'db' }) })
    await core.patchNamespacedConfigMap(
      { name: 'w1', namespace: 'watching', body: { metadata: { annotations: { seen: 'yes' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    )
    // Relabelled out of the selector: the watcher sees it go.
    await core.patchNamespacedConfigMap(
      { name: 'w1', namespace: 'watching', body: { metadata: { labels: { app: 'gone' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    )
    await core.patchNamespacedConfigMap(
      { name: 'other', namespace: 'watching', body: { metadata: { labels: { app: 'web' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    )
    await core.deleteNamespacedConfigMap({ name: 'other', namespace: 'watching' })
    await w.until((evs) => evs.some((e) => e.type === 'DELETED' && e.obj.metadata.name === 'other'))
    w.abort()
    expect(w.events.map((e) => `${e.type} ${e.obj.metadata.name}`)).toEqual([
      'ADDED w1',
      'MODIFIED w1',
      'DELETED w1',
      'ADDED other',
      'DELETED other',
    ])
    expect(w.events[1]!.obj.metadata.annotations).toEqual({ seen: 'yes' })
  })

  it('sends ADDED for existing objects without a resourceVersion, and ends at timeoutSeconds', async () => {
    const w = startWatch('/api/v1/namespaces', { timeoutSeconds: 1 })
    await w.until((evs) => evs.some((e) => e.obj.metadata.name === 'default'))
    expect(w.events.every((e) => e.type === 'ADDED')).toBe(true)
    expect(await w.done).toBeNull()
  })

  it('answers an expired resourceVersion with a 410 ERROR event', async () => {
    const start = (await core.listNamespacedConfigMap({ namespace: 'default' })).metadata!.resourceVersion!
    await core.createNamespace({ body: { metadata: { name: 'churn' } } })
    for (let i = 0; i < 60; i++) await core.createNamespacedConfigMap({ namespace: 'churn', body: { metadata: { name: `c${i}` } } })
    const w = startWatch('/api/v1/namespaces/default/configmaps', { resourceVersion: start })
    await w.until((evs) => evs.length > 0)
    expect(w.events[0]!.type).toBe('ERROR')
    expect(w.events[0]!.obj).toMatchObject({ kind: 'Status', code: 410, reason: 'Expired' })
    expect(await w.done).toBeNull()
  })

  it('sends bookmarks when allowed and initial events with sendInitialEvents', async () => {
    const w = startWatch('/api/v1/namespaces', { sendInitialEvents: true, allowWatchBookmarks: true, resourceVersionMatch: 'NotOlderThan' })
    await w.until((evs) => evs.some((e) => e.type === 'BOOKMARK'))
    w.abort()
    const bookmark = w.events.find((e) => e.type === 'BOOKMARK')!
    expect(bookmark.obj.metadata.annotations).toEqual({ 'k8s.io/initial-events-end': 'true' })
    expect(w.events.filter((e) => e.type === 'ADDED').length).toBeGreaterThanOrEqual(4)
  })
})

describe('emulator API: discovery, OpenAPI and tables', () => {
  it('serves version, legacy discovery and OpenAPI v3 with JSON content types', async () => {
    const v = await raw('/version?timeout=5s')
    expect(v.body).toMatchObject({ major: '1', minor: '32' })
    expect(v.contentType).toContain('json')
    const api = await raw('/api')
    expect(api.body).toMatchObject({ kind: 'APIVersions', versions: ['v1'] })
    const apis = await raw('/apis')
    expect(apis.body.groups[0]).toMatchObject({ name: 'apps', preferredVersion: { groupVersion: 'apps/v1' } })
    const core = await raw('/api/v1')
    const pods = core.body.resources.find((r: any) => r.name === 'pods')
    expect(pods).toMatchObject({ kind: 'Pod', namespaced: true, shortNames: ['po'], categories: ['all'] })
    expect(core.body.resources.map((r: any) => r.name)).toEqual(expect.arrayContaining(['pods/log', 'pods/status', 'nodes', 'events']))
    const appsList = await raw('/apis/apps/v1')
    expect(appsList.body.resources.find((r: any) => r.name === 'deployments/scale')).toMatchObject({ group: 'autoscaling', version: 'v1', kind: 'Scale' })
    const root = await raw('/openapi/v3')
    expect(Object.keys(root.body.paths)).toEqual(['api/v1', 'apis/apps/v1'])
    const doc = await raw(root.body.paths['apis/apps/v1'].serverRelativeURL)
    expect(doc.body.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'].patch['x-kubernetes-group-version-kind']).toEqual({
      group: 'apps',
      version: 'v1',
      kind: 'Deployment',
    })
    expect((await raw('/openapi/v2')).status).toBe(404)
  })

  it('answers Tables when asked (as kubectl get does), with a row object for the NAMESPACE column', async () => {
    await core.createNamespacedPod({ namespace: 'default', body: pod('tabled') })
    const accept = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json'
    const r = await raw('/api/v1/namespaces/default/pods?limit=500', { headers: { Accept: accept } })
    expect(r.body.kind).toBe('Table')
    expect(r.body.columnDefinitions.map((c: any) => c.name)).toEqual(['Name', 'Ready', 'Status', 'Restarts', 'Age', 'IP', 'Node', 'Nominated Node', 'Readiness Gates'])
    const row = r.body.rows.find((x: any) => x.cells[0] === 'tabled')
    // The simulated kubelet may already be starting it: READY and STATUS move, the shape does not.
    expect(row.cells[0]).toBe('tabled')
    expect(row.cells[1]).toMatch(/^[01]\/1$/)
    expect(row.cells[2]).toMatch(/^(Pending|ContainerCreating|Running)$/)
    expect(row.cells[3]).toBe('0')
    expect(row.object).toMatchObject({ kind: 'PartialObjectMetadata', metadata: { name: 'tabled', namespace: 'default' } })
    const one = await raw('/api/v1/namespaces/default/pods/tabled', { headers: { Accept: accept } })
    expect(one.body.rows).toHaveLength(1)
    await apps.createNamespacedDeployment({ namespace: 'default', body: deployment('tabled-d') })
    const d = await raw('/apis/apps/v1/namespaces/default/deployments', { headers: { Accept: accept } })
    expect(d.body.columnDefinitions.slice(0, 5).map((c: any) => c.name)).toEqual(['Name', 'Ready', 'Up-to-date', 'Available', 'Age'])
    const cms = await raw('/api/v1/namespaces/default/configmaps', { headers: { Accept: accept } })
    expect(cms.body.columnDefinitions.map((c: any) => c.name)).toEqual(['Name', 'Data', 'Age'])
  })
})
