import { describe, expect, it } from 'vitest'
import { decodeProtobufObject } from '../../src/emulator/apiserver/protobuf.js'
import { KubeStatusError } from '../../src/emulator/types.js'

/** A minimal protobuf writer for building kubectl-like bodies. */
const varint = (n: number | bigint): number[] => {
  let v = BigInt.asUintN(64, BigInt(n))
  const out: number[] = []
  do {
    let b = Number(v & 0x7fn)
    v >>= 7n
    if (v) b |= 0x80
    out.push(b)
  } while (v)
  return out
}
const bytesField = (num: number, data: number[] | string) => {
  const b = typeof data === 'string' ? [...Buffer.from(data)] : data
  return [...varint((num << 3) | 2), ...varint(b.length), ...b]
}
const intField = (num: number, n: number) => [...varint(num << 3), ...varint(n)]
const mapEntry = (num: number, k: string, v: string) => bytesField(num, [...bytesField(1, k), ...bytesField(2, v)])
const envelope = (apiVersion: string, kind: string, raw: number[]) =>
  Buffer.from([0x6b, 0x38, 0x73, 0x00, ...bytesField(1, [...bytesField(1, apiVersion), ...bytesField(2, kind)]), ...bytesField(2, raw), ...bytesField(3, ''), ...bytesField(4, '')])

// ObjectMeta as Go encodes it: every non-pointer field, empty or not.
const meta = (name: string, labels: Record<string, string> = {}) => [
  ...bytesField(1, name),
  ...bytesField(2, ''),
  ...bytesField(3, ''),
  ...bytesField(4, ''),
  ...bytesField(5, ''),
  ...bytesField(6, ''),
  ...intField(7, 0),
  ...bytesField(8, []),
  ...Object.entries(labels).flatMap(([k, v]) => mapEntry(11, k, v)),
]

describe('protobuf request bodies', () => {
  it('decodes a Secret, turning bytes into base64 and dropping empty fields', () => {
    const raw = [...bytesField(1, meta('s1')), ...mapEntry(2, 'k', 'v'), ...bytesField(3, 'Opaque')]
    expect(decodeProtobufObject(envelope('v1', 'Secret', raw))).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's1' },
      data: { k: 'dg==' },
      type: 'Opaque',
    })
  })

  it('decodes a Deployment: pointers keep zero, int-or-string ports, nested pod template', () => {
    const container = [...bytesField(1, 'web'), ...bytesField(2, 'nginx:1.27'), ...bytesField(6, [...intField(3, 80), ...bytesField(4, '')]), ...bytesField(8, [])]
    const template = [...bytesField(1, meta('', { app: 'x' })), ...bytesField(2, [...bytesField(2, container), ...bytesField(3, '')])]
    const spec = [
      ...intField(1, 0), // replicas: a pointer, so an explicit 0 stays
      ...bytesField(2, mapEntry(1, 'app', 'x')),
      ...bytesField(3, template),
      ...bytesField(4, [...bytesField(1, 'RollingUpdate'), ...bytesField(2, [...bytesField(1, [...intField(1, 1), ...bytesField(3, '30%')])])]),
      ...intField(5, 0),
    ]
    const out = decodeProtobufObject(envelope('apps/v1', 'Deployment', [...bytesField(1, meta('x', { app: 'x' })), ...bytesField(2, spec), ...bytesField(3, intField(1, 0))]))
    expect(out).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'x', labels: { app: 'x' } },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: 'x' } },
        template: {
          metadata: { labels: { app: 'x' } },
          spec: { containers: [{ name: 'web', image: 'nginx:1.27', ports: [{ containerPort: 80 }], resources: {} }] },
        },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '30%' } },
      },
      status: {},
    })
  })

  it('refuses kinds and non-empty fields it cannot decode (415), and garbage (400)', () => {
    expect(() => decodeProtobufObject(envelope('batch/v1', 'Job', []))).toThrow(KubeStatusError)
    try {
      decodeProtobufObject(envelope('v1', 'ConfigMap', [...bytesField(1, meta('c')), ...bytesField(99, 'surprise')]))
      expect.unreachable()
    } catch (e) {
      expect((e as KubeStatusError).code).toBe(415)
      expect((e as KubeStatusError).message).toContain('field 99 of ConfigMap')
    }
    expect(decodeProtobufObject(envelope('v1', 'ConfigMap', [...bytesField(1, meta('c')), ...bytesField(99, '')]))).toMatchObject({ metadata: { name: 'c' } })
    expect(() => decodeProtobufObject(Buffer.from('{"kind":"ConfigMap"}'))).toThrow(/k8s protobuf prefix/)
  })
})
