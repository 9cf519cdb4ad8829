import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { openObjectStore } from '../../src/emulator/store/object-store.js'
import { KubeStatusError, type KubeObject, type WatchEvent } from '../../src/emulator/types.js'
import { Store } from '../../src/store/store.js'

const cleanup: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c()
})

async function open(opts: { dir?: string; historySize?: number; maxEvents?: number; now?: () => number } = {}) {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'kecs-emu-store-'))
  const store = await Store.open(join(dir, 'kecs.duckdb'))
  const objects = await openObjectStore(store, {
    historySize: opts.historySize,
    maxEvents: opts.maxEvents,
    clock: opts.now ? { now: opts.now } : undefined,
  })
  let closed = false
  const close = async () => {
    if (closed) return
    closed = true
    await store.close()
  }
  cleanup.push(close)
  if (!opts.dir) cleanup.unshift(() => rmSync(dir, { recursive: true, force: true }))
  return { dir, store, objects, close }
}

const pod = (name: string, extra: Partial<KubeObject> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default', labels: { app: 'web' } },
  spec: { containers: [{ name: 'app', image: 'nginx:1.27', ports: [{ containerPort: 80 }] }] },
  ...extra,
})

const deployment = (name: string, replicas = 2): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'default' },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'nginx' }] } },
  },
})

async function statusError(p: Promise<unknown> | (() => unknown)): Promise<KubeStatusError> {
  try {
    await (typeof p === 'function' ? p() : p)
  } catch (e) {
    expect(e).toBeInstanceOf(KubeStatusError)
    return e as KubeStatusError
  }
  throw new Error('expected a KubeStatusError')
}

