import { deepEqual } from '../../patch.js'
import type { KubeObject } from '../../types.js'
import { strategy } from '../strategy.js'
import { forbidden, type Cause } from '../validation/causes.js'

/** Secrets and config maps: data that may be made immutable. */
function dataImmutable(obj: KubeObject, old: KubeObject): Cause[] {
  if (old.immutable === true && (!deepEqual(obj.data, old.data) || !deepEqual(obj.binaryData, old.binaryData))) {
    return [forbidden('data', 'field is immutable when `immutable` is set')]
  }
  return []
}

export const secretStrategy = strategy('Secret', {
  defaults(obj) {
    obj.type ??= 'Opaque'
    if (obj.stringData && typeof obj.stringData === 'object') {
      obj.data = { ...(obj.data ?? {}) }
      for (const [k, v] of Object.entries(obj.stringData as Record<string, string>)) {
        obj.data[k] = Buffer.from(String(v), 'utf8').toString('base64')
      }
      delete obj.stringData
    }
  },
  validateUpdate: dataImmutable,
})

export const configMapStrategy = strategy('ConfigMap', { validateUpdate: dataImmutable })
