import { describe, expect, it } from 'vitest'
import { jsonPatch, mergePatch, patchTypeOf, strategicMergePatch } from '../../src/emulator/patch.js'
import { KubeStatusError } from '../../src/emulator/types.js'

const deployment = () => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', labels: { app: 'web' }, annotations: { a: '1' }, finalizers: ['x'] },
  spec: {
    replicas: 2,
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        containers: [
          {
            name: 'app',
            image: 'nginx:1.26',
            ports: [
              { containerPort: 80, protocol: 'TCP' },
              { containerPort: 443, protocol: 'TCP' },
            ],
            env: [
              { name: 'A', value: '1' },
              { name: 'B', value: '2' },
            ],
            volumeMounts: [{ name: 'data', mountPath: '/data' }],
          },
          { name: 'sidecar', image: 'busybox' },
        ],
        volumes: [{ name: 'data', emptyDir: {} }],
        tolerations: [{ key: 'a', operator: 'Exists' }],
      },
    },
  },
})

describe('JSON merge patch (RFC 7386)', () => {
  it('merges objects, deletes on null, replaces arrays', () => {
    const out = mergePatch(deployment(), {
      metadata: { labels: { tier: 'x' }, annotations: null },
      spec: { replicas: 3, template: { spec: { tolerations: [] } } },
    })
    expect(out.metadata.labels).toEqual({ app: 'web', tier: 'x' })
    expect(out.metadata.annotations).toBeUndefined()
    expect(out.spec.replicas).toBe(3)
    expect(out.spec.template.spec.tolerations).toEqual([])
    expect(out.spec.template.spec.containers).toHaveLength(2)
  })

  it('does not modify its input', () => {
    const d = deployment()
    mergePatch(d, { spec: { replicas: 9 } })
    expect(d.spec.replicas).toBe(2)
  })
})

describe('strategic merge patch', () => {
  it('merges containers by name and keeps what the patch does not mention (kubectl apply image change)', () => {
    const out = strategicMergePatch(deployment(), {
      spec: {
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'app' }, { name: 'sidecar' }],
            containers: [{ image: 'nginx:1.27', name: 'app' }],
          },
        },
      },
    })
    const [app, sidecar] = out.spec.template.spec.containers
    expect(app.name).toBe('app')
    expect(app.image).toBe('nginx:1.27')
    expect(app.ports).toHaveLength(2)
    expect(app.env).toHaveLength(2)
    expect(sidecar).toEqual({ name: 'sidecar', image: 'busybox' })
    expect(JSON.stringify(out)).not.toContain('$setElementOrder')
  })

  it('merges ports by containerPort, env and volumes by name, volumeMounts by mountPath', () => {
    const out = strategicMergePatch(deployment(), {
      spec: {
        template: {
          spec: {
            containers: [
              {
                name: 'app',
                ports: [{ containerPort: 443, name: 'https' }, { containerPort: 8080 }],
                env: [{ name: 'B', value: 'two' }, { name: 'C', value: '3' }],
                volumeMounts: [{ mountPath: '/data', readOnly: true }],
              },
            ],
            volumes: [{ name: 'cache', emptyDir: {} }],
          },
        },
      },
    })
    const app = out.spec.template.spec.containers[0]
    expect(app.ports).toEqual([
      { containerPort: 80, protocol: 'TCP' },
      { containerPort: 443, protocol: 'TCP', name: 'https' },
      { containerPort: 8080 },
    ])
    expect(app.env).toEqual([
      { name: 'A', value: '1' },
      { name: 'B', value: 'two' },
      { name: 'C', value: '3' },
    ])
    expect(app.volumeMounts).toEqual([{ name: 'data', mountPath: '/data', readOnly: true }])
    expect(out.spec.template.spec.volumes.map((v: any) => v.name)).toEqual(['data', 'cache'])
  })

  it('replaces lists without a merge key (tolerations) and deletes keys set to null', () => {
    const out = strategicMergePatch(deployment(), {
      metadata: { annotations: { a: null, b: '2' } },
      spec: { template: { spec: { tolerations: [{ key: 'b', operator: 'Exists' }] } } },
    })
    expect(out.spec.template.spec.tolerations).toEqual([{ key: 'b', operator: 'Exists' }])
    expect(out.metadata.annotations).toEqual({ b: '2' })
  })

  it('honours $patch: delete in list elements and maps, and $patch: replace', () => {
    const out = strategicMergePatch(deployment(), {
      spec: {
        template: {
          spec: {
            containers: [{ name: 'sidecar', $patch: 'delete' }, { name: 'app', env: [{ name: 'A', $patch: 'delete' }] }],
            volumes: [{ $patch: 'replace' }, { name: 'only', emptyDir: {} }],
          },
          metadata: { labels: { $patch: 'replace', fresh: 'yes' } },
        },
      },
    })
    const spec = out.spec.template.spec
    expect(spec.containers.map((c: any) => c.name)).toEqual(['app'])
    expect(spec.containers[0].env).toEqual([{ name: 'B', value: '2' }])
    expect(spec.volumes).toEqual([{ name: 'only', emptyDir: {} }])
    expect(out.spec.template.metadata.labels).toEqual({ fresh: 'yes' })
    const gone = strategicMergePatch(deployment(), { metadata: { annotations: { $patch: 'delete' } } })
    expect(gone.metadata.annotations).toBeUndefined()
  })

  it('honours $retainKeys (strategy type change drops rollingUpdate)', () => {
    const base = { spec: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%' } } } }
    const out = strategicMergePatch(base, { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } })
    expect(out.spec.strategy).toEqual({ type: 'Recreate' })
  })

  it('reorders by $setElementOrder and merges finalizers as a set', () => {
    const out = strategicMergePatch(deployment(), {
      metadata: { finalizers: ['y', 'x'] },
      spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'sidecar' }, { name: 'app' }] } } },
    })
    expect(out.spec.template.spec.containers.map((c: any) => c.name)).toEqual(['sidecar', 'app'])
    expect(out.metadata.finalizers).toEqual(['x', 'y'])
    const removed = strategicMergePatch(out, { metadata: { '$deleteFromPrimitiveList/finalizers': ['x'] } })
    expect(removed.metadata.finalizers).toEqual(['y'])
  })

  it('merges Service ports by port', () => {
    const svc = { kind: 'Service', spec: { ports: [{ port: 80, targetPort: 8080, protocol: 'TCP' }] } }
    const out = strategicMergePatch(svc, { spec: { ports: [{ port: 80, targetPort: 9090 }, { port: 443 }] } }, 'Service')
    expect(out.spec.ports).toEqual([{ port: 80, targetPort: 9090, protocol: 'TCP' }, { port: 443 }])
  })

  it('rejects unknown $patch directives', () => {
    expect(() => strategicMergePatch({}, { spec: { $patch: 'explode' } })).toThrow(KubeStatusError)
  })
})