describe('ObjectStore: create, defaults and validation', () => {
  it('starts with the system namespaces and their default service accounts', async () => {
    const { objects } = await open()
    const names = objects.list('namespaces').items.map((n) => n.metadata.name)
    expect(names).toEqual(['default', 'kube-node-lease', 'kube-public', 'kube-system'])
    expect(objects.get('namespaces', undefined, 'default')?.status?.phase).toBe('Active')
    expect(objects.get('serviceaccounts', 'kube-system', 'default')).toBeDefined()
  })

  it('fills identity, defaults and status on create', async () => {
    const { objects } = await open()
    const p = await objects.create('pods', { metadata: { name: 'web', namespace: 'default' }, spec: pod('x').spec } as KubeObject)
    expect(p.apiVersion).toBe('v1')
    expect(p.kind).toBe('Pod')
    expect(p.metadata.uid).toMatch(/^[0-9a-f-]{36}$/)
    expect(p.metadata.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
    expect(p.metadata.generation).toBe(1)
    expect(Number(p.metadata.resourceVersion)).toBe(objects.resourceVersion)
    expect(p.spec.restartPolicy).toBe('Always')
    expect(p.spec.terminationGracePeriodSeconds).toBe(30)
    expect(p.spec.dnsPolicy).toBe('ClusterFirst')
    expect(p.spec.schedulerName).toBe('default-scheduler')
    expect(p.spec.containers[0].ports[0].protocol).toBe('TCP')
    expect(p.spec.containers[0].imagePullPolicy).toBe('IfNotPresent')
    expect(p.spec.containers[0].terminationMessagePath).toBe('/dev/termination-log')
    expect(p.status).toEqual({ phase: 'Pending', qosClass: 'BestEffort' })

    const latest = await objects.create('pods', pod('latest', { spec: { containers: [{ name: 'a', image: 'nginx' }] } }))
    expect(latest.spec.containers[0].imagePullPolicy).toBe('Always')

    const d = await objects.create('deployments', deployment('web'))
    expect(d.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } })
    expect(d.spec.revisionHistoryLimit).toBe(10)
    expect(d.spec.progressDeadlineSeconds).toBe(600)

    const noReplicas = deployment('norep')
    delete noReplicas.spec.replicas
    const d2 = await objects.create('deployments', noReplicas)
    expect(d2.spec.replicas).toBe(1)
    // apps/v1 does not default the selector, as a real API server: a Deployment without one is refused
    const noSelector = deployment('nosel')
    delete noSelector.spec.selector
    await expect(objects.create('deployments', noSelector)).rejects.toMatchObject({ code: 422 })

    const svc = await objects.create('services', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'default' },
      spec: { selector: { app: 'web' }, ports: [{ port: 80 }] },
    })
    expect(svc.spec.type).toBe('ClusterIP')
    expect(svc.spec.clusterIP).toMatch(/^10\.(9[6-9]|10[0-9]|11[01])\.\d+\.\d+$/)
    expect(svc.spec.clusterIPs).toEqual([svc.spec.clusterIP])
    expect(svc.spec.ports[0]).toEqual({ port: 80, protocol: 'TCP', targetPort: 80 })

    const np = await objects.create('services', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'np', namespace: 'default' },
      spec: { type: 'NodePort', ports: [{ port: 80 }] },
    })
    expect(np.spec.ports[0].nodePort).toBeGreaterThanOrEqual(30000)
    expect(np.spec.ports[0].nodePort).toBeLessThanOrEqual(32767)
  })

  it('generates names from generateName', async () => {
    const { objects } = await open()
    const p = await objects.create('pods', pod('', { metadata: { generateName: 'web-', namespace: 'default' } }))
    expect(p.metadata.name).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/)
  })

  it('rejects invalid objects with 422 naming the fields', async () => {
    const { objects } = await open()
    let e = await statusError(objects.create('pods', pod('Bad_Name')))
    expect(e.code).toBe(422)
    expect(e.reason).toBe('Invalid')
    expect(e.message).toContain('metadata.name: Invalid value: "Bad_Name"')

    e = await statusError(objects.create('pods', pod('noimage', { spec: { containers: [{ name: 'a' }] } })))
    expect(e.message).toBe('Pod "noimage" is invalid: spec.containers[0].image: Required value')
    expect(e.details?.causes).toEqual([{ field: 'spec.containers[0].image', message: 'Required value', reason: 'FieldValueRequired' }])

    e = await statusError(objects.create('pods', pod('nocontainers', { spec: {} })))
    expect(e.message).toContain('spec.containers: Required value')

    const mismatch = deployment('mismatch')
    mismatch.spec.selector = { matchLabels: { app: 'other' } }
    e = await statusError(objects.create('deployments', mismatch))
    expect(e.code).toBe(422)
    expect(e.message).toContain('spec.template.metadata.labels')
    expect(e.message).toContain('`selector` does not match template `labels`')

    e = await statusError(objects.create('deployments', deployment('neg', -1)))
    expect(e.message).toContain('spec.replicas: Invalid value: -1')

    e = await statusError(
      objects.create('services', { apiVersion: 'v1', kind: 'Service', metadata: { name: '1svc', namespace: 'default' }, spec: { ports: [{ port: 80 }] } }),
    )
    expect(e.message).toContain('DNS-1035')

    e = await statusError(objects.create('services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'noports', namespace: 'default' }, spec: {} }))
    expect(e.message).toContain('spec.ports: Required value')
  })

  it('needs the namespace to exist (404) and refuses duplicates (409 AlreadyExists)', async () => {
    const { objects } = await open()
    let e = await statusError(objects.create('pods', pod('web', { metadata: { name: 'web', namespace: 'nope' } })))
    expect(e.code).toBe(404)
    expect(e.message).toBe('namespaces "nope" not found')
    await objects.create('pods', pod('web'))
    e = await statusError(objects.create('pods', pod('web')))
    expect(e.code).toBe(409)
    expect(e.reason).toBe('AlreadyExists')
    expect(e.message).toBe('pods "web" already exists')
    e = await statusError(objects.create('deployments', deployment('web')).then(() => objects.create('deployments', deployment('web'))))
    expect(e.message).toBe('deployments.apps "web" already exists')
  })

  it('hands out frozen snapshots and copies what it is given', async () => {
    const { objects } = await open()
    const input = pod('web')
    const created = await objects.create('pods', input)
    input.metadata.labels!.app = 'changed'
    expect(objects.get('pods', 'default', 'web')!.metadata.labels!.app).toBe('web')
    expect(() => {
      ;(created.metadata.labels as Record<string, string>).app = 'x'
    }).toThrow(TypeError)
  })
})

