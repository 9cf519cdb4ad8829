import { describe, expect, it } from 'vitest'
import { unknownFields } from '../../src/emulator/store/validation/unknown-fields.js'
import { expectAdmitted } from './convert-golden.js'

/** The golden check itself: it must fail on what a real API server refuses or drops. */
const pod = (container: Record<string, unknown>) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web', namespace: 'kecs-default', labels: { app: 'web' } },
  spec: { containers: [{ name: 'app', image: 'nginx:1.27', ...container }] },
})

describe('golden check', () => {
  it('passes what a real API server keeps whole', () => {
    expectAdmitted('ok', { pod: pod({ ports: [{ containerPort: 80 }], env: [{ name: 'A', value: '1' }] }), ignored: [] })
    expect(unknownFields(pod({ resources: { limits: { cpu: '1' } } }))).toEqual([])
  })

  it('names undeclared fields, at any depth, in maps and lists', () => {
    const p = { ...pod({ ports: [{ containerPort: 80, hostPortRange: '1-2' }] }), extra: 1 }
    expect(unknownFields(p)).toEqual(['spec.containers[0].ports[0].hostPortRange', 'extra'])
    const d = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'w' }, spec: { template: { spec: { containers: [], nodeSelector: { a: 'b' }, bogus: {} } } } }
    expect(unknownFields(d)).toEqual(['spec.template.spec.bogus'])
  })

  it('fails on refused and dropped objects', () => {
    expect(() => expectAdmitted('bad', { pod: pod({ name: 'App' }) })).toThrow(/spec\.containers\[0\]\.name: Invalid value: "App"/)
    expect(() => expectAdmitted('dropped', { pod: pod({ healthCheck: {} }) })).toThrow(/unknown field "spec\.containers\[0\]\.healthCheck"/)
  })
})
