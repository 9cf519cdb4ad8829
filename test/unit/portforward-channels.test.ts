import type { V1Pod } from '@kubernetes/client-node'
import { describe, expect, it } from 'vitest'
import { containerForPort, responseLine } from '../../src/emulator/apiserver/container-ports.js'
import {
  channelFrame,
  dataChannel,
  errorChannel,
  parseChannelFrame,
  parsePorts,
  pickProtocol,
  portPreamble,
} from '../../src/emulator/apiserver/ws-channels.js'
import type { KubeObject } from '../../src/emulator/types.js'
import { readyOffers } from '../../src/kube/host-ports.js'

/** The port-forward wire (channel framing as client-node 1.4.0 reads it) and who offers which port. */
describe('channel framing', () => {
  it('a frame is the channel byte then the payload', () => {
    expect([...channelFrame(0, Buffer.from('hi'))]).toEqual([0, 0x68, 0x69])
    expect([...channelFrame(3, 'é')]).toEqual([3, 0xc3, 0xa9])
    expect([...channelFrame(5)]).toEqual([5])
    expect(() => channelFrame(256, 'x')).toThrow(RangeError)
  })

  it('parses a frame back; an empty message has no channel', () => {
    expect(parseChannelFrame(Buffer.from([2, 1, 2, 3]))).toEqual({ channel: 2, payload: Buffer.from([1, 2, 3]) })
    expect(parseChannelFrame(new Uint8Array([1]))).toEqual({ channel: 1, payload: Buffer.alloc(0) })
    expect(parseChannelFrame(Buffer.alloc(0))).toBeUndefined()
  })

  it('the first frame of each channel is the port, 2 bytes little-endian (what client-node strips)', () => {
    expect([...portPreamble(0, 80)]).toEqual([0, 80, 0])
    expect([...portPreamble(1, 8080)]).toEqual([1, 0x90, 0x1f])
    expect([...portPreamble(3, 65535)]).toEqual([3, 0xff, 0xff])
  })

  it('port i uses data channel 2i and error channel 2i+1', () => {
    expect([dataChannel(0), errorChannel(0), dataChannel(1), errorChannel(1)]).toEqual([0, 1, 2, 3])
  })

  it("picks the client's first protocol we serve, as wsstream does: v4 for client-node's list", () => {
    const clientNode = ['v5.channel.k8s.io', 'v4.channel.k8s.io', 'v3.channel.k8s.io', 'v2.channel.k8s.io', 'channel.k8s.io']
    expect(pickProtocol(clientNode)).toBe('v4.channel.k8s.io')
    expect(pickProtocol([])).toBe('')
    expect(pickProtocol(['SPDY/3.1+portforward.k8s.io'])).toBeUndefined()
  })

  it('reads ports as the API server and kubelet do', () => {
    expect(parsePorts(new URLSearchParams('ports=80'))).toEqual([80])
    expect(parsePorts(new URLSearchParams('ports=80,443&ports=8080'))).toEqual([80, 443, 8080])
    expect(parsePorts(new URLSearchParams('port=9000'))).toEqual([9000])
    expect(() => parsePorts(new URLSearchParams(''))).toThrow('query parameter "port" is required')
    expect(() => parsePorts(new URLSearchParams('ports='))).toThrow('cannot be empty')
    expect(() => parsePorts(new URLSearchParams('ports=http'))).toThrow('unable to parse "http" as a port')
    expect(() => parsePorts(new URLSearchParams('ports=70000'))).toThrow('unable to parse')
    expect(() => parsePorts(new URLSearchParams('ports=0'))).toThrow('port "0" must be > 0')
  })
})

const running = (name: string, ready = true) => ({ name, ready, state: { running: { startedAt: '2026-01-01T00:00:00Z' } } })