describe('ObjectStore: update, mutate and generation', () => {
  it('bumps generation on spec changes only and skips no-op writes', async () => {
    const { objects } = await open()
    const d = await objects.create('deployments', deployment('web'))
    const same = await objects.update('deployments', structuredClone(d))
    expect(same.metadata.resourceVersion).toBe(d.metadata.resourceVersion)

    const labelled = structuredClone(d)
    labelled.metadata.labels = { x: 'y' }
    const l = await objects.update('deployments', labelled)
    expect(l.metadata.generation).toBe(1)
    expect(Number(l.metadata.resourceVersion)).toBeGreaterThan(Number(d.metadata.resourceVersion))

    const st = await objects.update('deployments', { ...structuredClone(l), status: { replicas: 2, observedGeneration: 1 } }, { subresource: 'status' })
    expect(st.metadata.generation).toBe(1)
    expect(st.status.replicas).toBe(2)

    const scaled = structuredClone(st)
    scaled.spec.replicas = 5
    scaled.status = { bogus: true }
    const s = await objects.update('deployments', scaled)
    expect(s.metadata.generation).toBe(2)
    expect(s.metadata.uid).toBe(d.metadata.uid)
    expect(s.metadata.creationTimestamp).toBe(d.metadata.creationTimestamp)

    const m = await objects.mutate('deployments', 'default', 'web', (o) => {
      o.spec.replicas = 6
    })
    expect(m!.metadata.generation).toBe(3)
    const skipped = await objects.mutate('deployments', 'default', 'web', () => false)
    expect(skipped!.metadata.resourceVersion).toBe(m!.metadata.resourceVersion)
    expect(await objects.mutate('deployments', 'default', 'gone', () => {})).toBeUndefined()
  })

  it('answers 409 Conflict for a stale resourceVersion and 404 for a missing object', async () => {
    const { objects } = await open()
    const p = await objects.create('pods', pod('web'))
    await objects.mutate('pods', 'default', 'web', (o) => {
      o.metadata.labels = { v: '2' }
    })
    const stale = structuredClone(p)
    stale.metadata.labels = { v: '3' }
    const e = await statusError(objects.update('pods', stale))
    expect(e.code).toBe(409)
    expect(e.reason).toBe('Conflict')
    expect(e.message).toBe(
      'Operation cannot be fulfilled on pods "web": the object has been modified; please apply your changes to the latest version and try again',
    )
    const missing = await statusError(objects.update('pods', pod('nope')))
    expect(missing.code).toBe(404)
    expect(missing.message).toBe('pods "nope" not found')
  })

  it('keeps immutable fields: workload selectors, pod specs, service IPs', async () => {
    const { objects } = await open()
    const d = await objects.create('deployments', deployment('web'))
    const changed = structuredClone(d)
    changed.spec.selector = { matchLabels: { app: 'web', x: 'y' } }
    changed.spec.template.metadata.labels = { app: 'web', x: 'y' }
    expect((await statusError(objects.update('deployments', changed))).message).toContain('field is immutable')

    const p = await objects.create('pods', pod('web'))
    const image = structuredClone(p)
    image.spec.containers[0].image = 'nginx:1.28'
    expect((await objects.update('pods', image)).spec.containers[0].image).toBe('nginx:1.28')
    const bad = structuredClone(objects.get('pods', 'default', 'web')!)
    bad.spec.containers[0].name = 'renamed'
    expect((await statusError(objects.update('pods', bad))).message).toContain('pod updates may not change fields')
    const bind = structuredClone(objects.get('pods', 'default', 'web')!)
    bind.spec.nodeName = 'node-1'
    expect((await objects.update('pods', bind)).spec.nodeName).toBe('node-1')
  })
})

