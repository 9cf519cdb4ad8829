import { deepEqual } from '../../patch.js'
import { labelSelectorRequirements, matchRequirements } from '../../selectors.js'
import type { KubeObject } from '../../types.js'
import { strategy } from '../strategy.js'
import { invalid, required, type Cause } from '../validation/causes.js'
import { checkLabels, checkMetadata } from '../validation/names.js'
import { checkPodSpec } from '../validation/pod-spec.js'
import { defaultPodSpec } from './pod-defaults.js'

/** Deployments, replica sets and daemon sets (apps/v1): a selector, a pod template, a rollout strategy. */
function defaultWorkload(spec: any) {
  spec.template ??= {}
  spec.template.metadata ??= {}
  spec.template.spec ??= {}
  // apps/v1 has no selector defaulting (extensions/v1beta1 had): a missing selector is refused below.
  defaultPodSpec(spec.template.spec)
}

function checkWorkload(obj: KubeObject, opts: { replicas: boolean }): Cause[] {
  const out: Cause[] = []
  const spec = obj.spec
  if (!spec || typeof spec !== 'object') return [required('spec')]
  if (opts.replicas && spec.replicas !== undefined && (!Number.isInteger(spec.replicas) || spec.replicas < 0)) {
    out.push(invalid('spec.replicas', spec.replicas, 'must be greater than or equal to 0'))
  }
  const sel = spec.selector
  const reqs = sel ? safeRequirements(sel) : undefined
  if (!sel || !reqs || reqs.length === 0) {
    out.push(sel ? invalid('spec.selector', sel, 'empty selector is invalid for deployment') : required('spec.selector'))
  }
  const labels = spec.template?.metadata?.labels
  out.push(...checkLabels('spec.template.metadata.labels', labels))
  if (reqs && reqs.length > 0 && !matchRequirements(reqs, labels)) {
    out.push(invalid('spec.template.metadata.labels', labels ?? {}, '`selector` does not match template `labels`'))
  }
  out.push(...checkPodSpec('spec.template.spec', spec.template?.spec, { restartPolicies: ['Always'] }))
  return out
}

function safeRequirements(sel: any) {
  try {
    return labelSelectorRequirements(sel)
  } catch {
    return undefined
  }
}

/** apps/v1 selectors are immutable. */
function selectorImmutable(obj: KubeObject, old: KubeObject): Cause[] {
  if (old.spec?.selector && !deepEqual(obj.spec?.selector, old.spec.selector)) {
    return [invalid('spec.selector', obj.spec?.selector ?? {}, 'field is immutable')]
  }
  return []
}

export const deploymentStrategy = strategy('Deployment', {
  defaults(obj) {
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
  },
  validate(obj) {
    return [...checkMetadata(obj, this.nameRule), ...checkWorkload(obj, { replicas: true })]
  },
  validateUpdate: selectorImmutable,
})

export const replicaSetStrategy = strategy('ReplicaSet', {
  defaults(obj) {
    const spec = (obj.spec ??= {})
    spec.replicas ??= 1
    defaultWorkload(spec)
  },
  validate(obj) {
    return [...checkMetadata(obj, this.nameRule), ...checkWorkload(obj, { replicas: true })]
  },
  validateUpdate: selectorImmutable,
})

export const daemonSetStrategy = strategy('DaemonSet', {
  defaults(obj) {
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
  },
  validate(obj) {
    return [...checkMetadata(obj, this.nameRule), ...checkWorkload(obj, { replicas: false })]
  },
  validateUpdate: selectorImmutable,
})
