import { createHash } from 'node:crypto'
import type { ObjectStore } from '../types.js'
import type { PodRuntime } from './runtime.js'
import { normalizeImage } from './simulate.js'

/** What the simulated kubelet reports about a container: image digests and sizes, its command line, its environment, a failed probe. */

/** A stable digest per image reference, in the form containerd reports (repo@sha256:...). */
export function imageID(image: string): string {
  const ref = normalizeImage(image)
  const repo = ref.includes('@') ? ref.slice(0, ref.indexOf('@')) : ref.slice(0, ref.lastIndexOf(':'))
  return `${repo}@sha256:${createHash('sha256').update(ref).digest('hex')}`
}

export const imageSize = (image: string) =>
  5_000_000 + (createHash('sha256').update(normalizeImage(image)).digest().readUInt32BE(0) % 200_000_000)

export function commandLine(spec: any): string {
  const q = (a: string) => (a === '' || /[\s"'$`\\]/.test(a) ? JSON.stringify(a) : a)
  const args: string[] = (spec.args ?? []).map(String)
  if (!spec.command?.length) return ['(image entrypoint)', ...args.map(q)].join(' ')
  return [...spec.command.map(String), ...args].map(q).join(' ')
}

/** The names (never the values) of a container's environment, envFrom keys resolved where the object exists. */
export function envNames(store: ObjectStore, rt: PodRuntime, spec: any): string {
  const names: string[] = (spec.env ?? []).map((e: any) => e.name)
  for (const from of spec.envFrom ?? []) {
    const ref = from.configMapRef ?? from.secretRef
    if (!ref?.name) continue
    const resource = from.configMapRef ? 'configmaps' : 'secrets'
    const obj = store.type(resource) ? store.get(resource, rt.namespace, ref.name) : undefined
    const keys = Object.keys({ ...(obj?.data ?? {}), ...(obj?.stringData ?? {}) })
    if (keys.length) names.push(...keys.map((k) => `${from.prefix ?? ''}${k}`))
    else names.push(`(all keys of ${resource === 'secrets' ? 'secret' : 'configmap'} ${ref.name})`)
  }
  return names.length ? names.join(', ') : '(none)'
}

/** The message of a failed probe, as the kubelet words it per probe handler. */
export function probeFailure(probe: any, rt: PodRuntime): string {
  if (probe?.httpGet) return 'HTTP probe failed with statuscode: 503'
  if (probe?.tcpSocket) return `dial tcp ${rt.podIP ?? '127.0.0.1'}:${probe.tcpSocket.port}: connect: connection refused`
  if (probe?.grpc) return `timeout: failed to connect service ":${probe.grpc.port}" within 1s`
  const cmd: string[] = probe?.exec?.command ?? []
  return `command "${cmd.join(' ')}" exited with code 1 (simulated: kecs.simulate.unhealthy)`
}