describe('which container answers a port (emulator)', () => {
  const pod = (statuses: object[], extra: object = {}): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'ns', uid: 'u' },
    spec: {
      initContainers: [{ name: 'proxy', restartPolicy: 'Always', ports: [{ containerPort: 15001 }] }, { name: 'setup', ports: [{ containerPort: 7 }] }],
      containers: [{ name: 'web', ports: [{ containerPort: 80 }, { containerPort: 53, protocol: 'UDP' }] }, { name: 'worker' }],
      ...extra,
    },
    status: { phase: 'Running', containerStatuses: statuses.filter((s: any) => s.name !== 'proxy'), initContainerStatuses: statuses.filter((s: any) => s.name === 'proxy') },
  })

  it('a running, ready container answers its declared TCP ports; sidecars too', () => {
    const p = pod([running('web'), running('worker'), running('proxy')])
    expect(containerForPort(p, 80)).toEqual({ target: { namespace: 'ns', pod: 'p', uid: 'u', container: 'web', port: 80 } })
    expect(containerForPort(p, 15001)).toMatchObject({ target: { container: 'proxy' } })
  })

  it('refuses undeclared, UDP and init-only ports, and containers not running or not ready', () => {
    const p = pod([running('web', false), { name: 'worker', ready: false, state: { waiting: {} } }])
    expect(containerForPort(p, 81)).toEqual({ refused: 'no container of the pod declares TCP containerPort 81' })
    expect(containerForPort(p, 53)).toEqual({ refused: 'no container of the pod declares TCP containerPort 53' })
    expect(containerForPort(p, 7)).toEqual({ refused: 'no container of the pod declares TCP containerPort 7' })
    expect(containerForPort(p, 80)).toEqual({ refused: 'container web is not ready' })
    expect(containerForPort(pod([{ name: 'web', state: { terminated: { exitCode: 0 } } }]), 80)).toEqual({ refused: 'container web is not running' })
  })

  it('the answer names container, pod, port and the request', () => {
    expect(responseLine({ namespace: 'ns', pod: 'p', uid: 'u', container: 'web', port: 80 }, { method: 'POST', url: '/x' })).toBe(
      'kecs emulated container web (pod p) port 80: POST /x\n',
    )
  })
})

describe('host ports a task pod offers (KECS)', () => {
  const hostPorts = [
    { container: 'web', containerPort: 80, hostPort: 8080, protocol: 'tcp' },
    { container: 'web', containerPort: 81, hostPort: 0, protocol: 'tcp' },
    { container: 'dns', containerPort: 53, hostPort: 5353, protocol: 'udp' },
    { container: 'admin', containerPort: 9000, hostPort: 9000, protocol: 'tcp' },
  ]
  const pod = (over: { statuses?: object[]; deleting?: boolean; phase?: string; annotations?: Record<string, string> } = {}): V1Pod => ({
    metadata: {
      name: 'abc',
      namespace: 'kecs-c',
      deletionTimestamp: over.deleting ? (new Date() as any) : undefined,
      annotations: { 'kecs.dev/host-ports': JSON.stringify(hostPorts), 'kecs.dev/group': 'service:web', ...over.annotations },
    },
    status: { phase: over.phase ?? 'Running', containerStatuses: (over.statuses ?? [running('web'), running('dns'), running('admin', false)]) as any },
  })

  it('static TCP ports of running, ready containers, owned by cluster namespace + task group', () => {
    expect(readyOffers(pod())).toEqual([
      expect.objectContaining({ namespace: 'kecs-c', pod: 'abc', container: 'web', containerPort: 80, hostPort: 8080, owner: 'kecs-c/service:web' }),
    ])
  })

  it('nothing while the pod is not Running, is terminating, or has no (valid) annotation', () => {
    expect(readyOffers(pod({ phase: 'Pending' }))).toEqual([])
    expect(readyOffers(pod({ deleting: true }))).toEqual([])
    expect(readyOffers(pod({ annotations: { 'kecs.dev/host-ports': 'not json' } }))).toEqual([])
    expect(readyOffers({ metadata: { name: 'x' }, status: { phase: 'Running' } })).toEqual([])
  })
})
