import { describe, expect, it } from 'vitest'
import { parseRoute } from '../../src/emulator/apiserver/routes.js'
import { humanDuration, podStatusReason, toTable, wantsTable } from '../../src/emulator/apiserver/tables.js'
import { RESOURCE_TYPES } from '../../src/emulator/store/resource-types.js'
import type { KubeObject } from '../../src/emulator/types.js'

const now = Date.parse('2025-01-01T12:00:00Z')
const ago = (ms: number) => new Date(now - ms).toISOString().replace(/\.\d{3}Z$/, 'Z')

describe('kubectl-style durations', () => {
  it('formats like duration.HumanDuration', () => {
    expect(humanDuration(5_000)).toBe('5s')
    expect(humanDuration(119_000)).toBe('119s')
    expect(humanDuration(150_000)).toBe('2m30s')
    expect(humanDuration(180_000)).toBe('3m')
    expect(humanDuration(45 * 60_000)).toBe('45m')
    expect(humanDuration(5 * 3600_000 + 20 * 60_000)).toBe('5h20m')
    expect(humanDuration(30 * 3600_000)).toBe('30h')
    expect(humanDuration(3 * 86400_000 + 4 * 3600_000)).toBe('3d4h')
    expect(humanDuration(100 * 86400_000)).toBe('100d')
    expect(humanDuration(-5_000)).toBe('<invalid>')
  })
})

describe('pod STATUS column', () => {
  const pod = (status: any, extra: Partial<KubeObject['metadata']> = {}, spec: any = { containers: [{ name: 'a' }] }): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'default', creationTimestamp: ago(60_000), ...extra },
    spec,
    status,
  })
  it('derives the reason like kubectl', () => {
    expect(podStatusReason(pod({ phase: 'Pending' }))).toBe('Pending')
    expect(podStatusReason(pod({ phase: 'Pending', containerStatuses: [{ name: 'a', state: { waiting: { reason: 'ContainerCreating' } } }] }))).toBe('ContainerCreating')
    expect(podStatusReason(pod({ phase: 'Running', containerStatuses: [{ name: 'a', ready: true, state: { running: {} } }] }))).toBe('Running')
    expect(podStatusReason(pod({ phase: 'Failed', containerStatuses: [{ name: 'a', state: { terminated: { exitCode: 137 } } }] }))).toBe('ExitCode:137')
    expect(podStatusReason(pod({ phase: 'Succeeded', containerStatuses: [{ name: 'a', state: { terminated: { exitCode: 0, reason: 'Completed' } } }] }))).toBe('Completed')
    expect(podStatusReason(pod({ phase: 'Running' }, { deletionTimestamp: ago(0) }))).toBe('Terminating')
    const init = pod(
      { phase: 'Pending', initContainerStatuses: [{ name: 'i', state: { running: {} } }] },
      {},
      { initContainers: [{ name: 'i' }], containers: [{ name: 'a' }] },
    )
    expect(podStatusReason(init)).toBe('Init:0/1')
  })

  it('builds pod rows with READY, RESTARTS and AGE, and wide columns at priority 1', () => {
    const p = pod({
      phase: 'Running',
      podIP: '10.244.0.5',
      containerStatuses: [{ name: 'a', ready: true, restartCount: 2, state: { running: {} }, lastState: { terminated: { finishedAt: ago(120_000) } } }],
    })
    p.spec.nodeName = 'kecs-node'
    const table: any = toTable('Pod', [p], { now, resourceVersion: '7' })
    expect(table).toMatchObject({ kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata: { resourceVersion: '7' } })
    expect(table.rows[0].cells).toEqual(['p', '1/1', 'Running', '2 (2m ago)', '60s', '10.244.0.5', 'kecs-node', '<none>', '<none>'])
    expect(table.columnDefinitions.filter((c: any) => c.priority === 1).map((c: any) => c.name)).toEqual(['IP', 'Node', 'Nominated Node', 'Readiness Gates'])
    expect(table.rows[0].object).toEqual({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: p.metadata })
    expect((toTable('Pod', [p], { now, noHeaders: true }) as any).columnDefinitions).toEqual([])
  })

  it('prints services, deployments and unknown kinds', () => {
    const svc: KubeObject = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 's', creationTimestamp: ago(3_000) },
      spec: { type: 'NodePort', clusterIP: '10.96.1.2', ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }], selector: { app: 'x' } },
    }
    expect((toTable('Service', [svc], { now }) as any).rows[0].cells).toEqual(['s', 'NodePort', '10.96.1.2', '<none>', '80:30080/TCP,53/UDP', '3s', 'app=x'])
    const d: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd', creationTimestamp: ago(0) },
      spec: { replicas: 3, selector: { matchLabels: { app: 'd' } }, template: { spec: { containers: [{ name: 'a', image: 'nginx' }] } } },
      status: { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 },
    }
    expect((toTable('Deployment', [d], { now }) as any).rows[0].cells).toEqual(['d', '2/3', 3, 2, '0s', 'a', 'nginx', 'app=d'])
    expect((toTable('Widget', [d], { now }) as any).columnDefinitions.map((c: any) => c.name)).toEqual(['Name', 'Age'])
  })

  it('recognises the Table Accept header kubectl sends', () => {
    expect(wantsTable('application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json')).toBe(true)
    expect(wantsTable('application/json, */*')).toBe(false)
    expect(wantsTable(undefined)).toBe(false)
  })
})

describe('API paths', () => {
  const route = (p: string) => {
    const r = parseRoute(p, RESOURCE_TYPES)
    return r.kind === 'resource' ? { resource: r.type.resource, namespace: r.namespace, name: r.name, sub: r.subresource, watch: r.watchPath } : r
  }
  it('resolves namespaced, cluster-wide and cluster-scoped resource paths', () => {
    expect(route('/api/v1/namespaces/default/pods/web/log')).toEqual({ resource: 'pods', namespace: 'default', name: 'web', sub: 'log', watch: false })
    expect(route('/api/v1/pods')).toEqual({ resource: 'pods', namespace: undefined, name: undefined, sub: undefined, watch: false })
    expect(route('/api/v1/namespaces/default')).toEqual({ resource: 'namespaces', namespace: undefined, name: 'default', sub: undefined, watch: false })
    expect(route('/api/v1/namespaces/kube-system/status')).toMatchObject({ resource: 'namespaces', name: 'kube-system', sub: 'status' })
    expect(route('/apis/apps/v1/namespaces/x/deployments/web/scale')).toMatchObject({ resource: 'deployments', namespace: 'x', name: 'web', sub: 'scale' })
    expect(route('/api/v1/watch/namespaces/x/pods')).toMatchObject({ resource: 'pods', namespace: 'x', watch: true })
    expect(route('/api/v1/nodes/kecs-node')).toMatchObject({ resource: 'nodes', name: 'kecs-node' })
  })
  it('resolves discovery and rejects what is not served', () => {
    expect(parseRoute('/version', RESOURCE_TYPES)).toEqual({ kind: 'version' })
    expect(parseRoute('/apis/apps/v1', RESOURCE_TYPES)).toEqual({ kind: 'resources', group: 'apps', version: 'v1' })
    expect(parseRoute('/openapi/v3/apis/apps/v1', RESOURCE_TYPES)).toEqual({ kind: 'openapi-v3', group: 'apps', version: 'v1' })
    expect(parseRoute('/apis/apps/v1/pods', RESOURCE_TYPES)).toEqual({ kind: 'unknown' })
    expect(parseRoute('/metrics', RESOURCE_TYPES)).toEqual({ kind: 'unknown' })
  })
})
