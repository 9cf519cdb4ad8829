import type { KubeObject, ObjectStore } from '../types.js'
import type { ShellContext } from './shell.js'

/**
 * What a simulated container's shell sees: its environment as the kubelet builds it from the pod
 * spec (envFrom, then env; `$(VAR)` expanded, `$$` → `$`; secretKeyRef, configMapKeyRef and the
 * downward API resolved from the store) and the files the emulator knows (/etc/hostname,
 * /etc/hosts, /etc/resolv.conf, and the keys of Secret and ConfigMap volumes at their mounts).
 */
export function execContext(pod: KubeObject, containerName: string, objects: Pick<ObjectStore, 'get'>): ShellContext {
  const ns = pod.metadata.namespace ?? 'default'
  const spec = (pod.spec ?? {}) as PodSpec
  const c = [...(spec.containers ?? []), ...(spec.initContainers ?? [])].find((x) => x.name === containerName)
  const hostname = pod.metadata.name ?? ''
  const podIP = (pod.status as { podIP?: string } | undefined)?.podIP ?? ''
  const env = new Map<string, string>([
    ['PATH', '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
    ['HOSTNAME', hostname],
  ])
  const dataOf = (kind: 'secrets' | 'configmaps', name: string): Record<string, string> | undefined => {
    const o = objects.get(kind, ns, name) as { data?: Record<string, string>; stringData?: Record<string, string> } | undefined
    if (!o) return undefined
    if (kind === 'configmaps') return o.data ?? {}
    const out: Record<string, string> = { ...(o.stringData ?? {}) }
    for (const [k, v] of Object.entries(o.data ?? {})) out[k] = Buffer.from(v, 'base64').toString('utf8')
    return out
  }
  for (const from of c?.envFrom ?? []) {
    const data = from.secretRef ? dataOf('secrets', from.secretRef.name) : from.configMapRef ? dataOf('configmaps', from.configMapRef.name) : undefined
    for (const [k, v] of Object.entries(data ?? {})) env.set(`${from.prefix ?? ''}${k}`, v)
  }
  for (const e of c?.env ?? []) {
    let value: string | undefined
    if (e.value !== undefined) value = expand(e.value, env)
    else if (e.valueFrom?.secretKeyRef) value = dataOf('secrets', e.valueFrom.secretKeyRef.name)?.[e.valueFrom.secretKeyRef.key]
    else if (e.valueFrom?.configMapKeyRef) value = dataOf('configmaps', e.valueFrom.configMapKeyRef.name)?.[e.valueFrom.configMapKeyRef.key]
    else if (e.valueFrom?.fieldRef) value = fieldOf(pod, e.valueFrom.fieldRef.fieldPath, podIP)
    else value = ''
    if (value !== undefined) env.set(e.name, value)
  }
  env.set('HOME', env.get('HOME') ?? '/root')

  const files = new Map<string, string>([
    ['/etc/hostname', `${hostname}\n`],
    ['/etc/hosts', `127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n${podIP ? `${podIP}\t${hostname}\n` : ''}`],
    ['/etc/resolv.conf', `search ${ns}.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n`],
  ])
  for (const m of c?.volumeMounts ?? []) {
    const v = spec.volumes?.find((x) => x.name === m.name)
    const data = v?.secret ? dataOf('secrets', v.secret.secretName ?? '') : v?.configMap ? dataOf('configmaps', v.configMap.name ?? '') : undefined
    if (!data) continue
    const base = m.mountPath.replace(/\/+$/, '')
    if (m.subPath) {
      if (data[m.subPath] !== undefined) files.set(base, data[m.subPath]!)
      continue
    }
    for (const [k, content] of Object.entries(data)) files.set(`${base}/${k}`, content)
  }
  return { env, files, hostname }
}

/** The kubelet's `$(VAR)` expansion: defined variables are replaced, `$$` is a literal `$`, others stay. */
export function expand(s: string, env: Map<string, string>): string {
  return s.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (m, name: string | undefined) => {
    if (m === '$$') return '$'
    return env.has(name!) ? env.get(name!)! : m
  })
}

function fieldOf(pod: KubeObject, path: string, podIP: string): string | undefined {
  switch (path) {
    case 'metadata.name':
      return pod.metadata.name
    case 'metadata.namespace':
      return pod.metadata.namespace
    case 'metadata.uid':
      return pod.metadata.uid
    case 'status.podIP':
      return podIP
    case 'spec.nodeName':
      return (pod.spec as PodSpec | undefined)?.nodeName
  }
  const label = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path)
  if (label) return (label[1] === 'labels' ? pod.metadata.labels : pod.metadata.annotations)?.[label[2]!]
  return undefined
}

interface PodSpec {
  nodeName?: string
  containers?: Container[]
  initContainers?: Container[]
  volumes?: { name: string; secret?: { secretName?: string }; configMap?: { name?: string } }[]
}

interface Container {
  name: string
  env?: {
    name: string
    value?: string
    valueFrom?: {
      secretKeyRef?: { name: string; key: string }
      configMapKeyRef?: { name: string; key: string }
      fieldRef?: { fieldPath: string }
    }
  }[]
  envFrom?: { prefix?: string; secretRef?: { name: string }; configMapRef?: { name: string } }[]
  volumeMounts?: { name: string; mountPath: string; subPath?: string }[]
}
