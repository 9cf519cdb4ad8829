import os from 'node:os'
import { createHash } from 'node:crypto'
import type { KubeObject, ObjectStore } from '../types.js'
import type { Timers } from '../../lib/timers.js'
import type { EventRecorder } from './event-recorder.js'
import { k8sTime, patchObject, statusCode } from './objects.js'

export const DEFAULT_NODE_NAME = 'kecs-node'
export const NODE_IP = '127.0.0.1'
export const POD_CIDR = '10.244.0.0/16'
export const KUBELET_VERSION = 'v1.32.0'

const goArch = () => ({ x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386' })[process.arch as string] ?? process.arch
const idOf = (name: string, salt: string) => createHash('sha256').update(`${salt}:${name}`).digest('hex').slice(0, 32)

/** The node status the simulated kubelet posts: capacity from this machine, always Ready. */
export function nodeStatus(name: string, now: number, prev?: any): any {
  const cpu = String(Math.max(1, os.cpus().length))
  const memKi = Math.floor(os.totalmem() / 1024)
  const since = (type: string, status: string) => {
    const p = prev?.conditions?.find((c: any) => c.type === type)
    return p && p.status === status ? p.lastTransitionTime : k8sTime(now)
  }
  const cond = (type: string, status: string, reason: string, message: string) => ({
    type,
    status,
    lastHeartbeatTime: k8sTime(now),
    lastTransitionTime: since(type, status),
    reason,
    message,
  })
  return {
    ...(prev ?? {}),
    capacity: { cpu, memory: `${memKi}Ki`, pods: '110', 'ephemeral-storage': '104857600Ki', 'hugepages-2Mi': '0' },
    allocatable: {
      cpu,
      memory: `${Math.max(0, memKi - 102400)}Ki`,
      pods: '110',
      'ephemeral-storage': '96636764Ki',
      'hugepages-2Mi': '0',
    },
    conditions: [
      cond('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
      cond('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
      cond('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
      cond('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
    ],
    addresses: [
      { type: 'InternalIP', address: NODE_IP },
      { type: 'Hostname', address: name },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
    nodeInfo: {
      machineID: idOf(name, 'machine'),
      systemUUID: idOf(name, 'system'),
      bootID: idOf(name, `boot-${now}`),
      kernelVersion: os.release(),
      osImage: 'KECS emulated node (simulated kubelet)',
      containerRuntimeVersion: 'kecs-sim://0.1.0',
      kubeletVersion: KUBELET_VERSION,
      kubeProxyVersion: KUBELET_VERSION,
      operatingSystem: 'linux',
      architecture: goArch(),
    },
    images: prev?.images ?? [],
  }
}

export function nodeObject(name: string, now: number): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: {
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': goArch(),
        'beta.kubernetes.io/os': 'linux',
        'beta.kubernetes.io/arch': goArch(),
        'node-role.kubernetes.io/control-plane': '',
        'kecs.dev/emulated': 'true',
      },
      annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' },
    },
    spec: { podCIDR: POD_CIDR, podCIDRs: [POD_CIDR], providerID: `kecs://${name}` },
    status: nodeStatus(name, now),
  }
}

/** Registers the node (or refreshes its status after a restart), like a kubelet starting up. */
export async function ensureNode(store: ObjectStore, name: string, timers: Timers, recorder: EventRecorder): Promise<KubeObject> {
  const now = timers.now()
  let node = store.get('nodes', undefined, name)
  if (!node) {
    try {
      node = await store.create('nodes', nodeObject(name, now))
    } catch (err) {
      if (statusCode(err) !== 409) throw err
    }
  }
  node = (await patchObject(store, 'nodes', undefined, name, (n) => {
    n.status = nodeStatus(name, now, n.status)
    n.spec = { podCIDR: POD_CIDR, podCIDRs: [POD_CIDR], providerID: `kecs://${name}`, ...(n.spec ?? {}) }
  })) ?? node
  if (node) {
    const host = name
    recorder.record(node, { reason: 'Starting', message: 'Starting kubelet.', component: 'kubelet', host })
    recorder.record(node, { reason: 'NodeReady', message: `Node ${name} status is now: NodeReady`, component: 'kubelet', host })
  }
  return node!
}

/** The kubelet's periodic node status report (lastHeartbeatTime), every 5 minutes as nodeStatusReportFrequency. */
export const NODE_HEARTBEAT_MS = 5 * 60 * 1000

export async function heartbeatNode(store: ObjectStore, name: string, timers: Timers): Promise<void> {
  await patchObject(store, 'nodes', undefined, name, (n) => {
    n.status = nodeStatus(name, timers.now(), n.status)
  })
}

export const nodeIsReady = (n: KubeObject) =>
  (n.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True')

export const nodeInternalIP = (n: KubeObject | undefined) =>
  (n?.status?.addresses ?? []).find((a: any) => a.type === 'InternalIP')?.address ?? NODE_IP
