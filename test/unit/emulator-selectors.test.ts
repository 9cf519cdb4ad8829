import { describe, expect, it } from 'vitest'
import {
  compileFilter,
  labelSelectorToString,
  matchesLabelSelector,
  matchRequirements,
  parseFieldSelector,
  parseLabelSelector,
} from '../../src/emulator/selectors.js'
import { KubeStatusError, type KubeObject } from '../../src/emulator/types.js'

const labels = { app: 'web', tier: 'front', 'kecs.dev/cluster': 'c1' }
const matches = (sel: string, l: Record<string, string> = labels) => matchRequirements(parseLabelSelector(sel), l)

describe('label selectors', () => {
  it('matches equality forms =, == and !=', () => {
    expect(matches('app=web')).toBe(true)
    expect(matches('app==web')).toBe(true)
    expect(matches('app=db')).toBe(false)
    expect(matches('app!=db')).toBe(true)
    expect(matches('app!=web')).toBe(false)
    // != also matches objects without the label, as in Kubernetes
    expect(matches('missing!=x')).toBe(true)
    expect(matches('app=web,tier=front')).toBe(true)
    expect(matches('app=web,tier=back')).toBe(false)
  })

  it('matches set-based in, notin, exists and !exists', () => {
    expect(matches('tier in (front, back)')).toBe(true)
    expect(matches('tier in (back)')).toBe(false)
    expect(matches('tier notin (back,db)')).toBe(true)
    expect(matches('tier notin (front)')).toBe(false)
    expect(matches('missing notin (x)')).toBe(true)
    expect(matches('missing in (x)')).toBe(false)
    expect(matches('app')).toBe(true)
    expect(matches('missing')).toBe(false)
    expect(matches('!missing')).toBe(true)
    expect(matches('!app')).toBe(false)
    expect(matches('kecs.dev/cluster=c1, app in (web),!gone')).toBe(true)
  })

  it('treats an empty selector as matching everything', () => {
    expect(matches('')).toBe(true)
    expect(matches('  ', {})).toBe(true)
  })

  it('rejects malformed selectors with 400 BadRequest', () => {
    for (const bad of ['app in', 'app in ()', 'app ~ x', '=x', 'a in (x']) {
      try {
        parseLabelSelector(bad)
        expect.unreachable(`"${bad}" should not parse`)
      } catch (e) {
        expect(e).toBeInstanceOf(KubeStatusError)
        expect((e as KubeStatusError).code).toBe(400)
      }
    }
  })

  it('handles structured LabelSelectors and prints them like kubectl', () => {
    const sel = {
      matchLabels: { app: 'web' },
      matchExpressions: [
        { key: 'tier', operator: 'In', values: ['front', 'back'] },
        { key: 'gone', operator: 'DoesNotExist' },
      ],
    }
    expect(matchesLabelSelector(sel, labels)).toBe(true)
    expect(matchesLabelSelector(sel, { app: 'web', tier: 'db' })).toBe(false)
    expect(matchesLabelSelector(undefined, {})).toBe(true)
    expect(labelSelectorToString(sel)).toBe('app=web,tier in (back,front),!gone')
    expect(labelSelectorToString({ matchLabels: { app: 'x' } })).toBe('app=x')
  })
})

describe('field selectors', () => {
  const pod: KubeObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web-1', namespace: 'default', labels },
    spec: { nodeName: 'node-a' },
    status: { phase: 'Running' },
  }
  const event: KubeObject = {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: 'e1', namespace: 'default' },
    involvedObject: { kind: 'Pod', name: 'web-1', namespace: 'default', uid: 'u-1' },
  }

  it('parses equality and inequality on dotted paths', () => {
    expect(parseFieldSelector('metadata.name=x,status.phase!=Running,spec.nodeName==n')).toEqual([
      { field: 'metadata.name', op: 'eq', value: 'x' },
      { field: 'status.phase', op: 'neq', value: 'Running' },
      { field: 'spec.nodeName', op: 'eq', value: 'n' },
    ])
    expect(() => parseFieldSelector('metadata.name')).toThrow(KubeStatusError)
  })

  it('filters on metadata, status, spec and involvedObject fields', () => {
    expect(compileFilter(undefined, 'metadata.name=web-1')(pod)).toBe(true)
    expect(compileFilter(undefined, 'metadata.namespace=other')(pod)).toBe(false)
    expect(compileFilter(undefined, 'status.phase=Running,spec.nodeName=node-a')(pod)).toBe(true)
    expect(compileFilter(undefined, 'status.phase!=Running')(pod)).toBe(false)
    expect(compileFilter(undefined, 'spec.nodeName=')(pod)).toBe(false)
    expect(compileFilter('app=web', 'metadata.name=web-1')(pod)).toBe(true)
    expect(compileFilter('app=db', 'metadata.name=web-1')(pod)).toBe(false)
    expect(
      compileFilter(undefined, 'involvedObject.name=web-1,involvedObject.namespace=default,involvedObject.uid=u-1')(event),
    ).toBe(true)
    expect(compileFilter(undefined, 'involvedObject.uid=other')(event)).toBe(false)
  })
})
