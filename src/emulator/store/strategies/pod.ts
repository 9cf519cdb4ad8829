import { deepEqual } from '../../patch.js'
import type { KubeObject } from '../../types.js'
import { strategy } from '../strategy.js'
import { forbidden } from '../validation/causes.js'
import { checkMetadata } from '../validation/names.js'
import { checkPodSpec } from '../validation/pod-spec.js'
import { defaultPodSpec, qosClass } from './pod-defaults.js'

const POD_UPDATE_FORBIDDEN =
  'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)'

export const podStrategy = strategy('Pod', {
  defaults(obj) {
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
  },
  prepareForCreate(obj) {
    obj.status = { phase: 'Pending', qosClass: qosClass(obj.spec), ...(obj.status ?? {}) }
  },
  validate(obj) {
    return [...checkMetadata(obj, this.nameRule), ...checkPodSpec('spec', obj.spec)]
  },
  validateUpdate(obj, old) {
    return podSpecUpdateAllowed(obj.spec, old.spec) ? [] : [forbidden('spec', POD_UPDATE_FORBIDDEN)]
  },
  gracePeriod(old, opts) {
    const phase = old.status?.phase
    // Unscheduled and finished pods have nothing to stop: they go at once, as in Kubernetes.
    if (!old.spec?.nodeName || phase === 'Succeeded' || phase === 'Failed') return 0
    return opts.gracePeriodSeconds ?? old.spec?.terminationGracePeriodSeconds ?? 30
  },
  // A terminating pod goes when the kubelet removes it, or at once when deleted with grace 0.
  removeWhenFinalized(obj: KubeObject) {
    return obj.metadata.deletionGracePeriodSeconds === 0
  },
})

/** Pod spec updates may change images, activeDeadlineSeconds, tolerations, the grace period, and bind an unset nodeName. */
function podSpecUpdateAllowed(spec: any, old: any): boolean {
  if (!spec || !old) return true
  const strip = (s: any, ref: any) => {
    const c = structuredClone(s)
    delete c.activeDeadlineSeconds
    delete c.tolerations
    delete c.terminationGracePeriodSeconds
    if (!ref.nodeName) delete c.nodeName
    for (const list of ['containers', 'initContainers']) for (const ctr of c[list] ?? []) delete ctr.image
    return c
  }
  return deepEqual(strip(spec, old), strip(old, old))
}