describe('JSON patch (RFC 6902)', () => {
  it('applies add, replace, remove, move, copy and test', () => {
    const out = jsonPatch(deployment(), [
      { op: 'test', path: '/spec/replicas', value: 2 },
      { op: 'replace', path: '/spec/replicas', value: 5 },
      { op: 'add', path: '/metadata/labels/tier', value: 'x' },
      { op: 'add', path: '/spec/template/spec/containers/0/env/-', value: { name: 'C', value: '3' } },
      { op: 'add', path: '/spec/template/spec/containers/0/env/0', value: { name: 'Z', value: '0' } },
      { op: 'remove', path: '/spec/template/spec/containers/1' },
      { op: 'copy', from: '/metadata/labels/app', path: '/metadata/annotations/copied' },
      { op: 'move', from: '/metadata/annotations/a', path: '/metadata/annotations/moved' },
      { op: 'add', path: '/metadata/annotations/kecs.dev~1arn', value: 'arn' },
    ])
    expect(out.spec.replicas).toBe(5)
    expect(out.metadata.labels.tier).toBe('x')
    expect(out.spec.template.spec.containers.map((c: any) => c.name)).toEqual(['app'])
    expect(out.spec.template.spec.containers[0].env.map((e: any) => e.name)).toEqual(['Z', 'A', 'B', 'C'])
    expect(out.metadata.annotations).toEqual({ copied: 'web', moved: '1', 'kecs.dev/arn': 'arn' })
  })

  it('fails a test op with 422 and a missing path with an error, leaving the input alone', () => {
    const d = deployment()
    try {
      jsonPatch(d, [
        { op: 'replace', path: '/spec/replicas', value: 7 },
        { op: 'test', path: '/spec/replicas', value: 2 },
      ])
      expect.unreachable()
    } catch (e) {
      expect((e as KubeStatusError).code).toBe(422)
    }
    expect(d.spec.replicas).toBe(2)
    expect(() => jsonPatch(d, [{ op: 'replace', path: '/spec/nothing/here', value: 1 }])).toThrow(KubeStatusError)
    expect(() => jsonPatch(d, { op: 'add' })).toThrow(KubeStatusError)
  })
})

describe('patch content types', () => {
  it('maps the four PATCH media types', () => {
    expect(patchTypeOf('application/json-patch+json')).toBe('json')
    expect(patchTypeOf('application/merge-patch+json; charset=utf-8')).toBe('merge')
    expect(patchTypeOf('application/strategic-merge-patch+json')).toBe('strategic')
    expect(patchTypeOf('application/apply-patch+yaml')).toBe('apply')
    expect(patchTypeOf('application/json')).toBeUndefined()
    expect(patchTypeOf(undefined)).toBeUndefined()
  })
})
