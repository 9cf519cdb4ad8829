import type { TaskDefinitionDoc } from '../task-definitions/task-definition-doc.js'
import type { EcsDeps } from '../types.js'
import type { ServiceDoc } from './service-doc.js'
import type { TaskSetDoc } from './task-set-doc.js'

/**
 * What runs services: the service handlers describe what they want (the stored service doc) and tell
 * the runtime; they never touch Kubernetes themselves. The instance (src/instance) gives
 * `deps.cluster.services` when the instance has a cluster. Without one, services are stored and
 * described but run no tasks (and a deleted service becomes INACTIVE at once).
 */
export interface ServiceRuntime {
  /**
   * Checks that the service's PRIMARY deployment can run, without I/O: throws a ClientException naming
   * a setting KECS cannot map (the request then fails and nothing is stored); returns the settings it
   * accepts but cannot apply.
   */
  prepare(service: ServiceDoc, taskDefinition: TaskDefinitionDoc): { ignored: { field: string; reason: string }[] }
  /** The same check for a task set of an EXTERNAL service (task-set-doc.ts), before it is stored. */
  prepareTaskSet?(service: ServiceDoc, taskSet: TaskSetDoc, taskDefinition: TaskDefinitionDoc): { ignored: { field: string; reason: string }[] }
  /**
   * The stored service changed (created, updated, deleted; or its task sets): make the cluster follow it
   * (Deployment or DaemonSet and Service, a Deployment per task set, or their removal) and re-evaluate
   * its state soon. Never throws; problems
   * are reported in the service's events and retried.
   */
  changed(serviceKey: string): void
}

export const serviceRuntime = (deps: EcsDeps): ServiceRuntime | undefined => deps.cluster.services