describe('ObjectStore: deletion', () => {
  it('deletes scheduled pods gracefully and unscheduled or grace-0 pods at once', async () => {
    const now = Date.parse('2025-01-01T00:00:00Z')
    const { objects } = await open({ now: () => now })
    await objects.create('pods', pod('unscheduled'))
    const gone = await objects.delete('pods', 'default', 'unscheduled')
    expect(gone?.metadata.name).toBe('unscheduled')
    expect(objects.get('pods', 'default', 'unscheduled')).toBeUndefined()

    const p = pod('running')
    p.spec.nodeName = 'node-1'
    p.spec.terminationGracePeriodSeconds = 10
    await objects.create('pods', p)
    const deleting = await objects.delete('pods', 'default', 'running')
    expect(deleting!.metadata.deletionTimestamp).toBe('2025-01-01T00:00:10Z')
    expect(deleting!.metadata.deletionGracePeriodSeconds).toBe(10)
    expect(objects.get('pods', 'default', 'running')).toBeDefined()
    // A second delete may shorten the grace period, never lengthen it.
    expect((await objects.delete('pods', 'default', 'running', { gracePeriodSeconds: 60 }))!.metadata.deletionGracePeriodSeconds).toBe(10)
    expect((await objects.delete('pods', 'default', 'running', { gracePeriodSeconds: 3 }))!.metadata.deletionGracePeriodSeconds).toBe(3)
    await objects.delete('pods', 'default', 'running', { gracePeriodSeconds: 0 })
    expect(objects.get('pods', 'default', 'running')).toBeUndefined()

    const q = pod('kubelet')
    q.spec.nodeName = 'node-1'
    await objects.create('pods', q)
    await objects.delete('pods', 'default', 'kubelet')
    await objects.remove('pods', 'default', 'kubelet')
    expect(objects.get('pods', 'default', 'kubelet')).toBeUndefined()
    expect((await statusError(objects.delete('pods', 'default', 'kubelet'))).code).toBe(404)
  })

  it('applies propagation policies: Orphan strips owner references, Foreground waits for dependents', async () => {
    const { objects } = await open()
    const d = await objects.create('deployments', deployment('web'))
    const owned = (name: string) =>
      pod(name, {
        metadata: {
          name,
          namespace: 'default',
          labels: { app: 'web' },
          ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: d.metadata.uid!, controller: true }],
        },
      })
    await objects.create('pods', owned('a'))
    await objects.delete('deployments', 'default', 'web', { propagationPolicy: 'Orphan' })
    expect(objects.get('deployments', 'default', 'web')).toBeUndefined()
    expect(objects.get('pods', 'default', 'a')!.metadata.ownerReferences).toBeUndefined()

    const d2 = await objects.create('deployments', deployment('fg'))
    await objects.create(
      'pods',
      pod('b', {
        metadata: { name: 'b', namespace: 'default', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'fg', uid: d2.metadata.uid! }] },
      }),
    )
    const pending = await objects.delete('deployments', 'default', 'fg', { propagationPolicy: 'Foreground' })
    expect(pending!.metadata.finalizers).toEqual(['foregroundDeletion'])
    expect(pending!.metadata.deletionTimestamp).toBeDefined()
    // What the garbage collector does once the dependents are gone:
    await objects.remove('pods', 'default', 'b')
    await objects.mutate('deployments', 'default', 'fg', (o) => {
      o.metadata.finalizers = o.metadata.finalizers!.filter((f) => f !== 'foregroundDeletion')
    })
    expect(objects.get('deployments', 'default', 'fg')).toBeUndefined()

    await objects.create('deployments', deployment('lonely'))
    await objects.delete('deployments', 'default', 'lonely', { propagationPolicy: 'Foreground' })
    expect(objects.get('deployments', 'default', 'lonely')).toBeUndefined()
  })

  it('checks delete preconditions', async () => {
    const { objects } = await open()
    const p = await objects.create('pods', pod('web'))
    const e = await statusError(objects.delete('pods', 'default', 'web', { preconditions: { uid: 'other' } }))
    expect(e.code).toBe(409)
    expect(e.message).toContain('Precondition failed: UID in precondition: other')
    await objects.delete('pods', 'default', 'web', { preconditions: { uid: p.metadata.uid, resourceVersion: p.metadata.resourceVersion } })
    expect(objects.get('pods', 'default', 'web')).toBeUndefined()
  })

  it('deletes a namespace: Terminating, its contents, then the namespace; system namespaces stay', async () => {
    const { objects } = await open()
    await objects.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } })
    await objects.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'team' }, data: { a: 'b' } })
    const running = pod('p', { metadata: { name: 'p', namespace: 'team' } })
    running.spec.nodeName = 'node-1'
    await objects.create('pods', running)
    const ns = await objects.delete('namespaces', undefined, 'team')
    expect(ns!.status.phase).toBe('Terminating')
    expect(objects.get('configmaps', 'team', 'c')).toBeUndefined()
    expect(objects.get('pods', 'team', 'p')!.metadata.deletionTimestamp).toBeDefined()
    const e = await statusError(objects.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'late', namespace: 'team' } }))
    expect(e.code).toBe(403)
    expect(e.message).toBe('unable to create new content in namespace team because it is being terminated')
    // Events about the teardown are still recorded, and go with the namespace.
    await objects.create('events', {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'p.killing', namespace: 'team' },
      involvedObject: { kind: 'Pod', name: 'p', namespace: 'team' },
      reason: 'Killing',
    })
    // The kubelet removes the terminated pod; the namespace goes with its last object.
    const gone = new Promise<void>((resolve) => {
      const off = objects.onChange((r, ev) => {
        if (r === 'namespaces' && ev.type === 'DELETED' && ev.object.metadata.name === 'team') {
          off()
          resolve()
        }
      })
    })
    await objects.remove('pods', 'team', 'p')
    await gone
    expect(objects.get('namespaces', undefined, 'team')).toBeUndefined()
    expect(objects.get('events', 'team', 'p.killing')).toBeUndefined()
    expect((await statusError(objects.delete('namespaces', undefined, 'default'))).code).toBe(403)
  })
})

