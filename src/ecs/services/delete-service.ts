import { resolveCluster } from '../clusters/resolve.js'
import { invalidParameter, serviceNotActive, serviceNotFound } from '../errors.js'
import { stageDeleteTags } from '../tag-store.js'
import type { EcsDeps, Wire, Handler } from '../types.js'
import type { TaskDoc } from '../tasks/task-doc.js'
import { serviceRuntime } from './runtime.js'
import { findService, primaryOf, renderService, serviceGroup, serviceKey, type ServiceDoc } from './service-doc.js'
import { stageTaskSetsDrain } from './task-set-doc.js'
import { serviceMessages } from './validate.js'

/**
 * DeleteService (docs/ecs-facts.md#services): a REPLICA service still scaled above 0 needs `force`; the service
 * goes to desiredCount 0 and DRAINING, its tags go, and the runtime removes its workload; the scheduler
 * makes it INACTIVE once no task is left. It stays describable (INACTIVE) and leaves ListServices.
 * Without a cluster a service with no live task is INACTIVE at once.
 */
export const deleteService: Handler<'DeleteService'> = async (input, ctx, deps) => {
  const cluster = resolveCluster(ctx, deps, input.cluster)
  const current = findService(ctx, deps.repos, cluster.clusterName, input.service!)
  if (!current) throw serviceNotFound()
  if (current.status === 'INACTIVE') throw serviceNotActive()
  if (current.status === 'DRAINING') return { service: renderService(deps.repos, current) }
  if (current.schedulingStrategy !== 'DAEMON' && current.desiredCount > 0 && !input.force) {
    throw invalidParameter(serviceMessages.scaledAbove0)
  }
  const doc = drainedService(deps, current)
  const runtime = serviceRuntime(deps)
  const key = serviceKey(ctx, cluster.clusterName, doc.serviceName)
  // EXTERNAL: its task sets drain with it (or go at once when the service does).
  const taskSets = doc.deploymentController?.type === 'EXTERNAL' ? stageTaskSetsDrain(deps, doc, deps.clock.now(), doc.status === 'INACTIVE') : []
  await deps.repos.store.write([deps.repos.services.stagePut(key, doc), stageDeleteTags(deps.repos, doc.serviceArn), ...taskSets])
  runtime?.changed(key)
  return { service: renderService(deps.repos, doc) }
}

/**
 * The service as deletion leaves it: desiredCount 0 and DRAINING (the scheduler makes it INACTIVE once
 * no task is left; without a cluster, at once when none is). A fresh copy. Daemons are deleted this way too.
 */
export function drainedService(deps: EcsDeps, current: ServiceDoc): ServiceDoc {
  const doc: ServiceDoc = structuredClone(current)
  doc.desiredCount = 0
  doc.status = 'DRAINING'
  const p = primaryOf(doc)
  if (p) p.desiredCount = 0
  if (!serviceRuntime(deps) && !hasLiveTasks(deps, doc)) {
    doc.status = 'INACTIVE'
    doc.kecs.inactiveAt = deps.clock.now()
  }
  return doc
}

function hasLiveTasks(deps: EcsDeps, doc: ServiceDoc): boolean {
  const group = serviceGroup(doc.serviceName)
  for (const t of deps.repos.tasks.values()) {
    if (t.clusterArn === doc.clusterArn && t.group === group && t.lastStatus !== 'STOPPED') return true
  }
  return false
}
