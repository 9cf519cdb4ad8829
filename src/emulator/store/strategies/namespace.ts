import { KubeStatusError } from '../../types.js'
import { strategy } from '../strategy.js'
import { checkDns1123Label } from '../validation/names.js'

const UNDELETABLE_NAMESPACES = new Set(['default', 'kube-system', 'kube-public'])

/** Namespaces: DNS-1123 label names; deleting one terminates it (see namespace-lifecycle.ts). */
export const namespaceStrategy = strategy('Namespace', {
  nameRule: checkDns1123Label,
  defaults(obj) {
    obj.spec ??= {}
    obj.spec.finalizers ??= ['kubernetes']
    if (obj.metadata.name) {
      obj.metadata.labels = { ...(obj.metadata.labels ?? {}), 'kubernetes.io/metadata.name': obj.metadata.name }
    }
    obj.status ??= {}
    obj.status.phase ??= 'Active'
  },
  companions(obj) {
    const sa = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: obj.metadata.name } }
    return [{ resource: 'serviceaccounts', object: sa }]
  },
  checkDelete(obj) {
    const name = obj.metadata.name!
    if (UNDELETABLE_NAMESPACES.has(name)) {
      throw new KubeStatusError(403, 'Forbidden', `namespaces "${name}" is forbidden: this namespace may not be deleted`, { name, kind: 'namespaces' })
    }
  },
  terminates: true,
  // The namespace goes when its contents have, not when its finalizers are emptied.
  removeWhenFinalized() {
    return false
  },
})
