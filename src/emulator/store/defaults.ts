import type { KubeObject } from '../types.js'

/**
 * API defaulting, as the Kubernetes API server applies it to every object it decodes (create, update,
 * patch). kubectl describe and rollout read these fields (`Port: 80/TCP`, `StrategyType`), and clients
 * diffing objects expect them. Defaults only fill what is missing, so applying them twice is harmless.
 * Cluster IPs and node ports need allocators: the store does those (see object-store.ts).
 */
export function applyDefaults(obj: KubeObject): void {
  switch (obj.kind) {
    case 'Pod':
      obj.spec ??= {}
      defaultPodSpec(obj.spec)
      obj.spec.serviceAccountName ??= obj.spec.serviceAccount ?? 'default'
      obj.spec.serviceAccount ??= obj.spec.serviceAccountName
      obj.spec.priority ??= 0
      obj.spec.preemptionPolicy ??= 'PreemptLowerPriority'
      obj.spec.tolerations ??= [
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
        { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      ]
      break
    case 'Deployment': {
      const spec = (obj.spec ??= {})
      spec.replicas ??= 1
      spec.strategy ??= {}
      spec.strategy.type ??= 'RollingUpdate'
      if (spec.strategy.type === 'RollingUpdate') {
        spec.strategy.rollingUpdate ??= {}
        spec.strategy.rollingUpdate.maxUnavailable ??= '25%'
        spec.strategy.rollingUpdate.maxSurge ??= '25%'
      }
      spec.revisionHistoryLimit ??= 10
      spec.progressDeadlineSeconds ??= 600
      defaultWorkload(spec)
      break
    }
    case 'ReplicaSet': {
      const spec = (obj.spec ??= {})
      spec.replicas ??= 1
      defaultWorkload(spec)
      break
    }
    case 'DaemonSet': {
      const spec = (obj.spec ??= {})
      spec.updateStrategy ??= {}
      spec.updateStrategy.type ??= 'RollingUpdate'
      if (spec.updateStrategy.type === 'RollingUpdate') {
        spec.updateStrategy.rollingUpdate ??= {}
        spec.updateStrategy.rollingUpdate.maxUnavailable ??= 1
        spec.updateStrategy.rollingUpdate.maxSurge ??= 0
      }
      spec.revisionHistoryLimit ??= 10
      defaultWorkload(spec)
      break
    }
    case 'Service': {
      const spec = (obj.spec ??= {})
      spec.type ??= 'ClusterIP'
      spec.sessionAffinity ??= 'None'
      if (spec.type !== 'ExternalName') {
        spec.internalTrafficPolicy ??= 'Cluster'
        spec.ipFamilies ??= ['IPv4']
        spec.ipFamilyPolicy ??= 'SingleStack'
      }
      if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') spec.externalTrafficPolicy ??= 'Cluster'
      for (const p of spec.ports ?? []) {
        p.protocol ??= 'TCP'
        p.targetPort ??= p.port
      }
      obj.status ??= { loadBalancer: {} }
      break
    }
    case 'Endpoints':
      for (const s of obj.subsets ?? []) for (const p of s.ports ?? []) p.protocol ??= 'TCP'
      break
    case 'Namespace':
      obj.spec ??= {}
      obj.spec.finalizers ??= ['kubernetes']
      if (obj.metadata.name) {
        obj.metadata.labels = { ...(obj.metadata.labels ?? {}), 'kubernetes.io/metadata.name': obj.metadata.name }
      }
      obj.status ??= {}
      obj.status.phase ??= 'Active'
      break
    case 'Secret':
      obj.type ??= 'Opaque'
      if (obj.stringData && typeof obj.stringData === 'object') {
        obj.data = { ...(obj.data ?? {}) }
        for (const [k, v] of Object.entries(obj.stringData as Record<string, string>)) {
          obj.data[k] = Buffer.from(String(v), 'utf8').toString('base64')
        }
        delete obj.stringData
      }
      break
  }
}

function defaultWorkload(spec: any) {
  spec.template ??= {}
  spec.template.metadata ??= {}
  spec.template.spec ??= {}
  const labels = spec.template.metadata.labels
  if (!spec.selector && labels && Object.keys(labels).length > 0) spec.selector = { matchLabels: { ...labels } }
  defaultPodSpec(spec.template.spec)
}

export function defaultPodSpec(spec: any): void {
  spec.restartPolicy ??= 'Always'
  spec.terminationGracePeriodSeconds ??= 30
  spec.dnsPolicy ??= 'ClusterFirst'
  spec.schedulerName ??= 'default-scheduler'
  spec.securityContext ??= {}
  spec.enableServiceLinks ??= true
  for (const c of spec.initContainers ?? []) defaultContainer(c)
  for (const c of spec.containers ?? []) defaultContainer(c)
  for (const v of spec.volumes ?? []) {
    if (v.configMap) v.configMap.defaultMode ??= 420
    if (v.secret) v.secret.defaultMode ??= 420
    if (v.hostPath) v.hostPath.type ??= ''
    if (v.downwardAPI) v.downwardAPI.defaultMode ??= 420
    if (v.projected) v.projected.defaultMode ??= 420
  }
}

function defaultContainer(c: any) {
  c.terminationMessagePath ??= '/dev/termination-log'
  c.terminationMessagePolicy ??= 'File'
  if (typeof c.image === 'string') c.imagePullPolicy ??= imagePullPolicyFor(c.image)
  c.resources ??= {}
  for (const p of c.ports ?? []) p.protocol ??= 'TCP'
  for (const e of c.env ?? []) if (e.valueFrom?.fieldRef) e.valueFrom.fieldRef.apiVersion ??= 'v1'
  for (const probe of [c.livenessProbe, c.readinessProbe, c.startupProbe]) {
    if (!probe) continue
    probe.timeoutSeconds ??= 1
    probe.periodSeconds ??= 10
    probe.successThreshold ??= 1
    probe.failureThreshold ??= 3
    if (probe.httpGet) probe.httpGet.scheme ??= 'HTTP'
  }
}

/** `Always` for `:latest` or untagged images, `IfNotPresent` otherwise (digests count as tags). */
export function imagePullPolicyFor(image: string): 'Always' | 'IfNotPresent' {
  if (image.includes('@')) return 'IfNotPresent'
  const lastSegment = image.slice(image.lastIndexOf('/') + 1)
  const colon = lastSegment.lastIndexOf(':')
  if (colon < 0) return 'Always'
  return lastSegment.slice(colon + 1) === 'latest' ? 'Always' : 'IfNotPresent'
}

/** QoS class from requests and limits, as the API server reports it in pod status. */
export function qosClass(spec: any): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const containers: any[] = [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])]
  let any = false
  let guaranteed = containers.length > 0
  for (const c of containers) {
    const req = c.resources?.requests ?? {}
    const lim = c.resources?.limits ?? {}
    if (Object.keys(req).length || Object.keys(lim).length) any = true
    for (const r of ['cpu', 'memory']) {
      if (lim[r] === undefined) guaranteed = false
      else if (req[r] !== undefined && String(req[r]) !== String(lim[r])) guaranteed = false
    }
  }
  if (!any) return 'BestEffort'
  return guaranteed ? 'Guaranteed' : 'Burstable'
}