describe('ObjectStore: list and watch', () => {
  it('lists with selectors, across namespaces and in pages', async () => {
    const { objects } = await open()
    await objects.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'other' } })
    for (const n of ['c', 'a', 'b']) await objects.create('pods', pod(n))
    await objects.create('pods', pod('z', { metadata: { name: 'z', namespace: 'other', labels: { app: 'db' } } }))
    expect(objects.list('pods', { namespace: 'default' }).items.map((p) => p.metadata.name)).toEqual(['a', 'b', 'c'])
    expect(objects.list('pods').items).toHaveLength(4)
    expect(objects.list('pods', { labelSelector: 'app in (db)' }).items.map((p) => p.metadata.name)).toEqual(['z'])
    expect(objects.list('pods', { fieldSelector: 'metadata.namespace=other' }).items).toHaveLength(1)
    const page1 = objects.list('pods', { namespace: 'default', limit: 2 })
    expect(page1.items.map((p) => p.metadata.name)).toEqual(['a', 'b'])
    expect(page1.continue).toBeTruthy()
    const page2 = objects.list('pods', { namespace: 'default', limit: 2, continue: page1.continue })
    expect(page2.items.map((p) => p.metadata.name)).toEqual(['c'])
    expect(page2.continue).toBeUndefined()
    expect(page1.resourceVersion).toBe(String(objects.resourceVersion))
  })

  it('watches from a resourceVersion, with selector transitions as ADDED/DELETED', async () => {
    const { objects } = await open()
    await objects.create('pods', pod('before'))
    const rv = String(objects.resourceVersion)
    await objects.create('pods', pod('web'))
    const seen: string[] = []
    const stop = objects.watch('pods', { namespace: 'default', labelSelector: 'app=web', resourceVersion: rv }, (e) =>
      seen.push(`${e.type} ${e.object.metadata.name}`),
    )
    await objects.mutate('pods', 'default', 'web', (o) => {
      o.metadata.labels = { app: 'other' }
    })
    await objects.mutate('pods', 'default', 'web', (o) => {
      o.metadata.labels = { app: 'web' }
    })
    await objects.mutate('pods', 'default', 'web', (o) => {
      o.metadata.annotations = { a: 'b' }
    })
    await objects.remove('pods', 'default', 'web')
    await objects.create('pods', pod('elsewhere', { metadata: { name: 'elsewhere', namespace: 'kube-system', labels: { app: 'web' } } }))
    stop()
    await objects.create('pods', pod('after'))
    expect(seen).toEqual(['ADDED web', 'DELETED web', 'ADDED web', 'MODIFIED web', 'DELETED web'])
  })

  it('sends ADDED for current objects when watching from 0, then live events', async () => {
    const { objects } = await open()
    await objects.create('pods', pod('a'))
    const events: WatchEvent[] = []
    const stop = objects.watch('pods', { resourceVersion: '0' }, (e) => events.push(e))
    await objects.create('pods', pod('b'))
    stop()
    expect(events.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(['ADDED a', 'ADDED b'])
    expect(events[1]!.resourceVersion).toBe(Number(events[1]!.object.metadata.resourceVersion))
  })

  it('answers 410 Gone for a resourceVersion older than the history', async () => {
    const { objects } = await open({ historySize: 3 })
    const start = String(objects.resourceVersion)
    for (const n of ['a', 'b', 'c', 'd', 'e']) await objects.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: n, namespace: 'default' } })
    const e = await statusError(() => objects.watch('configmaps', { resourceVersion: start }, () => {}))
    expect(e.code).toBe(410)
    expect(e.message).toMatch(/^too old resource version: \d+ \(\d+\)$/)
    const recent: string[] = []
    const stop = objects.watch('configmaps', { resourceVersion: String(objects.resourceVersion - 2) }, (ev) => recent.push(ev.object.metadata.name!))
    stop()
    expect(recent).toEqual(['d', 'e'])
  })

  it('delivers events in order when a listener writes from its callback', async () => {
    const { objects } = await open()
    const order: number[] = []
    const writes: Promise<unknown>[] = []
    objects.onChange((resource, e) => {
      if (resource === 'pods' && e.type === 'ADDED') {
        writes.push(objects.mutate('pods', 'default', e.object.metadata.name!, (o) => void (o.metadata.annotations = { seen: 'yes' })))
      }
    })
    const stop = objects.watch('pods', {}, (e) => order.push(e.resourceVersion))
    await objects.create('pods', pod('a'))
    await Promise.all(writes)
    stop()
    expect(order).toHaveLength(2)
    expect(order[0]).toBeLessThan(order[1]!)
  })
})

