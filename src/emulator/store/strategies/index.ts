import { strategy, type Strategy } from '../strategy.js'
import { required } from '../validation/causes.js'
import { configMapStrategy, secretStrategy } from './config.js'
import { namespaceStrategy } from './namespace.js'
import { podStrategy } from './pod.js'
import { serviceStrategy } from './service.js'
import { daemonSetStrategy, deploymentStrategy, replicaSetStrategy } from './workloads.js'

const eventStrategy = strategy('Event', {
  validate(obj) {
    const out = []
    if (!obj.metadata?.name) out.push(required('metadata.name', 'name or generateName is required'))
    if (!obj.involvedObject || typeof obj.involvedObject !== 'object') out.push(required('involvedObject'))
    return out
  },
  // The kubelet's "Killing" events are recorded while a namespace terminates; they go with it.
  allowedInTerminatingNamespace: true,
  holdsNamespace: false,
})

const endpointsStrategy = strategy('Endpoints', {
  defaults(obj) {
    for (const s of obj.subsets ?? []) for (const p of s.ports ?? []) p.protocol ??= 'TCP'
  },
})

const STRATEGIES = new Map<string, Strategy>(
  [
    namespaceStrategy,
    strategy('Node', { keepsStatusOnCreate: true }),
    podStrategy,
    serviceStrategy,
    endpointsStrategy,
    configMapStrategy,
    secretStrategy,
    eventStrategy,
    strategy('ServiceAccount'),
    deploymentStrategy,
    replicaSetStrategy,
    daemonSetStrategy,
  ].map((s) => [s.kind, s]),
)

/** The strategy of a kind; kinds without their own rules get the base ones. */
export function strategyFor(kind: string): Strategy {
  let s = STRATEGIES.get(kind)
  if (!s) STRATEGIES.set(kind, (s = strategy(kind)))
  return s
}