describe('ObjectStore: event expiry', () => {
  it('removes events last seen more than an hour ago', async () => {
    let now = Date.parse('2025-01-01T00:00:00Z')
    const { objects } = await open({ now: () => now })
    const event = (name: string, lastTimestamp: string): KubeObject => ({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace: 'default' },
      involvedObject: { kind: 'Pod', name: 'p', namespace: 'default' },
      reason: 'Started',
      lastTimestamp,
    })
    await objects.create('events', event('old', '2025-01-01T00:00:00Z'))
    now += 50 * 60_000
    await objects.create('events', event('recent', '2025-01-01T00:50:00Z'))
    now += 20 * 60_000
    expect(await objects.expireEvents()).toBe(1)
    expect(objects.list('events').items.map((e) => e.metadata.name)).toEqual(['recent'])
  })
})

describe('ObjectStore: Events in memory only', () => {
  const event = (name: string): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name, namespace: 'default' },
    involvedObject: { kind: 'Pod', name: 'p', namespace: 'default' },
    reason: 'Started',
  })

  it('are never written to DuckDB and do not survive a restart', async () => {
    const first = await open()
    await first.objects.create('events', event('e1'))
    await first.objects.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default' } })
    await first.store.flush()
    const rows = await first.store.query<{ pk: string }>(`SELECT pk FROM kube_objects WHERE pk LIKE 'v1/events/%'`)
    expect(rows).toEqual([])
    const rvBefore = first.objects.resourceVersion
    await first.close()
    const second = await open({ dir: first.dir })
    expect(second.objects.list('events').items).toEqual([])
    expect(second.objects.get('configmaps', 'default', 'c')).toBeDefined()
    // the resourceVersion sequence continues from the last durable write
    expect(second.objects.resourceVersion).toBeLessThanOrEqual(rvBefore)
    expect(second.objects.resourceVersion).toBeGreaterThan(0)
  })

  it('are bounded: the oldest goes first', async () => {
    const { objects } = await open({ maxEvents: 3 })
    const seen: string[] = []
    objects.watch('events', {}, (e) => seen.push(`${e.type} ${e.object.metadata.name}`))
    for (const n of ['a', 'b', 'c', 'd']) await objects.create('events', event(n))
    expect(objects.list('events').items.map((e) => e.metadata.name)).toEqual(['b', 'c', 'd'])
    expect(seen).toContain('DELETED a')
  })
})

describe('ObjectStore: persistence', () => {
  it('reloads objects after a restart and continues the resourceVersion sequence', async () => {
    const first = await open()
    const dir = first.dir
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }))
    await first.objects.create('pods', pod('web'))
    await first.objects.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'gone', namespace: 'default' } })
    await first.objects.remove('configmaps', 'default', 'gone')
    const svc = await first.objects.create('services', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'default' },
      spec: { ports: [{ port: 80 }] },
    })
    const rv = first.objects.resourceVersion
    await first.close()

    const second = await open({ dir })
    expect(second.objects.resourceVersion).toBe(rv)
    expect(second.objects.get('pods', 'default', 'web')!.metadata.uid).toBeDefined()
    expect(second.objects.get('configmaps', 'default', 'gone')).toBeUndefined()
    expect(second.objects.get('services', 'default', 'web')!.spec.clusterIP).toBe(svc.spec.clusterIP)
    // Watching from the current version works; history from before the restart is gone.
    const seen: string[] = []
    const stop = second.objects.watch('pods', { resourceVersion: String(rv) }, (e) => seen.push(e.object.metadata.name!))
    const next = await second.objects.create('pods', pod('after'))
    stop()
    expect(Number(next.metadata.resourceVersion)).toBe(rv + 1)
    expect(seen).toEqual(['after'])
    expect((await statusError(() => second.objects.watch('pods', { resourceVersion: String(rv - 1) }, () => {}))).code).toBe(410)
  })
})

